package check

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// vietnameseMarks are letters only Vietnamese text with its diacritics has.
const vietnameseMarks = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"

// evidenceSources are the trees whose Evidencef formats need a translation.
var evidenceSources = []string{"..", "../../vulndb"}

// evidenceFormats reads the source and returns every Evidencef format with
// where it is used. A format that is not a string literal is an error: it
// could not be translated.
func evidenceFormats(t *testing.T) map[string][]string {
	t.Helper()
	formats := map[string][]string{}
	fset := token.NewFileSet()
	for _, root := range evidenceSources {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			file, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || !isEvidencef(call.Fun) {
					return true
				}
				at := fset.Position(call.Pos()).String()
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s: the format of Evidencef must be a string literal, to be translated", at)
					return true
				}
				format, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: %v", at, err)
				}
				formats[format] = append(formats[format], at)
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return formats
}

func isEvidencef(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name == "Evidencef"
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		return ok && x.Name == "check" && f.Sel.Name == "Evidencef"
	}
	return false
}

// verbs maps each argument index of a fmt format to its directives
// ("%q", "%.1f"), so a translation may reorder arguments ("%[2]s") but
// must show each the same way.
func verbs(format string) map[int][]string {
	out := map[int][]string{}
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.", format[j]) >= 0 {
			j++
		}
		spec := format[i+1 : j]
		if j < len(format) && format[j] == '[' {
			end := strings.IndexByte(format[j:], ']')
			if end < 0 {
				return nil
			}
			n, err := strconv.Atoi(format[j+1 : j+end])
			if err != nil {
				return nil
			}
			arg = n - 1
			j += end + 1
		}
		if j >= len(format) {
			return nil
		}
		if format[j] == '%' && spec == "" {
			i = j
			continue
		}
		out[arg] = append(out[arg], "%"+spec+string(format[j]))
		arg++
		i = j
	}
	return out
}

// needsTranslation reports whether a format has words: "%s: %s" does not.
func needsTranslation(format string) bool {
	for i := 0; i < len(format); i++ {
		if format[i] == '%' {
			for i++; i < len(format) && !unicode.IsLetter(rune(format[i])); i++ {
			}
			continue
		}
		if unicode.IsLetter(rune(format[i])) || format[i] >= 0x80 {
			return true
		}
	}
	return false
}

// TestEvidenceTranslated fails when evidence written with Evidencef has no
// Vietnamese translation in evidenceVI, or one whose verbs differ, and when
// the catalogue holds translations nothing uses.
func TestEvidenceTranslated(t *testing.T) {
	formats := evidenceFormats(t)
	if len(formats) < 50 {
		t.Fatalf("found only %d evidence formats: is the source walk broken?", len(formats))
	}
	for _, format := range slices.Sorted(maps.Keys(formats)) {
		vi, ok := evidenceVI[format]
		if !ok {
			if needsTranslation(format) {
				t.Errorf("%s: evidence without a Vietnamese translation; add to evidenceVI (evidence_vi.go): %q: \"…\",", formats[format][0], format)
			}
			continue
		}
		if want, got := verbs(format), verbs(vi); want == nil || !maps.EqualFunc(want, got, slices.Equal) {
			t.Errorf("%s: the translation %q of %q has verbs %v, want %v", formats[format][0], vi, format, got, want)
		}
	}
	for format, vi := range evidenceVI {
		if !norm.NFC.IsNormalString(vi) {
			t.Errorf("the translation of %q is not in NFC", format)
		}
		if _, ok := formats[format]; !ok {
			t.Errorf("evidenceVI translates %q, which no Evidencef uses", format)
		}
	}
}

func TestVerbs(t *testing.T) {
	for _, tt := range []struct {
		format string
		want   map[int][]string
	}{
		{"%s expired on %s", map[int][]string{0: {"%s"}, 1: {"%s"}}},
		{"%d%% of %q (%.1f)", map[int][]string{0: {"%d"}, 1: {"%q"}, 2: {"%.1f"}}},
		{"%[2]s trước %[1]s", map[int][]string{1: {"%s"}, 0: {"%s"}}},
		{"no verbs", map[int][]string{}},
	} {
		if got := verbs(tt.format); !maps.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("verbs(%q) = %v, want %v", tt.format, got, tt.want)
		}
	}
}

func TestTextIn(t *testing.T) {
	notes := []Text{Evidencef("no CSP"), Evidencef("no HSTS")}
	for _, tt := range []struct {
		text     Text
		lang, in string
	}{
		{Evidencef("RSA key of %d bits", 1024), "en", "RSA key of 1024 bits"},
		{Evidencef("RSA key of %d bits", 1024), "vi", "khóa RSA dài 1024 bit"},
		{Evidencef("grade %s (%d/100): %s", "C", 55, notes), "vi", "xếp hạng C (55/100): không có CSP; không có HSTS"},
		{Evidencef("%s is self-signed", Evidencef("certificate %q issued by %q", "CN=a", "CN=a")), "en", `certificate "CN=a" issued by "CN=a" is self-signed`},
		{Evidencef("severity raised from %s (CVSS %.1f) to %s: known exploited (CISA KEV)", Medium, 6.1, High), "vi", "mức độ được nâng từ trung bình (CVSS 6.1) lên cao: đã bị khai thác thực tế (CISA KEV)"},
		{Evidencef("not in the catalogue %d", 1), "vi", "not in the catalogue 1"},
	} {
		if got := tt.text.In(tt.lang); got != tt.in {
			t.Errorf("%q in %s = %q, want %q", tt.text.Format, tt.lang, got, tt.in)
		}
	}
}

func TestFindingLocalize(t *testing.T) {
	f := New("tls.weak-key", Asset{Host: "a.gov.vn"}, "k", Evidencef("RSA key of %d bits", 1024), time.Now())
	if f.Title != "Khóa RSA của chứng thư ngắn hơn 2048 bit" || f.Evidence != "khóa RSA dài 1024 bit" {
		t.Errorf("New renders in Vietnamese: %q, %q", f.Title, f.Evidence)
	}
	f.AddEvidence(Evidencef("CISA KEV: %s", "CVE-1"))
	f.Localize("en")
	if f.Title != "Certificate RSA key shorter than 2048 bits" || f.Evidence != "RSA key of 1024 bits; CISA KEV: CVE-1" {
		t.Errorf("in English: %q, %q", f.Title, f.Evidence)
	}
	read := Finding{CheckID: "tls.weak-key", Evidence: "as stored"}
	read.Localize("vi")
	if read.Evidence != "as stored" {
		t.Errorf("a finding read back lost its evidence: %q", read.Evidence)
	}
}

func TestEvidencefCopiesQuotes(t *testing.T) {
	page := strings.Repeat("x", 512<<10)
	ev := Evidencef("page text %q", page[:20])
	if unsafe.StringData(ev.Args[0].(string)) == unsafe.StringData(page) {
		t.Error("the evidence holds on to the whole page")
	}
}
