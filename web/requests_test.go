package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/crm"
)

// mustRequest records a rights request from email received on received
// (zero: today).
func (f *fixture) mustRequest(email, kind string, received time.Time) crm.Request {
	f.t.Helper()
	r, err := f.st.AddRequest(ctx, crm.RequestInput{Email: email, Kind: kind, Channel: "email", Received: received, Actor: system})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// requestStatus reads a request back from the database.
func (f *fixture) requestStatus(id int64) crm.Request {
	f.t.Helper()
	r, err := f.st.GetRequest(ctx, f.st.DB(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// rowOf returns the table row of request id in a /requests page.
func rowOf(t *testing.T, body string, id int64) string {
	t.Helper()
	i := strings.Index(body, `<tr id="request-`+itoa(id)+`"`)
	if i < 0 {
		t.Fatalf("request %d not listed:\n%s", id, body)
	}
	row := body[i:]
	if j := strings.Index(row, "</tr>"); j >= 0 {
		row = row[:j]
	}
	return row
}

func TestRequestsListMarksLateRequestsAndDashboardCountsThem(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("mario.rossi@example.it", "Mario Rossi", "")
	late := f.mustRequest("mario.rossi@example.it", "access", time.Now().AddDate(0, -2, 0))
	fresh := f.mustRequest("stranger@example.org", "erasure", time.Time{})
	done := f.mustRequest("other@example.org", "access", time.Time{})
	if _, err := f.st.FulfilRequest(ctx, done.ID, crm.FulfilInput{Actor: system}); err != nil {
		t.Fatal(err)
	}
	cookie := f.session("auditor")
	rec := f.do("GET", "/requests", cookie, nil, "Accept-Language", "en")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /requests: %d", rec.Code)
	}
	lateRow, freshRow := rowOf(t, body, late.ID), rowOf(t, body, fresh.ID)
	if !strings.Contains(lateRow, "late-mark") || !strings.Contains(lateRow, "LATE") || !strings.Contains(lateRow, contactPath(c.ID)) {
		t.Errorf("late request not marked late or not linked to its contact: %s", lateRow)
	}
	if strings.Contains(freshRow, "late-mark") {
		t.Errorf("fresh request marked late: %s", freshRow)
	}
	if strings.Index(body, lateRow) > strings.Index(body, freshRow) {
		t.Errorf("the late request is not listed first")
	}
	if strings.Contains(body, `id="request-`+itoa(done.ID)+`"`) {
		t.Errorf("a fulfilled request is listed without ?all=1")
	}
	if strings.Contains(body, `id="request-form"`) {
		t.Errorf("the auditor is offered the form to add a request")
	}
	all := f.do("GET", "/requests?all=1", cookie, nil, "Accept-Language", "en").Body.String()
	if !strings.Contains(rowOf(t, all, done.ID), "no personal data held") {
		t.Errorf("?all=1 does not show the fulfilled request with its outcome")
	}
	it := f.do("GET", "/requests", cookie, nil, "Accept-Language", "it").Body.String()
	if !strings.Contains(rowOf(t, it, late.ID), "IN RITARDO") || !strings.Contains(it, "Richieste degli interessati") {
		t.Errorf("Italian list lacks its translations")
	}
	dash := f.do("GET", "/", cookie, nil, "Accept-Language", "en").Body.String()
	for _, want := range []string{`id="requests-open">2<`, `id="requests-late">1<`, `id="requests-due-soon">0<`, `href="/requests"`} {
		if !strings.Contains(dash, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}

func TestAddRequestByPost(t *testing.T) {
	f := newFixture(t)
	cookie := f.session("staff")
	form := url.Values{"email": {"Anna.Bianchi@example.it"}, "kind": {"portability"}, "channel": {"letter"},
		"received": {time.Now().AddDate(0, 0, -3).Format(time.DateOnly)}, "note": {"letter of 3 days ago"}}
	rec := f.do("POST", "/requests", cookie, form)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/requests/") {
		t.Fatalf("POST /requests: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	list, err := f.st.ListRequests(ctx, crm.RequestFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("requests after the POST: %+v %v", list, err)
	}
	r := list[0]
	if r.Kind != "portability" || r.Channel != "letter" || r.Note != "letter of 3 days ago" ||
		!r.DueOn.Equal(crm.DueDate(time.Now().AddDate(0, 0, -3), 1)) {
		t.Errorf("recorded request: %+v", r)
	}
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, requestPath(r.ID)+"?") {
		t.Errorf("redirect to %q, want the request %d", loc, r.ID)
	}
	page := f.do("GET", requestPath(r.ID), cookie, nil, "Accept-Language", "en").Body.String()
	if !strings.Contains(page, "letter of 3 days ago") || !strings.Contains(page, `id="fulfil-export"`) {
		t.Errorf("request page lacks the note or the export action:\n%s", page)
	}
	bad := f.do("POST", "/requests", cookie, url.Values{"email": {"x@example.org"}, "kind": {"gossip"}, "channel": {"email"},
		"note": {"kept note"}}, "Accept-Language", "en")
	if body := bad.Body.String(); bad.Code != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) ||
		!strings.Contains(body, "is not one of") || !strings.Contains(body, "kept note") {
		t.Errorf("bad kind: %d\n%s", bad.Code, body)
	}
	future := f.do("POST", "/requests", cookie, url.Values{"email": {"x@example.org"}, "kind": {"access"}, "channel": {"email"},
		"received": {time.Now().AddDate(0, 0, 3).Format(time.DateOnly)}})
	if future.Code != http.StatusBadRequest || !strings.Contains(future.Body.String(), "in the future") {
		t.Errorf("received in the future: %d", future.Code)
	}
}

func TestFulfilAccessRequestDownloadsTheExport(t *testing.T) {
	f := newFixture(t)
	f.mustCapture("mario.rossi@example.it", "Mario Rossi", "")
	r := f.mustRequest("mario.rossi@example.it", "access", time.Time{})
	cookie := f.session("staff")
	rec := f.do("POST", requestPath(r.ID)+"/fulfil", cookie, url.Values{})
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") || !strings.HasPrefix(rec.Body.String(), "PK") {
		t.Fatalf("fulfil access: %d %v, %d bytes", rec.Code, rec.Header(), rec.Body.Len())
	}
	if got := f.requestStatus(r.ID); got.Status != "fulfilled" || !strings.Contains(got.Outcome, "export") {
		t.Errorf("after the download: %+v", got)
	}
	again := f.do("POST", requestPath(r.ID)+"/fulfil", cookie, url.Values{}, "Accept-Language", "en")
	if again.Code != http.StatusBadRequest || again.Header().Get("Content-Type") == "application/zip" ||
		!strings.Contains(again.Body.String(), "already fulfilled") {
		t.Errorf("fulfilling twice: %d %q", again.Code, again.Header().Get("Content-Type"))
	}
}

func TestErasureRequestNeedsConfirmation(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("anna.bianchi@example.it", "Anna Bianchi", "")
	r := f.mustRequest("anna.bianchi@example.it", "erasure", time.Time{})
	cookie := f.session("staff")
	page := f.do("GET", requestPath(r.ID), cookie, nil, "Accept-Language", "en").Body.String()
	if !strings.Contains(page, `name="confirm"`) || !strings.Contains(page, "cannot be undone") {
		t.Errorf("erasure request page lacks the confirmation:\n%s", page)
	}
	for _, form := range []url.Values{
		{"reason": {"Art. 17 request by email"}},
		{"reason": {"Art. 17 request by email"}, "confirm": {"someone@example.it"}},
		{"reason": {" "}, "confirm": {"anna.bianchi@example.it"}},
	} {
		rec := f.do("POST", requestPath(r.ID)+"/fulfil", cookie, form, "Accept-Language", "en")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "type the contact&#39;s address to confirm") {
			t.Errorf("erasure with %v: %d", form, rec.Code)
		}
	}
	if _, err := f.st.FindContact(ctx, f.st.DB(), c.Email); err != nil {
		t.Fatalf("contact gone before the erasure was confirmed: %v", err)
	}
	if got := f.requestStatus(r.ID); got.Status != "open" {
		t.Fatalf("request %s before the erasure was confirmed", got.Status)
	}
	rec := f.do("POST", requestPath(r.ID)+"/fulfil", cookie, url.Values{"reason": {"Art. 17 request by email"},
		"confirm": {" Anna.Bianchi@example.it "}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("confirmed erasure: %d\n%s", rec.Code, rec.Body.String())
	}
	if _, err := f.st.FindContact(ctx, f.st.DB(), c.Email); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("contact still there after the confirmed erasure: %v", err)
	}
	if got := f.requestStatus(r.ID); got.Status != "fulfilled" || got.Email != "" {
		t.Errorf("request after the erasure: %+v", got)
	}
}

func TestObjectionAndRectificationRequests(t *testing.T) {
	f := newFixture(t)
	cookie := f.session("staff")
	ob := f.mustRequest("stranger@example.org", "objection", time.Time{})
	if rec := f.do("POST", requestPath(ob.ID)+"/fulfil", cookie, url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("fulfil objection: %d", rec.Code)
	}
	if sup, err := f.st.IsSuppressed(ctx, f.st.DB(), "stranger@example.org", "marketing"); err != nil || !sup {
		t.Errorf("objection did not suppress: %v %v", sup, err)
	}
	rect := f.mustRequest("stranger@example.org", "rectification", time.Time{})
	rec := f.do("POST", requestPath(rect.ID)+"/fulfil", cookie, url.Values{"outcome": {" "}}, "Accept-Language", "en")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "say what was done") {
		t.Errorf("rectification without an outcome: %d", rec.Code)
	}
	if rec := f.do("POST", requestPath(rect.ID)+"/fulfil", cookie, url.Values{"outcome": {"name corrected"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("rectification: %d", rec.Code)
	}
	if got := f.requestStatus(rect.ID); got.Status != "fulfilled" || got.Outcome != "name corrected" {
		t.Errorf("rectification after fulfil: %+v", got)
	}
}

func TestExtendRequest(t *testing.T) {
	f := newFixture(t)
	r := f.mustRequest("mario.rossi@example.it", "access", time.Time{})
	cookie := f.session("admin")
	rec := f.do("POST", requestPath(r.ID)+"/extend", cookie, url.Values{"months": {"1"}, "reason": {"many archived messages"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("extend: %d\n%s", rec.Code, rec.Body.String())
	}
	got := f.requestStatus(r.ID)
	if got.ExtendedMonths != 1 || !got.DueOn.Equal(crm.DueDate(r.ReceivedOn, 2)) || got.ExtensionReason != "many archived messages" {
		t.Errorf("after extending: %+v", got)
	}
	for _, form := range []url.Values{
		{"months": {"2"}, "reason": {"more"}},    // three in all
		{"months": {"1"}, "reason": {" "}},       // no reason
		{"months": {"many"}, "reason": {"more"}}, // not a number
	} {
		rec := f.do("POST", requestPath(r.ID)+"/extend", cookie, form, "Accept-Language", "en")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `role="alert"`) {
			t.Errorf("extend with %v: %d", form, rec.Code)
		}
	}
	if got := f.requestStatus(r.ID); got.ExtendedMonths != 1 {
		t.Errorf("refused extensions changed the request: %+v", got)
	}
}

func TestRefuseRequestWithGroundAndReason(t *testing.T) {
	f := newFixture(t)
	r := f.mustRequest("mario.rossi@example.it", "access", time.Time{})
	cookie := f.session("staff")
	rec := f.do("POST", requestPath(r.ID)+"/refuse", cookie, url.Values{"ground": {"excessive"}, "reason": {" "}}, "Accept-Language", "en")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "a reason is required") {
		t.Errorf("refusal without a reason: %d", rec.Code)
	}
	rec = f.do("POST", requestPath(r.ID)+"/refuse", cookie, url.Values{"ground": {"excessive"}, "reason": {"fifth identical request this month"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("refuse: %d\n%s", rec.Code, rec.Body.String())
	}
	if got := f.requestStatus(r.ID); got.Status != "refused" || !strings.Contains(got.Outcome, "refused (excessive): fifth identical") {
		t.Errorf("after refusing: %+v", got)
	}
	page := f.do("GET", requestPath(r.ID), cookie, nil, "Accept-Language", "en").Body.String()
	if strings.Contains(page, `action="/requests/`+itoa(r.ID)+`/`) {
		t.Errorf("a refused request still offers actions")
	}
}

func TestObjectionCannotBeRefused(t *testing.T) {
	f := newFixture(t)
	ob := f.mustRequest("mario.rossi@example.it", "objection", time.Time{})
	cookie := f.session("staff")
	page := f.do("GET", requestPath(ob.ID), cookie, nil, "Accept-Language", "en").Body.String()
	if strings.Contains(page, `id="refuse-form"`) || !strings.Contains(page, "cannot be refused") {
		t.Errorf("objection page offers a refusal or does not say why not:\n%s", page)
	}
	rec := f.do("POST", requestPath(ob.ID)+"/refuse", cookie, url.Values{"ground": {"manifestly_unfounded"}, "reason": {"we like mailing"}},
		"Accept-Language", "en")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "cannot be refused (Art. 21(3))") {
		t.Errorf("forged refusal of an objection: %d\n%s", rec.Code, rec.Body.String())
	}
	if got := f.requestStatus(ob.ID); got.Status != "open" {
		t.Errorf("objection %s after a forged refusal", got.Status)
	}
}

func TestAuditorCannotActOnRequests(t *testing.T) {
	f := newFixture(t)
	f.mustCapture("mario.rossi@example.it", "Mario Rossi", "")
	r := f.mustRequest("mario.rossi@example.it", "erasure", time.Time{})
	cookie := f.session("auditor")
	page := f.do("GET", requestPath(r.ID), cookie, nil)
	if page.Code != http.StatusOK || strings.Contains(page.Body.String(), `action="/requests`) {
		t.Errorf("auditor's request page: %d, forms offered: %v", page.Code, strings.Contains(page.Body.String(), `action="/requests`))
	}
	form := url.Values{"email": {"x@example.org"}, "kind": {"access"}, "channel": {"email"}, "reason": {"r"},
		"confirm": {"mario.rossi@example.it"}, "months": {"1"}, "ground": {"excessive"}}
	for _, path := range []string{"/requests", requestPath(r.ID) + "/fulfil", requestPath(r.ID) + "/extend", requestPath(r.ID) + "/refuse"} {
		if rec := f.do("POST", path, cookie, form); rec.Code != http.StatusForbidden {
			t.Errorf("auditor POST %s: %d, want 403", path, rec.Code)
		}
	}
	if got := f.requestStatus(r.ID); got.Status != "open" || got.ExtendedMonths != 0 {
		t.Errorf("auditor changed the request: %+v", got)
	}
	if list, _ := f.st.ListRequests(ctx, crm.RequestFilter{All: true}); len(list) != 1 {
		t.Errorf("auditor added a request: %d requests", len(list))
	}
}

func TestRequestNoteIsEscaped(t *testing.T) {
	f := newFixture(t)
	r, err := f.st.AddRequest(ctx, crm.RequestInput{Email: "evil@example.com", Kind: "access", Channel: "web",
		Note: "<script>window.pwned=1</script>", Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	body := f.do("GET", requestPath(r.ID), f.session("staff"), nil).Body.String()
	if strings.Contains(body, "<script>window") || !strings.Contains(body, "&lt;script&gt;window.pwned=1&lt;/script&gt;") {
		t.Errorf("note not shown escaped:\n%s", body)
	}
}
