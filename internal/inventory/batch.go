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
	b.Add(p)
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

// AddRecord parses a row of sheet into the batch, checking every cell, and
// returns the stored row's reference (valid until the next AddRecord).
func (b *Batch) AddRecord(sheet Sheet, row int, rec Record) *Ref {
	ref := Ref{Sheet: sheet.Name, Row: row}
	for _, c := range sheet.Columns {
		v := strings.TrimSpace(rec[c.Field])
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
	num := func(field string) int {
		v := rec[field]
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.ReplaceAll(strings.ReplaceAll(v, ".", ""), ",", ""))
		if err != nil || n < 0 {
			b.Fail(&ref, field, "inv.err.not_count", v)
		}
		return n
	}
	yes := func(field string) bool { return rec[field] == "yes" }
	switch sheet.Name {
	case SystemsSheet.Name:
		r := SystemRow{OrgCode: rec["org_code"], OperatorOrgCode: rec["operator_org_code"], ContactEmail: strings.ToLower(rec["contact_email"]), System: System{
			Name: rec["name"], Kind: rec["kind"], Purpose: rec["purpose"],
			OperatorName: rec["operator_name"], OperatorContract: rec["operator_contract"],
			Level: num("level"), LevelDecision: rec["level_decision"], LevelDecisionDate: rec["level_decision_date"], LevelApprover: rec["level_approver"],
			Hosting: rec["hosting"], HostingProvider: rec["hosting_provider"], Users: num("users"),
			PersonalData: yes("personal_data"), DataSubjects: num("data_subjects"), PopulationDB: yes("population_db"), AdminProcedures: yes("admin_procedures"),
			GoLive: rec["go_live"], Status: rec["status"],
			DeviceCounts: DeviceCounts{Servers: num("servers"), Workstations: num("workstations"), NetworkDevices: num("network_devices"), SecurityDevices: num("security_devices")},
		}}
		if !ref.Invalid {
			b.failAll(&ref, r.Normalise(), nil)
		}
		r.Ref = ref
		b.Systems = append(b.Systems, r)
		return &b.Systems[len(b.Systems)-1].Ref
	case AssetsSheet.Name:
		r := AssetRow{OrgCode: rec["org_code"], Systems: SplitNames(rec["systems"]), Asset: Asset{
			Kind: rec["kind"], Value: rec["value"], Hostname: rec["hostname"], IPs: rec["ips"], OS: rec["os"], OSVersion: rec["os_version"],
			Role: rec["role"], DeviceKind: rec["device_kind"], Vendor: rec["vendor"], Model: rec["model"], Notes: rec["notes"],
		}}
		if !ref.Invalid {
			b.failAll(&ref, r.Normalise(), nil)
		}
		r.Ref = ref
		b.Assets = append(b.Assets, r)
		return &b.Assets[len(b.Assets)-1].Ref
	case ControlsSheet.Name:
		r := ControlRow{OrgCode: rec["org_code"], SystemName: strings.Join(strings.Fields(rec["system"]), " "), Control: Control{
			Control: rec["control"], Status: rec["status"], Product: rec["product"], Notes: rec["notes"],
			BackupFrequency: rec["backup_frequency"], LastRestoreTest: rec["last_restore_test"],
		}}
		if !ref.Invalid {
			b.failAll(&ref, r.Normalise(), nil)
		}
		r.Ref = ref
		b.Controls = append(b.Controls, r)
		return &b.Controls[len(b.Controls)-1].Ref
	case StaffSheet.Name:
		r := StaffRow{OrgCode: rec["org_code"], Staff: Staff{Name: rec["name"], Position: rec["position"], Email: rec["email"], Phone: rec["phone"]}}
		if !ref.Invalid {
			b.failAll(&ref, r.Normalise(), nil)
		}
		r.Ref = ref
		b.Staff = append(b.Staff, r)
		return &b.Staff[len(b.Staff)-1].Ref
	case QualificationsSheet.Name:
		r := QualificationRow{OrgCode: rec["org_code"], StaffEmail: strings.ToLower(rec["staff_email"]), Qualification: Qualification{
			Course: rec["course"], CompletedOn: rec["completed_on"], Certificate: rec["certificate"],
		}}
		if !ref.Invalid {
			b.failAll(&ref, r.Normalise(), nil)
		}
		r.Ref = ref
		b.Qualifications = append(b.Qualifications, r)
		return &b.Qualifications[len(b.Qualifications)-1].Ref
	}
	return &ref
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
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	yes := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	switch sheet.Name {
	case SystemsSheet.Name:
		for _, r := range b.Systems {
			add(Record{"org_code": r.OrgCode, "name": r.Name, "kind": r.Kind, "purpose": r.Purpose, "operator_org_code": r.OperatorOrgCode,
				"operator_name": r.OperatorName, "operator_contract": r.OperatorContract, "level": strconv.Itoa(r.Level),
				"level_decision": r.LevelDecision, "level_decision_date": r.LevelDecisionDate, "level_approver": r.LevelApprover,
				"hosting": r.Hosting, "hosting_provider": r.HostingProvider, "users": num(r.Users), "personal_data": yes(r.PersonalData),
				"data_subjects": num(r.DataSubjects), "population_db": yes(r.PopulationDB), "admin_procedures": yes(r.AdminProcedures),
				"go_live": r.GoLive, "status": r.Status, "contact_email": r.ContactEmail, "servers": num(r.Servers), "workstations": num(r.Workstations),
				"network_devices": num(r.NetworkDevices), "security_devices": num(r.SecurityDevices)})
		}
	case AssetsSheet.Name:
		for _, r := range b.Assets {
			add(Record{"org_code": r.OrgCode, "systems": strings.Join(r.Systems, "; "), "kind": r.Kind, "value": r.Value, "hostname": r.Hostname,
				"ips": r.IPs, "os": r.OS, "os_version": r.OSVersion, "role": r.Role, "device_kind": r.DeviceKind, "vendor": r.Vendor, "model": r.Model, "notes": r.Notes})
		}
	case ControlsSheet.Name:
		for _, r := range b.Controls {
			add(Record{"org_code": r.OrgCode, "system": r.SystemName, "control": r.Control.Control, "status": r.Status, "product": r.Product,
				"backup_frequency": r.BackupFrequency, "last_restore_test": r.LastRestoreTest, "notes": r.Notes})
		}
	case StaffSheet.Name:
		for _, r := range b.Staff {
			add(Record{"org_code": r.OrgCode, "name": r.Name, "position": r.Position, "email": r.Email, "phone": r.Phone})
		}
	case QualificationsSheet.Name:
		for _, r := range b.Qualifications {
			add(Record{"org_code": r.OrgCode, "staff_email": r.StaffEmail, "course": r.Course, "completed_on": r.CompletedOn, "certificate": r.Certificate})
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
