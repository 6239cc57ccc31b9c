package document

import (
	"fmt"
	"io"
	"testing"

	"github.com/khien/khien/internal/i18n"
)

// benchRows fill about 200 A4 pages with one-line rows (35 to a page).
const benchRows = 7000

// longTable is the benchmark's document: the sample's header and closing around one table of
// benchRows rows.
func longTable(b *testing.B) *Document {
	d := sample(b, i18n.VI)
	rows := make([][]Cell, benchRows)
	for i := range rows {
		rows[i] = []Cell{Number(float64(i + 1)), Text(fmt.Sprintf("Hệ thống thông tin số %d", i+1)), Number(float64(17 * i)), Number(float64(i%100) + 0.25), Date(dataTime.AddDate(0, 0, -i%365))}
	}
	d.Body = []Block{&Heading{Level: 1, Text: "Danh sách hệ thống"}, &Table{Title: "Bảng 1", Columns: d.Body[6].(*Table).Columns, Rows: rows}}
	return d
}

func BenchmarkWrite(b *testing.B) {
	d := longTable(b)
	pw, err := newPDFWriter(d)
	if err != nil {
		b.Fatal(err)
	}
	if err := pw.write(); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d rows: %d PDF pages", benchRows, pw.page)
	for _, c := range []struct {
		name string
		fn   func(io.Writer, *Document) error
	}{{"docx", WriteDOCX}, {"pdf", WritePDF}, {"xlsx", WriteXLSX}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := &countingWriter{}
				if err := c.fn(w, d); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(w.n)/1e6, "MB/file")
			}
		})
	}
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
