package web

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCampaignAndUnsubscribe: a contact confirms marketing consent,
// staff write a campaign (live preview), see its audience and schedule it;
// the outbox sends it to an SMTP sink; the unsubscribe link read from the
// caught bytes, opened from the demo mailbox in Chromium, unsubscribes.
func TestBrowserCampaignAndUnsubscribe(t *testing.T) {
	f := newMailFixture(t)
	seedLeads(f.fixture)
	lead := f.mustCapture("giorgio.verdi@verdi-costruzioni.it", "Giorgio Verdi", "")
	b, dialogs := newBrowser(t)

	step(t, b, "confirm consent", chromedp.Navigate(f.url+f.consentLink(lead, "it")), chromedp.Click(chromedp.CSS(`#confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	step(t, b, "sign in", chromedp.Navigate(f.url+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "staff@acme-srl.it"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`#signin`)), chromedp.WaitVisible(chromedp.CSS(`#demo-banner`)))

	step(t, b, "open the campaign form", chromedp.Navigate(f.url+"/campaigns/new"), chromedp.WaitVisible(chromedp.CSS(`#campaign-form`)))
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](`window.frameLoads = 0;
		document.getElementById("preview-html").addEventListener("load", function () { window.frameLoads++; }); true`)); err != nil {
		t.Fatal(err)
	}
	step(t, b, "write a campaign",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Novità primavera"),
		chromedp.SendKeys(chromedp.CSS(`input[name=subject]`), "{{.FirstName}}, le novità di primavera"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=text]`), "{{.FirstName}}, "),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=text]`), "ecco le nuove caldaie a condensazione di quest'anno."),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=html]`), "<p>Ecco le <b>nuove caldaie</b>.</p>"),
		chromedp.Poll[chromedp.Void](`document.getElementById("preview-subject").textContent.startsWith("Mario, le novità") && !document.getElementById("preview-html").hidden && window.frameLoads > 0`), chromedp.Sleep(300*time.Millisecond))
	// The frame is sandboxed (opaque origin): check what the server put in it.
	frameHTML, err := chromedp.Run(b, chromedp.Evaluate[string](`fetch("/campaigns/preview/html", {method: "POST",
		body: new URLSearchParams(new FormData(document.getElementById("campaign-form")))}).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(frameHTML, "<b>nuove caldaie</b>") {
		t.Fatalf("HTML preview frame content lacks the campaign's HTML: %s", frameHTML)
	}
	if p := text(t, b, "#preview-text"); !strings.Contains(p, "Per non ricevere più questi messaggi") {
		t.Fatalf("live preview lacks the unsubscribe footer: %s", p)
	}
	screenshot(t, b, "campaign-preview")
	step(t, b, "create", chromedp.Click(chromedp.CSS(`#create-campaign`)), chromedp.WaitVisible(chromedp.CSS(`#eligible`)))
	if n := text(t, b, "#eligible"); n != "1" {
		t.Fatalf("audience: %s eligible, want 1 (the consenting contact)", n)
	}
	// The page already shows a flash (from "create"): remove it, so that the
	// flash waited for is the one of the page after scheduling.
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.querySelector("p.flash").remove(); true`)); err != nil {
		t.Fatal(err)
	}
	step(t, b, "schedule now", chromedp.Click(chromedp.CSS(`#schedule`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if s := text(t, b, "#campaign-status"); !strings.Contains(s, "scheduled") && !strings.Contains(s, "programmat") {
		t.Fatalf("campaign status after scheduling: %s", s)
	}

	var raw []byte
	n := 0
	for pass := 0; pass < 3 && raw == nil; pass++ { // start the campaign, then send what is due
		if _, err := f.mailer.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for i, m := range f.sink.Messages() {
			if bytes.Contains(m.Raw, []byte("X-Basis-Campaign-ID")) && m.To[0] == lead.Email {
				raw, n = m.Raw, i+1
			}
		}
	}
	if raw == nil {
		for _, m := range f.sink.Messages() {
			t.Logf("caught to %v: %.300s", m.To, m.Raw)
		}
		t.Fatalf("campaign not delivered to %s (%d messages caught)", lead.Email, len(f.sink.Messages()))
	}
	hdr, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	link := ""
	for _, part := range strings.Split(hdr.Get("List-Unsubscribe"), ",") {
		if p := strings.Trim(strings.TrimSpace(part), "<>"); strings.HasPrefix(p, f.url+"/u/") {
			link = p
		}
	}
	if link == "" || hdr.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("no one-click List-Unsubscribe to this site: %v", hdr)
	}

	step(t, b, "demo mailbox", chromedp.Navigate(f.url+"/demo"), chromedp.WaitVisible(chromedp.CSS(`tr.caught`)))
	screenshot(t, b, "demo-mailbox")
	step(t, b, "open the campaign mail", chromedp.Navigate(f.url+"/demo/"+itoa(int64(n))), chromedp.WaitVisible(chromedp.CSS(`#links`)))
	if l := text(t, b, "#links"); !strings.Contains(l, link) {
		t.Fatalf("visible links %q lack the List-Unsubscribe link %s", l, link)
	}
	step(t, b, "unsubscribe", chromedp.Click(chromedp.CSS(`#links a[href="`+link+`"]`)), chromedp.WaitVisible(chromedp.CSS(`#unsubscribe`)),
		chromedp.Click(chromedp.CSS(`#unsubscribe`)), chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	if s, _ := f.st.IsSuppressed(ctx, f.st.DB(), lead.Email, "marketing"); !s {
		t.Fatal("the link from the campaign mail did not unsubscribe")
	}
	if n := dialogs.Load(); n != 0 {
		t.Fatalf("%d unexpected dialogs", n)
	}
}
