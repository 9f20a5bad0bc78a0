package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/basis-crm/basis/crm"
)

type confirmData struct {
	Text    crm.ConsentText
	Purpose string
	Action  string
}

// pathLang is the language segment of a public URL (/it/confirm/...).
func pathLang(r *http.Request) string {
	lang, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if slices.Contains(languages, lang) {
		return lang
	}
	return languages[0]
}

func (s *Server) publicView(r *http.Request, lang, title string, data any) view {
	v := s.newView(r, title, data)
	v.Lang, v.User, v.Flash = lang, nil, ""
	return v
}

func (s *Server) publicMessage(w http.ResponseWriter, r *http.Request, lang string, status int, title, msg string) {
	v := s.publicView(r, lang, title, nil)
	v.Error = v.T(msg)
	s.renderView(w, r, status, "public_message", v)
}

func (s *Server) tokenError(w http.ResponseWriter, r *http.Request, lang string, err error) {
	switch {
	case errors.Is(err, crm.ErrTokenUnknown):
		s.publicMessage(w, r, lang, http.StatusNotFound, "Link not valid", "This confirmation link is not known. Check that the whole link from our message was opened; if it still does not work, ask us for a new one.")
	case errors.Is(err, crm.ErrTokenExpired):
		s.publicMessage(w, r, lang, http.StatusGone, "Link expired", "This confirmation link has expired. Ask us for a new one.")
	case errors.Is(err, crm.ErrTokenUsed):
		s.publicMessage(w, r, lang, http.StatusGone, "Already confirmed", "This confirmation link was already used: your consent is recorded.")
	default:
		s.fail(w, r, err)
	}
}

// confirmForm shows the consent text and a button; it changes nothing, so
// link scanners that fetch every URL cannot confirm for the person.
func (s *Server) confirmForm(w http.ResponseWriter, r *http.Request) {
	lang := pathLang(r)
	w.Header().Set("Cache-Control", "no-store")
	_, text, _, err := s.store.LookupConsentRequest(r.Context(), r.PathValue("token"))
	if err != nil {
		s.tokenError(w, r, lang, err)
		return
	}
	s.renderView(w, r, http.StatusOK, "public_confirm", s.publicView(r, lang, "Confirm your consent",
		confirmData{Text: text, Purpose: text.Purpose, Action: r.URL.Path}))
}

// confirm records the consent with the time, IP address and user agent.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	lang := pathLang(r)
	if _, err := s.store.ConfirmConsent(r.Context(), r.PathValue("token"), clientIP(r), truncate(r.UserAgent(), 500)); err != nil {
		s.tokenError(w, r, lang, err)
		return
	}
	s.publicMessage(w, r, lang, http.StatusOK, "Thank you", "Your consent is recorded. You can withdraw it at any time with the link in every message.")
}

// contactLang is the language to address a contact in.
func (s *Server) contactLang(r *http.Request, token string) string {
	id, _, err := s.store.ParseUnsubscribeToken(token)
	if err == nil {
		if c, err := s.store.GetContact(r.Context(), s.store.DB(), id); err == nil && slices.Contains(languages, c.Language) {
			return c.Language
		}
	}
	return s.defaultLang()
}

func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	lang := s.contactLang(r, token)
	_, purpose, err := s.store.ParseUnsubscribeToken(token)
	if err != nil {
		s.publicMessage(w, r, lang, http.StatusNotFound, "Link not valid", "This unsubscribe link is not valid. Check that the whole link from our message was opened, or reply to that message asking to be removed.")
		return
	}
	data, title := unsubscribeData{Action: r.URL.Path, Everything: s.objectsToEverything(purpose)}, "Unsubscribe"
	if data.Everything {
		title = "Object to being contacted"
	}
	s.renderView(w, r, http.StatusOK, "public_unsubscribe", s.publicView(r, lang, title, data))
}

// unsubscribeData is the unsubscribe page: where its button posts, and
// whether the link objects to every purpose (the privacy notice's).
type unsubscribeData struct {
	Action     string
	Everything bool
}

// objectsToEverything reports a token purpose whose objection covers every
// purpose: the link of the privacy notice.
func (s *Server) objectsToEverything(tokenPurpose string) bool {
	return s.store.ObjectionPurpose(tokenPurpose) == crm.AllPurposes
}

// unsubscribe records the objection at once: the page's button, or a mail
// client's RFC 8058 one-click POST (body List-Unsubscribe=One-Click).
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := r.PathValue("token")
	lang := s.contactLang(r, token)
	via := "unsubscribe page"
	if r.PostFormValue("List-Unsubscribe") == "One-Click" {
		via = "one-click (RFC 8058)"
	}
	_, purpose, err := s.store.Unsubscribe(r.Context(), token, via, "public:unsubscribe")
	if err != nil {
		if errors.Is(err, crm.ErrBadToken) || errors.Is(err, crm.ErrNotFound) {
			s.publicMessage(w, r, lang, http.StatusNotFound, "Link not valid", "This unsubscribe link is not valid. Check that the whole link from our message was opened, or reply to that message asking to be removed.")
			return
		}
		s.fail(w, r, err)
		return
	}
	if s.objectsToEverything(purpose) {
		s.publicMessage(w, r, lang, http.StatusOK, "Objection recorded", "Your objection is recorded: we will not contact you any more.")
		return
	}
	s.publicMessage(w, r, lang, http.StatusOK, "Unsubscribed", "You are unsubscribed. You will receive no more of these messages.")
}

type privacyData struct {
	Address, Email string
}

func (s *Server) privacy(w http.ResponseWriter, r *http.Request) {
	s.renderView(w, r, http.StatusOK, "public_privacy", s.publicView(r, pathLang(r), "Privacy notice",
		privacyData{Address: s.org.Address, Email: s.org.PrivacyEmail}))
}

func (s *Server) privacyRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/"+s.defaultLang()+"/privacy", http.StatusFound)
}
