package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/basis-crm/basis/crm"
)

func TestSignOutAndRoleChangeTakeEffectAtOnce(t *testing.T) {
	f := newFixture(t)
	cookie := f.session("staff")
	if rec := f.do("GET", "/", cookie, nil); rec.Code != http.StatusOK { // cached from here on
		t.Fatalf("staff session: %d", rec.Code)
	}
	rec := f.do("POST", "/users/"+itoa(f.users["staff"].ID)+"/role", f.session("admin"), url.Values{"role": {"auditor"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("set role: %d", rec.Code)
	}
	if rec := f.do("POST", "/review", cookie, url.Values{"id": {"1"}, "action": {"accept"}}); rec.Code != http.StatusForbidden {
		t.Fatalf("a staff member made auditor may still write: %d", rec.Code)
	}
	if rec := f.do("POST", "/logout", cookie, url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign out: %d", rec.Code)
	}
	if rec := f.do("GET", "/", cookie, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("session still works after sign-out: %d", rec.Code)
	}
}

func TestSessionCacheExpires(t *testing.T) {
	c := newSessionCache()
	now := time.Now()
	key := [32]byte{1}
	c.put(key, crm.User{ID: 7}, now.Add(time.Hour), now)
	if u, ok := c.get(key, now.Add(sessionCacheTTL/2)); !ok || u.ID != 7 {
		t.Fatalf("fresh entry not found")
	}
	if _, ok := c.get(key, now.Add(sessionCacheTTL)); ok {
		t.Errorf("entry used after sessionCacheTTL")
	}
	c.put(key, crm.User{ID: 7}, now.Add(time.Millisecond), now)
	if _, ok := c.get(key, now.Add(2*time.Millisecond)); ok {
		t.Errorf("entry used after its session expired")
	}
	c.put(key, crm.User{ID: 7}, now.Add(time.Hour), now)
	c.dropUser(7)
	if _, ok := c.get(key, now); ok {
		t.Errorf("entry kept after dropUser")
	}
}
