package pglocal

import (
	"fmt"
	"os"
)

// MkdirTemp creates a new temporary directory to hold a cluster, for tests
// and tools. When running as root the server runs as another account, which
// must traverse the directory: it is made 0711 (others may enter it but not
// list it; the cluster directory inside stays 0700). The caller removes it.
func MkdirTemp(pattern string) (string, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return "", fmt.Errorf("pglocal: %w", err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chmod(dir, 0o711); err != nil {
			return "", fmt.Errorf("pglocal: %w", err)
		}
	}
	return dir, nil
}
