package inventory

import (
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/validation"
)

// Column is one column of a spreadsheet sheet: the field it fills, its
// Vietnamese header and, for enumerations, the allowed values.
type Column struct {
	Field    string
	Header   string
	Enum     Enum
	Date     bool
	Number   bool
	Required bool
	Width    float64
	// Labels is the catalogue prefix of an enumeration's labels
	// ("inv.kind." + code), so a change is shown in the reader's language.
	Labels string
}

// Sheet is one entity's sheet of the inventory workbook.
type Sheet struct {
	Name    string
	Columns []Column
}

// Column returns the index of field, or -1.
func (s Sheet) Column(field string) int {
	for i, c := range s.Columns {
		if c.Field == field {
			return i
		}
	}
	return -1
}

// MatchHeader finds the column whose header matches text, ignoring case,
// diacritics and spacing ("Ten he thong" matches "Tên hệ thống").
func (s Sheet) MatchHeader(text string) int {
	f := i18n.Fold(strings.TrimSuffix(strings.TrimSpace(text), "*"))
	for i, c := range s.Columns {
		if i18n.Fold(c.Header) == f || c.Field == f {
			return i
		}
	}
	return -1
}

// The workbook's sheets, one per entity, in the order they are filled in.
var (
	SystemsSheet = Sheet{Name: "Hệ thống", Columns: []Column{
		{Field: "org_code", Header: "Mã đơn vị", Width: 14},
		{Field: "name", Header: "Tên hệ thống", Required: true, Width: 36},
		{Field: "kind", Header: "Loại hệ thống", Enum: SystemKinds, Labels: "inv.kind.", Required: true, Width: 26},
		{Field: "purpose", Header: "Mục đích sử dụng", Width: 30},
		{Field: "operator_org_code", Header: "Mã đơn vị vận hành", Width: 14},
		{Field: "operator_name", Header: "Nhà cung cấp vận hành", Width: 24},
		{Field: "operator_contract", Header: "Hợp đồng vận hành", Width: 20},
		{Field: "level", Header: "Cấp độ", Enum: Levels, Labels: "inv.level.", Width: 20},
		{Field: "level_decision", Header: "Số quyết định phê duyệt cấp độ", Width: 20},
		{Field: "level_decision_date", Header: "Ngày quyết định", Date: true, Width: 14},
		{Field: "level_approver", Header: "Cơ quan phê duyệt", Width: 24},
		{Field: "hosting", Header: "Nơi đặt hệ thống", Enum: Hostings, Labels: "inv.hosting.", Width: 26},
		{Field: "hosting_provider", Header: "Nhà cung cấp hạ tầng", Width: 20},
		{Field: "users", Number: true, Header: "Số người dùng", Width: 12},
		{Field: "personal_data", Header: "Có dữ liệu cá nhân", Enum: YesNo, Labels: "inv.yesno.", Width: 12},
		{Field: "data_subjects", Number: true, Header: "Số chủ thể dữ liệu", Width: 14},
		{Field: "population_db", Header: "Kết nối CSDL quốc gia về dân cư", Enum: YesNo, Labels: "inv.yesno.", Width: 14},
		{Field: "admin_procedures", Header: "Xử lý thủ tục hành chính", Enum: YesNo, Labels: "inv.yesno.", Width: 14},
		{Field: "go_live", Header: "Ngày đưa vào sử dụng", Date: true, Width: 14},
		{Field: "status", Header: "Trạng thái", Enum: Statuses, Labels: "inv.status.", Width: 16},
		{Field: "contact_email", Header: "Thư điện tử cán bộ đầu mối", Width: 26},
		{Field: "servers", Number: true, Header: "Số máy chủ", Width: 10},
		{Field: "workstations", Number: true, Header: "Số máy trạm", Width: 10},
		{Field: "network_devices", Number: true, Header: "Số thiết bị mạng", Width: 10},
		{Field: "security_devices", Number: true, Header: "Số thiết bị bảo mật", Width: 10},
	}}
	AssetsSheet = Sheet{Name: "Tài sản", Columns: []Column{
		{Field: "org_code", Header: "Mã đơn vị", Width: 14},
		{Field: "systems", Header: "Thuộc hệ thống", Required: true, Width: 36},
		{Field: "kind", Header: "Loại tài sản", Enum: AssetKinds, Labels: "inv.asset.", Required: true, Width: 20},
		{Field: "value", Header: "Giá trị", Required: true, Width: 30},
		{Field: "hostname", Header: "Tên máy chủ", Width: 18},
		{Field: "ips", Header: "Địa chỉ IP của máy chủ", Width: 20},
		{Field: "os", Header: "Hệ điều hành", Width: 16},
		{Field: "os_version", Header: "Phiên bản hệ điều hành", Width: 12},
		{Field: "role", Header: "Vai trò", Width: 16},
		{Field: "device_kind", Header: "Loại thiết bị", Enum: DeviceKinds, Labels: "inv.device.", Width: 18},
		{Field: "vendor", Header: "Hãng sản xuất", Width: 14},
		{Field: "model", Header: "Model", Width: 14},
		{Field: "notes", Header: "Ghi chú", Width: 24},
	}}
	ControlsSheet = Sheet{Name: "Biện pháp bảo vệ", Columns: []Column{
		{Field: "org_code", Header: "Mã đơn vị", Width: 14},
		{Field: "system", Header: "Hệ thống", Required: true, Width: 36},
		{Field: "control", Header: "Biện pháp", Enum: Controls, Labels: "inv.control.", Required: true, Width: 34},
		{Field: "status", Header: "Tình trạng", Enum: ControlStatuses, Labels: "inv.cstatus.", Required: true, Width: 12},
		{Field: "product", Header: "Sản phẩm/nhà cung cấp", Width: 22},
		{Field: "backup_frequency", Header: "Tần suất sao lưu", Width: 16},
		{Field: "last_restore_test", Header: "Ngày thử khôi phục gần nhất", Date: true, Width: 14},
		{Field: "notes", Header: "Ghi chú", Width: 24},
	}}
	StaffSheet = Sheet{Name: "Cán bộ", Columns: []Column{
		{Field: "org_code", Header: "Mã đơn vị", Width: 14},
		{Field: "name", Header: "Họ và tên", Required: true, Width: 24},
		{Field: "position", Header: "Chức vụ", Width: 22},
		{Field: "email", Header: "Thư điện tử", Required: true, Width: 26},
		{Field: "phone", Header: "Điện thoại", Width: 14},
	}}
	QualificationsSheet = Sheet{Name: "Đào tạo", Columns: []Column{
		{Field: "org_code", Header: "Mã đơn vị", Width: 14},
		{Field: "staff_email", Header: "Thư điện tử cán bộ", Required: true, Width: 26},
		{Field: "course", Header: "Khóa học/chứng chỉ", Required: true, Width: 36},
		{Field: "completed_on", Header: "Ngày hoàn thành", Date: true, Width: 14},
		{Field: "certificate", Header: "Số chứng chỉ", Width: 16},
	}}
	// Sheets lists the data sheets in workbook order.
	Sheets = []Sheet{SystemsSheet, AssetsSheet, ControlsSheet, StaffSheet, QualificationsSheet}
)

// cells binds each column of a sheet to the field of a row that holds it:
// with the sheet's columns above, the one place where a column of the
// workbook meets its field. Reading a file and writing one both use it.
type cells map[string]any

func systemCells(r *SystemRow) cells {
	return cells{"org_code": &r.OrgCode, "name": &r.Name, "kind": &r.Kind, "purpose": &r.Purpose,
		"operator_org_code": &r.OperatorOrgCode, "operator_name": &r.OperatorName, "operator_contract": &r.OperatorContract,
		"level": &r.Level, "level_decision": &r.LevelDecision, "level_decision_date": &r.LevelDecisionDate, "level_approver": &r.LevelApprover,
		"hosting": &r.Hosting, "hosting_provider": &r.HostingProvider, "users": &r.Users, "personal_data": &r.PersonalData,
		"data_subjects": &r.DataSubjects, "population_db": &r.PopulationDB, "admin_procedures": &r.AdminProcedures,
		"go_live": &r.GoLive, "status": &r.Status, "contact_email": &r.ContactEmail, "servers": &r.Servers,
		"workstations": &r.Workstations, "network_devices": &r.NetworkDevices, "security_devices": &r.SecurityDevices}
}

func assetCells(r *AssetRow) cells {
	return cells{"org_code": &r.OrgCode, "systems": &r.Systems, "kind": &r.Kind, "value": &r.Value, "hostname": &r.Hostname,
		"ips": &r.IPs, "os": &r.OS, "os_version": &r.OSVersion, "role": &r.Role, "device_kind": &r.DeviceKind,
		"vendor": &r.Vendor, "model": &r.Model, "notes": &r.Notes}
}

func controlCells(r *ControlRow) cells {
	return cells{"org_code": &r.OrgCode, "system": &r.SystemName, "control": &r.Control.Control, "status": &r.Status,
		"product": &r.Product, "backup_frequency": &r.BackupFrequency, "last_restore_test": &r.LastRestoreTest, "notes": &r.Notes}
}

func staffCells(r *StaffRow) cells {
	return cells{"org_code": &r.OrgCode, "name": &r.Name, "position": &r.Position, "email": &r.Email, "phone": &r.Phone}
}

func qualificationCells(r *QualificationRow) cells {
	return cells{"org_code": &r.OrgCode, "staff_email": &r.StaffEmail, "course": &r.Course, "completed_on": &r.CompletedOn,
		"certificate": &r.Certificate}
}

// record is the row as the cell text of sheet (codes, not labels: Records
// turns codes of enumerations into their labels). A zero count is an empty
// cell, but a number chosen from a list (the level, whose 0 means "not yet
// classified") is always written.
func (c cells) record(sheet Sheet) Record {
	rec := Record{}
	for _, col := range sheet.Columns {
		field := col.Field
		switch p := c[field].(type) {
		case *string:
			rec[field] = *p
		case *int:
			if *p != 0 || col.Enum != nil {
				rec[field] = strconv.Itoa(*p)
			}
		case *bool:
			rec[field] = "no"
			if *p {
				rec[field] = "yes"
			}
		case *[]string:
			rec[field] = strings.Join(*p, "; ")
		}
	}
	return rec
}

// kept reports whether the row left the cell of field blank.
func (ref Ref) kept(sheet Sheet, field string) bool {
	i := sheet.Column(field)
	return i >= 0 && ref.keep&(1<<i) != 0
}

// keepStored fills the cells of c that the row left blank with those of
// stored, the record the row updates; the organisation code is the row's
// key, never taken from the record.
func (c cells) keepStored(sheet Sheet, ref Ref, stored cells) {
	for _, col := range sheet.Columns {
		if !ref.kept(sheet, col.Field) || col.Field == "org_code" {
			continue
		}
		switch p := c[col.Field].(type) {
		case *string:
			*p = *stored[col.Field].(*string)
		case *int:
			*p = *stored[col.Field].(*int)
		case *bool:
			*p = *stored[col.Field].(*bool)
		case *[]string:
			*p = *stored[col.Field].(*[]string)
		}
	}
}

// changes lists the cells of sheet that differ between the stored record
// and the row, as cell text (codes; Localize shows them to people).
func changes(sheet Sheet, stored, row cells) []importing.FieldChange {
	o, n := stored.record(sheet), row.record(sheet)
	var out []importing.FieldChange
	for _, col := range sheet.Columns {
		f := col.Field
		if f == "org_code" || o[f] == n[f] {
			continue
		}
		out = append(out, importing.FieldChange{Field: f, Old: o[f], New: n[f], Cleared: importing.Emptied(o[f], n[f])})
	}
	return out
}

// showCell is a cell's text as a reader of lang reads it: an enumeration's
// label, a date as dd/mm/yyyy.
func showCell(col Column, v, lang string) string {
	switch {
	case v == "":
		return ""
	case col.Labels != "":
		if lang == i18n.VI {
			return col.Enum.Label(v)
		}
		return i18n.T(lang, col.Labels+v)
	case col.Date:
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			return d.Format("02/01/2006")
		}
	}
	return v
}

// header is a column's name in lang: the sheet's own header in Vietnamese,
// the form's label in other languages when there is one.
func (col Column) header(lang string) string {
	if lang != i18n.VI {
		if key := "inv.col." + col.Field; i18n.T(lang, key) != key {
			return i18n.T(lang, key)
		}
	}
	return col.Header
}

// LocalizeChanges returns a copy of cs with headers and values as a reader
// of lang reads them.
func LocalizeChanges(cs []importing.Change, lang string) []importing.Change {
	out := make([]importing.Change, len(cs))
	for i, c := range cs {
		out[i] = c
		sheet, _ := SheetByName(c.Sheet)
		out[i].Fields = make([]importing.FieldChange, len(c.Fields))
		for j, f := range c.Fields {
			col := Column{Field: f.Field, Header: f.Field}
			if k := sheet.Column(f.Field); k >= 0 {
				col = sheet.Columns[k]
			}
			f.Header, f.Old, f.New = col.header(lang), showCell(col, f.Old, lang), showCell(col, f.New, lang)
			out[i].Fields[j] = f
		}
	}
	return out
}

// SheetByName finds a data sheet by its name, ignoring diacritics and case.
func SheetByName(name string) (Sheet, bool) {
	f := i18n.Fold(name)
	for _, s := range Sheets {
		if i18n.Fold(s.Name) == f {
			return s, true
		}
	}
	return Sheet{}, false
}

// Ref locates a spreadsheet row (1-based, as Excel shows it).
type Ref struct {
	Sheet string `json:"sheet"`
	Row   int    `json:"row"`
	// Invalid is set when any problem was found on the row.
	Invalid bool `json:"-"`
	// keep has bit i set when column i of the sheet was blank: an update
	// keeps the stored value there.
	keep uint64
}

// Problem is one thing wrong with an import file: a cell, a row, or the
// file (Row 0) — with an explanation: Message in Vietnamese, Key and Args
// for the catalogue (see validation.Error).
type Problem struct {
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"` // A, B, … as Excel shows
	Header  string `json:"header,omitempty"`
	Message string `json:"message"`
	Key     string `json:"-"`
	Args    []any  `json:"-"`
}

// NewProblem is the problem key (with args) at sheet, row and column (any
// may be empty).
func NewProblem(sheet string, row int, column, key string, args ...any) Problem {
	e := validation.Invalid("", key, args...)
	return Problem{Sheet: sheet, Row: row, Column: column, Message: e.Message, Key: key, Args: args}
}

// Localize returns p with Message in lang.
func (p Problem) Localize(lang string) Problem {
	p.Message = validation.Error{Message: p.Message, Key: p.Key, Args: p.Args}.Localize(lang).Message
	return p
}

// LocalizeProblems returns a copy of ps with every message in lang.
func LocalizeProblems(ps []Problem, lang string) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		out[i] = p.Localize(lang)
	}
	return out
}

// Describe is the problem as one line in lang, place first.
func (p Problem) Describe(lang string) string {
	var b strings.Builder
	if p.Sheet != "" {
		b.WriteString(i18n.T(lang, "inv.problem.sheet", p.Sheet))
	}
	if p.Row > 0 {
		b.WriteString(i18n.T(lang, "inv.problem.row", p.Row))
	}
	if p.Column != "" {
		b.WriteString(i18n.T(lang, "inv.problem.column", p.Column, p.Header))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Localize(lang).Message)
	return b.String()
}

func (p Problem) String() string { return p.Describe(i18n.VI) }

// ColumnName turns a 0-based index into Excel's letters (0 → A, 26 → AA).
func ColumnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}
