package mailin

import "strings"

// listReason is step 3: mailing-list and bulk notification mail.
func listReason(m *Message) (string, bool) {
	for _, k := range []string{"List-Id", "List-Unsubscribe", "List-Post"} {
		if v := strings.TrimSpace(m.Header.Get(k)); v != "" {
			return k + ": " + clip(v, 80), true
		}
	}
	if p := precedence(m); p == "list" {
		return "Precedence: list", true
	}
	return "", false
}

// hasListHeaders reports List-Id or List-Unsubscribe, which make the weak
// auto-reply signals (Precedence: bulk, X-Auto-Response-Suppress) mean list mail.
func hasListHeaders(m *Message) bool {
	return m.Header.Get("List-Id") != "" || m.Header.Get("List-Unsubscribe") != ""
}

func precedence(m *Message) string {
	return strings.ToLower(strings.TrimSpace(m.Header.Get("Precedence")))
}
