package config

// Register is what the record of processing activities (GDPR Art. 30) says
// beyond what the rest of the configuration already states (controller,
// purposes and their bases, retention).
type Register struct {
	// DPO is the data protection officer's name and contact, if one is designated.
	DPO string `yaml:"dpo"`
	// Purposes describes each purpose of policy.purposes in words.
	Purposes map[string]string `yaml:"purposes"`
	// DataCategories are the categories of personal data processed.
	DataCategories []string `yaml:"data_categories"`
	// SubjectCategories are the categories of data subjects.
	SubjectCategories []string `yaml:"subject_categories"`
	// Recipients are those the data is disclosed to (processors included).
	Recipients []string `yaml:"recipients"`
	// Transfers states transfers to third countries and their safeguards.
	Transfers string `yaml:"transfers"`
	// SecurityMeasures are the technical and organisational measures (Art. 32).
	SecurityMeasures []string `yaml:"security_measures"`
}
