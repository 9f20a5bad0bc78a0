package mailin

import "strings"

// spamReason is step 4: a header set by the receiving server marks spam.
func (c Classifier) spamReason(m *Message) (string, bool) {
	rules := c.SpamHeaders
	if rules == nil {
		rules = DefaultSpamHeaders
	}
	for field, want := range rules {
		for _, v := range m.Header.Values(field) {
			v = strings.TrimSpace(v)
			first := v
			if i := strings.IndexAny(v, " ,;\t("); i >= 0 {
				first = v[:i]
			}
			if strings.EqualFold(v, want) || strings.EqualFold(first, want) {
				return field + ": " + clip(v, 60), true
			}
		}
	}
	return "", false
}
