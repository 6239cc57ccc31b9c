package remediation

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestEntries(t *testing.T) {
	if len(Keys()) < 45 {
		t.Fatalf("%d entries", len(Keys()))
	}
	for _, k := range Keys() {
		e, _ := Get(k)
		for _, s := range []string{e.VI.Summary, e.VI.Fix} {
			// Vietnamese text without diacritics is a typo for a reader.
			if !strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }) {
				t.Errorf("%s: Vietnamese text without diacritics: %q", k, s)
			}
			if !norm.NFC.IsNormalString(s) {
				t.Errorf("%s: Vietnamese text not in NFC", k)
			}
		}
		if e.In("en") != e.EN || e.In("vi") != e.VI {
			t.Errorf("%s: In picks the wrong language", k)
		}
	}
	if _, ok := Get("no.such-check"); ok {
		t.Error("unknown key found")
	}
}
