package mailin

import "strings"

// outOfOfficeSubjects are lower-case subject fragments of auto-replies in
// it/en/de/fr/es.
var outOfOfficeSubjects = []string{
	// en
	"out of office", "out of the office", "out-of-office", "automatic reply", "auto reply",
	"auto-reply", "autoreply", "autorespons", "auto response", "auto-response",
	"away from the office", "vacation reply", "on vacation", "on holiday", "on leave",
	"read:", "read receipt", "return receipt",
	// it
	"risposta automatica", "fuori sede", "fuori ufficio", "fuori dall'ufficio",
	"assente dall'ufficio", "non sono in ufficio", "in ferie", "risposta di assenza",
	"letto:", "conferma di lettura",
	// de
	"abwesenheitsnotiz", "automatische antwort", "automatische rückantwort", "abwesend",
	"nicht im büro", "außer haus", "gelesen:", "lesebestätigung",
	// fr
	"réponse automatique", "reponse automatique", "absence du bureau", "absent du bureau",
	"absente du bureau", "message d'absence", "en congé", "lu :", "lu:", "accusé de lecture",
	// es
	"respuesta automática", "respuesta automatica", "fuera de la oficina", "fuera de oficina",
	"de vacaciones", "leído:", "confirmación de lectura",
}

// autoReplyReason is step 2: RFC 3834 and vendor auto-reply markers, read
// receipts, and out-of-office subjects. Precedence: bulk/junk and
// X-Auto-Response-Suppress count only when the message carries no list
// headers (notifications set them too, and those are list mail).
func autoReplyReason(m *Message) (string, bool) {
	h := &m.Header
	if v := strings.TrimSpace(h.Get("Auto-Submitted")); v != "" {
		first := strings.ToLower(v)
		if i := strings.IndexAny(first, " ;("); i >= 0 {
			first = first[:i]
		}
		if first != "no" {
			return "Auto-Submitted: " + clip(v, 60), true
		}
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"} {
		if v := strings.TrimSpace(h.Get(k)); v != "" && !strings.EqualFold(v, "no") {
			return k + ": " + clip(v, 60), true
		}
	}
	if v := h.Get("X-Apple-Action"); strings.Contains(strings.ToUpper(v), "VACATION") {
		return "X-Apple-Action: " + clip(v, 40), true
	}
	if isMDN(m) {
		return "read receipt (disposition notification)", true
	}
	subj := strings.ToLower(m.Subject)
	for _, s := range outOfOfficeSubjects {
		if strings.HasPrefix(s, "read") || strings.HasSuffix(s, ":") {
			if strings.HasPrefix(subj, s) {
				return "auto-reply subject: " + clip(m.Subject, 60), true
			}
			continue
		}
		if strings.Contains(subj, s) {
			return "auto-reply subject: " + clip(m.Subject, 60), true
		}
	}
	if hasListHeaders(m) {
		return "", false
	}
	switch p := precedence(m); p {
	case "auto_reply", "auto-reply", "bulk", "junk":
		return "Precedence: " + p, true
	}
	if v := strings.TrimSpace(h.Get("X-Auto-Response-Suppress")); v != "" {
		return "X-Auto-Response-Suppress: " + clip(v, 40), true
	}
	return "", false
}

// isMDN reports an RFC 8098 message disposition notification.
func isMDN(m *Message) bool {
	if m.reportType == "disposition-notification" || m.mediaType == "message/disposition-notification" {
		return true
	}
	for _, r := range m.reports {
		if strings.Contains(r.mediaType, "disposition-notification") {
			return true
		}
	}
	return false
}
