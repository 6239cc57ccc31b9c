package inventory

import (
	"strconv"
	"strings"

	"github.com/khien/khien/internal/validation"
)

// Batch is the content of an inventory workbook (or an export): rows of each
// entity with the organisation and the references they name by natural key
// (organisation code, system name, staff e-mail), and the problems found.
type Batch struct {
	Systems        []SystemRow
	Assets         []AssetRow
	Controls       []ControlRow
	Staff          []StaffRow
	Qualifications []QualificationRow
	Problems       []Problem
	// Unlisted counts problems beyond MaxProblems, which are not listed.
	Unlisted int
	// columns maps sheet name → field → column index in the file read, so
	// problems point at the cell where the user put the value.
	columns map[string]map[string]int
}

// SystemRow is a system as one spreadsheet row.
type SystemRow struct {
	Ref
	OrgCode         string
	OperatorOrgCode string
	ContactEmail    string
	System
}

// AssetRow is an asset and the names of the systems it belongs to.
type AssetRow struct {
	Ref
	OrgCode string
	Systems []string
	Asset
}

// ControlRow is a control of the named system.
type ControlRow struct {
	Ref
	OrgCode    string
	OrgID      int64 // resolved from OrgCode at import
	SystemName string
	Control
}

// StaffRow is a staff member.
type StaffRow struct {
	Ref
	OrgCode string
	Staff
}

// QualificationRow is a qualification of the staff member with the e-mail.
type QualificationRow struct {
	Ref
	OrgCode    string
	OrgID      int64 // resolved from OrgCode at import
	StaffEmail string
	Qualification
}

// SetColumns records where each field of sheet is in the file being read.
func (b *Batch) SetColumns(sheet string, fields map[string]int) {
	if b.columns == nil {
		b.columns = map[string]map[string]int{}
	}
	b.columns[sheet] = fields
}

// MaxProblems bounds the problems listed for one file; a file with more is
// best fixed from the first ones.
const MaxProblems = 1000

// Add records a problem, counting it without listing it past MaxProblems.
func (b *Batch) Add(p Problem) {
	if len(b.Problems) >= MaxProblems {
		b.Unlisted++
		return
	}
	b.Problems = append(b.Problems, p)
}

// Fail records the problem key (with args) with field of the row at ref and
// marks the row invalid.
func (b *Batch) Fail(ref *Ref, field, key string, args ...any) {
	b.failAt(ref, field, NewProblem(ref.Sheet, ref.Row, "", key, args...))
}

// failAt records p with field of the row at ref, naming the cell.
func (b *Batch) failAt(ref *Ref, field string, p Problem) {
	ref.Invalid = true
	b.Add(b.place(*ref, field, p))
}

// place names the cell of field of the row at ref in p.
func (b *Batch) place(ref Ref, field string, p Problem) Problem {
	if s, ok := SheetByName(ref.Sheet); ok {
		i := s.Column(field)
		if cols, ok := b.columns[ref.Sheet]; ok {
			if at, ok := cols[field]; ok {
				p.Column = ColumnName(at)
			}
		} else if i >= 0 {
			p.Column = ColumnName(i)
		}
		if i >= 0 {
			p.Header = s.Columns[i].Header
		}
	}
	return p
}

// NameColumns fills in the header of problems that were found by cell
// position before the header row was read (formulas, merged cells).
func (b *Batch) NameColumns() {
	for i, p := range b.Problems {
		if p.Header != "" || p.Column == "" {
			continue
		}
		sheet, ok := SheetByName(p.Sheet)
		if !ok {
			continue
		}
		for field, at := range b.columns[p.Sheet] {
			if ColumnName(at) == p.Column {
				b.Problems[i].Header = sheet.Columns[sheet.Column(field)].Header
			}
		}
	}
}

// FailFile records the problem key (with args) with the file as a whole.
func (b *Batch) FailFile(sheet, key string, args ...any) {
	b.Add(NewProblem(sheet, 0, "", key, args...))
}

// failAll records validation errors of a row.
func (b *Batch) failAll(ref *Ref, es validation.Errors, fieldMap map[string]string) {
	for _, e := range es {
		field := e.Field
		if f, ok := fieldMap[field]; ok {
			field = f
		}
		b.failAt(ref, field, Problem{Sheet: ref.Sheet, Row: ref.Row, Message: e.Message, Key: e.Key, Args: e.Args})
	}
}

// Record is one row read from a sheet: field → cell text.
type Record map[string]string

// ClearMarker is the cell text that empties a field of an existing record:
// a blank cell leaves the stored value as it is.
const ClearMarker = "-"

// AddRecord parses a row of sheet into the batch, checking every cell, and
// returns the stored row's reference (valid until the next AddRecord). The
// rules that tie a system's fields together are checked by the import's
// plan, once the row is merged over the record it updates (a blank level
// keeps the stored one, which the decision number needs).
func (b *Batch) AddRecord(sheet Sheet, row int, rec Record) *Ref {
	ref := Ref{Sheet: sheet.Name, Row: row}
	for i, c := range sheet.Columns {
		v := strings.TrimSpace(rec[c.Field])
		if ch, bad := validation.ControlChar(v, true); bad {
			b.Fail(&ref, c.Field, "validation.control_char", ch)
		}
		switch v {
		case "":
			ref.keep |= 1 << i
		case ClearMarker:
			v = ""
		}
		if c.Required && v == "" {
			b.Fail(&ref, c.Field, "inv.err.column_required", c.Header)
		}
		if v != "" && c.Enum != nil {
			code, ok := c.Enum.Parse(v)
			if !ok {
				b.Fail(&ref, c.Field, "inv.err.not_in_list", v, strings.Join(c.Enum.Labels(), "; "))
			}
			v = code
		}
		rec[c.Field] = v
	}
	switch sheet.Name {
	case SystemsSheet.Name:
		var r SystemRow
		b.readCells(&ref, sheet, systemCells(&r), rec)
		r.ContactEmail = strings.ToLower(r.ContactEmail)
		b.check(&ref, r.normaliseFields())
		r.Ref = ref
		b.Systems = append(b.Systems, r)
		return &b.Systems[len(b.Systems)-1].Ref
	case AssetsSheet.Name:
		var r AssetRow
		b.readCells(&ref, sheet, assetCells(&r), rec)
		b.check(&ref, r.Normalise())
		r.Ref = ref
		b.Assets = append(b.Assets, r)
		return &b.Assets[len(b.Assets)-1].Ref
	case ControlsSheet.Name:
		var r ControlRow
		b.readCells(&ref, sheet, controlCells(&r), rec)
		r.SystemName = strings.Join(strings.Fields(r.SystemName), " ")
		b.check(&ref, r.Normalise())
		r.Ref = ref
		b.Controls = append(b.Controls, r)
		return &b.Controls[len(b.Controls)-1].Ref
	case StaffSheet.Name:
		var r StaffRow
		b.readCells(&ref, sheet, staffCells(&r), rec)
		b.check(&ref, r.Normalise())
		r.Ref = ref
		b.Staff = append(b.Staff, r)
		return &b.Staff[len(b.Staff)-1].Ref
	case QualificationsSheet.Name:
		var r QualificationRow
		b.readCells(&ref, sheet, qualificationCells(&r), rec)
		r.StaffEmail = strings.ToLower(r.StaffEmail)
		b.check(&ref, r.Normalise())
		r.Ref = ref
		b.Qualifications = append(b.Qualifications, r)
		return &b.Qualifications[len(b.Qualifications)-1].Ref
	}
	return &ref
}

// check records the problems of a row's own validation, unless cells of
// the row were already refused.
func (b *Batch) check(ref *Ref, es validation.Errors) {
	if !ref.Invalid {
		b.failAll(ref, es, nil)
	}
}

// readCells fills a row's fields from the cell text of rec: text as it is,
// counts as whole numbers, yes/no as booleans, lists of system names split.
func (b *Batch) readCells(ref *Ref, sheet Sheet, c cells, rec Record) {
	for _, col := range sheet.Columns {
		field, v := col.Field, rec[col.Field]
		switch p := c[field].(type) {
		case *string:
			*p = v
		case *int:
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(strings.ReplaceAll(strings.ReplaceAll(v, ".", ""), ",", ""))
			if err != nil || n < 0 {
				b.Fail(ref, field, "inv.err.not_count", v)
			}
			*p = n
		case *bool:
			*p = v == "yes"
		case *[]string:
			*p = SplitNames(v)
		}
	}
}

// SplitNames splits a list of system names separated by ";" or new lines.
func SplitNames(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		if p := strings.Join(strings.Fields(part), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Records turns the batch back into rows of cell text per sheet, in the
// layout's column order; export and import use the same layout, so an
// exported file imports unchanged.
func (b *Batch) Records(sheet Sheet) [][]string {
	var out [][]string
	add := func(rec Record) {
		row := make([]string, len(sheet.Columns))
		for i, c := range sheet.Columns {
			v := rec[c.Field]
			if c.Enum != nil && v != "" {
				v = c.Enum.Label(v)
			}
			row[i] = v
		}
		out = append(out, row)
	}
	switch sheet.Name {
	case SystemsSheet.Name:
		for i := range b.Systems {
			add(systemCells(&b.Systems[i]).record(sheet))
		}
	case AssetsSheet.Name:
		for i := range b.Assets {
			add(assetCells(&b.Assets[i]).record(sheet))
		}
	case ControlsSheet.Name:
		for i := range b.Controls {
			add(controlCells(&b.Controls[i]).record(sheet))
		}
	case StaffSheet.Name:
		for i := range b.Staff {
			add(staffCells(&b.Staff[i]).record(sheet))
		}
	case QualificationsSheet.Name:
		for i := range b.Qualifications {
			add(qualificationCells(&b.Qualifications[i]).record(sheet))
		}
	}
	return out
}

// Valid reports whether the batch has no problems at all.
func (b *Batch) Valid() bool { return len(b.Problems) == 0 }

// Rows counts the data rows of the batch.
func (b *Batch) Rows() int {
	return len(b.Systems) + len(b.Assets) + len(b.Controls) + len(b.Staff) + len(b.Qualifications)
}
