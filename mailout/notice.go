package mailout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"fmt"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// NoticeVersion names the current privacy notice texts in notices/*.txt.
// Change it whenever their wording changes.
const NoticeVersion = "2026-2"

//go:embed notices/*.txt
var noticeFiles embed.FS

// NoticeText is one stored version of the privacy notice template.
type NoticeText struct {
	ID       int64  `db:"id" json:"id"`
	Language string `db:"language" json:"language"`
	Version  string `db:"version" json:"version"`
	Subject  string `db:"subject" json:"subject"`
	Body     string `db:"body" json:"body"`
	SHA256   string `db:"sha256" json:"sha256"`
}

// noticeSource returns the current template for lang: the subject line and
// the body.
func noticeSource(lang string) (subject, body string, err error) {
	data, err := noticeFiles.ReadFile("notices/" + lang + ".txt")
	if err != nil {
		return "", "", fmt.Errorf("mailout: no privacy notice in language %q", lang)
	}
	first, rest, _ := strings.Cut(string(data), "\n")
	return strings.TrimPrefix(first, "Subject: "), rest, nil
}

// storeNoticeText returns the stored current notice for lang, inserting
// this version the first time it is used.
func storeNoticeText(ctx context.Context, q sqlx.ExtContext, lang string) (NoticeText, error) {
	subject, body, err := noticeSource(lang)
	if err != nil {
		return NoticeText{}, err
	}
	sum := sha256.Sum256([]byte(lang + "\x00" + NoticeVersion + "\x00" + subject + "\x00" + body))
	const ins = `
		WITH ins AS (
			INSERT INTO notice_texts (language, version, subject, body, sha256) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (sha256) DO NOTHING RETURNING id, language, version, subject, body, sha256)
		SELECT id, language, version, subject, body, encode(sha256, 'hex') AS sha256 FROM ins
		UNION ALL
		SELECT id, language, version, subject, body, encode(sha256, 'hex') FROM notice_texts WHERE sha256 = $5
		LIMIT 1`
	var t NoticeText
	if err := sqlx.GetContext(ctx, q, &t, ins, lang, NoticeVersion, subject, body, sum[:]); err != nil {
		return NoticeText{}, fmt.Errorf("mailout: store privacy notice %s/%s: %w", lang, NoticeVersion, err)
	}
	return t, nil
}

// storeNoticeTexts returns the stored current notice in Italian and in
// English, the two texts a span of contacts is given by language
// (noticeTextOfContactSQL).
func storeNoticeTexts(ctx context.Context, q sqlx.ExtContext) (it, en NoticeText, err error) {
	if it, err = storeNoticeText(ctx, q, "it"); err != nil {
		return it, en, err
	}
	en, err = storeNoticeText(ctx, q, "en")
	return it, en, err
}

// QueueNotice queues the privacy notice for a new contact, after the
// configured delay, unless the contact already has the current version
// (queued or sent). Its signature is a crm.CaptureHook: register it with
// store.OnCapture(m.QueueNotice) so every capture queues its notice in the
// capturing transaction.
func (m *Mailer) QueueNotice(ctx context.Context, tx *sqlx.Tx, c crm.Contact) error {
	_, err := m.QueueCurrentNotice(ctx, tx, c)
	return err
}

// QueueCurrentNotice queues the privacy notice as QueueNotice does and
// reports whether it did: false when the contact already has the current
// version queued or sent, or was erased.
func (m *Mailer) QueueCurrentNotice(ctx context.Context, tx *sqlx.Tx, c crm.Contact) (bool, error) {
	if c.ErasedAt != nil {
		return false, nil
	}
	text, err := storeNoticeText(ctx, tx, m.language(c.Language))
	if err != nil {
		return false, err
	}
	const q = `
		INSERT INTO outbox (contact_id, kind, purpose, notice_text_id, next_attempt_at, created_by)
		SELECT $1, 'notice', 'privacy_notice', $2, now() + $3 * interval '1 microsecond', $4
		WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE contact_id = $1 AND kind = 'notice' AND notice_text_id = $2
			AND status IN ('queued', 'sending', 'sent', 'unknown'))
		RETURNING id`
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, q, c.ID, text.ID, m.cfg.NoticeDelay.Microseconds(), system); err != nil {
		return false, fmt.Errorf("mailout: queue privacy notice for contact %d: %w", c.ID, err)
	}
	if len(ids) == 0 {
		return false, nil
	}
	return true, m.store.OutboxEvent(ctx, tx, system, "outbox.notice_queued", c.ID, map[string]any{
		"outbox_id": ids[0], "notice_version": text.Version, "language": text.Language, "notice_sha256": text.SHA256})
}

// noticeData is what a privacy notice template can use.
type noticeData struct {
	Name, Company, Source string
	Controller, Address   string
	PrivacyEmail, DPO     string
	Recipients, Transfers string
	Purposes              []noticePurpose
	RetentionMonths       int
	ObjectURL             string
}

type noticePurpose struct{ Name, Basis string }

var noticeWords = map[string]map[string]string{
	"en": {
		"consent": "your consent (Art. 6(1)(a))", "legitimate_interest": "our legitimate interest in answering and following up your request (Art. 6(1)(f))",
		"contract": "a contract with you or steps you asked for before one (Art. 6(1)(b))", "soft_opt_in": "our legitimate interest in offering similar products to customers (Art. 6(1)(f))",
		"legal_obligation": "a legal obligation (Art. 6(1)(c))",
		"inbound_email":    "the email you sent us", "forwarded_email": "an email of yours forwarded to us by a colleague", "business_card": "the business card you gave us",
		"customer_relationship": "our customer relationship", "web_form": "the form you filled in", "manual": "you, or our staff who met you", "import": "our records of earlier contacts",
		"double_opt_in":    "your confirmation by email",
		"inquiry_followup": "answering and following up your inquiry", "marketing": "news and offers by email",
	},
	"it": {
		"email and hosting providers acting as processors (Art. 28)": "fornitori di servizi di posta elettronica e di hosting che agiscono per nostro conto come responsabili del trattamento (art. 28)",
		"none outside the European Economic Area":                    "nessuno al di fuori dello Spazio economico europeo",
		"consent": "il suo consenso (art. 6(1)(a))", "legitimate_interest": "il nostro legittimo interesse a rispondere e dare seguito alla sua richiesta (art. 6(1)(f))",
		"contract": "un contratto con lei o misure precontrattuali da lei richieste (art. 6(1)(b))", "soft_opt_in": "il nostro legittimo interesse a proporre ai clienti prodotti analoghi (art. 6(1)(f))",
		"legal_obligation": "un obbligo di legge (art. 6(1)(c))",
		"inbound_email":    "l'email che ci ha inviato", "forwarded_email": "una sua email inoltrataci da un collega", "business_card": "il biglietto da visita che ci ha dato",
		"customer_relationship": "il nostro rapporto di clientela", "web_form": "il modulo che ha compilato", "manual": "lei stesso o il nostro personale che l'ha incontrata", "import": "i nostri archivi di contatti precedenti",
		"double_opt_in":    "la sua conferma via email",
		"inquiry_followup": "rispondere e dare seguito alla sua richiesta", "marketing": "novità e offerte via email",
	},
}

func word(lang, code string) string {
	if w, ok := noticeWords[lang][code]; ok {
		return w
	}
	return code
}

// renderNotice renders a stored notice version for one contact.
func (m *Mailer) renderNotice(ctx context.Context, j *job) (subject, body string, err error) {
	var t NoticeText
	if err := m.db.GetContext(ctx, &t, `SELECT id, language, version, subject, body, encode(sha256, 'hex') AS sha256
		FROM notice_texts WHERE id = $1`, j.NoticeTextID); err != nil {
		return "", "", fmt.Errorf("mailout: privacy notice text %d: %w", j.NoticeTextID, err)
	}
	c := crm.Contact{ID: j.ContactID, Email: j.Email, Name: j.Name, CreatedAt: j.ContactCreatedAt, LastActivityAt: j.ContactActivityAt}
	bases, err := m.store.Bases(ctx, m.db, c)
	if err != nil {
		return "", "", err
	}
	objectURL, _ := m.unsubscribeURL(j.ContactID, "")
	d := noticeData{Name: j.Name, Company: j.Company, Source: word(t.Language, j.Source),
		Controller: m.cfg.Organization.Name, Address: m.cfg.Organization.Address, PrivacyEmail: m.cfg.Organization.PrivacyEmail,
		RetentionMonths: m.cfg.RetentionMonths, ObjectURL: objectURL, DPO: m.cfg.Organization.DPO,
		Transfers: word(t.Language, m.cfg.Organization.Transfers)}
	recipients := make([]string, len(m.cfg.Organization.Recipients))
	for i, r := range m.cfg.Organization.Recipients {
		recipients[i] = word(t.Language, r)
	}
	d.Recipients = strings.Join(recipients, "; ")
	for _, b := range bases {
		if b.WithdrawnAt == nil {
			d.Purposes = append(d.Purposes, noticePurpose{Name: word(t.Language, b.Purpose), Basis: word(t.Language, b.Kind)})
		}
	}
	if len(d.Purposes) == 0 {
		d.Purposes = []noticePurpose{{Name: word(t.Language, crm.FollowUpPurpose), Basis: word(t.Language, "legitimate_interest")}}
	}
	subject, err = execText(t.Subject, d)
	if err != nil {
		return "", "", err
	}
	body, err = execText(t.Body, d)
	return subject, body, err
}

func execText(src string, data any) (string, error) {
	t, err := texttemplate.New("notice").Option("missingkey=error").Parse(src)
	if err != nil {
		return "", fmt.Errorf("mailout: notice template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("mailout: notice template: %w", err)
	}
	return b.String(), nil
}

// Overdue is a contact whose privacy notice was not sent within the
// deadline (Art. 14(3): one month at most).
type Overdue struct {
	ContactID int64     `db:"contact_id" json:"contact_id"`
	Email     string    `db:"email" json:"email"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	DueAt     time.Time `db:"due_at" json:"due_at"`
	Status    string    `db:"status" json:"status"` // the latest notice's status, "none" if never queued
	LastError string    `db:"last_error" json:"last_error,omitempty"`
}

// NoticesOverdue lists contacts past the notice deadline with no notice sent.
func (m *Mailer) NoticesOverdue(ctx context.Context) ([]Overdue, error) {
	const q = `
		SELECT c.id AS contact_id, c.email, c.created_at, c.created_at + $1 * interval '1 microsecond' AS due_at,
			COALESCE(o.status, 'none') AS status, COALESCE(o.last_error, '') AS last_error
		FROM contacts c
		LEFT JOIN LATERAL (SELECT status, last_error FROM outbox WHERE contact_id = c.id AND kind = 'notice'
			ORDER BY id DESC LIMIT 1) o ON true
		WHERE c.erased_at IS NULL AND c.created_at + $1 * interval '1 microsecond' < now()
			AND NOT EXISTS (SELECT 1 FROM outbox s WHERE s.contact_id = c.id AND s.kind = 'notice' AND s.status = 'sent')
		ORDER BY c.created_at, c.id`
	out := []Overdue{}
	if err := m.db.SelectContext(ctx, &out, q, m.cfg.NoticeDeadline.Microseconds()); err != nil {
		return nil, fmt.Errorf("mailout: overdue notices: %w", err)
	}
	return out, nil
}
