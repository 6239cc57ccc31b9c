package validation

import (
	"net/url"
	"testing"
)

func TestControlChar(t *testing.T) {
	tests := []struct {
		in        string
		multiline bool
		want      rune
		bad       bool
	}{
		{"Cần Thơ", false, 0, false},
		{"a\x00b", false, 0, true},
		{"a\x00b", true, 0, true},
		{"a\tb\nc\r", true, 0, false},
		{"a\tb", false, '\t', true},
		{"a\x1bb", true, 0x1b, true},
		{"a\x7f", true, 0x7f, true},
	}
	for _, tt := range tests {
		got, bad := ControlChar(tt.in, tt.multiline)
		if got != tt.want || bad != tt.bad {
			t.Errorf("ControlChar(%q, %v) = %U %v", tt.in, tt.multiline, got, bad)
		}
	}
}

func TestCheckValues(t *testing.T) {
	err := CheckValues(url.Values{"q": {"a\x00"}, "kind": {"web"}, "notes": {"x\ny"}}, true)
	es, ok := As(err)
	if !ok || len(es) != 1 || es[0].Field != "q" || es[0].Message != "chứa ký tự điều khiển không được phép (U+0000)" {
		t.Fatalf("%#v", err)
	}
	if err := CheckValues(url.Values{"q": {"x\ny"}}, false); err == nil {
		t.Fatal("a newline in a single-line parameter must be refused")
	}
}
