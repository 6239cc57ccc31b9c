package report

import (
	"fmt"
	"slices"

	"github.com/khien/khien/internal/chart"
	"github.com/khien/khien/internal/dashboard"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/report/document"
)

// bodyBuilder appends the report's blocks and numbers its tables.
type bodyBuilder struct {
	lang   string
	blocks []document.Block
	tables int
	images int // figures numbered "Hình n."
}

func (b *bodyBuilder) t(key string, args ...any) string { return i18n.T(b.lang, key, args...) }

func (b *bodyBuilder) heading(level int, text string) {
	b.blocks = append(b.blocks, &document.Heading{Level: level, Text: text})
}

func (b *bodyBuilder) para(text string) { b.blocks = append(b.blocks, &document.Paragraph{Text: text}) }

// table appends a table titled "Bảng n. <title>", with columns given as header keys and widths.
func (b *bodyBuilder) table(title string, cols []document.Column, rows [][]document.Cell) {
	b.tables++
	for i := range cols {
		cols[i].Header = b.t(cols[i].Header)
	}
	b.blocks = append(b.blocks, &document.Table{Title: b.t("report.table", b.tables, title), Columns: cols, Rows: rows})
}

// figures appends the dashboard's charts named by keys (all when none), each as a picture
// with its caption and its numbers as a table, so a printed report shows the same charts as
// the dashboard page and a reader who cannot read a chart still has the figures.
func (b *bodyBuilder) figures(d dashboard.Dashboard, keys ...string) error {
	for _, f := range d.Figures(b.lang) {
		if len(keys) > 0 && !slices.Contains(keys, f.Key) {
			continue
		}
		png, err := f.Draw(chart.PNG)
		if err != nil {
			return fmt.Errorf("draw the %s chart: %w", f.Key, err)
		}
		b.images++
		b.blocks = append(b.blocks, &document.Image{PNG: png, Caption: b.t("report.figure", b.images, f.Title)})
		cols := []document.Column{{Header: "", Width: 3}}
		for _, s := range f.Series {
			cols = append(cols, document.Column{Header: s.Name, Width: 2})
		}
		rows := make([][]document.Cell, len(f.Categories))
		for i, c := range f.Categories {
			rows[i] = []document.Cell{document.Text(c)}
			for _, s := range f.Series {
				rows[i] = append(rows[i], document.Number(s.Values[i]))
			}
		}
		b.tables++
		b.blocks = append(b.blocks, &document.Table{Title: b.t("report.table", b.tables, f.Title), Columns: cols, Rows: rows})
	}
	return nil
}
