package content

import (
	"context"
	"os"
	"testing"
)

func TestScratch(t *testing.T) {
	b, _ := os.ReadFile("testdata/corpus/inj-string-array.html")
	p := Parse(b)
	var list []Script
	for _, s := range p.ScriptTags {
		list = append(list, Script{Name: "x", Code: s.Code})
	}
	r := Emulate(context.Background(), PageInfo{URL: "http://x.test/"}, Visitor{UserAgent: "Mozilla"}, list, nil)
	t.Logf("%+v", r)
}
