package document

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/i18n"
)

// FuzzWriters puts any text (invalid UTF-8, control characters, XML's special characters,
// decomposed Vietnamese, characters the font lacks) in every field: the DOCX stays
// well-formed and the PDF and XLSX are written without error.
func FuzzWriters(f *testing.F) {
	for _, s := range []string{"", "Cần Thơ", "a<b>&c\"d'e]]>", "\x00\x01\x1b\x7f\r\n\t", "\xff\xfe\xc3(", "Ca\u0302\u0300n", "\uFFFE\uFFFF\U0001F600 ✓ 中文",
		strings.Repeat("rấtdài", 300), "line\nline\n\n", "  ", "Sheet1", "[a]:*?/\\"} {
		f.Add(s, 3.5)
	}
	png := chartPNG(f, 100, 50)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		d := &Document{Lang: s, Parent: s, Issuer: s, Number: s, Place: s, Date: time.Unix(int64(x), 0), Title: s, Subtitle: s,
			DataAsOf: time.Unix(int64(x)*1000, 0), Description: s,
			Body: []Block{&Heading{Level: int(x), Text: s}, &Paragraph{Text: s}, &List{Items: []string{s, s}},
				&Table{Title: s, Columns: []Column{{s, x}, {s, -x}}, Rows: [][]Cell{{Text(s), Number(x)}, {Date(time.Unix(int64(x), 0))}, {}}},
				&Image{PNG: png, Caption: s, Width: x}},
			Recipients: []string{s, s}, Signature: Signature{Authority: s, Title: s, Name: s}}
		var b bytes.Buffer
		if err := WriteDOCX(&b, d); err != nil {
			t.Fatalf("docx: %v", err)
		}
		if _, err := docxParts(b.Bytes()); err != nil {
			t.Fatalf("docx is not well-formed: %v", err)
		}
		b.Reset()
		if err := WritePDF(&b, d); err != nil {
			t.Fatalf("pdf: %v", err)
		}
		b.Reset()
		if err := WriteXLSX(&b, d); err != nil {
			t.Fatalf("xlsx: %v", err)
		}
		if d.Lang == i18n.EN && b.Len() == 0 {
			t.Fatal("empty workbook")
		}
	})
}
