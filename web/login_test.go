package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestLoginSetsHardenedCookieAndLogoutEndsSession(t *testing.T) {
	f := newFixture(t)
	rec := f.do("POST", "/login", nil, url.Values{"email": {"staff@acme-srl.it"}, "password": {testPassword}, "next": {"/review"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/review" {
		t.Fatalf("login: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].Secure {
		t.Fatalf("session cookie: %+v (want HttpOnly, SameSite=Lax, not Secure on http)", cookies)
	}
	var stored int
	if err := f.st.DB().Get(&stored, `SELECT count(*) FROM web_sessions WHERE token_hash = sha256($1::bytea)`, cookies[0].Value); err != nil || stored != 1 {
		t.Fatalf("session must be stored hashed: %d %v", stored, err)
	}
	if rec := f.do("GET", "/review", cookies[0], nil); rec.Code != http.StatusOK {
		t.Fatalf("review with session: %d", rec.Code)
	}
	f.do("POST", "/logout", cookies[0], url.Values{})
	if rec := f.do("GET", "/review", cookies[0], nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("review after logout: %d, want redirect to login", rec.Code)
	}
}

func TestSecureCookieBehindHTTPS(t *testing.T) {
	f := newFixture(t)
	srv, err := New(Options{Store: f.st, BaseURL: "https://crm.acme-srl.it"})
	if err != nil {
		t.Fatal(err)
	}
	f.h = srv.Handler()
	rec := f.do("POST", "/login", nil, url.Values{"email": {"staff@acme-srl.it"}, "password": {testPassword}})
	if c := rec.Result().Cookies(); len(c) != 1 || !c[0].Secure {
		t.Fatalf("cookie over https base_url must be Secure: %+v", c)
	}
}

func TestLoginRateLimited(t *testing.T) {
	f := newFixture(t)
	bad := url.Values{"email": {"staff@acme-srl.it"}, "password": {"wrong password"}}
	for i := 0; i < 5; i++ {
		if rec := f.do("POST", "/login", nil, bad); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, rec.Code)
		}
	}
	good := url.Values{"email": {"staff@acme-srl.it"}, "password": {testPassword}}
	rec := f.do("POST", "/login", nil, good)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures the right password must still be refused for a while: %d", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "15") {
		t.Errorf("rate-limit page does not say how long to wait")
	}
}

func TestDisabledUserLosesSession(t *testing.T) {
	f := newFixture(t)
	cookie := f.session("staff")
	if rec := f.do("GET", "/", cookie, nil); rec.Code != http.StatusOK { // the session is now cached
		t.Fatalf("staff session: %d", rec.Code)
	}
	rec := f.do("POST", "/users/"+itoa(f.users["staff"].ID)+"/disable", f.session("admin"), url.Values{})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d", rec.Code)
	}
	if rec := f.do("GET", "/", cookie, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("disabled user's session still works: %d", rec.Code)
	}
}

func TestLanguageFromSettingElseBrowser(t *testing.T) {
	f := newFixture(t)
	cookie := f.session("staff")
	if body := f.do("GET", "/", cookie, nil, "Accept-Language", "en-GB,en;q=0.9").Body.String(); !strings.Contains(body, "Review queue") {
		t.Fatalf("English browser should get English")
	}
	if body := f.do("GET", "/", cookie, nil, "Accept-Language", "it-IT").Body.String(); !strings.Contains(body, "Contatti da esaminare") {
		t.Fatalf("Italian browser should get Italian")
	}
	f.do("POST", "/settings/language", cookie, url.Values{"language": {"it"}})
	if body := f.do("GET", "/", cookie, nil, "Accept-Language", "en").Body.String(); !strings.Contains(body, "Cruscotto") {
		t.Fatalf("user setting (it) should win over the browser")
	}
}
