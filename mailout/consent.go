package mailout

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// ConsentTextVersion names the current consent texts below.
const ConsentTextVersion = "2026-1"

// consentTexts are what a person agrees to, by language; %[1]s is the
// organization and %[2]s the purpose described.
var consentTexts = map[string]string{
	"it": "Acconsento a che %[1]s mi invii per email %[2]s. Posso revocare il consenso in qualsiasi momento con il link presente in ogni messaggio.",
	"en": "I agree that %[1]s may send me %[2]s by email. I can withdraw this consent at any time with the link in every message.",
}

var consentMails = map[string]struct{ subject, body string }{
	"it": {"Confermi la sua iscrizione: %[1]s", "Buongiorno,\n\nper confermare che desidera ricevere da %[1]s %[2]s, apra questo link e prema \"Confermo\":\n\n%[3]s\n\nIl link scade tra %[4]d giorni. Se non ha chiesto nulla, ignori questo messaggio: senza conferma non riceverà altro.\n\n%[1]s\n"},
	"en": {"Please confirm: %[1]s", "Hello,\n\nto confirm that you want to receive %[2]s from %[1]s, open this link and press \"Confirm\":\n\n%[3]s\n\nThe link expires in %[4]d days. If you did not ask for this, ignore this message: without confirmation you will receive nothing more.\n\n%[1]s\n"},
}

// ConsentRequested is a queued double opt-in request.
type ConsentRequested struct {
	Request  crm.ConsentRequest `json:"request"`
	OutboxID int64              `json:"outbox_id"`
	Email    string             `json:"email"`
	// ConfirmURL is the link sent; it holds the only clear copy of the
	// token besides the queued message.
	ConfirmURL string `json:"-"`
}

// RequestConsent opens a double opt-in request for the contact with email
// and purpose and queues the confirmation mail with the link
// {base_url}/{lang}/confirm/{token}. crm refuses a second open request for
// the same purpose and too many requests to one address.
func (m *Mailer) RequestConsent(ctx context.Context, email, purpose string, actor crm.Actor) (ConsentRequested, error) {
	if !slices.Contains(m.store.PurposeNames(), purpose) {
		return ConsentRequested{}, fmt.Errorf("mailout: consent request: purpose %q is not one of %v: %w", purpose, m.store.PurposeNames(), crm.ErrInvalidInput)
	}
	var out ConsentRequested
	err := m.store.InTx(ctx, func(tx *sqlx.Tx) error {
		c, err := m.store.FindContact(ctx, tx, email)
		if err != nil {
			return fmt.Errorf("mailout: consent request to %s: %w", email, err)
		}
		if c.ErasedAt != nil {
			return fmt.Errorf("mailout: consent request to %s: %w", email, crm.ErrErased)
		}
		if sup, err := m.store.IsSuppressed(ctx, tx, c.Email, purpose); err != nil {
			return err
		} else if sup {
			return fmt.Errorf("mailout: consent request to %s for %s: %w", c.Email, purpose, crm.ErrSuppressed)
		}
		lang := m.language(c.Language)
		what := word(lang, purpose)
		text, err := m.store.StoreConsentText(ctx, tx, purpose, lang, ConsentTextVersion, fmt.Sprintf(consentTexts[lang], m.cfg.Organization.Name, what))
		if err != nil {
			return err
		}
		req, token, err := m.store.RequestConsent(ctx, tx, c.ID, text.ID, m.cfg.ConsentTTL, actor)
		if err != nil {
			return fmt.Errorf("mailout: consent request to %s: %w", c.Email, err)
		}
		link := m.cfg.BaseURL + "/" + lang + "/confirm/" + token
		mail := consentMails[lang]
		subject := fmt.Sprintf(mail.subject, m.cfg.Organization.Name)
		body := fmt.Sprintf(mail.body, m.cfg.Organization.Name, what, link, int(m.cfg.ConsentTTL.Hours()/24))
		const q = `INSERT INTO outbox (contact_id, kind, purpose, consent_request_id, subject, body_text, created_by)
			VALUES ($1, 'consent_request', $2, $3, $4, $5, $6) RETURNING id`
		if err := tx.GetContext(ctx, &out.OutboxID, q, c.ID, purpose, req.ID, subject, body, actor); err != nil {
			return fmt.Errorf("mailout: queue consent request to %s: %w", c.Email, err)
		}
		out.Request, out.Email, out.ConfirmURL = req, c.Email, link
		return m.store.OutboxEvent(ctx, tx, actor, "outbox.consent_request_queued", c.ID, map[string]any{
			"outbox_id": out.OutboxID, "request_id": req.ID, "purpose": purpose})
	})
	return out, err
}
