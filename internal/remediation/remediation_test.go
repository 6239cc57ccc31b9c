package remediation

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// vietnameseMarks are letters that only Vietnamese text with its diacritics
// has; an entry without any is a typo for a reader.
const vietnameseMarks = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"

func TestEntries(t *testing.T) {
	if len(Keys()) < 45 {
		t.Fatalf("%d entries", len(Keys()))
	}
	for _, k := range Keys() {
		e, _ := Get(k)
		if e.VI.Summary == "" || e.VI.Fix == "" || e.EN.Summary == "" || e.EN.Fix == "" {
			t.Errorf("%s: a language is missing its summary or fix", k)
		}
		vi := []string{e.VI.Summary, e.VI.Fix}
		for _, steps := range e.VI.Stacks {
			vi = append(vi, steps)
		}
		for _, s := range vi {
			if !strings.ContainsAny(strings.ToLower(s), vietnameseMarks) {
				t.Errorf("%s: Vietnamese text without diacritics: %q", k, s)
			}
			if !norm.NFC.IsNormalString(s) {
				t.Errorf("%s: Vietnamese text not in NFC", k)
			}
		}
		for _, s := range []string{e.EN.Summary, e.EN.Fix} {
			if strings.ContainsAny(strings.ToLower(s), "ăâđêôơư") {
				t.Errorf("%s: English text looks Vietnamese: %q", k, s)
			}
		}
		// Both languages give steps for the same stacks, and only known ones.
		for stack := range e.VI.Stacks {
			if !slices.Contains(Stacks, stack) {
				t.Errorf("%s: unknown stack %q", k, stack)
			}
			if e.EN.Stacks[stack] == "" {
				t.Errorf("%s: %s steps in Vietnamese only", k, stack)
			}
		}
		if len(e.VI.Stacks) != len(e.EN.Stacks) {
			t.Errorf("%s: %d Vietnamese and %d English stacks", k, len(e.VI.Stacks), len(e.EN.Stacks))
		}
		if e.In("en").Summary != e.EN.Summary || e.In("vi").Summary != e.VI.Summary {
			t.Errorf("%s: In picks the wrong language", k)
		}
		for _, s := range append(vi, e.EN.Summary, e.EN.Fix) {
			if !utf8.ValidString(s) {
				t.Errorf("%s: invalid UTF-8", k)
			}
		}
	}
	if _, ok := Get("no.such-check"); ok {
		t.Error("unknown key found")
	}
}

// The common CWE classes each have an entry.
func TestCWEClasses(t *testing.T) {
	for _, n := range strings.Fields("20 22 78 79 89 94 200 209 256 259 269 284 285 287 295 306 307 311 312 319 326 327 352 362 400 434 502 521 532 601 611 613 614 639 693 732 798 862 863 918 1004 1021 1104 1395") {
		if _, ok := Get("CWE-" + n); !ok {
			t.Errorf("no entry for CWE-%s", n)
		}
	}
}

func TestFor(t *testing.T) {
	tests := []struct {
		check, cwe, want string
	}{
		{"http.missing-csp", "CWE-693", "http.missing-csp"}, // the check's own entry first
		{"nuclei.some-template", "CWE-79", "CWE-79"},        // else its CWE class
		{"", "cwe-89 ", "CWE-89"},
		{"zap.10202", "CWE-99999", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		key, e, ok := For(tt.check, tt.cwe)
		if key != tt.want || ok != (tt.want != "") || (ok && e.VI.Summary == "") {
			t.Errorf("For(%q, %q) = %q, %v; want %q", tt.check, tt.cwe, key, ok, tt.want)
		}
	}
}

func TestSteps(t *testing.T) {
	e, _ := Get("CWE-79")
	steps := e.In("en").Steps()
	if len(steps) < 3 || steps[0].Stack != "nginx" {
		t.Fatalf("CWE-79 steps %+v", steps)
	}
	var order []int
	for _, s := range steps {
		order = append(order, slices.Index(Stacks, s.Stack))
	}
	if !slices.IsSorted(order) {
		t.Errorf("steps not in the order of Stacks: %+v", steps)
	}
}
