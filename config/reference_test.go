package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReferenceCoversEveryKey keeps the README's configuration reference and
// config.example.yaml in step with the Config struct.
func TestReferenceCoversEveryKey(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_.\\[\\]]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = true
	}
	keys := KeyPaths()
	for _, path := range keys {
		if !documented[path] {
			t.Errorf("README configuration reference lacks `%s`", path)
		}
		leaf := path[strings.LastIndexAny(path, ".]")+1:]
		if !regexp.MustCompile(`(?m)^[\s#-]*` + regexp.QuoteMeta(leaf) + `:`).Match(example) {
			t.Errorf("config.example.yaml does not document %s (key %q)", path, leaf)
		}
		delete(documented, path)
	}
	for path := range documented {
		t.Errorf("README configuration reference names `%s`, which is not a key", path)
	}
}
