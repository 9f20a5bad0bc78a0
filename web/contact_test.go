package web

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

const hostileMail = "From: \"<script>window.pwned=1</script>\" <evil@example.com>\r\n" +
	"Subject: <img src=x onerror=alert(1)>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" +
	"<script>window.pwned=1</script> hello\r\n--b\r\nContent-Type: text/html\r\n\r\n" +
	"<p>Hi</p><script>window.pwned=1</script><img src=\"x\" onerror=\"window.pwned=1\">" +
	"<a href=\"javascript:window.pwned=1\">click</a><a href=\"https://example.org/\">site</a>" +
	"<svg onload=\"window.pwned=1\"><script>window.pwned=1</script></svg>" +
	"<div style=\"background:url(javascript:window.pwned=1)\">css</div><img src=\"https://tracker.example/p.gif\">\r\n--b--\r\n"

func TestContactPageEscapesHostileContent(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("evil@example.com", "<script>window.pwned=1</script>", hostileMail)
	cookie := f.session("staff")
	for _, path := range []string{contactPath(c.ID), "/review", "/", "/search?q=evil"} {
		body := f.do("GET", path, cookie, nil).Body.String()
		if strings.Contains(body, "<script>window") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: hostile content reached the page unescaped", path)
		}
	}
	d, _ := f.st.Detail(ctx, c.Email)
	ev := d.Evidence[0].ID
	view := f.do("GET", "/evidence/"+itoa(ev)+"/view", cookie, nil).Body.String()
	if strings.Contains(view, "<script>window") || !strings.Contains(view, "&lt;script&gt;window.pwned=1&lt;/script&gt; hello") {
		t.Errorf("text part not shown escaped:\n%s", view)
	}
	rec := f.do("GET", "/evidence/"+itoa(ev)+"/html", cookie, nil)
	frame := rec.Body.String()
	for _, bad := range []string{"<script", "onerror", "javascript:", "onload", "<svg", "style="} {
		if strings.Contains(strings.ToLower(frame), bad) {
			t.Errorf("sanitized frame still contains %q:\n%s", bad, frame)
		}
	}
	if !strings.Contains(frame, `rel="nofollow noreferrer noopener"`) && !strings.Contains(frame, "noopener") {
		t.Errorf("external links lack rel=noopener noreferrer:\n%s", frame)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "img-src data:;") || strings.Contains(csp, "script-src") {
		t.Errorf("frame CSP not strict: %s", csp)
	}
	if csp := f.do("GET", "/evidence/"+itoa(ev)+"/html?images=1", cookie, nil).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "https:") {
		t.Errorf("images=1 should allow remote images: %s", csp)
	}
	dl := f.do("GET", "/evidence/"+itoa(ev), cookie, nil)
	if !strings.HasPrefix(dl.Header().Get("Content-Disposition"), "attachment") || dl.Header().Get("X-Evidence-SHA256") != d.Evidence[0].SHA256 ||
		dl.Body.String() != hostileMail {
		t.Errorf("download: %v", dl.Header())
	}
}

func TestLogActivityNeedsReasonAndShowsOnTimeline(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("mario@example.com", "Mario Rossi", "")
	cookie := f.session("staff")
	if rec := f.do("POST", contactPath(c.ID)+"/activity", cookie, url.Values{"kind": {"call"}, "reason": {"  "}}); rec.Code != http.StatusBadRequest {
		t.Fatalf("activity without reason: %d", rec.Code)
	}
	if rec := f.do("POST", contactPath(c.ID)+"/activity", cookie, url.Values{"kind": {"call"}, "reason": {"Asked for a quote on 3 boilers"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("activity: %d", rec.Code)
	}
	body := f.do("GET", contactPath(c.ID), cookie, nil, "Accept-Language", "en").Body.String()
	if !strings.Contains(body, "Asked for a quote on 3 boilers") || !strings.Contains(body, "legitimate_interest") {
		t.Fatalf("timeline lacks the call or header lacks the basis:\n%s", body)
	}
}

func TestReviewBulkAcceptRejectMerge(t *testing.T) {
	f := newFixture(t)
	a := f.mustCapture("a@example.com", "A", "")
	b := f.mustCapture("b@example.com", "B", "")
	c1 := f.mustCapture("c1@example.com", "C", "")
	c2 := f.mustCapture("c2@example.com", "", "")
	cookie := f.session("staff")
	f.do("POST", "/review", cookie, url.Values{"id": {itoa(a.ID), itoa(b.ID)}, "action": {"accept"}})
	// A merge cannot be undone: without a reason it is refused, and nothing is merged.
	if rec := f.do("POST", "/review", cookie, url.Values{"id": {itoa(c1.ID), itoa(c2.ID)}, "action": {"merge"}}); rec.Code != http.StatusBadRequest {
		t.Fatalf("merge without a reason: %d", rec.Code)
	}
	if got, _ := f.st.GetContact(ctx, f.st.DB(), c2.ID); got.Status != "new" {
		t.Fatalf("merged without a reason: %+v", got)
	}
	f.do("POST", "/review", cookie, url.Values{"id": {itoa(c1.ID), itoa(c2.ID)}, "action": {"merge"}, "reason": {"same person"}})
	for id, want := range map[int64]string{a.ID: "reviewed", b.ID: "reviewed", c1.ID: "new", c2.ID: "rejected"} {
		got, _ := f.st.GetContact(ctx, f.st.DB(), id)
		if got.Status != want {
			t.Errorf("contact %d: status %s, want %s", id, got.Status, want)
		}
	}
	d, _ := f.st.Detail(ctx, c1.Email)
	if len(d.Evidence) != 2 || len(d.Bases) != 2 {
		t.Errorf("merge did not move evidence and bases: %d, %d", len(d.Evidence), len(d.Bases))
	}
	if rec := f.do("POST", "/review", cookie, url.Values{"id": {itoa(c1.ID)}, "action": {"erase"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("erase without a reason: %d", rec.Code)
	}
	f.do("POST", "/review", cookie, url.Values{"id": {itoa(c1.ID)}, "action": {"erase"}, "reason": {"spam"}})
	if got, _ := f.st.GetContact(ctx, f.st.DB(), c1.ID); got.ErasedAt == nil {
		t.Errorf("reject and erase did not erase")
	}
}

func TestEraseNeedsConfirmation(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("erase.me@example.com", "Erase Me", "")
	cookie := f.session("staff")
	if rec := f.do("POST", contactPath(c.ID)+"/erase", cookie, url.Values{"reason": {"Art. 17"}, "confirm": {"other@example.com"}}); rec.Code != http.StatusBadRequest {
		t.Fatalf("erase with wrong confirmation: %d", rec.Code)
	}
	if got, _ := f.st.GetContact(ctx, f.st.DB(), c.ID); got.ErasedAt != nil {
		t.Fatal("erased without confirmation")
	}
	if rec := f.do("POST", contactPath(c.ID)+"/erase", cookie, url.Values{"reason": {"Art. 17"}, "confirm": {"Erase.Me@example.com"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("erase: %d", rec.Code)
	}
	if got, _ := f.st.GetContact(ctx, f.st.DB(), c.ID); got.ErasedAt == nil {
		t.Fatal("not erased")
	}
	rec := f.do("GET", contactPath(c.ID), cookie, nil)
	if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), `href="`+contactPath(c.ID)+`/export" id="erasure-record"`) {
		t.Fatalf("erased contact page: %d, want 410 with the link to the erasure record: %s", rec.Code, rec.Body)
	}
	// What remains is the erasure record: why, when, and nothing that names
	// the person.
	rec = f.do("GET", contactPath(c.ID)+"/export", cookie, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("erasure record: %d %s", rec.Code, rec.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		rc, _ := zf.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if low := strings.ToLower(string(body)); strings.Contains(low, "erase.me") || strings.Contains(low, "erase me") {
			t.Errorf("%s names the erased person", zf.Name)
		}
		if zf.Name == "erasure.json" && !strings.Contains(string(body), `"reason": "Art. 17"`) {
			t.Errorf("erasure.json lacks the reason: %s", body)
		}
	}
	if strings.Join(names, " ") != "erasure.json manifest.json" {
		t.Errorf("erasure record holds %v", names)
	}
}

// pngHeader is enough of a PNG for content sniffing.
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

func upload(t *testing.T, f *fixture, cookie *http.Cookie, email string, file []byte, name string) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"email": email, "name": "Card Person", "purpose": "inquiry_followup",
		"kind": "legitimate_interest", "source": "business_card", "reason": "met at trade fair"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("card", name)
	fw.Write(file)
	mw.Close()
	req := httptest.NewRequest("POST", "/contacts/new", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func TestAddContactWithBusinessCard(t *testing.T) {
	f := newFixture(t)
	cookie := f.session("staff")
	if rec := upload(t, f, cookie, "html@example.com", []byte("<html><script>alert(1)</script></html>"), "card.png"); rec.Code != http.StatusBadRequest {
		t.Fatalf("HTML named .png accepted: %d", rec.Code)
	}
	if rec := upload(t, f, cookie, "big@example.com", append(pngHeader, make([]byte, 2<<20)...), "card.png"); rec.Code == http.StatusSeeOther {
		t.Fatalf("over-size upload accepted")
	}
	rec := upload(t, f, cookie, "card@example.com", pngHeader, "card.png")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	d, err := f.st.Detail(ctx, "card@example.com")
	if err != nil || len(d.Evidence) != 1 || d.Evidence[0].Kind != "business_card" || d.Evidence[0].ContentType != "image/png" {
		t.Fatalf("business card not kept as evidence: %+v %v", d.Evidence, err)
	}
}

func TestSearchByNameAddressCompany(t *testing.T) {
	f := newFixture(t)
	f.mustCapture("giulia.bianchi@rossi-impianti.it", "Giulia Bianchi", "")
	cookie := f.session("auditor")
	for _, q := range []string{"bianchi", "GIULIA.B", "rossi impianti"} {
		if body := f.do("GET", "/search?q="+url.QueryEscape(q), cookie, nil).Body.String(); !strings.Contains(body, "giulia.bianchi@rossi-impianti.it") {
			t.Errorf("search %q did not find the contact", q)
		}
	}
	if body := f.do("GET", "/search?q=100%25", cookie, nil).Body.String(); strings.Contains(body, "giulia") {
		t.Errorf("LIKE wildcards are not escaped")
	}
}

func TestAuditLogFilterAndVerify(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("x@example.com", "X", "")
	cookie := f.session("auditor")
	body := f.do("GET", "/audit?contact="+itoa(c.ID), cookie, nil, "Accept-Language", "en").Body.String()
	if !strings.Contains(body, "contact.created") || strings.Contains(body, "user.added") {
		t.Errorf("contact filter wrong")
	}
	body = f.do("GET", "/audit/verify", cookie, nil, "Accept-Language", "en").Body.String()
	if !strings.Contains(body, "The chain verifies") {
		t.Errorf("verify: %s", body)
	}
	f.st.DB().MustExec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`)
	f.st.DB().MustExec(`UPDATE audit_events SET actor = 'someone:else' WHERE seq = 2`)
	body = f.do("GET", "/audit/verify", cookie, nil, "Accept-Language", "en").Body.String()
	if !strings.Contains(body, "does NOT verify") {
		t.Errorf("tampering not reported")
	}
}

// The contact page records an objection to every purpose (Art. 21(1)):
// the follow-up of the inquiry stops too, and the page offers it.
func TestObjectionToEveryPurposeFromTheContactPage(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("luca@example.com", "Luca", "")
	cookie := f.session("staff")
	if rec := f.do("GET", contactPath(c.ID), cookie, nil); !strings.Contains(rec.Body.String(), `<option value="*">`) {
		t.Fatalf("contact page offers no objection to every purpose")
	}
	if rec := f.do("POST", contactPath(c.ID)+"/object", cookie, url.Values{"purpose": {"*"}, "reason": {"by phone: no contact of any kind"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("object: %d %s", rec.Code, rec.Body)
	}
	for _, p := range []string{"marketing", "inquiry_followup"} {
		if e, err := f.st.Eligible(ctx, f.st.DB(), c, p); err != nil || e.Allowed || e.Code != crm.ReasonObjected {
			t.Errorf("%s after the objection: %+v %v", p, e, err)
		}
	}
}
