package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// ImportOptions say what an inventory import may do.
type ImportOptions struct {
	// DryRun checks and counts without writing: the preview.
	DryRun bool
	// SkipInvalid writes the valid rows of a file that has problems; without
	// it a file with any problem writes nothing.
	SkipInvalid bool
	// Source names the file in the audit log.
	Source string
}

// ImportCounts counts rows by what the import does with them.
type ImportCounts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
}

// ImportResult is the outcome of an import or its preview.
type ImportResult struct {
	Counts   map[string]*ImportCounts `json:"counts"` // by sheet name
	Problems []Problem                `json:"problems"`
	Unlisted int                      `json:"unlisted,omitempty"` // problems beyond those listed
	Written  bool                     `json:"written"`
}

// inventorySnapshot is the inventory of an organisation subtree, loaded in a
// few queries so that an import matches rows by natural key without one
// query per row.
type inventorySnapshot struct {
	orgs     map[string]int64 // code → id, the subtree
	allOrgs  map[string]int64 // code → id, every organisation (operators)
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

// rowsIter is what snapshot scans (a *sql.Rows).
type rowsIter interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}

// snapshot loads the inventory of the subtree at path inside the transaction.
func snapshot(ctx context.Context, tx *storage.Tx, path string) (*inventorySnapshot, error) {
	sn := &inventorySnapshot{
		orgs: map[string]int64{}, allOrgs: map[string]int64{}, orgCodes: map[int64]string{},
		systems: map[string]*System{}, sysByID: map[int64]*System{},
		staff: map[string]*Staff{}, staffIDs: map[int64]*Staff{},
		assets: map[string]*Asset{}, links: map[[2]int64]bool{},
		controls: map[string]*Control{}, quals: map[string]bool{},
	}
	like := path + "%"
	each := func(query string, args []any, scan func(rowsIter) error) error {
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("load inventory: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("load inventory: %w", err)
			}
		}
		return rows.Err()
	}
	err := each("SELECT id, code, path FROM orgs WHERE archived_at IS NULL", nil, func(r rowsIter) error {
		var id int64
		var code, p string
		if err := r.Scan(&id, &code, &p); err != nil {
			return err
		}
		sn.allOrgs[code] = id
		sn.orgCodes[id] = code
		if strings.HasPrefix(p, path) {
			sn.orgs[code] = id
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT st.id, st.org_id, st.name, st.position, st.email, st.phone FROM staff st JOIN orgs o ON o.id = st.org_id WHERE o.path LIKE ?`, []any{like}, func(r rowsIter) error {
		p := &Staff{}
		if err := r.Scan(&p.ID, &p.OrgID, &p.Name, &p.Position, &p.Email, &p.Phone); err != nil {
			return err
		}
		sn.staff[staffKey(p.OrgID, p.Email)] = p
		sn.staffIDs[p.ID] = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT s.id, s.org_id, s.name, s.kind, s.purpose, COALESCE(s.operator_org_id, 0), s.operator_name, s.operator_contract,
		s.level, s.level_decision, s.level_decision_date, s.level_approver, s.hosting, s.hosting_provider, s.users_count,
		s.personal_data, s.data_subjects, s.population_db, s.admin_procedures, s.go_live, s.status, COALESCE(s.contact_staff_id, 0),
		s.servers, s.workstations, s.network_devices, s.security_devices
		FROM systems s JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE ?`, []any{like}, func(r rowsIter) error {
		s := &System{}
		if err := r.Scan(&s.ID, &s.OrgID, &s.Name, &s.Kind, &s.Purpose, &s.OperatorOrgID, &s.OperatorName, &s.OperatorContract,
			&s.Level, &s.LevelDecision, &s.LevelDecisionDate, &s.LevelApprover, &s.Hosting, &s.HostingProvider, &s.Users,
			&s.PersonalData, &s.DataSubjects, &s.PopulationDB, &s.AdminProcedures, &s.GoLive, &s.Status, &s.ContactStaffID,
			&s.Servers, &s.Workstations, &s.NetworkDevices, &s.SecurityDevices); err != nil {
			return err
		}
		sn.systems[sysKey(s.OrgID, s.Name)] = s
		sn.sysByID[s.ID] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT a.id, a.org_id, a.kind, a.value, a.hostname, a.ips, a.os, a.os_version, a.role, a.device_kind, a.vendor, a.model, a.notes
		FROM assets a JOIN orgs o ON o.id = a.org_id WHERE o.path LIKE ?`, []any{like}, func(r rowsIter) error {
		a := &Asset{}
		if err := r.Scan(&a.ID, &a.OrgID, &a.Kind, &a.Value, &a.Hostname, &a.IPs, &a.OS, &a.OSVersion, &a.Role, &a.DeviceKind, &a.Vendor, &a.Model, &a.Notes); err != nil {
			return err
		}
		sn.assets[assetKey(a.OrgID, a.Kind, a.Value)] = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT sa.system_id, sa.asset_id FROM system_assets sa JOIN systems s ON s.id = sa.system_id JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE ?`, []any{like}, func(r rowsIter) error {
		var k [2]int64
		if err := r.Scan(&k[0], &k[1]); err != nil {
			return err
		}
		sn.links[k] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT c.system_id, c.control, c.status, c.product, c.notes, c.backup_frequency, c.last_restore_test
		FROM system_controls c JOIN systems s ON s.id = c.system_id JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE ?`, []any{like}, func(r rowsIter) error {
		c := &Control{}
		if err := r.Scan(&c.SystemID, &c.Control, &c.Status, &c.Product, &c.Notes, &c.BackupFrequency, &c.LastRestoreTest); err != nil {
			return err
		}
		sn.controls[controlKey(c.SystemID, c.Control)] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT q.id, q.staff_id, q.course, q.completed_on, q.certificate FROM qualifications q JOIN staff st ON st.id = q.staff_id
		JOIN orgs o ON o.id = st.org_id WHERE o.path LIKE ?`, []any{like}, func(r rowsIter) error {
		var q Qualification
		if err := r.Scan(&q.ID, &q.StaffID, &q.Course, &q.CompletedOn, &q.Certificate); err != nil {
			return err
		}
		sn.quals[qualKey(q.StaffID, q.Course, q.CompletedOn)] = true
		sn.qualList = append(sn.qualList, q)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sn, nil
}

// ImportInventory writes a parsed workbook into the subtree of the
// organisation orgID. Every row is first resolved against the database
// (organisation codes, system names, staff e-mails) and the rows of the
// file; any problem means nothing is written unless SkipInvalid is set.
// Rows are matched by natural key, so importing the same file again changes
// nothing. One audit entry records the import with its counts.
func ImportInventory(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, b *Batch, opt ImportOptions) (ImportResult, error) {
	res := ImportResult{Counts: map[string]*ImportCounts{}}
	for _, sh := range Sheets {
		res.Counts[sh.Name] = &ImportCounts{}
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		path, err := identity.CheckOrg(ctx, tx, actor, access.Write, orgID)
		if err != nil {
			return err
		}
		sn, err := snapshot(ctx, tx, path)
		if err != nil {
			return err
		}
		im := &importer{tx: tx, sn: sn, b: b, res: &res, scopeOrg: orgID}
		im.resolve()
		res.Problems, res.Unlisted = b.Problems, b.Unlisted
		if len(b.Problems) > 0 && !opt.SkipInvalid && !opt.DryRun {
			return nil
		}
		if err := im.apply(ctx); err != nil {
			return err
		}
		if opt.DryRun {
			// The preview counts what the import would do (with problems:
			// what importing only the valid rows would do) by doing it and
			// rolling back, so preview and import cannot disagree.
			return errDryRun
		}
		res.Written = true
		counts := map[string]ImportCounts{}
		for k, v := range res.Counts {
			counts[k] = *v
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "import", ObjectType: "org", ObjectID: orgID, OrgID: orgID,
			New: map[string]any{"source": opt.Source, "counts": counts, "problems": len(b.Problems)}})
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("import inventory: %w", err)
	}
	return res, nil
}

// errDryRun rolls a preview's transaction back.
var errDryRun = errors.New("dry run")

// importer resolves a batch against a snapshot and then applies it.
type importer struct {
	tx       *storage.Tx
	sn       *inventorySnapshot
	b        *Batch
	res      *ImportResult
	scopeOrg int64
	// file-level natural keys: which rows the file itself defines
	fileSystems map[string]bool
	fileStaff   map[string]bool
}

// org resolves a row's organisation code (blank: the import's organisation).
func (im *importer) org(ref *Ref, code string) int64 {
	if code == "" {
		return im.scopeOrg
	}
	id, ok := im.sn.orgs[code]
	if !ok {
		if _, exists := im.sn.allOrgs[code]; exists {
			im.b.Fail(ref, "org_code", "inv.err.org_not_under", code)
		} else {
			im.b.Fail(ref, "org_code", "inv.err.no_org_code", code)
		}
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
		if r.OperatorOrgCode != "" {
			if id, ok := sn.allOrgs[r.OperatorOrgCode]; ok {
				r.OperatorOrgID = id
			} else {
				b.Fail(&r.Ref, "operator_org_code", "inv.err.no_org_code", r.OperatorOrgCode)
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

// count records what happens to a row of sheet.
func (im *importer) count(sheet string, created, changed bool) {
	c := im.res.Counts[sheet]
	switch {
	case created:
		c.Created++
	case changed:
		c.Updated++
	default:
		c.Unchanged++
	}
}

// apply writes the valid rows: staff first (systems name their contact),
// then systems, assets and links, controls, qualifications.
func (im *importer) apply(ctx context.Context) error {
	b, sn, tx := im.b, im.sn, im.tx
	// Rows whose ids nothing else needs are written in batches.
	links := tx.NewBatch("system_assets", "system_id", "asset_id")
	newControls := tx.NewBatch("system_controls", "system_id", "control", "status", "product", "notes", "backup_frequency", "last_restore_test", "updated_at")
	newQuals := tx.NewBatch("qualifications", "staff_id", "course", "completed_on", "certificate", "created_at")
	for i := range b.Staff {
		r := &b.Staff[i]
		if r.Invalid {
			im.res.Counts[r.Sheet].Skipped++
			continue
		}
		old := sn.staff[staffKey(r.OrgID, r.Email)]
		switch {
		case old == nil:
			if err := insertStaffRow(ctx, tx, &r.Staff); err != nil {
				return err
			}
			sn.staff[staffKey(r.OrgID, r.Email)] = &r.Staff
			im.count(r.Sheet, true, false)
		case old.Name != r.Name || old.Position != r.Position || old.Phone != r.Phone:
			r.ID = old.ID
			if err := updateStaffRow(ctx, tx, &r.Staff); err != nil {
				return err
			}
			im.count(r.Sheet, false, true)
		default:
			im.count(r.Sheet, false, false)
		}
	}
	for i := range b.Systems {
		r := &b.Systems[i]
		if r.Invalid {
			im.res.Counts[r.Sheet].Skipped++
			continue
		}
		if r.ContactEmail != "" {
			r.ContactStaffID = sn.staff[staffKey(r.OrgID, r.ContactEmail)].ID
		}
		k := sysKey(r.OrgID, r.Name)
		old := sn.systems[k]
		switch {
		case old == nil:
			if err := insertSystemRow(ctx, tx, &r.System); err != nil {
				return err
			}
			sn.systems[k] = &r.System
			im.count(r.Sheet, true, false)
		case !sameSystem(*old, r.System):
			r.ID = old.ID
			if err := updateSystemRow(ctx, tx, &r.System); err != nil {
				return err
			}
			sn.systems[k] = &r.System
			im.count(r.Sheet, false, true)
		default:
			im.count(r.Sheet, false, false)
		}
	}
	for i := range b.Assets {
		r := &b.Assets[i]
		if r.Invalid {
			im.res.Counts[r.Sheet].Skipped++
			continue
		}
		k := assetKey(r.OrgID, r.Kind, r.Value)
		old := sn.assets[k]
		created, changed := old == nil, false
		switch {
		case created:
			if err := insertAssetRow(ctx, tx, &r.Asset); err != nil {
				return err
			}
			sn.assets[k] = &r.Asset
		case !sameAsset(*old, r.Asset):
			r.ID, changed = old.ID, true
			if err := updateAssetRow(ctx, tx, &r.Asset); err != nil {
				return err
			}
		default:
			r.ID = old.ID
		}
		for _, name := range r.Systems {
			sysID := sn.systems[sysKey(r.OrgID, name)].ID
			if sn.links[[2]int64{sysID, r.ID}] {
				continue
			}
			if err := links.Add(ctx, sysID, r.ID); err != nil {
				return fmt.Errorf("link asset %s to %q: %w", r.Value, name, err)
			}
			sn.links[[2]int64{sysID, r.ID}] = true
			changed = true
		}
		im.count(r.Sheet, created, changed)
	}
	for i := range b.Controls {
		r := &b.Controls[i]
		if r.Invalid {
			im.res.Counts[r.Sheet].Skipped++
			continue
		}
		r.SystemID = sn.systems[sysKey(r.OrgID, r.SystemName)].ID
		old := sn.controls[controlKey(r.SystemID, r.Control.Control)]
		if old != nil && sameControl(*old, r.Control) {
			im.count(r.Sheet, false, false)
			continue
		}
		if old == nil {
			c := &r.Control
			c.UpdatedAt = im.tx.Now()
			if err := newControls.Add(ctx, c.SystemID, c.Control, c.Status, c.Product, c.Notes, c.BackupFrequency, c.LastRestoreTest, c.UpdatedAt); err != nil {
				return err
			}
			// A second row for the same control in the file replaces this one.
			sn.controls[controlKey(r.SystemID, r.Control.Control)] = c
		} else {
			// The replacement deletes the stored row, which may still be queued.
			if err := newControls.Flush(ctx); err != nil {
				return err
			}
			if err := setControlRow(ctx, tx, &r.Control); err != nil {
				return err
			}
		}
		im.count(r.Sheet, old == nil, true)
	}
	for i := range b.Qualifications {
		r := &b.Qualifications[i]
		if r.Invalid {
			im.res.Counts[r.Sheet].Skipped++
			continue
		}
		r.StaffID = sn.staff[staffKey(r.OrgID, r.StaffEmail)].ID
		k := qualKey(r.StaffID, r.Course, r.CompletedOn)
		if sn.quals[k] {
			im.count(r.Sheet, false, false)
			continue
		}
		q := &r.Qualification
		if err := newQuals.Add(ctx, q.StaffID, q.Course, q.CompletedOn, q.Certificate, im.tx.Now()); err != nil {
			return err
		}
		sn.quals[k] = true
		im.count(r.Sheet, true, false)
	}
	for _, batch := range []*storage.Batch{links, newControls, newQuals} {
		if err := batch.Flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

func sameSystem(a, b System) bool {
	a.ID, b.ID = 0, 0
	a.CreatedAt, a.UpdatedAt, b.CreatedAt, b.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b
}

func sameAsset(a, b Asset) bool {
	return a.Kind == b.Kind && a.Value == b.Value && a.Hostname == b.Hostname && a.IPs == b.IPs && a.OS == b.OS &&
		a.OSVersion == b.OSVersion && a.Role == b.Role && a.DeviceKind == b.DeviceKind && a.Vendor == b.Vendor && a.Model == b.Model && a.Notes == b.Notes
}

func sameControl(a, b Control) bool {
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return a == b
}

// ExportInventory returns the inventory of the organisation orgID and its
// subtree (0: every organisation, for those who see them all) as a batch in
// a fixed order (organisation code, then name), so two exports of the same
// data are identical. The export is audited.
func ExportInventory(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64) (*Batch, error) {
	var b Batch
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		path := "/"
		if orgID == 0 && !actor.Global() {
			return fmt.Errorf("%w: choose an organisation to export", access.ErrForbidden)
		}
		if orgID != 0 {
			p, err := identity.CheckOrg(ctx, tx, actor, access.Read, orgID)
			if err != nil {
				return err
			}
			path = p
		}
		sn, err := snapshot(ctx, tx, path)
		if err != nil {
			return err
		}
		code := sn.orgCodes
		for _, p := range sn.staff {
			b.Staff = append(b.Staff, StaffRow{OrgCode: code[p.OrgID], Staff: *p})
		}
		sort.Slice(b.Staff, func(i, j int) bool {
			x, y := b.Staff[i], b.Staff[j]
			return x.OrgCode < y.OrgCode || x.OrgCode == y.OrgCode && x.Email < y.Email
		})
		for _, sys := range sn.systems {
			r := SystemRow{OrgCode: code[sys.OrgID], System: *sys}
			if sys.OperatorOrgID != 0 {
				r.OperatorOrgCode = code[sys.OperatorOrgID]
			}
			if p := sn.staffIDs[sys.ContactStaffID]; p != nil {
				r.ContactEmail = p.Email
			}
			b.Systems = append(b.Systems, r)
		}
		sort.Slice(b.Systems, func(i, j int) bool {
			x, y := b.Systems[i], b.Systems[j]
			return x.OrgCode < y.OrgCode || x.OrgCode == y.OrgCode && i18n.Fold(x.Name) < i18n.Fold(y.Name)
		})
		assetSystems := map[int64][]string{}
		for l := range sn.links {
			assetSystems[l[1]] = append(assetSystems[l[1]], sn.sysByID[l[0]].Name)
		}
		for _, a := range sn.assets {
			names := assetSystems[a.ID]
			sort.Strings(names)
			b.Assets = append(b.Assets, AssetRow{OrgCode: code[a.OrgID], Systems: names, Asset: *a})
		}
		sort.Slice(b.Assets, func(i, j int) bool {
			x, y := b.Assets[i], b.Assets[j]
			if x.OrgCode != y.OrgCode {
				return x.OrgCode < y.OrgCode
			}
			if x.Kind != y.Kind {
				return x.Kind < y.Kind
			}
			return x.Value < y.Value
		})
		controlOrder := map[string]int{}
		for i, o := range Controls {
			controlOrder[o.Code] = i
		}
		for _, c := range sn.controls {
			sys := sn.sysByID[c.SystemID]
			b.Controls = append(b.Controls, ControlRow{OrgCode: code[sys.OrgID], SystemName: sys.Name, Control: *c})
		}
		sort.Slice(b.Controls, func(i, j int) bool {
			x, y := b.Controls[i], b.Controls[j]
			if x.OrgCode != y.OrgCode {
				return x.OrgCode < y.OrgCode
			}
			if fx, fy := i18n.Fold(x.SystemName), i18n.Fold(y.SystemName); fx != fy {
				return fx < fy
			}
			return controlOrder[x.Control.Control] < controlOrder[y.Control.Control]
		})
		for _, q := range sn.qualList {
			p := sn.staffIDs[q.StaffID]
			b.Qualifications = append(b.Qualifications, QualificationRow{OrgCode: code[p.OrgID], StaffEmail: p.Email, Qualification: q})
		}
		sort.Slice(b.Qualifications, func(i, j int) bool {
			x, y := b.Qualifications[i], b.Qualifications[j]
			if x.OrgCode != y.OrgCode {
				return x.OrgCode < y.OrgCode
			}
			if x.StaffEmail != y.StaffEmail {
				return x.StaffEmail < y.StaffEmail
			}
			if x.CompletedOn != y.CompletedOn {
				return x.CompletedOn < y.CompletedOn
			}
			return x.Course < y.Course
		})
		return audit.Record(ctx, tx, actor, audit.Change{Action: "export", ObjectType: "org", ObjectID: orgID, OrgID: orgID,
			New: map[string]int{"systems": len(b.Systems), "assets": len(b.Assets), "staff": len(b.Staff)}})
	})
	if err != nil {
		return nil, fmt.Errorf("export inventory: %w", err)
	}
	return &b, nil
}
