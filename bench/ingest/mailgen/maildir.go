package mailgen

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// WriteMaildir writes the N messages of the mix into the Maildir at dir
// (its new/ subdirectory, created when missing), the way a delivery agent
// does: each file written in tmp/ and renamed into new/. Files and
// directories get the owner of dir's nearest existing ancestor, so a
// Dovecot whose mail processes run as another user can take them over.
func WriteMaildir(dir string, m Mix) error {
	uid, gid, err := ownerOf(dir)
	if err != nil {
		return err
	}
	for _, sub := range []string{"", "cur", "new", "tmp"} {
		p := filepath.Join(dir, sub)
		if err := os.MkdirAll(p, 0o700); err != nil {
			return fmt.Errorf("mailgen: %w", err)
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("mailgen: %w", err)
		}
	}
	for i := range m.N {
		if err := deliver(dir, fmt.Sprintf("M%d", i), m.Message(i), uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// WriteBig writes one inquiry of about size bytes (a large attachment) into
// the Maildir at dir, created like WriteMaildir does.
func WriteBig(dir string, size int) error {
	if err := WriteMaildir(dir, Mix{}); err != nil {
		return err
	}
	uid, gid, err := ownerOf(dir)
	if err != nil {
		return err
	}
	return deliver(dir, "big", Big(size), uid, gid)
}

// deliver writes raw in tmp/ and renames it into new/.
func deliver(dir, id string, raw []byte, uid, gid int) error {
	name := fmt.Sprintf("1772442000.%sP1.mailgen,S=%d", id, len(raw))
	tmp := filepath.Join(dir, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("mailgen: %w", err)
	}
	if err := os.Lchown(tmp, uid, gid); err != nil {
		return fmt.Errorf("mailgen: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "new", name)); err != nil {
		return fmt.Errorf("mailgen: %w", err)
	}
	return nil
}

// ownerOf returns the owner of path or of its nearest existing ancestor.
func ownerOf(path string) (int, int, error) {
	for p := path; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			st := fi.Sys().(*syscall.Stat_t)
			return int(st.Uid), int(st.Gid), nil
		}
		if !os.IsNotExist(err) || p == filepath.Dir(p) {
			return 0, 0, fmt.Errorf("mailgen: %w", err)
		}
	}
}
