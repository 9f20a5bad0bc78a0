// Package dossier builds the evidence dossier of one contact: the crm export
// (contact.json, evidence files, manifest.json) plus a human-readable report
// (dossier.html and dossier.pdf) that tells the contact's story in order, and
// audit_proof.json, with which anyone can check that the audit events shown
// belong to an unbroken hash chain.
package dossier

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/basis-crm/basis/crm"
)

// Options describe the controller and the output.
type Options struct {
	Organization string // the data controller
	NoPDF        bool   // leave dossier.pdf out
}

// Write exports email's data and writes the dossier ZIP to w. The export's
// own manifest.json is kept unchanged (its SHA-256 is recorded in the audit
// chain by the contact.exported event); the dossier's files are listed with
// their hashes in dossier-manifest.json.
func Write(ctx context.Context, st *crm.Store, email string, w io.Writer, actor crm.Actor, opt Options) error {
	var export bytes.Buffer
	if err := st.Export(ctx, email, &export, actor); err != nil {
		return err
	}
	zr, err := zip.NewReader(bytes.NewReader(export.Bytes()), int64(export.Len()))
	if err != nil {
		return fmt.Errorf("dossier: read export: %w", err)
	}
	files, err := readAll(zr)
	if err != nil {
		return err
	}
	var bundle crm.ExportBundle
	if err := json.Unmarshal(files["contact.json"], &bundle); err != nil {
		return fmt.Errorf("dossier: contact.json: %w", err)
	}
	proof, err := st.ContactAuditProof(ctx, bundle.ID)
	if err != nil {
		return err
	}
	outbox, err := st.OutboxOf(ctx, st.DB(), bundle.ID)
	if err != nil {
		return err
	}
	rep := build(bundle, files, proof, outbox, opt.Organization)
	extra := []zipFile{}
	html, err := renderHTML(rep)
	if err != nil {
		return err
	}
	extra = append(extra, zipFile{"dossier.html", html})
	if !opt.NoPDF {
		pdf, err := renderPDF(rep)
		if err != nil {
			return err
		}
		extra = append(extra, zipFile{"dossier.pdf", pdf})
	}
	proofJSON, err := json.MarshalIndent(proof, "", "  ")
	if err != nil {
		return fmt.Errorf("dossier: audit proof: %w", err)
	}
	extra = append(extra, zipFile{"audit_proof.json", proofJSON}, zipFile{"verify_audit.py", []byte(verifyScript)})
	return writeZip(w, zr, files, extra, rep.GeneratedAt)
}

type zipFile struct {
	Name    string
	Content []byte
}

func readAll(zr *zip.Reader) (map[string][]byte, error) {
	files := make(map[string][]byte, len(zr.File))
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("dossier: read export %s: %w", f.Name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("dossier: read export %s: %w", f.Name, err)
		}
		files[f.Name] = data
	}
	return files, nil
}

// writeZip copies the export's files unchanged and adds the dossier's, with
// dossier-manifest.json listing the added files and their SHA-256, and
// SHA256SUMS listing every file in the form "sha256sum -c SHA256SUMS" checks.
func writeZip(w io.Writer, export *zip.Reader, exported map[string][]byte, extra []zipFile, at time.Time) error {
	zw := zip.NewWriter(w)
	var sums bytes.Buffer
	for _, f := range export.File {
		if err := zw.Copy(f); err != nil {
			return fmt.Errorf("dossier: copy %s: %w", f.Name, err)
		}
		fmt.Fprintf(&sums, "%s  %s\n", hexSum(exported[f.Name]), f.Name)
	}
	var manifest []crm.ManifestEntry
	for _, f := range extra {
		if err := add(zw, f.Name, f.Content, at); err != nil {
			return err
		}
		manifest = append(manifest, crm.ManifestEntry{Path: f.Name, SHA256: hexSum(f.Content), Size: int64(len(f.Content))})
		fmt.Fprintf(&sums, "%s  %s\n", hexSum(f.Content), f.Name)
	}
	body, err := json.MarshalIndent(map[string]any{"generated_at": at, "files": manifest}, "", "  ")
	if err != nil {
		return fmt.Errorf("dossier: manifest: %w", err)
	}
	if err := add(zw, "dossier-manifest.json", body, at); err != nil {
		return err
	}
	fmt.Fprintf(&sums, "%s  %s\n", hexSum(body), "dossier-manifest.json")
	if err := add(zw, "SHA256SUMS", sums.Bytes(), at); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("dossier: %w", err)
	}
	return nil
}

func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func add(zw *zip.Writer, name string, content []byte, at time.Time) error {
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: at})
	if err == nil {
		_, err = f.Write(content)
	}
	if err != nil {
		return fmt.Errorf("dossier: write %s: %w", name, err)
	}
	return nil
}
