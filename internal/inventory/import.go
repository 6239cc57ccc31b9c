package inventory

import (
	"fmt"
	"strings"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/importing"
)

// ImportResult is the outcome of an import or its preview: the plan (counts
// by sheet, every update field by field) and the problems found.
type ImportResult struct {
	importing.Plan
	Problems []Problem `json:"problems"`
	Unlisted int       `json:"unlisted,omitempty"` // problems beyond those listed
	// Warnings do not stop the import: values other organisations
	// registered too (named only to actors who see every organisation).
	Warnings []Problem `json:"warnings,omitempty"`
}

// Localize returns the result with its problems and changes as a reader of
// lang reads them.
func (r ImportResult) Localize(lang string) ImportResult {
	r.Problems = LocalizeProblems(r.Problems, lang)
	r.Warnings = LocalizeProblems(r.Warnings, lang)
	r.Changes = LocalizeChanges(r.Changes, lang)
	return r
}

// snapshot is the inventory of an organisation subtree, loaded in a few
// queries so that an import matches rows by natural key without one query
// per row.
type snapshot struct {
	orgs     map[string]int64 // code → id, the subtree
	allOrgs  map[string]int64 // code → id, every organisation (operators); see limit
	limited  bool             // allOrgs holds only what the importer may know of
	orgCodes map[int64]string
	systems  map[string]*System // orgID|folded name
	sysByID  map[int64]*System
	staff    map[string]*Staff // orgID|email
	staffIDs map[int64]*Staff
	assets   map[string]*Asset // orgID|kind|value
	links    map[[2]int64]bool // system, asset
	controls map[string]*Control
	quals    map[string]bool // staffID|course|date
	qualList []Qualification
	// regs are the organisations that registered each value (kind|value),
	// shown to the importer as conflicts (by code unless limited).
	regs map[string]map[int64]string
}

func newSnapshot() *snapshot {
	return &snapshot{
		orgs: map[string]int64{}, allOrgs: map[string]int64{}, orgCodes: map[int64]string{},
		systems: map[string]*System{}, sysByID: map[int64]*System{},
		staff: map[string]*Staff{}, staffIDs: map[int64]*Staff{},
		assets: map[string]*Asset{}, links: map[[2]int64]bool{},
		controls: map[string]*Control{}, quals: map[string]bool{},
	}
}

func sysKey(orgID int64, name string) string { return fmt.Sprint(orgID, "|", i18n.Fold(name)) }
func staffKey(orgID int64, email string) string {
	return fmt.Sprint(orgID, "|", strings.ToLower(email))
}
func assetKey(orgID int64, kind, value string) string {
	return fmt.Sprint(orgID, "|", kind, "|", value)
}
func controlKey(systemID int64, control string) string { return fmt.Sprint(systemID, "|", control) }
func qualKey(staffID int64, course, date string) string {
	return fmt.Sprint(staffID, "|", i18n.Fold(course), "|", date)
}

// importPlan is what an import of a batch does to each row, decided against
// a snapshot before anything is written. The rows are the batch's; old is
// the stored record a row matches (nil: the row creates one).
type importPlan struct {
	*importing.Plan
	sn       *snapshot
	staff    []planned[StaffRow, Staff]
	systems  []planned[SystemRow, System]
	assets   []plannedAsset
	controls []planned[ControlRow, Control]
	quals    []*QualificationRow
	warnings []Problem
}

type planned[R, T any] struct {
	row *R
	old *T
	op  importing.Op
}

type plannedAsset struct {
	planned[AssetRow, Asset]
	link []string // names of the systems the asset is not yet linked to
}

// importer resolves a batch against a snapshot and plans it.
type importer struct {
	sn       *snapshot
	b        *Batch
	scopeOrg int64
	// file-level natural keys: which rows the file itself defines
	fileSystems map[string]bool
	fileStaff   map[string]bool
}

// planImport checks every row of b against the snapshot of the subtree of
// scopeOrg and decides what importing it does. It writes nothing; problems
// are recorded on the batch's rows.
func planImport(sn *snapshot, b *Batch, scopeOrg int64) *importPlan {
	im := &importer{sn: sn, b: b, scopeOrg: scopeOrg}
	im.resolve()
	p := &importPlan{Plan: importing.NewPlan(sheetNames()...), sn: sn}
	p.Problems = len(b.Problems) + b.Unlisted
	im.plan(p)
	return p
}

func sheetNames() []string {
	names := make([]string, len(Sheets))
	for i, s := range Sheets {
		names[i] = s.Name
	}
	return names
}

// limit keeps, of the organisations outside the subtree, only the operators
// of the subtree's systems (which the importer sees on those systems), for
// an importer without the global view: problems must not tell which codes
// exist elsewhere.
func (sn *snapshot) limit() {
	operators := map[int64]bool{}
	for _, s := range sn.systems {
		operators[s.OperatorOrgID] = true
	}
	for code, id := range sn.allOrgs {
		if _, inside := sn.orgs[code]; !inside && !operators[id] {
			delete(sn.allOrgs, code)
		}
	}
	sn.limited = true
}

// unknownOrg is the problem for a code that names no organisation the
// importer may use. With the global view it says whether the code exists
// outside the subtree; without it, one message for both.
func (im *importer) unknownOrg(ref *Ref, field, code string) {
	_, exists := im.sn.allOrgs[code]
	switch {
	case im.sn.limited:
		im.b.Fail(ref, field, "inv.err.org_not_available", code)
	case exists:
		im.b.Fail(ref, field, "inv.err.org_not_under", code)
	default:
		im.b.Fail(ref, field, "inv.err.no_org_code", code)
	}
}

// org resolves a row's organisation code (blank: the import's organisation).
func (im *importer) org(ref *Ref, code string) int64 {
	if code == "" {
		return im.scopeOrg
	}
	id, ok := im.sn.orgs[code]
	if !ok {
		im.unknownOrg(ref, "org_code", code)
	}
	return id
}

// resolve checks every cross-reference and duplicate, recording problems on
// the rows, before anything is written.
func (im *importer) resolve() {
	b, sn := im.b, im.sn
	im.fileSystems, im.fileStaff = map[string]bool{}, map[string]bool{}
	seen := map[string]int{}
	dup := func(ref *Ref, field, key string) {
		if first, ok := seen[ref.Sheet+"|"+key]; ok {
			b.Fail(ref, field, "inv.err.duplicate_row", first)
			return
		}
		seen[ref.Sheet+"|"+key] = ref.Row
	}
	for i := range b.Staff {
		r := &b.Staff[i]
		r.OrgID = im.org(&r.Ref, r.OrgCode)
		if old := sn.staff[staffKey(r.OrgID, r.Email)]; old != nil {
			staffCells(r).keepStored(StaffSheet, r.Ref, staffCells(&StaffRow{Staff: *old}))
		}
		dup(&r.Ref, "email", staffKey(r.OrgID, r.Email))
		if !r.Invalid {
			im.fileStaff[staffKey(r.OrgID, r.Email)] = true
		}
	}
	staffKnown := func(orgID int64, email string) bool {
		k := staffKey(orgID, email)
		return im.fileStaff[k] || sn.staff[k] != nil
	}
	for i := range b.Systems {
		r := &b.Systems[i]
		r.OrgID = im.org(&r.Ref, r.OrgCode)
		if old := sn.systems[sysKey(r.OrgID, r.Name)]; old != nil {
			systemCells(r).keepStored(SystemsSheet, r.Ref, systemCells(sn.systemRow(old)))
			if r.kept(SystemsSheet, "operator_org_code") {
				// The operator may be an archived organisation, which has no code here.
				r.OperatorOrgID = old.OperatorOrgID
			}
		}
		b.check(&r.Ref, r.crossCheck())
		if r.OperatorOrgCode != "" {
			if id, ok := sn.allOrgs[r.OperatorOrgCode]; ok {
				r.OperatorOrgID = id
			} else {
				im.unknownOrg(&r.Ref, "operator_org_code", r.OperatorOrgCode)
			}
		}
		if r.ContactEmail != "" && !staffKnown(r.OrgID, r.ContactEmail) {
			b.Fail(&r.Ref, "contact_email", "inv.err.no_contact", r.ContactEmail, StaffSheet.Name)
		}
		dup(&r.Ref, "name", sysKey(r.OrgID, r.Name))
		if !r.Invalid {
			im.fileSystems[sysKey(r.OrgID, r.Name)] = true
		}
	}
	systemKnown := func(orgID int64, name string) bool {
		k := sysKey(orgID, name)
		return im.fileSystems[k] || sn.systems[k] != nil
	}
	for i := range b.Assets {
		r := &b.Assets[i]
		r.OrgID = im.org(&r.Ref, r.OrgCode)
		if old := sn.assets[assetKey(r.OrgID, r.Kind, r.Value)]; old != nil {
			assetCells(r).keepStored(AssetsSheet, r.Ref, assetCells(&AssetRow{Systems: r.Systems, Asset: *old}))
		}
		for _, name := range r.Systems {
			if !systemKnown(r.OrgID, name) {
				b.Fail(&r.Ref, "systems", "inv.err.no_system_in_sheet", name, SystemsSheet.Name)
			}
		}
		dup(&r.Ref, "value", assetKey(r.OrgID, r.Kind, r.Value))
	}
	for i := range b.Controls {
		r := &b.Controls[i]
		r.OrgID = im.org(&r.Ref, r.OrgCode)
		if old := sn.control(r); old != nil {
			controlCells(r).keepStored(ControlsSheet, r.Ref, controlCells(&ControlRow{SystemName: r.SystemName, Control: *old}))
		}
		if !systemKnown(r.OrgID, r.SystemName) {
			b.Fail(&r.Ref, "system", "inv.err.no_system", r.SystemName)
		}
		dup(&r.Ref, "control", sysKey(r.OrgID, r.SystemName)+"|"+r.Control.Control)
	}
	for i := range b.Qualifications {
		r := &b.Qualifications[i]
		r.OrgID = im.org(&r.Ref, r.OrgCode)
		orgID := r.OrgID
		if !staffKnown(orgID, r.StaffEmail) {
			b.Fail(&r.Ref, "staff_email", "inv.err.no_staff", r.StaffEmail)
		}
		dup(&r.Ref, "course", staffKey(orgID, r.StaffEmail)+"|"+i18n.Fold(r.Course)+"|"+r.CompletedOn)
	}
}

// plan decides the operation of every valid row. Rows the file creates are
// known by key, so a system created by the file is not "changed" by a later
// row that names it.
func (im *importer) plan(p *importPlan) {
	b, sn := im.b, im.sn
	newStaff := map[string]bool{}
	for i := range b.Staff {
		r := &b.Staff[i]
		old := sn.staff[staffKey(r.OrgID, r.Email)]
		var fields []importing.FieldChange
		if old != nil {
			fields = changes(StaffSheet, staffCells(&StaffRow{Staff: *old}), staffCells(r))
		}
		op := decide(r.Invalid, old == nil, len(fields) > 0)
		if op == importing.Create {
			newStaff[staffKey(r.OrgID, r.Email)] = true
		}
		p.staff = append(p.staff, planned[StaffRow, Staff]{r, old, op})
		record(p.Plan, r.Ref, r.Email, op, fields)
	}
	newSystems := map[string]bool{}
	for i := range b.Systems {
		r := &b.Systems[i]
		old := sn.systems[sysKey(r.OrgID, r.Name)]
		contactIsNew := false
		if r.ContactEmail != "" && !r.Invalid {
			if st := sn.staff[staffKey(r.OrgID, r.ContactEmail)]; st != nil {
				r.ContactStaffID = st.ID
			} else {
				contactIsNew = true // its id is known once the staff row is written
			}
		}
		var fields []importing.FieldChange
		if old != nil {
			fields = changes(SystemsSheet, systemCells(sn.systemRow(old)), systemCells(r))
		}
		op := decide(r.Invalid, old == nil, contactIsNew || len(fields) > 0)
		if op == importing.Create {
			newSystems[sysKey(r.OrgID, r.Name)] = true
		}
		p.systems = append(p.systems, planned[SystemRow, System]{r, old, op})
		record(p.Plan, r.Ref, r.Name, op, fields)
	}
	for i := range b.Assets {
		r := &b.Assets[i]
		old := sn.assets[assetKey(r.OrgID, r.Kind, r.Value)]
		var link []string
		for _, name := range r.Systems {
			sys := sn.systems[sysKey(r.OrgID, name)]
			if sys == nil || old == nil || !sn.links[[2]int64{sys.ID, old.ID}] {
				link = append(link, name)
			}
		}
		var fields []importing.FieldChange
		if old != nil {
			fields = changes(AssetsSheet, assetCells(&AssetRow{Systems: r.Systems, Asset: *old}), assetCells(r))
			if len(link) > 0 {
				fields = append(fields, importing.FieldChange{Field: "systems", New: strings.Join(link, "; ")})
			}
		}
		op := decide(r.Invalid, old == nil, len(fields) > 0)
		p.assets = append(p.assets, plannedAsset{planned[AssetRow, Asset]{r, old, op}, link})
		if op != importing.Skip {
			im.warnElsewhere(p, r)
		}
		record(p.Plan, r.Ref, r.Value, op, fields)
	}
	for i := range b.Controls {
		r := &b.Controls[i]
		var old *Control
		var fields []importing.FieldChange
		if sys := sn.systems[sysKey(r.OrgID, r.SystemName)]; sys != nil && !r.Invalid {
			r.SystemID = sys.ID
			if old = sn.control(r); old != nil {
				fields = changes(ControlsSheet, controlCells(&ControlRow{SystemName: r.SystemName, Control: *old}), controlCells(r))
			}
		}
		op := decide(r.Invalid, old == nil, len(fields) > 0)
		p.controls = append(p.controls, planned[ControlRow, Control]{r, old, op})
		record(p.Plan, r.Ref, r.SystemName+" / "+r.Control.Control, op, fields)
	}
	for i := range b.Qualifications {
		r := &b.Qualifications[i]
		known := false
		if st := sn.staff[staffKey(r.OrgID, r.StaffEmail)]; st != nil && !r.Invalid {
			known = sn.quals[qualKey(st.ID, r.Course, r.CompletedOn)]
		}
		op := decide(r.Invalid, !known, false)
		if op == importing.Create {
			p.quals = append(p.quals, r)
		}
		p.Count(r.Sheet, op)
	}
}

// warnElsewhere warns when the row's value is registered by another
// organisation too, by the rule that flags the stored asset (elsewhere,
// Conflicting).
func (im *importer) warnElsewhere(p *importPlan, r *AssetRow) {
	e := elsewhere(im.sn.regs, r.OrgID, r.Kind, r.Value, !im.sn.limited)
	switch {
	case e == nil:
	case e.OrgCodes != nil:
		p.warnings = append(p.warnings, im.b.place(r.Ref, "value", NewProblem(r.Sheet, r.Row, "", "inv.warn.registered_by", r.Value, strings.Join(e.OrgCodes, ", "))))
	default:
		p.warnings = append(p.warnings, im.b.place(r.Ref, "value", NewProblem(r.Sheet, r.Row, "", "inv.warn.registered_elsewhere", r.Value)))
	}
}

// decide is a row's operation: skip when invalid, else create when nothing
// matches, update when the match differs, unchanged otherwise.
func decide(invalid, missing, differs bool) importing.Op {
	switch {
	case invalid:
		return importing.Skip
	case missing:
		return importing.Create
	case differs:
		return importing.Update
	}
	return importing.Unchanged
}

// record counts a row's operation and, for an update, the fields it changes.
func record(p *importing.Plan, ref Ref, key string, op importing.Op, fields []importing.FieldChange) {
	if op != importing.Update {
		p.Count(ref.Sheet, op)
		return
	}
	p.Updated(ref.Sheet, ref.Row, key, fields)
}

// systemRow is a stored system as a row of the Systems sheet, with the
// codes and e-mail that name its operator and contact point.
func (sn *snapshot) systemRow(s *System) *SystemRow {
	r := &SystemRow{System: *s, OperatorOrgCode: sn.orgCodes[s.OperatorOrgID]}
	if st := sn.staffIDs[s.ContactStaffID]; st != nil {
		r.ContactEmail = st.Email
	}
	return r
}

// control is the stored control a row names, or nil.
func (sn *snapshot) control(r *ControlRow) *Control {
	sys := sn.systems[sysKey(r.OrgID, r.SystemName)]
	if sys == nil {
		return nil
	}
	return sn.controls[controlKey(sys.ID, r.Control.Control)]
}
