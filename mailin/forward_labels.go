package mailin

import "strings"

// labelKind is what a quoted header label names.
type labelKind int

const (
	labelNone labelKind = iota
	labelFrom
	labelDate
	labelTo
	labelCc
	labelSubject
	labelOther
)

// headerLabels maps lower-case labels of quoted headers, as mail clients
// write them in it/en/de/fr/es (and a few more), to what they name.
var headerLabels = map[string]labelKind{
	"from": labelFrom, "da": labelFrom, "de": labelFrom, "von": labelFrom, "mittente": labelFrom,
	"van": labelFrom, "от кого": labelFrom, "от": labelFrom, "fra": labelFrom, "från": labelFrom,
	"od": labelFrom, "expéditeur": labelFrom, "remitente": labelFrom, "sender": labelFrom,

	"date": labelDate, "sent": labelDate, "data": labelDate, "datum": labelDate, "fecha": labelDate,
	"gesendet": labelDate, "inviato": labelDate, "enviado": labelDate, "envoyé": labelDate,
	"envoyé le": labelDate, "дата": labelDate, "verzonden": labelDate, "sendt": labelDate,
	"skickat": labelDate, "wysłano": labelDate, "inviato il": labelDate, "enviado el": labelDate,

	"to": labelTo, "a": labelTo, "à": labelTo, "an": labelTo, "para": labelTo, "pour": labelTo,
	"per": labelTo, "aan": labelTo, "til": labelTo, "till": labelTo, "кому": labelTo,
	"destinatario": labelTo, "destinataire": labelTo, "empfänger": labelTo, "do": labelTo,

	"cc": labelCc, "copia": labelCc, "kopie": labelCc, "copie à": labelCc, "copie": labelCc,
	"cc/ccn": labelCc, "bcc": labelCc, "ccn": labelCc,

	"subject": labelSubject, "oggetto": labelSubject, "betreff": labelSubject, "asunto": labelSubject,
	"objet": labelSubject, "sujet": labelSubject, "тема": labelSubject, "onderwerp": labelSubject,
	"emne": labelSubject, "ämne": labelSubject, "temat": labelSubject, "assunto": labelSubject,

	"reply-to": labelOther, "rispondi a": labelOther, "antwort an": labelOther,
	"répondre à": labelOther, "responder a": labelOther, "importance": labelOther,
	"priorità": labelOther, "wichtigkeit": labelOther, "attachments": labelOther,
	"allegati": labelOther, "anlagen": labelOther, "pièces jointes": labelOther,
	"adjuntos": labelOther,
}

// strongBanners open a forwarded message unambiguously (lower case).
var strongBanners = []string{
	"forwarded message", "begin forwarded message", "forwarded e-mail", "forwarded email",
	"messaggio inoltrato", "inizio messaggio inoltrato", "messaggio di posta inoltrato",
	"weitergeleitete nachricht", "anfang der weitergeleiteten nachricht",
	"message transféré", "début du message réexpédié", "début du message transféré", "message transmis",
	"mensaje reenviado", "inicio del mensaje reenviado", "comienzo del mensaje reenviado",
	"mensagem encaminhada", "doorgestuurd bericht", "пересылаемое сообщение",
	"videresendt melding", "vidarebefordrat meddelande",
}

// weakBanners open a quoted original message: a reply or a forward,
// decided by the subject.
var weakBanners = []string{
	"original message", "ursprüngliche nachricht", "originalnachricht", "messaggio originale",
	"message d'origine", "message original", "mensaje original", "mensagem original",
	"oorspronkelijk bericht", "исходное сообщение",
}

// attributionEnds end an "On <date>, <person> wrote:" line.
var attributionEnds = []string{
	"wrote:", "ha scritto:", "schrieb:", "a écrit :", "a écrit:", "escribió:", "escribio:",
	"skrev:", "schreef:", "написал:", "написал(а):",
}

// forwardPrefixes are subject prefixes of forwards (lower case, without ':').
var forwardPrefixes = map[string]bool{
	"fw": true, "fwd": true, "i": true, "inoltro": true, "tr": true, "wg": true, "rv": true,
	"enc": true, "fwd.": true, "doorst": true, "vs": true, "vb": true, "forward": true,
}

// replyPrefixes are subject prefixes of replies (lower case, without ':').
var replyPrefixes = map[string]bool{
	"re": true, "r": true, "aw": true, "sv": true, "antw": true, "rif": true, "réf": true,
	"ref": true, "res": true, "odp": true, "ynt": true,
}

// subjectPrefix splits one "Xx:" prefix off s; ok is false when s has none.
func subjectPrefix(s string) (prefix, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t")
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || colon > 12 {
		return "", s, false
	}
	p := strings.ToLower(strings.TrimSpace(s[:colon]))
	if i := strings.IndexByte(p, '['); i > 0 { // "Re[2]"
		p = p[:i]
	}
	if !forwardPrefixes[p] && !replyPrefixes[p] {
		return "", s, false
	}
	return p, s[colon+1:], true
}

// StripSubjectPrefixes removes leading reply and forward prefixes
// ("Re: Fwd: I: ...") from a subject.
func StripSubjectPrefixes(s string) string {
	for range 10 {
		_, rest, ok := subjectPrefix(s)
		if !ok {
			break
		}
		s = rest
	}
	return strings.TrimSpace(s)
}

// isForwardSubject reports whether the subject's first prefix is a forward one.
func isForwardSubject(s string) bool {
	p, _, ok := subjectPrefix(s)
	return ok && forwardPrefixes[p]
}

// isReplySubject reports whether the subject's first prefix is a reply one.
func isReplySubject(s string) bool {
	p, _, ok := subjectPrefix(s)
	return ok && replyPrefixes[p]
}
