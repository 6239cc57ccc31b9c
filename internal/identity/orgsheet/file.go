package orgsheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/khien/khien/internal/i18n"
	"github.com/xuri/excelize/v2"
)

// Limits: a province has a few hundred organisations; these are far above
// that and far below what would strain the process.
const (
	MaxBytes = 5 << 20
	MaxRows  = 20_000
)

// IsCSV reports whether a file name means CSV (otherwise xlsx).
func IsCSV(name string) bool { return strings.EqualFold(filepath.Ext(name), ".csv") }

// Read reads the organisation file named name (CSV by its extension,
// otherwise xlsx) from r. Problems with the file are in the result; the
// error is only for a failing reader.
func Read(name string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	f := &File{}
	if len(data) > MaxBytes {
		f.fail(0, "", "orgsheet.err.too_large", MaxBytes>>20)
		return f, nil
	}
	if IsCSV(name) {
		readCSV(f, data)
	} else {
		readXLSX(f, data)
	}
	return f, nil
}

// readCSV reads comma- or semicolon-separated UTF-8 (with or without a
// byte-order mark), as Excel writes it in Vietnamese locales.
func readCSV(f *File, data []byte) {
	if !utf8.Valid(data) {
		f.fail(0, "", "orgsheet.err.not_utf8")
		return
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	line, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bufio.NewReader(bytes.NewReader(data)))
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	readRows(f, func() ([]string, int, error) {
		rec, err := cr.Read()
		if err != nil {
			return nil, 0, err
		}
		n, _ := cr.FieldPos(0) // the line as a spreadsheet shows it; csv skips empty lines
		return rec, n, nil
	})
}

// readXLSX reads the sheet "Đơn vị" (or the only sheet) with excelize's
// streaming iterator, with unzip limits against archive bombs.
func readXLSX(f *File, data []byte) {
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 10 * MaxBytes, UnzipXMLSizeLimit: 10 * MaxBytes})
	if err != nil {
		f.fail(0, "", "orgsheet.err.not_excel")
		return
	}
	defer x.Close()
	sheet := SheetName
	if idx, _ := x.GetSheetIndex(sheet); idx < 0 {
		if list := x.GetSheetList(); len(list) == 1 {
			sheet = list[0]
		} else {
			f.fail(0, "", "orgsheet.err.no_sheet", SheetName)
			return
		}
	}
	rows, err := x.Rows(sheet)
	if err != nil {
		f.fail(0, "", "orgsheet.err.not_excel")
		return
	}
	defer rows.Close()
	n := 0
	readRows(f, func() ([]string, int, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, 0, err
			}
			return nil, 0, io.EOF
		}
		n++
		rec, err := rows.Columns()
		return rec, n, err
	})
}

// readRows reads the header row (the first non-blank one) and the data rows
// that next returns, with the line of each.
func readRows(f *File, next func() ([]string, int, error)) {
	for {
		rec, line, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.fail(0, "", "orgsheet.err.unreadable", err.Error())
			return
		}
		if blank(rec) {
			continue
		}
		if f.cols == nil {
			if !readHeader(f, rec) {
				return
			}
			continue
		}
		if len(f.Rows) >= MaxRows {
			f.fail(0, "", "orgsheet.err.too_many_rows", MaxRows)
			return
		}
		f.addRow(line, rec)
	}
	if f.cols == nil {
		f.fail(0, "", "orgsheet.err.empty")
	}
}

// readHeader maps the header row's columns to fields, reporting unknown
// and missing columns; false when the file cannot be read further.
func readHeader(f *File, rec []string) bool {
	f.cols = map[string]int{}
	for i, h := range rec {
		folded := i18n.Fold(strings.TrimSpace(h))
		found := false
		for _, c := range columns {
			if folded == i18n.Fold(c.header) || folded == i18n.Fold(c.english) || folded == c.field {
				if _, dup := f.cols[c.field]; !dup {
					f.cols[c.field] = i
				}
				found = true
			}
		}
		if !found && folded != "" {
			f.Problems = append(f.Problems, Problem{Column: columnName(i), Header: h, Key: "orgsheet.err.unknown_column"})
		}
	}
	ok := true
	for _, c := range columns {
		if _, has := f.cols[c.field]; c.required && !has {
			f.fail(0, "", "orgsheet.err.missing_column", c.header)
			ok = false
		}
	}
	return ok
}

// addRow reads one data row's cells, reporting the cells it cannot read.
func (f *File) addRow(line int, rec []string) {
	cell := func(field string) string {
		if i, ok := f.cols[field]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	r := Row{Line: line, Code: cell("code"), Name: cell("name"), ParentCode: cell("parent_code")}
	var ok bool
	if r.Kind, ok = ParseKind(cell("kind")); !ok {
		f.fail(line, "kind", "orgsheet.err.kind", cell("kind"))
	}
	if r.Archived, ok = parseArchived(cell("archived")); !ok {
		f.fail(line, "archived", "orgsheet.err.archived", cell("archived"))
	}
	f.Rows = append(f.Rows, r)
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Write writes rows to w as CSV (UTF-8 with a byte-order mark, so Excel
// shows the diacritics) when name ends in .csv, otherwise as an xlsx
// workbook with the sheet "Đơn vị". The same rows give the same bytes.
func Write(w io.Writer, name string, rows []Row) error {
	if IsCSV(name) {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		cw.Write(headers())
		for _, r := range rows {
			cw.Write(r.record())
		}
		cw.Flush()
		return cw.Error()
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(SheetName)
	if err != nil {
		return err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, width := range []float64{18, 60, 18, 22, 12} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", cellsOf(headers(), bold)); err != nil {
		return err
	}
	for i, r := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), cellsOf(r.record(), 0)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}

// cellsOf makes a row of text cells (never numbers: a code "001" stays "001").
func cellsOf(values []string, style int) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = excelize.Cell{StyleID: style, Value: v}
	}
	return out
}
