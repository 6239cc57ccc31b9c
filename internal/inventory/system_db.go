package inventory

import (
	"context"
	"fmt"
	"strings"

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
	Limit  int
	Offset int
}

// SystemView is a system with the names of its owner and operator organisations.
type SystemView struct {
	System
	OrgCode         string `json:"org_code"`
	OrgName         string `json:"org_name"`
	OperatorOrgCode string `json:"operator_org_code,omitempty"`
	ContactEmail    string `json:"contact_email,omitempty"`
}

const systemColumns = `s.id, s.org_id, s.name, s.kind, s.purpose, COALESCE(s.operator_org_id, 0), s.operator_name, s.operator_contract,
	s.level, s.level_decision, s.level_decision_date, s.level_approver, s.hosting, s.hosting_provider, s.users_count,
	s.personal_data, s.data_subjects, s.population_db, s.admin_procedures, s.go_live, s.status, COALESCE(s.contact_staff_id, 0),
	s.servers, s.workstations, s.network_devices, s.security_devices, s.created_at, s.updated_at,
	o.code, o.name, COALESCE(op.code, ''), COALESCE(cs.email, '')`

const systemFrom = ` FROM systems s JOIN orgs o ON o.id = s.org_id
	LEFT JOIN orgs op ON op.id = s.operator_org_id
	LEFT JOIN staff cs ON cs.id = s.contact_staff_id`

func scanSystem(sc storage.Scanner) (SystemView, error) {
	var v SystemView
	s := &v.System
	err := sc.Scan(&s.ID, &s.OrgID, &s.Name, &s.Kind, &s.Purpose, &s.OperatorOrgID, &s.OperatorName, &s.OperatorContract,
		&s.Level, &s.LevelDecision, &s.LevelDecisionDate, &s.LevelApprover, &s.Hosting, &s.HostingProvider, &s.Users,
		&s.PersonalData, &s.DataSubjects, &s.PopulationDB, &s.AdminProcedures, &s.GoLive, &s.Status, &s.ContactStaffID,
		&s.Servers, &s.Workstations, &s.NetworkDevices, &s.SecurityDevices, &s.CreatedAt, &s.UpdatedAt,
		&v.OrgCode, &v.OrgName, &v.OperatorOrgCode, &v.ContactEmail)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return v, err
}

// ListSystems returns the systems in the actor's scope matching f, and how
// many match in all.
func ListSystems(ctx context.Context, db storage.Querier, actor access.Actor, f SystemFilter) ([]SystemView, int, error) {
	scope, args := actor.OrgFilter("o.path")
	where := []string{scope}
	if f.OrgID != 0 {
		where = append(where, "o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'")
		args = append(args, f.OrgID)
	}
	if f.Kind != "" {
		where = append(where, "s.kind = ?")
		args = append(args, f.Kind)
	}
	if f.Level >= 0 {
		where = append(where, "s.level = ?")
		args = append(args, f.Level)
	}
	if f.Status != "" {
		where = append(where, "s.status = ?")
		args = append(args, f.Status)
	}
	if q := i18n.Fold(f.Query); q != "" {
		where = append(where, "(s.name_search LIKE ? OR o.name_search LIKE ?)")
		args = append(args, "%"+storage.EscapeLike(q)+"%", "%"+storage.EscapeLike(q)+"%")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := db.QueryRow(ctx, "SELECT count(*)"+systemFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count systems: %w", err)
	}
	limit := storage.ClampLimit(f.Limit)
	rows, err := db.Query(ctx, "SELECT "+systemColumns+systemFrom+cond+" ORDER BY o.code, s.name_search LIMIT ? OFFSET ?", append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list systems: %w", err)
	}
	defer rows.Close()
	var out []SystemView
	for rows.Next() {
		v, err := scanSystem(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list systems: %w", err)
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}

// GetSystem returns one system in the actor's scope.
func GetSystem(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (SystemView, error) {
	scope, args := actor.OrgFilter("o.path")
	v, err := scanSystem(db.QueryRow(ctx, "SELECT "+systemColumns+systemFrom+" WHERE s.id = ? AND "+scope, append([]any{id}, args...)...))
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
		if err := checkSystemRefs(ctx, tx, sys); err != nil {
			return err
		}
		return insertSystem(ctx, tx, actor, sys)
	})
}

func insertSystem(ctx context.Context, tx *storage.Tx, actor access.Actor, sys *System) error {
	if err := insertSystemRow(ctx, tx, sys); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "system.create", ObjectType: "system", ObjectID: sys.ID, OrgID: sys.OrgID, New: sys})
}

// insertSystemRow inserts without auditing; imports audit once per file.
func insertSystemRow(ctx context.Context, tx *storage.Tx, sys *System) error {
	now := tx.Now()
	id, err := tx.InsertID(ctx, `INSERT INTO systems (org_id, name, name_search, kind, purpose, operator_org_id, operator_name, operator_contract,
		level, level_decision, level_decision_date, level_approver, hosting, hosting_provider, users_count, personal_data, data_subjects,
		population_db, admin_procedures, go_live, status, contact_staff_id, servers, workstations, network_devices, security_devices, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sys.OrgID, sys.Name, i18n.Fold(sys.Name), sys.Kind, sys.Purpose, storage.NullID(sys.OperatorOrgID), sys.OperatorName, sys.OperatorContract,
		sys.Level, sys.LevelDecision, sys.LevelDecisionDate, sys.LevelApprover, sys.Hosting, sys.HostingProvider, sys.Users, sys.PersonalData, sys.DataSubjects,
		sys.PopulationDB, sys.AdminProcedures, sys.GoLive, sys.Status, storage.NullID(sys.ContactStaffID), sys.Servers, sys.Workstations, sys.NetworkDevices, sys.SecurityDevices, now, now)
	if err != nil {
		if storage.IsUniqueViolation(err) {
			return validation.Errors{validation.Invalid("name", "inv.err.system_exists", sys.Name)}
		}
		return fmt.Errorf("create system %q: %w", sys.Name, err)
	}
	sys.ID, sys.CreatedAt, sys.UpdatedAt = id, now, now
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
		if err := checkSystemRefs(ctx, tx, sys); err != nil {
			return err
		}
		return updateSystem(ctx, tx, actor, &old.System, sys)
	})
}

func updateSystem(ctx context.Context, tx *storage.Tx, actor access.Actor, old, sys *System) error {
	if err := updateSystemRow(ctx, tx, sys); err != nil {
		return err
	}
	sys.CreatedAt = old.CreatedAt
	return audit.Record(ctx, tx, actor, audit.Change{Action: "system.update", ObjectType: "system", ObjectID: sys.ID, OrgID: sys.OrgID, Old: old, New: sys})
}

// updateSystemRow updates without auditing; imports audit once per file.
func updateSystemRow(ctx context.Context, tx *storage.Tx, sys *System) error {
	now := tx.Now()
	_, err := tx.Exec(ctx, `UPDATE systems SET name = ?, name_search = ?, kind = ?, purpose = ?, operator_org_id = ?, operator_name = ?, operator_contract = ?,
		level = ?, level_decision = ?, level_decision_date = ?, level_approver = ?, hosting = ?, hosting_provider = ?, users_count = ?, personal_data = ?,
		data_subjects = ?, population_db = ?, admin_procedures = ?, go_live = ?, status = ?, contact_staff_id = ?, servers = ?, workstations = ?,
		network_devices = ?, security_devices = ?, updated_at = ? WHERE id = ?`,
		sys.Name, i18n.Fold(sys.Name), sys.Kind, sys.Purpose, storage.NullID(sys.OperatorOrgID), sys.OperatorName, sys.OperatorContract,
		sys.Level, sys.LevelDecision, sys.LevelDecisionDate, sys.LevelApprover, sys.Hosting, sys.HostingProvider, sys.Users, sys.PersonalData,
		sys.DataSubjects, sys.PopulationDB, sys.AdminProcedures, sys.GoLive, sys.Status, storage.NullID(sys.ContactStaffID), sys.Servers, sys.Workstations,
		sys.NetworkDevices, sys.SecurityDevices, now, sys.ID)
	if err != nil {
		if storage.IsUniqueViolation(err) {
			return validation.Errors{validation.Invalid("name", "inv.err.system_exists", sys.Name)}
		}
		return fmt.Errorf("update system %d: %w", sys.ID, err)
	}
	sys.UpdatedAt = now
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

// DeleteSystem removes a system with its controls and asset links; assets
// left without any system are removed too.
func DeleteSystem(ctx context.Context, db *storage.Store, actor access.Actor, id int64) error {
	old, err := GetSystem(ctx, db, actor, id)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, old.OrgID); err != nil {
			return err
		}
		for _, q := range []string{
			"DELETE FROM system_controls WHERE system_id = ?",
			"DELETE FROM system_assets WHERE system_id = ?",
			"DELETE FROM systems WHERE id = ?",
		} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return fmt.Errorf("delete system %d: %w", id, err)
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM assets WHERE org_id = ? AND NOT EXISTS (SELECT 1 FROM system_assets sa WHERE sa.asset_id = assets.id)", old.OrgID); err != nil {
			return fmt.Errorf("delete system %d: orphaned assets: %w", id, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "system.delete", ObjectType: "system", ObjectID: id, OrgID: old.OrgID, Old: old})
	})
}

// checkSystemRefs checks that the operator organisation exists and that the
// contact point is a staff member of the owner.
func checkSystemRefs(ctx context.Context, tx *storage.Tx, sys *System) error {
	var es validation.Errors
	if sys.OperatorOrgID != 0 {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM orgs WHERE id = ?", sys.OperatorOrgID).Scan(&one); err != nil {
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
