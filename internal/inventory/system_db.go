package inventory

import (
	"time"

	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// SystemFilter narrows a list of systems.
type SystemFilter struct {
	OrgID  int64  // this organisation and its subtree
	Kind   string // a system kind code
	Level  int    // -1 for any level
	Status string
	Query  string // diacritics-insensitive search in the name
	// Archived lists the archived systems instead of those in use.
	Archived bool
	// InUse leaves out the retired systems.
	InUse bool
	// ScannedSince keeps the systems with a complete scan finished at or
	// after it (the dashboard's scan coverage).
	ScannedSince time.Time
}

// SystemView is a system with the names of its owner and operator organisations.
type SystemView struct {
	System
	OrgCode         string `json:"org_code"`
	OrgName         string `json:"org_name"`
	OperatorOrgCode string `json:"operator_org_code,omitempty"`
	OperatorOrgName string `json:"operator_org_name,omitempty"`
	ContactEmail    string `json:"contact_email,omitempty"`
	ContactName     string `json:"contact_name,omitempty"`
	// OrgPath and OperatorOrgPath are the organisations' paths, for pages
	// to ask access.Actor.Can (the operator may be outside the reader's scope).
	OrgPath         string `json:"-"`
	OperatorOrgPath string `json:"-"`
}

// systemTable is the one list of the systems table's columns and the
// fields they hold: reads, inserts, updates and the import snapshot use it.
var systemTable = storage.Table[System]{Name: "systems", Columns: []storage.Column[System]{
	{Name: "id", Field: func(s *System) any { return &s.ID }, Fixed: true},
	{Name: "org_id", Field: func(s *System) any { return &s.OrgID }, Fixed: true},
	{Name: "name", Field: func(s *System) any { return &s.Name }},
	{Name: "name_search", Field: func(s *System) any { return i18n.Fold(s.Name) }, Derived: true},
	{Name: "kind", Field: func(s *System) any { return &s.Kind }},
	{Name: "purpose", Field: func(s *System) any { return &s.Purpose }},
	{Name: "operator_org_id", Field: func(s *System) any { return storage.OptionalID{P: &s.OperatorOrgID} }},
	{Name: "operator_name", Field: func(s *System) any { return &s.OperatorName }},
	{Name: "operator_contract", Field: func(s *System) any { return &s.OperatorContract }},
	{Name: "level", Field: func(s *System) any { return &s.Level }},
	{Name: "level_decision", Field: func(s *System) any { return &s.LevelDecision }},
	{Name: "level_decision_date", Field: func(s *System) any { return &s.LevelDecisionDate }},
	{Name: "level_approver", Field: func(s *System) any { return &s.LevelApprover }},
	{Name: "hosting", Field: func(s *System) any { return &s.Hosting }},
	{Name: "hosting_provider", Field: func(s *System) any { return &s.HostingProvider }},
	{Name: "users_count", Field: func(s *System) any { return &s.Users }},
	{Name: "personal_data", Field: func(s *System) any { return &s.PersonalData }},
	{Name: "data_subjects", Field: func(s *System) any { return &s.DataSubjects }},
	{Name: "population_db", Field: func(s *System) any { return &s.PopulationDB }},
	{Name: "admin_procedures", Field: func(s *System) any { return &s.AdminProcedures }},
	{Name: "go_live", Field: func(s *System) any { return &s.GoLive }},
	{Name: "status", Field: func(s *System) any { return &s.Status }},
	{Name: "contact_staff_id", Field: func(s *System) any { return storage.OptionalID{P: &s.ContactStaffID} }},
	{Name: "servers", Field: func(s *System) any { return &s.Servers }},
	{Name: "workstations", Field: func(s *System) any { return &s.Workstations }},
	{Name: "network_devices", Field: func(s *System) any { return &s.NetworkDevices }},
	{Name: "security_devices", Field: func(s *System) any { return &s.SecurityDevices }},
	// Only Archive and Restore change it.
	{Name: "archived_at", Field: func(s *System) any { return storage.OptionalUTC{P: &s.ArchivedAt} }, Fixed: true},
	{Name: "created_at", Field: func(s *System) any { return storage.UTC{P: &s.CreatedAt} }, Fixed: true},
	{Name: "updated_at", Field: func(s *System) any { return storage.UTC{P: &s.UpdatedAt} }},
}}

var systemSelect = systemTable.Select("s")

const systemFrom = ` FROM systems s JOIN orgs o ON o.id = s.org_id
	LEFT JOIN orgs op ON op.id = s.operator_org_id
	LEFT JOIN staff cs ON cs.id = s.contact_staff_id`

const systemViewSelect = `, o.code, o.name, COALESCE(op.code, ''), COALESCE(op.name, ''), COALESCE(cs.email, ''), COALESCE(cs.name, ''), o.path, COALESCE(op.path, '')`

func scanSystem(sc storage.Scanner) (SystemView, error) {
	var v SystemView
	err := sc.Scan(systemTable.Dest(&v.System, &v.OrgCode, &v.OrgName, &v.OperatorOrgCode, &v.OperatorOrgName, &v.ContactEmail, &v.ContactName, &v.OrgPath, &v.OperatorOrgPath)...)
	return v, err
}

// systemOrder sorts systems by owner code, then name; the id breaks ties.
var systemOrder = storage.Keyset{Text: []string{"o.code", "s.name_search"}, ID: "s.id"}

// ListSystems returns page p of the systems in the actor's scope matching f,
// and how many match in all.
func ListSystems(ctx context.Context, db storage.Querier, actor access.Actor, f SystemFilter, p storage.Page) (storage.Paged[SystemView], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if f.OrgID != 0 {
		w.Add("o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'", f.OrgID)
	}
	if f.Archived {
		w.Add("s.archived_at IS NOT NULL")
	} else {
		w.Add("s.archived_at IS NULL")
	}
	if f.Kind != "" {
		w.Add("s.kind = ?", f.Kind)
	}
	if f.Level >= 0 {
		w.Add("s.level = ?", f.Level)
	}
	if f.Status != "" {
		w.Add("s.status = ?", f.Status)
	}
	if f.InUse {
		w.Add("s.status <> 'retired'")
	}
	if !f.ScannedSince.IsZero() {
		w.Add("EXISTS (SELECT 1 FROM scans sc WHERE sc.system_id = s.id AND sc.status = 'done' AND sc.finished_at >= ?)", f.ScannedSince.UTC())
	}
	if q := i18n.Fold(f.Query); q != "" {
		w.Add("(s.name_search LIKE ? OR o.name_search LIKE ?)", storage.Contains(q), storage.Contains(q))
	}
	res, err := storage.List[SystemView]{Select: "SELECT " + systemSelect + systemViewSelect, From: systemFrom, Where: w, Order: systemOrder, Scan: scanSystem,
		Key: func(v SystemView) []any { return []any{v.OrgCode, i18n.Fold(v.Name), v.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list systems: %w", err)
	}
	return res, nil
}

// GetSystem returns one system in the actor's scope.
func GetSystem(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (SystemView, error) {
	scope, args := actor.OrgFilter("o.path")
	v, err := scanSystem(db.QueryRow(ctx, "SELECT "+systemSelect+systemViewSelect+systemFrom+" WHERE s.id = ? AND "+scope, append([]any{id}, args...)...))
	if storage.IsNoRows(err) {
		return v, access.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("get system %d: %w", id, err)
	}
	return v, nil
}

// CreateSystem registers a system for its owner organisation.
func CreateSystem(ctx context.Context, db *storage.Store, actor access.Actor, sys *System) error {
	es := sys.Normalise()
	if sys.OrgID <= 0 {
		es.Add("org_id", "inv.err.owner_required")
	}
	if len(es) > 0 {
		return es
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, sys.OrgID); err != nil {
			return err
		}
		if err := checkSystemRefs(ctx, tx, actor, sys, 0); err != nil {
			return err
		}
		if err := insertSystemRow(ctx, tx, sys); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "system.create", ObjectType: "system", ObjectID: sys.ID, OrgID: sys.OrgID, New: sys})
	})
}

// insertSystemRow inserts without auditing; imports audit once per file.
func insertSystemRow(ctx context.Context, tx *storage.Tx, sys *System) error {
	sys.CreatedAt, sys.UpdatedAt = tx.Now(), tx.Now()
	id, err := systemTable.Insert(ctx, tx, sys)
	if err != nil {
		if storage.IsUniqueViolation(err) {
			return storage.Conflict("name", "inv.err.system_exists", sys.Name)
		}
		return fmt.Errorf("create system %q: %w", sys.Name, err)
	}
	sys.ID = id
	return nil
}

// UpdateSystem changes a system's fields; its owner stays (a change of owner
// is an organisation merge).
func UpdateSystem(ctx context.Context, db *storage.Store, actor access.Actor, sys *System) error {
	old, err := GetSystem(ctx, db, actor, sys.ID)
	if err != nil {
		return err
	}
	sys.OrgID = old.OrgID
	if es := sys.Normalise(); len(es) > 0 {
		return es
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, sys.OrgID); err != nil {
			return err
		}
		if err := checkSystemRefs(ctx, tx, actor, sys, old.OperatorOrgID); err != nil {
			return err
		}
		if err := updateSystemRow(ctx, tx, sys); err != nil {
			return err
		}
		sys.CreatedAt = old.CreatedAt
		return audit.Record(ctx, tx, actor, audit.Change{Action: "system.update", ObjectType: "system", ObjectID: sys.ID, OrgID: sys.OrgID, Old: &old.System, New: sys})
	})
}

// updateSystemRow updates without auditing; imports audit once per file.
func updateSystemRow(ctx context.Context, tx *storage.Tx, sys *System) error {
	sys.UpdatedAt = tx.Now()
	if err := systemTable.Update(ctx, tx, sys, sys.ID); err != nil {
		if storage.IsUniqueViolation(err) {
			return storage.Conflict("name", "inv.err.system_exists", sys.Name)
		}
		return fmt.Errorf("update system %d: %w", sys.ID, err)
	}
	return nil
}

// SetDeviceCounts replaces a system's device counts.
func SetDeviceCounts(ctx context.Context, db *storage.Store, actor access.Actor, systemID int64, c DeviceCounts) (SystemView, error) {
	v, err := GetSystem(ctx, db, actor, systemID)
	if err != nil {
		return v, err
	}
	sys := v.System
	sys.DeviceCounts = c
	if err := UpdateSystem(ctx, db, actor, &sys); err != nil {
		return v, err
	}
	return GetSystem(ctx, db, actor, systemID)
}

// checkSystemRefs checks that the operator organisation exists and that the
// contact point is a staff member of the owner. A caller without the global
// view may name a new operator only within their scope, and hears the same
// "no such operator" for one outside it as for one that does not exist, so
// the check reveals nothing of other organisations; the current operator
// (oldOperator, shown on the system) may stay.
func checkSystemRefs(ctx context.Context, tx *storage.Tx, actor access.Actor, sys *System, oldOperator int64) error {
	var es validation.Errors
	if sys.OperatorOrgID != 0 && sys.OperatorOrgID != oldOperator {
		var path string
		err := tx.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", sys.OperatorOrgID).Scan(&path)
		if err != nil || (!actor.Global() && !actor.InScope(path)) {
			es.Add("operator_org_id", "inv.err.no_operator")
		}
	}
	if sys.ContactStaffID != 0 {
		var org int64
		if err := tx.QueryRow(ctx, "SELECT org_id FROM staff WHERE id = ?", sys.ContactStaffID).Scan(&org); err != nil || org != sys.OrgID {
			es.Add("contact_staff_id", "inv.err.contact_not_staff")
		}
	}
	return es.Err()
}
