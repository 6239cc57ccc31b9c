// Package xlsx reads and writes the inventory workbook with excelize: the
// template agencies fill in, the import that checks every cell, and the
// export in the same layout. Reading is bounded: the archive is checked
// before it is opened (size, entry count, uncompressed size), rows are read
// with excelize's streaming iterator, and each sheet has a row cap.
package workbook

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/inventory"
	"github.com/xuri/excelize/v2"
)

// Limits bound what Read accepts.
type Limits struct {
	FileBytes     int64 // the xlsx file itself
	UnzippedBytes int64 // all entries, uncompressed
	Entries       int   // entries in the archive
	RowsPerSheet  int   // data rows per sheet
}

// DefaultLimits suit a province's agencies: far above a real inventory,
// far below what would strain the server.
var DefaultLimits = Limits{FileBytes: 20 << 20, UnzippedBytes: 200 << 20, Entries: 500, RowsPerSheet: 50_000}

// ErrNotWorkbook means the file is not an xlsx workbook at all.
var ErrNotWorkbook = errors.New("not an xlsx workbook")

// Read parses an inventory workbook. File-level and cell-level problems are
// in the batch's Problems; the error is for failures that are not the
// file's fault, or for a file that is not a workbook at all (ErrNotWorkbook,
// with a problem explaining why).
func Read(r io.ReaderAt, size int64, lim Limits) (*inventory.Batch, error) {
	b := &inventory.Batch{}
	fail := func(key string, args ...any) (*inventory.Batch, error) {
		b.FailFile("", key, args...)
		return b, ErrNotWorkbook
	}
	if size > lim.FileBytes {
		return fail("inv.err.xlsx_too_large", size>>20, lim.FileBytes>>20)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fail("inv.err.xlsx_not_excel")
	}
	if len(zr.File) > lim.Entries {
		return fail("inv.err.xlsx_entries", len(zr.File), lim.Entries)
	}
	var total uint64
	hasWorkbook := false
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if f.Name == "xl/workbook.xml" {
			hasWorkbook = true
		}
	}
	// archive/zip refuses to read more than an entry declares, so checking
	// the declared sizes is enough to stop a zip bomb before it expands.
	if total > uint64(lim.UnzippedBytes) {
		return fail("inv.err.xlsx_zip_bomb", lim.UnzippedBytes>>20)
	}
	if !hasWorkbook {
		return fail("inv.err.xlsx_zip_not_excel")
	}
	sheetFiles, err := sheetPaths(zr)
	if err != nil {
		return fail("inv.err.xlsx_broken", err)
	}
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		RawCellValue: true, UnzipSizeLimit: lim.UnzippedBytes, UnzipXMLSizeLimit: 4 << 20,
	})
	if err != nil {
		return fail("inv.err.xlsx_open", err)
	}
	defer f.Close()
	found := 0
	for _, name := range f.GetSheetList() {
		sheet, ok := inventory.SheetByName(name)
		if !ok {
			continue
		}
		found++
		bad, err := scanCells(zr, sheetFiles[name])
		if err != nil {
			return fail("inv.err.sheet_broken", name, err)
		}
		for _, row := range slices.Sorted(maps.Keys(bad)) {
			for _, p := range bad[row] {
				p.Sheet = sheet.Name
				b.Add(p)
			}
		}
		if err := readSheet(f, name, sheet, b, bad, lim); err != nil {
			return b, err
		}
	}
	b.NameColumns()
	sortProblems(b.Problems)
	if found == 0 {
		names := make([]string, len(inventory.Sheets))
		for i, s := range inventory.Sheets {
			names[i] = strconv.Quote(s.Name)
		}
		return fail("inv.err.no_sheets", strings.Join(names, ", "))
	}
	return b, nil
}

// readSheet streams the rows of one sheet into the batch.
func readSheet(f *excelize.File, name string, sheet inventory.Sheet, b *inventory.Batch, bad map[int][]inventory.Problem, lim Limits) error {
	rows, err := f.Rows(name)
	if err != nil {
		return fmt.Errorf("read sheet %s: %w", name, err)
	}
	defer rows.Close()
	var fields []string // column index → field; "" for unknown columns
	rowNum, dataRows := 0, 0
	for rows.Next() {
		rowNum++
		cells, err := rows.Columns()
		if err != nil {
			return fmt.Errorf("read sheet %s row %d: %w", name, rowNum, err)
		}
		if blank(cells) {
			continue
		}
		if fields == nil {
			fields = matchHeaders(sheet, cells, b)
			if fields == nil {
				return nil
			}
			continue
		}
		dataRows++
		if dataRows > lim.RowsPerSheet {
			b.FailFile(sheet.Name, "inv.err.sheet_too_many_rows", lim.RowsPerSheet)
			return nil
		}
		rec := inventory.Record{}
		for i, v := range cells {
			if i < len(fields) && fields[i] != "" {
				rec[fields[i]] = cellText(sheet, fields[i], v)
			}
		}
		ref := b.AddRecord(sheet, rowNum, rec)
		if len(bad[rowNum]) > 0 {
			ref.Invalid = true
		}
	}
	if fields == nil {
		b.FailFile(sheet.Name, "inv.err.sheet_no_header")
	}
	return rows.Error()
}

// matchHeaders maps the header row to fields, in whatever order the columns
// are and with or without diacritics; it records unknown and missing
// columns. It returns nil when the sheet cannot be read.
func matchHeaders(sheet inventory.Sheet, cells []string, b *inventory.Batch) []string {
	fields := make([]string, len(cells))
	at := map[string]int{}
	for i, h := range cells {
		if strings.TrimSpace(h) == "" {
			continue
		}
		c := sheet.MatchHeader(h)
		if c < 0 {
			b.Add(inventory.NewProblem(sheet.Name, 0, inventory.ColumnName(i), "inv.err.unknown_column", h))
			continue
		}
		field := sheet.Columns[c].Field
		if prev, dup := at[field]; dup {
			b.Add(inventory.NewProblem(sheet.Name, 0, inventory.ColumnName(i), "inv.err.duplicate_column", h, inventory.ColumnName(prev)))
			continue
		}
		fields[i] = field
		at[field] = i
	}
	ok := true
	for _, c := range sheet.Columns {
		if _, has := at[c.Field]; c.Required && !has {
			b.FailFile(sheet.Name, "inv.err.missing_column", c.Header)
			ok = false
		}
	}
	b.SetColumns(sheet.Name, at)
	if !ok {
		return nil
	}
	return fields
}

// cellText turns a raw cell value into text: Excel keeps dates as serial
// numbers, which date columns turn back into days.
func cellText(sheet inventory.Sheet, field, v string) string {
	v = strings.TrimSpace(v)
	c := sheet.Columns[sheet.Column(field)]
	if c.Date && v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 && n < 2958466 {
			if t, err := excelize.ExcelDateToTime(math.Floor(n), false); err == nil {
				return t.Format(inventory.DateLayout)
			}
		}
	}
	if c.Number {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n == math.Trunc(n) {
			return strconv.FormatInt(int64(n), 10)
		}
	}
	return v
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// sheetPaths maps sheet names to their XML part in the archive.
func sheetPaths(zr *zip.Reader) (map[string]string, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(zr, "xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	if err := decodePart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		targets[r.ID] = t
	}
	out := map[string]string{}
	for _, s := range wb.Sheets {
		out[s.Name] = targets[s.RID]
	}
	return out, nil
}

// decodePart unmarshals a small XML part (the size was checked before).
func decodePart(zr *zip.Reader, name string, v any) error {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return xml.NewDecoder(io.LimitReader(rc, 8<<20)).Decode(v)
	}
	return fmt.Errorf("missing %s", name)
}

// scanCells streams a worksheet's XML for what a value-only reader would
// miss: formulas (the import takes values, not calculations) and merged
// cells (a merged value belongs to one cell only). It returns the problems
// by row number.
func scanCells(zr *zip.Reader, part string) (map[int][]inventory.Problem, error) {
	bad := map[int][]inventory.Problem{}
	var file *zip.File
	for _, f := range zr.File {
		if f.Name == part {
			file = f
		}
	}
	if file == nil {
		return bad, nil
	}
	rc, err := file.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	cell := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return bad, nil
		}
		if err != nil {
			return nil, err
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch el.Name.Local {
		case "c":
			cell = attr(el, "r")
		case "f":
			col, row, err := excelize.CellNameToCoordinates(cell)
			if err == nil {
				bad[row] = append(bad[row], inventory.NewProblem("", row, inventory.ColumnName(col-1), "inv.err.formula", cell))
			}
		case "mergeCell":
			ref := attr(el, "ref")
			first, _, _ := strings.Cut(ref, ":")
			col, row, err := excelize.CellNameToCoordinates(first)
			if err == nil {
				bad[row] = append(bad[row], inventory.NewProblem("", row, inventory.ColumnName(col-1), "inv.err.merged", ref))
			}
		}
	}
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// ReadBytes is Read over an in-memory file.
func ReadBytes(data []byte, lim Limits) (*inventory.Batch, error) {
	return Read(bytes.NewReader(data), int64(len(data)), lim)
}

// sortProblems orders problems as the user reads the workbook: by sheet
// order, then row, then column.
func sortProblems(ps []inventory.Problem) {
	order := map[string]int{}
	for i, s := range inventory.Sheets {
		order[s.Name] = i + 1
	}
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if order[a.Sheet] != order[b.Sheet] {
			return order[a.Sheet] < order[b.Sheet]
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return len(a.Column) < len(b.Column) || len(a.Column) == len(b.Column) && a.Column < b.Column
	})
}

// ReadUpload reads an uploaded inventory file: CSV (assets only) when the
// name ends in .csv, otherwise an xlsx workbook.
func ReadUpload(name string, r io.ReaderAt, size int64, lim Limits) (*inventory.Batch, error) {
	if strings.EqualFold(path.Ext(name), ".csv") {
		return inventory.ReadAssetsCSV(io.NewSectionReader(r, 0, size), lim.FileBytes, lim.RowsPerSheet), nil
	}
	return Read(r, size, lim)
}

// ReadStream reads an upload of unknown size: it is spooled to a temporary
// file (never held in memory whole) up to lim.FileBytes, then read with
// ReadUpload.
func ReadStream(name string, r io.Reader, lim Limits) (*inventory.Batch, error) {
	tmp, err := os.CreateTemp("", "khien-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, io.LimitReader(r, lim.FileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	if n > lim.FileBytes {
		b := &inventory.Batch{}
		b.FailFile("", "inv.err.file_too_large", lim.FileBytes>>20)
		return b, ErrNotWorkbook
	}
	return ReadUpload(name, tmp, n, lim)
}
