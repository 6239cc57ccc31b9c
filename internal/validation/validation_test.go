package validation_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
)

func TestLocalize(t *testing.T) {
	badHost := validation.Invalid("", "inv.err.domain", "a b")
	tests := []struct {
		name   string
		err    validation.Error
		vi, en string
	}{
		{"with arguments", validation.Invalid("value", "inv.err.ip", "10.0.0.256"),
			`địa chỉ IP "10.0.0.256" không hợp lệ`, `IP address "10.0.0.256" is not valid`},
		{"without arguments", validation.Invalid("name", "inv.err.system_name_required"),
			"tên hệ thống là bắt buộc", "the system name is required"},
		{"reason inside a reason", validation.Invalid("value", "inv.err.url_host", "http://a b/", badHost),
			`địa chỉ URL "http://a b/": tên miền "a b" không hợp lệ`, `URL "http://a b/": domain name "a b" is not valid`},
		{"field named later", validation.At("ips", validation.Invalid("", "inv.err.ip", "x")),
			`địa chỉ IP "x" không hợp lệ`, `IP address "x" is not valid`},
		{"plain error", validation.At("file", errors.New("as it is")), "as it is", "as it is"},
		{"no key", validation.Error{Field: "x", Message: "đã dịch sẵn"}, "đã dịch sẵn", "đã dịch sẵn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Message != tt.vi {
				t.Errorf("default message %q, want %q", tt.err.Message, tt.vi)
			}
			en := tt.err.Localize(i18n.EN)
			if en.Message != tt.en || en.Field != tt.err.Field {
				t.Errorf("English %s: %q, want %q", en.Field, en.Message, tt.en)
			}
			if back := en.Localize(i18n.VI); back.Message != tt.vi {
				t.Errorf("back to Vietnamese %q", back.Message)
			}
		})
	}
}

func TestErrorsLocalizeAndAs(t *testing.T) {
	var es validation.Errors
	es.Add("name", "inv.err.system_name_required")
	es.AddAt("value", validation.Invalid("", "inv.err.ip", "x"))
	found, ok := validation.As(fmt.Errorf("save system: %w", es.Err()))
	if !ok || len(found) != 2 {
		t.Fatalf("As: %v %v", found, ok)
	}
	en := found.Localize(i18n.EN)
	if want := `name: the system name is required; value: IP address "x" is not valid`; en.Error() != want {
		t.Errorf("got %q, want %q", en.Error(), want)
	}
	if found[0].Message != "tên hệ thống là bắt buộc" {
		t.Errorf("Localize changed the original: %q", found[0].Message)
	}
	if one, ok := validation.As(fmt.Errorf("wrap: %w", validation.Invalid("id", "validation.id"))); !ok || one[0].Key != "validation.id" {
		t.Errorf("As of one Error: %v %v", one, ok)
	}
}

// internalGoFiles parses every non-test Go file under internal/, except the
// scanner, which has its own Vietnamese and English texts.
func internalGoFiles(t *testing.T) map[string]*ast.File {
	t.Helper()
	files := map[string]*ast.File{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "scan" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files[path] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func nonASCIILiteral(n ast.Node) string {
	var found string
	ast.Inspect(n, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && found == "" {
			if s, err := strconv.Unquote(lit.Value); err == nil && strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }) {
				found = s
			}
		}
		return found == ""
	})
	return found
}

// TestNoLiteralMessages keeps the rule that input-error messages come from
// the catalogues: no Message: field and no message-taking call (Add, Fail,
// FailFile, Invalid, NewProblem, …) is given Vietnamese text in Go.
func TestNoLiteralMessages(t *testing.T) {
	calls := []string{"Add", "AddAt", "At", "Fail", "FailFile", "Invalid", "NewProblem"}
	for path, f := range internalGoFiles(t) {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Message" {
					if s := nonASCIILiteral(n.Value); s != "" {
						t.Errorf("%s: Message: %q; use validation.Invalid with a catalogue key", path, s)
					}
				}
			case *ast.CallExpr:
				name := ""
				switch fn := n.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				if slices.Contains(calls, name) {
					for _, a := range n.Args {
						if s := nonASCIILiteral(a); s != "" {
							t.Errorf("%s: %s(… %q …); pass a catalogue key", path, name, s)
						}
					}
				}
			}
			return true
		})
	}
}

// TestMessageKeysAreInTheCatalogue checks every message key named in Go
// code, so a typo does not show the key to a user.
func TestMessageKeysAreInTheCatalogue(t *testing.T) {
	key := regexp.MustCompile(`^(inv\.err|inv\.problem|identity\.err|validation)\.[a-z_]+$`)
	known := map[string]map[string]bool{}
	for _, lang := range []string{i18n.VI, i18n.EN} {
		known[lang] = map[string]bool{}
		for _, k := range i18n.Keys(lang) {
			known[lang][k] = true
		}
	}
	seen := 0
	for path, f := range internalGoFiles(t) {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !key.MatchString(s) {
				return true
			}
			seen++
			for lang, keys := range known {
				if !keys[s] {
					t.Errorf("%s: key %q is not in the %s catalogue", path, s, lang)
				}
			}
			return true
		})
	}
	if seen < 50 {
		t.Errorf("found only %d message keys; is the scan looking in the right place?", seen)
	}
}
