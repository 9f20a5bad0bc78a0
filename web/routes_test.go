package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEveryRouteChecksSessionAndRole walks the whole route table: without a
// session every staff route refuses (GET to the login form, others 401), and
// as each role a route answers 403 exactly when the role is not listed.
func TestEveryRouteChecksSessionAndRole(t *testing.T) {
	f := newFixture(t)
	victim, err := f.st.AddUser(ctx, "victim@acme-srl.it", "staff", testPassword, system)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.srv.Routes()) < 30 {
		t.Fatalf("route table has %d routes: is it complete?", len(f.srv.Routes()))
	}
	for _, role := range append([]string{""}, "auditor", "staff", "admin") {
		for _, rt := range f.srv.Routes() {
			c := f.mustCapture("lead-"+role+"-"+strconv.Itoa(len(rt.Path))+"-"+rt.Method+"@example.com", "Lead", "")
			target := concretePath(rt.Path, c.ID, victim.ID)
			var form url.Values
			if rt.Method == "POST" {
				form = url.Values{"reason": {"route test"}}
			}
			var cookie *http.Cookie
			if role != "" {
				cookie = f.session(role)
			}
			rec := f.do(rt.Method, target, cookie, form)
			name := rt.Method + " " + rt.Path + " as " + or(role, "nobody")
			loc := rec.Header().Get("Location")
			toLogin := rec.Code == http.StatusSeeOther && strings.HasPrefix(loc, "/login")
			switch {
			case rt.Roles == nil:
				// (POST /login without a password answers 401 with the form.)
				if rec.Code == http.StatusForbidden || toLogin || (rec.Code == http.StatusUnauthorized && rt.Path != "/login") {
					t.Errorf("%s: public route refused: %d %s", name, rec.Code, loc)
				}
			case role == "" && rt.Method == "GET":
				if !toLogin {
					t.Errorf("%s: got %d %q, want 303 to /login", name, rec.Code, loc)
				}
			case role == "":
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("%s: got %d, want 401", name, rec.Code)
				}
			case slices.Contains(rt.Roles, role):
				if rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized || (toLogin && rt.Path != "/logout") {
					t.Errorf("%s: allowed role refused: %d", name, rec.Code)
				}
			default:
				if rec.Code != http.StatusForbidden {
					t.Errorf("%s: got %d, want 403", name, rec.Code)
				}
			}
			if rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: security headers missing", name)
			}
		}
	}
}

func concretePath(p string, contactID, userID int64) string {
	id := strconv.FormatInt(contactID, 10)
	if strings.HasPrefix(p, "/users/") {
		id = strconv.FormatInt(userID, 10)
	}
	p = strings.ReplaceAll(p, "{id}", id)
	p = strings.ReplaceAll(p, "{token}", "not-a-token")
	p = strings.ReplaceAll(p, "{$}", "")
	if p == "/static/" {
		p = "/static/style.css"
	}
	return p
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestAuditorCannotChangeAnything: every non-GET route refuses the auditor.
func TestAuditorRoutesAreReadOnly(t *testing.T) {
	f := newFixture(t)
	for _, rt := range f.srv.Routes() {
		if rt.Method != "GET" && rt.Roles != nil && slices.Contains(rt.Roles, "auditor") &&
			rt.Path != "/logout" && rt.Path != "/settings/language" {
			t.Errorf("%s %s lets an auditor change data", rt.Method, rt.Path)
		}
	}
}

// TestCrossSiteWriteRefused: a state-changing request a browser marks as
// cross-site is refused even with a valid session cookie.
func TestCrossSiteWriteRefused(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("mario@example.com", "Mario", "")
	form := url.Values{"kind": {"call"}, "reason": {"forged"}}
	rec := f.do("POST", contactPath(c.ID)+"/activity", f.session("staff"), form, "Sec-Fetch-Site", "cross-site")
	if rec.Code != http.StatusForbidden {
		t.Fatalf("cross-site POST: got %d, want 403", rec.Code)
	}
	rec = f.do("POST", contactPath(c.ID)+"/activity", f.session("staff"), form, "Origin", "https://evil.example")
	if rec.Code != http.StatusForbidden {
		t.Fatalf("POST from another origin: got %d, want 403", rec.Code)
	}
	acts, err := f.st.Activities(ctx, f.st.DB(), c.ID)
	if err != nil || len(acts) != 0 {
		t.Fatalf("forged activity recorded: %v %v", acts, err)
	}
	rec = f.do("POST", contactPath(c.ID)+"/activity", f.session("staff"), form, "Sec-Fetch-Site", "same-origin")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("same-origin POST: got %d, want 303", rec.Code)
	}
}
