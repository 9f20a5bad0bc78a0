package dossier

// basisLaw explains, for each basis kind, the legal ground and why it holds.
var basisLaw = map[string]string{
	"legitimate_interest": "GDPR Art. 6(1)(f): legitimate interest. The person wrote to us first; answering the inquiry and " +
		"following it up one to one is what they can reasonably expect (Recital 47), and a balance of interests favours it. " +
		"They may object at any time (Art. 21(1)); the interest lapses after the configured period without activity.",
	"consent": "GDPR Art. 6(1)(a) and Art. 7: consent, freely given, specific, informed and unambiguous, proven by the record " +
		"below (the exact text agreed to and its SHA-256, when and how). It can be withdrawn at any time, as easily as given " +
		"(Art. 7(3)). For marketing by email it is also the consent of Art. 13(1) of the ePrivacy Directive 2002/58/EC " +
		"(in Italy Art. 130(1) of the Codice privacy).",
	"soft_opt_in": "ePrivacy Directive 2002/58/EC Art. 13(2) (in Italy Art. 130(4) of the Codice privacy) with GDPR Art. 6(1)(f): " +
		"the address was obtained in the context of a sale to this customer and is used only for our own similar products, " +
		"with a clear chance to object when it was collected and in every message (the unsubscribe link, RFC 8058).",
	"contract": "GDPR Art. 6(1)(b): necessary for the performance of a contract with the person, or for steps taken at their " +
		"request before entering into one.",
	"legal_obligation": "GDPR Art. 6(1)(c): necessary for compliance with a legal obligation of the controller (e.g. tax records).",
}

// sourceText says how data from each source was obtained and which notice applies.
var sourceText = map[string]string{
	"inbound_email":         "collected from the person, who wrote to us: the notice of Art. 13 applies",
	"forwarded_email":       "forwarded to us by someone else: not obtained from the person, so the notice of Art. 14 is due within one month (Art. 14(3)(a))",
	"business_card":         "handed over by the person (business card): the notice of Art. 13 applies",
	"customer_relationship": "obtained in the course of a sale or contract with the person",
	"web_form":              "entered by the person in a form on our website",
	"double_opt_in":         "confirmed by the person through a double opt-in link",
	"manual":                "entered by staff, with the reason on the record",
	"import":                "imported from an earlier list, with the reason on the record",
}

// evidenceText says what each kind of evidence proves.
var evidenceText = map[string]string{
	"inbound_email":   "the original email as received, byte for byte",
	"forwarded_email": "the forwarded email as received, byte for byte",
	"business_card":   "the scan of the business card",
	"consent_record":  "the record of the consent confirmation (time, IP address, user agent, text version)",
	"sent_message":    "the exact message we sent, byte for byte",
	"document":        "a document",
	"signed_form":     "a signed form",
}
