package dossier

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// pdfWriter lays out the report as plain text sections with the core
// Helvetica font (Windows-1252: Italian and other Western European text
// prints as is; other characters become '?').
type pdfWriter struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
}

// renderPDF writes the same story as the HTML report, for printing.
func renderPDF(r report) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(15, 15, 15)
	p.SetAutoPageBreak(true, 15)
	p.SetCreator("Basis", true)
	w := pdfWriter{pdf: p, tr: p.UnicodeTranslatorFromDescriptor("")}
	p.AliasNbPages("")
	p.SetFooterFunc(func() {
		p.SetY(-10)
		p.SetFont("Helvetica", "", 8)
		p.CellFormat(0, 5, fmt.Sprintf("Contact %d - page %d/{nb}", r.Contact.ID, p.PageNo()), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	w.title("Evidence dossier")
	w.text(fmt.Sprintf("Data controller: %s; generated %s by Basis. The same story as dossier.html; every file named here is in the ZIP under its SHA-256.",
		r.Organization, stamp(r.GeneratedAt)))

	w.heading("1. The person")
	w.fields("Contact id", fmt.Sprint(r.Contact.ID), "Email", r.Contact.Email, "Name", r.Contact.Name, "Company", r.Contact.Company,
		"Phone", r.Contact.Phone, "Status", r.Contact.Status, "First recorded", stamp(r.Contact.CreatedAt)+", source "+r.Contact.Source+": "+r.SourceText)

	w.heading("2. How and when the data was obtained")
	for _, e := range r.Obtained {
		w.evidence(e)
	}
	w.heading("3. Lawful basis and its reasoning")
	for _, b := range r.Bases {
		w.sub(fmt.Sprintf("Purpose %s: %s (active: %v)", b.Purpose, b.Kind, b.Active))
		w.text(b.Law)
		w.fields("Source", b.Basis.Source+": "+b.SourceText, "Reason", b.Reason, "Evidence SHA-256", b.EvidenceSHA256,
			"Valid from", stamp(b.ValidFrom), "Withdrawn", stampp(b.WithdrawnAt)+" "+b.WithdrawnReason, "Recorded by", string(b.CreatedBy))
	}
	w.heading("4. What the person was told: every message sent")
	for _, e := range r.Messages {
		w.evidence(e)
	}
	for _, o := range r.Outbox {
		w.text(fmt.Sprintf("Outbox %d: %s for %s, notice %s, queued %s, sent %s, %s", o.ID, o.Kind, o.Purpose, o.NoticeVersion,
			stamp(o.CreatedAt), stampp(o.SentAt), o.Status))
	}
	w.heading("5. Consents, objections and their proof")
	for _, c := range r.Consents {
		w.sub(fmt.Sprintf("Consent %d to %s, confirmed %s", c.ID, c.Purpose, stamp(c.ConfirmedAt)))
		w.fields("Text", c.TextVersion+", SHA-256 "+c.TextSHA256+" (of purpose, language, version and text joined by a zero byte)", "How", c.Method, "From", "IP "+c.IP+", "+c.UserAgent,
			"Withdrawn", stampp(c.WithdrawnAt)+" "+c.WithdrawnReason)
	}
	for _, e := range r.ConsentRecords {
		w.evidence(e)
	}
	w.sub("Objections, unsubscribes and withdrawals (Art. 7(3), 21)")
	if len(r.Objections) == 0 {
		w.text("The person has not objected to any processing nor withdrawn any consent.")
	}
	for _, e := range r.Objections {
		w.text(fmt.Sprintf("#%d  %s  %s  %s: %s", e.Seq, e.At, e.Actor, e.Action, e.Why))
	}
	w.sub("What may be sent to the person now")
	for _, e := range r.Eligibility {
		allowed := "no"
		if e.Allowed {
			allowed = "yes"
		}
		w.text(fmt.Sprintf("%s: %s (%s)", e.Purpose, allowed, e.Reason))
	}
	w.heading("6. Every action taken, with its reason and actor")
	for _, a := range r.Activities {
		w.text(fmt.Sprintf("%s  %s by %s: %s %s", stamp(a.At), a.Kind, a.Actor, a.Reason, a.Note))
	}
	for _, e := range r.Events {
		w.text(fmt.Sprintf("#%d  %s  %s  %s: %s", e.Seq, e.At, e.Actor, e.Action, e.Why))
	}
	w.heading("7. Proof that the record was not altered")
	verified := "verified"
	if !r.Proof.Verified.OK {
		verified = fmt.Sprintf("did NOT verify (event %d: %s)", r.Proof.Verified.BadSeq, r.Proof.Verified.Problem)
	}
	w.text(fmt.Sprintf("At export time the whole audit chain %s: %d events. Chain head: event %d, hash %s. manifest.json SHA-256: %s.",
		verified, r.Proof.Verified.Events, r.Proof.HeadSeq, r.Proof.HeadHash, r.ManifestSHA256))
	for _, e := range r.Events {
		w.mono(fmt.Sprintf("#%d prev %s\n    payload %s\n    hash %s", e.Seq, e.PrevHash, e.PayloadSHA256, e.Hash))
	}
	w.text(fmt.Sprintf("To check, in the folder where the dossier was unzipped: `sha256sum -c SHA256SUMS` must print OK for every file; "+
		"`python3 verify_audit.py` must end with `0 problems` (it recomputes each event hash from audit_proof.json: SHA-256 of the previous "+
		"hash, the event number and the time in microseconds since 1970 (at_unix_micro) each as 8 bytes big-endian, actor, action and contact "+
		"each followed by a zero byte, and the payload's SHA-256; and it checks the links, the files and the consent texts). On the installation: "+
		"`basis audit verify` must print `audit chain ok`, and `basis audit proof %d` must print %s on its hash line and end with ok.",
		r.Proof.HeadSeq, r.Proof.HeadHash))
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		return nil, fmt.Errorf("dossier: render PDF: %w", err)
	}
	return b.Bytes(), nil
}

func (w pdfWriter) title(s string) {
	w.pdf.SetFont("Helvetica", "B", 18)
	w.pdf.MultiCell(0, 9, w.tr(s), "", "L", false)
	w.pdf.Ln(2)
}

func (w pdfWriter) heading(s string) {
	w.pdf.Ln(3)
	w.pdf.SetFont("Helvetica", "B", 13)
	w.pdf.MultiCell(0, 7, w.tr(s), "B", "L", false)
	w.pdf.Ln(1)
}

func (w pdfWriter) sub(s string) {
	w.pdf.SetFont("Helvetica", "B", 10)
	w.pdf.MultiCell(0, 5, w.tr(s), "", "L", false)
}

func (w pdfWriter) text(s string) {
	w.pdf.SetFont("Helvetica", "", 9)
	w.pdf.MultiCell(0, 4.5, w.tr(s), "", "L", false)
	w.pdf.Ln(1)
}

func (w pdfWriter) mono(s string) {
	w.pdf.SetFont("Courier", "", 7)
	w.pdf.MultiCell(0, 3.5, w.tr(s), "", "L", false)
}

// fields prints label/value pairs.
func (w pdfWriter) fields(kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.pdf.SetFont("Helvetica", "B", 9)
		w.pdf.CellFormat(35, 4.5, w.tr(kv[i]), "", 0, "L", false, 0, "")
		w.pdf.SetFont("Helvetica", "", 9)
		w.pdf.MultiCell(0, 4.5, w.tr(kv[i+1]), "", "L", false)
	}
	w.pdf.Ln(1)
}

func (w pdfWriter) evidence(e evidenceItem) {
	w.sub(fmt.Sprintf("Evidence %d: %s, received %s", e.ID, e.Kind, stamp(e.ReceivedAt)))
	path := e.Path
	if path == "" {
		path = "(erased)"
	}
	w.fields("What", e.What, "SHA-256", e.SHA256, "File", path, "Size, type", fmt.Sprintf("%d bytes, %s", e.Size, e.ContentType))
	if e.Readable != "" {
		w.text("The message as its reader saw it, decoded; the exact bytes are the file above:")
		w.mono(clip(e.Readable))
		w.pdf.Ln(2)
		return
	}
	if e.Text != "" {
		w.mono(clip(strings.ReplaceAll(e.Text, "\r\n", "\n")))
		w.pdf.Ln(2)
	}
}

// clip keeps the first 8 KB of a text for the printed report.
func clip(text string) string {
	if len(text) > 8<<10 {
		return strings.ToValidUTF8(text[:8<<10], "") + "\n[... the whole file is in the ZIP]"
	}
	return text
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func stampp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return stamp(*t)
}
