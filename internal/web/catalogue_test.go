package web

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"

	"github.com/khien/khien/internal/i18n"
)

// TestTemplateKeysAreInTheCatalogue: every message key a template names
// literally exists, so no page shows a raw key instead of Vietnamese text.
func TestTemplateKeysAreInTheCatalogue(t *testing.T) {
	known := i18n.Keys(i18n.VI)
	literal := regexp.MustCompile(`\bt \$?\.Lang "([^"]+)"`)
	checked := 0
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllSubmatch(src, -1) {
			checked++
			if _, found := slices.BinarySearch(known, string(m[1])); !found {
				t.Errorf("%s: message key %q is not in the catalogue", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d keys found in the templates: the pattern no longer matches how templates call t", checked)
	}
}
