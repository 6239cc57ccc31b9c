package document

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/khien/khien/internal/i18n"
)

// WriteXLSX writes the document's tables as a workbook, one sheet per table: the document's
// title in the first row, the time of the data in the second, then the table with its header
// row bold and frozen. Numbers stay numbers and dates are dates shown dd/mm/yyyy. A document
// without tables gives one sheet with the title.
func WriteXLSX(w io.Writer, d *Document) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	st, err := newSheetStyles(f)
	if err != nil {
		return err
	}
	var tables []*Table
	for _, b := range d.Body {
		if t, ok := b.(*Table); ok && len(t.Columns) > 0 {
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 {
		tables = append(tables, &Table{})
	}
	names := map[string]bool{}
	for i, t := range tables {
		name := sheetName(t.Title, i+1, names)
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return err
		}
		if err := writeSheet(f, name, d, t, st); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

type sheetStyles struct{ title, header, date, text int }

func newSheetStyles(f *excelize.File) (sheetStyles, error) {
	var s sheetStyles
	var err error
	border := []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
		{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
	fnt := func(bold bool, size float64) *excelize.Font {
		return &excelize.Font{Family: fontName, Size: size, Bold: bold}
	}
	dateFormat := "dd/mm/yyyy"
	for _, x := range []struct {
		dst   *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: fnt(true, 14)}},
		{&s.header, excelize.Style{Font: fnt(true, 12), Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.date, excelize.Style{Font: fnt(false, 12), Border: border, CustomNumFmt: &dateFormat}},
		{&s.text, excelize.Style{Font: fnt(false, 12), Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
	} {
		if *x.dst, err = f.NewStyle(&x.style); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Rows of each sheet: the title, the time of the data, a blank row, then the header.
const (
	titleRow  = 1
	asOfRow   = 2
	headerRow = 4
)

func writeSheet(f *excelize.File, sheet string, d *Document, t *Table, st sheetStyles) error {
	title := clean(d.Title)
	if d.Subtitle != "" {
		title += " " + clean(d.Subtitle)
	}
	if t.Title != "" {
		title += ": " + clean(t.Title)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	// Widths and panes come before the first row, as the stream writer requires.
	for i, w := range t.widths() {
		// Excel widths are in characters; about 100 characters across the sheet.
		if err := sw.SetColWidth(i+1, i+1, max(8, w*100)); err != nil {
			return err
		}
	}
	if len(t.Columns) > 0 {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: fmt.Sprintf("A%d", headerRow+1), ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", titleRow), []any{excelize.Cell{StyleID: st.title, Value: xlsxText(title)}}); err != nil {
		return err
	}
	if s := d.dataAsOfLine(); s != "" {
		if err := sw.SetRow(fmt.Sprintf("A%d", asOfRow), []any{s}); err != nil {
			return err
		}
	}
	header := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = excelize.Cell{StyleID: st.header, Value: xlsxText(clean(c.Header))}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", headerRow), header); err != nil {
		return err
	}
	values := make([]any, len(t.Columns))
	for r, row := range t.Rows {
		for i := range t.Columns {
			var c Cell
			if i < len(row) {
				c = row[i]
			}
			switch c.kind {
			case numberCell:
				values[i] = excelize.Cell{StyleID: st.text, Value: c.num}
			case dateCell:
				// Excel dates have no zone: the Vietnam calendar day.
				values[i] = excelize.Cell{StyleID: st.date, Value: excelDate(c.date)}
			default:
				values[i] = excelize.Cell{StyleID: st.text, Value: xlsxText(clean(c.text))}
			}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", headerRow+1+r), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// excelDate is the serial number of t's calendar day in Vietnam in Excel's 1900 date system
// (days since 30 December 1899, right from March 1900 on).
func excelDate(t time.Time) float64 {
	v := t.In(i18n.Vietnam)
	day := time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
	return float64((day.Unix() - excelEpoch.Unix()) / 86400)
}

var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// xlsxText keeps a cell within Excel's 32,767 characters.
func xlsxText(s string) string {
	const limit = 32767
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit])
}

// sheetName makes a unique sheet name from a table title: at most 31 characters, none of
// the characters Excel forbids, numbered when empty or taken.
func sheetName(title string, n int, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) || r == '\n' {
			return ' '
		}
		return r
	}, clean(title))
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 28 {
		name = strings.TrimSpace(string(r[:28]))
	}
	if name == "" {
		name = fmt.Sprintf("%d", n)
	}
	base := name
	for i := 2; used[strings.ToLower(name)]; i++ {
		name = fmt.Sprintf("%s %d", base, i)
	}
	used[strings.ToLower(name)] = true
	return name
}
