package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestConfirmGetChangesNothingPostConfirms(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("anna@example.com", "Anna", "")
	link := f.consentLink(c, "it")
	for i := 0; i < 3; i++ { // link scanners GET every URL
		rec := f.do("GET", link, nil, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "newsletter di Acme") || !strings.Contains(rec.Body.String(), "Acme S.r.l.") {
			t.Fatalf("confirm page: %d %s", rec.Code, rec.Body.String())
		}
	}
	if cs, _ := f.st.Consents(ctx, f.st.DB(), c.ID); len(cs) != 0 {
		t.Fatalf("GET recorded a consent")
	}
	rec := f.do("POST", link, nil, url.Values{}, "User-Agent", "TestBrowser/1.0")
	if rec.Code != http.StatusOK {
		t.Fatalf("confirm POST: %d", rec.Code)
	}
	cs, err := f.st.Consents(ctx, f.st.DB(), c.ID)
	if err != nil || len(cs) != 1 || cs[0].UserAgent != "TestBrowser/1.0" || cs[0].IP == "" {
		t.Fatalf("consent not recorded with IP and user agent: %+v %v", cs, err)
	}
	if rec := f.do("POST", link, nil, url.Values{}); rec.Code != http.StatusGone {
		t.Fatalf("second POST: %d, want 410", rec.Code)
	}
	if rec := f.do("GET", "/en/confirm/unknown-token", nil, nil); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "not known") ||
		!strings.Contains(rec.Body.String(), "ask us for a new one") {
		t.Fatalf("unknown token: %d, %s", rec.Code, rec.Body)
	}
	if rec := f.do("GET", "/it/confirm/unknown-token", nil, nil); !strings.Contains(rec.Body.String(), "ci chieda un nuovo link") {
		t.Fatalf("unknown token in Italian: %s", rec.Body)
	}
}

func TestUnsubscribeOneClick(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("luca@example.com", "Luca", "")
	token := f.st.UnsubscribeToken(c.ID, "marketing")
	if rec := f.do("GET", "/u/"+token, nil, nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="unsubscribe"`) {
		t.Fatalf("unsubscribe page: %d", rec.Code)
	}
	if s, _ := f.st.IsSuppressed(ctx, f.st.DB(), c.Email, "marketing"); s {
		t.Fatalf("GET unsubscribed")
	}
	rec := f.do("POST", "/u/"+token, nil, url.Values{"List-Unsubscribe": {"One-Click"}})
	if rec.Code != http.StatusOK {
		t.Fatalf("one-click: %d", rec.Code)
	}
	if s, _ := f.st.IsSuppressed(ctx, f.st.DB(), c.Email, "marketing"); !s {
		t.Fatalf("one-click POST did not suppress")
	}
	if rec := f.do("POST", "/u/"+token[:len(token)-2]+"xx", nil, url.Values{}); rec.Code != http.StatusNotFound ||
		!strings.Contains(rec.Body.String(), "risponda a quel messaggio chiedendo di essere rimosso") { // the organization's language: the token names nobody
		t.Fatalf("forged token: %d, %s", rec.Code, rec.Body)
	}
}

func TestPrivacyPageNamesController(t *testing.T) {
	f := newFixture(t)
	rec := f.do("GET", "/en/privacy", nil, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "The data controller is Acme S.r.l.") {
		t.Fatalf("privacy: %d", rec.Code)
	}
	if rec := f.do("GET", "/it/privacy", nil, nil); !strings.Contains(rec.Body.String(), "titolare del trattamento") {
		t.Fatalf("Italian privacy page not in Italian")
	}
}

// The privacy notice's link says what it does: an objection to being
// contacted at all, for every purpose (Art. 21), in the person's language.
func TestNoticeLinkPageIsAnObjectionToEveryPurpose(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("luca@example.com", "Luca", "")
	token := f.st.UnsubscribeToken(c.ID, "")
	rec := f.do("GET", "/u/"+token, nil, nil)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "non la contatterà più, per nessuna finalità") || !strings.Contains(body, "Mi oppongo") {
		t.Fatalf("notice link page: %d %s", rec.Code, body)
	}
	rec = f.do("POST", "/u/"+token, nil, url.Values{})
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "La sua opposizione è registrata") {
		t.Fatalf("objection: %d %s", rec.Code, body)
	}
	if e, _ := f.st.Eligible(ctx, f.st.DB(), c, "inquiry_followup"); e.Allowed {
		t.Errorf("follow-up after the objection: %+v", e)
	}
}
