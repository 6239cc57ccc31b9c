// Package orgsheet is the organisation tree as a file: one sheet "Đơn vị"
// (xlsx) or a CSV with the same columns — code, name, kind, parent code,
// archived — that `khien org export` writes and `khien org import` reads.
// An import is checked completely first (every problem by row and column),
// planned against the stored tree without writing (plan.go, pure), then
// applied in one transaction through importing.Run and identity's
// transaction-level writes, so each change is audited as it would be from
// the organisation pages. It sits above identity and importing in the
// architecture table: identity itself imports only the kernel and audit.
package orgsheet

import (
	"strings"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
)

// SheetName is the sheet of the workbook and the name the plan counts under.
const SheetName = "Đơn vị"

// A column of the file. Header is the Vietnamese heading written on export;
// a header matches on import when its folded text is the Vietnamese or
// English heading or the field name.
type column struct {
	field, header, english string
	required               bool
}

// columns is the file's layout, in order.
var columns = []column{
	{"code", "Mã đơn vị", "Code", true},
	{"name", "Tên đơn vị", "Name", true},
	{"kind", "Loại", "Kind", false},
	{"parent_code", "Mã đơn vị cấp trên", "Parent code", true},
	{"archived", "Đã lưu trữ", "Archived", false},
}

// Row is one organisation of the file.
type Row struct {
	Line       int // 1-based, as the spreadsheet shows it
	Code       string
	Name       string
	Kind       string // an identity.Org* kind
	ParentCode string // blank for the root
	Archived   bool
}

// File is what Read found: the rows and every problem.
type File struct {
	Rows     []Row
	Problems []Problem
	// cols maps a field to its column index in the file read, for problems.
	cols map[string]int
}

// Problem is one thing wrong with the file: a cell, a row or the whole file
// (Line 0). Key and Args are the catalogue message, rendered by Describe.
type Problem struct {
	Line   int
	Column string // A, B, … as the spreadsheet shows
	Header string
	Key    string
	Args   []any
}

// Describe is the problem as one line in lang, place first.
func (p Problem) Describe(lang string) string {
	var b strings.Builder
	if p.Line > 0 {
		b.WriteString(i18n.T(lang, "orgsheet.problem.row", p.Line))
	}
	if p.Column != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(i18n.T(lang, "orgsheet.problem.column", p.Column, p.Header))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(i18n.T(lang, p.Key, p.Args...))
	return b.String()
}

func (p Problem) String() string { return p.Describe(i18n.VI) }

// fail records a problem at the row's cell of field ("" for the row).
func (f *File) fail(line int, field, key string, args ...any) {
	p := Problem{Line: line, Key: key, Args: args}
	if i, ok := f.cols[field]; ok {
		p.Column, p.Header = columnName(i), columns[fieldIndex(field)].header
	}
	f.Problems = append(f.Problems, p)
}

func fieldIndex(field string) int {
	for i, c := range columns {
		if c.field == field {
			return i
		}
	}
	return -1
}

// columnName turns a 0-based index into the spreadsheet's letters (0 → A).
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

// FieldLabel is a field's column heading in lang, for showing a plan's changes.
func FieldLabel(field, lang string) string {
	i := fieldIndex(field)
	switch {
	case i < 0:
		return field
	case lang == i18n.EN:
		return columns[i].english
	}
	return columns[i].header
}

// kindLabel is a kind as the file shows it: its Vietnamese label.
func kindLabel(kind string) string { return i18n.T(i18n.VI, "orgkind."+kind) }

// ParseKind accepts a kind's code or its label in either language, folded;
// blank is a unit, as in identity.OrgInput.
func ParseKind(s string) (string, bool) {
	s = i18n.Fold(strings.TrimSpace(s))
	if s == "" {
		return identity.OrgUnit, true
	}
	for _, k := range identity.OrgKinds {
		if s == k || s == i18n.Fold(i18n.T(i18n.VI, "orgkind."+k)) || s == i18n.Fold(i18n.T(i18n.EN, "orgkind."+k)) {
			return k, true
		}
	}
	return "", false
}

// archivedYes is what an archived row holds on export.
const archivedYes = "Có"

// parseArchived reads the archived cell: blank or no is active.
func parseArchived(s string) (archived, ok bool) {
	switch i18n.Fold(strings.TrimSpace(s)) {
	case "", "khong", "no", "false", "0":
		return false, true
	case "co", "x", "yes", "true", "1", "da luu tru":
		return true, true
	}
	return false, false
}

// record is a row's cells in the file's column order.
func (r Row) record() []string {
	archived := ""
	if r.Archived {
		archived = archivedYes
	}
	return []string{r.Code, r.Name, kindLabel(r.Kind), r.ParentCode, archived}
}

// headers are the Vietnamese headings, in order.
func headers() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.header
	}
	return out
}
