package web

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// newBrowser starts Debian's headless Chromium with a fresh profile; it
// fails (never skips) when Chromium is not installed. Every JavaScript
// dialog is counted (and dismissed) in dialogs.
func newBrowser(t *testing.T) (context.Context, *atomic.Int32) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("browser tests need Chromium at %s: apt-get install chromium", chromiumPath)
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "en-US"),
		chromedp.Flag("ignore-certificate-errors", true), // httptest's TLS servers, on loopback only
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	var dialogs atomic.Int32
	if err := chromedp.Listen(bctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}); err != nil {
		t.Fatal(err)
	}
	return bctx, &dialogs
}

func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// screenshot saves the page to docs/screenshots/name.png in the repository.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserStaffDay: sign in, review a captured lead, log a call with its
// reason and see it on the timeline, confirm a consent through the public
// link and see it on the contact page, unsubscribe through /u/TOKEN.
func TestBrowserStaffDay(t *testing.T) {
	f := newFixture(t)
	web := httptest.NewServer(f.h)
	defer web.Close()
	seedLeads(f)
	lead := f.mustCapture("mario.rossi@rossi-impianti.it", "Mario Rossi",
		"From: Mario Rossi <mario.rossi@rossi-impianti.it>\r\nSubject: Preventivo caldaie\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Buongiorno, vorrei un preventivo per tre caldaie a condensazione.\r\nMario Rossi\r\n")
	b, dialogs := newBrowser(t)

	step(t, b, "sign in", chromedp.Navigate(web.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "staff@acme-srl.it"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`#signin`)), chromedp.WaitVisible(chromedp.CSS(`#new-leads`)))
	screenshot(t, b, "dashboard")

	step(t, b, "open review queue", chromedp.Navigate(web.URL+"/review"), chromedp.WaitVisible(chromedp.CSS(`tr.lead`)))
	if q := text(t, b, "table.queue"); !strings.Contains(q, "Preventivo caldaie") {
		t.Fatalf("review queue lacks the lead's message: %s", q)
	}
	screenshot(t, b, "review-queue")
	step(t, b, "accept the lead", chromedp.Click(chromedp.CSS(`input[name=id][value="`+itoa(lead.ID)+`"]`)),
		chromedp.Click(chromedp.CSS(`#bulk-accept`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if c, _ := f.st.GetContact(ctx, f.st.DB(), lead.ID); c.Status != "reviewed" {
		t.Fatalf("lead status after accept: %s", c.Status)
	}

	step(t, b, "log a call", chromedp.Navigate(web.URL+contactPath(lead.ID)),
		chromedp.SendKeys(chromedp.CSS(`#activity-form input[name=reason]`), "Called back about the boiler quote"),
		chromedp.Click(chromedp.CSS(`#activity-form button`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if tl := text(t, b, "#timeline"); !strings.Contains(tl, "Called back about the boiler quote") {
		t.Fatalf("call not on the timeline: %s", tl)
	}

	link := f.consentLink(lead, "it")
	step(t, b, "open consent link", chromedp.Navigate(web.URL+link), chromedp.WaitVisible(chromedp.CSS(`#consent-text`)))
	step(t, b, "confirm consent", chromedp.Click(chromedp.CSS(`#confirm`)), chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	step(t, b, "contact page", chromedp.Navigate(web.URL+contactPath(lead.ID)), chromedp.WaitVisible(chromedp.CSS(`#consents`)))
	if cs := text(t, b, "#consents"); !strings.Contains(cs, "double_opt_in") {
		t.Fatalf("confirmed consent not on the contact page: %s", cs)
	}
	screenshot(t, b, "contact")

	token := f.st.UnsubscribeToken(lead.ID, "marketing")
	step(t, b, "unsubscribe", chromedp.Navigate(web.URL+"/u/"+token), chromedp.Click(chromedp.CSS(`#unsubscribe`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	if s, _ := f.st.IsSuppressed(ctx, f.st.DB(), lead.Email, "marketing"); !s {
		t.Fatal("unsubscribe button did not suppress marketing")
	}
	if n := dialogs.Load(); n != 0 {
		t.Fatalf("%d unexpected dialogs", n)
	}
}

// TestBrowserHostileMailRunsNoScript shows hostile evidence in every view
// (contact page, review queue, text view, sanitized HTML frame with and
// without remote images) and checks that no payload ran.
func TestBrowserHostileMailRunsNoScript(t *testing.T) {
	f := newFixture(t)
	web := httptest.NewServer(f.h)
	defer web.Close()
	c := f.mustCapture("evil@example.com", `<img src=x onerror="window.pwned=1;alert(1)">`, hostileMail)
	d, err := f.st.Detail(ctx, c.Email)
	if err != nil {
		t.Fatal(err)
	}
	ev := itoa(d.Evidence[0].ID)
	b, dialogs := newBrowser(t)
	step(t, b, "sign in", chromedp.Navigate(web.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "auditor@acme-srl.it"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`#signin`)), chromedp.WaitVisible(chromedp.CSS(`#new-leads`)))
	for _, path := range []string{"/", "/review", contactPath(c.ID), "/evidence/" + ev + "/view",
		"/evidence/" + ev + "/view?html=1", "/evidence/" + ev + "/view?html=1&images=1", "/search?q=evil"} {
		step(t, b, "open "+path, chromedp.Navigate(web.URL+path), chromedp.WaitVisible(chromedp.CSS(`main`)))
		if strings.Contains(path, "html=1") {
			step(t, b, "frame", chromedp.WaitVisible(chromedp.CSS(`#mail-frame`)), chromedp.Sleep(300*time.Millisecond))
		}
		pwned, err := chromedp.Run(b, chromedp.Evaluate[bool](`typeof window.pwned !== "undefined" ||
			Array.from(document.querySelectorAll("iframe")).some(f => { try { return typeof f.contentWindow.pwned !== "undefined" } catch (e) { return false } })`))
		if err != nil {
			t.Fatal(err)
		}
		if pwned {
			t.Errorf("%s: a payload ran (window.pwned is set)", path)
		}
	}
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d dialogs opened: a payload ran", n)
	}
}

// seedLeads adds a few plausible leads so the screenshots show a working day.
func seedLeads(f *fixture) {
	for _, l := range [][3]string{
		{"giulia.bianchi@studiobianchi.it", "Giulia Bianchi", "Richiesta informazioni impianto fotovoltaico"},
		{"l.ferrari@ferrari-serramenti.it", "Luca Ferrari", "Preventivo manutenzione annuale"},
		{"anna.conti@gmail.com", "Anna Conti", "Disponibilità sopralluogo a Bergamo"},
		{"info@hotel-lago.it", "", "Offerta per 12 camere"},
	} {
		f.mustCapture(l[0], l[1], "From: "+l[1]+" <"+l[0]+">\r\nSubject: "+l[2]+"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Buongiorno, vi scrivo per una richiesta: "+strings.ToLower(l[2])+". Grazie, "+l[1]+"\r\n")
	}
}
