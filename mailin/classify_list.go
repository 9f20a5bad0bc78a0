package mailin

import "strings"

// listFields mark mailing-list mail (RFC 2369, RFC 2919 and older list managers).
var listFields = []string{"List-Id", "List-Unsubscribe", "List-Post", "List-Help", "List-Subscribe", "List-Archive", "Mailing-List", "X-Mailing-List"}

// listReason is step 3: mailing-list and bulk notification mail.
func listReason(m *Message) (string, bool) {
	for _, k := range listFields {
		if v := strings.TrimSpace(m.Header.Get(k)); v != "" {
			return k + ": " + clip(v, 80), true
		}
	}
	if p := precedence(m); p == "list" {
		return "Precedence: list", true
	}
	if s := listManagerSender(m); s != "" {
		return "Sender: " + s, true
	}
	return "", false
}

// hasListHeaders reports list fields or a list-manager Sender, which make the
// weak auto-reply signals (Precedence: bulk, X-Auto-Response-Suppress) mean
// list mail.
func hasListHeaders(m *Message) bool {
	for _, k := range listFields {
		if m.Header.Get(k) != "" {
			return true
		}
	}
	return listManagerSender(m) != ""
}

// listManagerSender returns the Sender address when it is a list manager's
// ("owner-x@", "x-owner@", "x-request@", "x-bounces@").
func listManagerSender(m *Message) string {
	a := strings.ToLower(firstAddress(m.Header.Get("Sender")))
	local, _, _ := strings.Cut(a, "@")
	if strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-owner") ||
		strings.HasSuffix(local, "-request") || strings.HasSuffix(local, "-bounces") {
		return a
	}
	return ""
}

func precedence(m *Message) string {
	return strings.ToLower(strings.TrimSpace(m.Header.Get("Precedence")))
}
