package inventory

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// StaffFilter narrows a list of staff.
type StaffFilter struct {
	OrgID int64
	Query string
}

// StaffView is a staff member with the organisation's code.
type StaffView struct {
	Staff
	OrgCode string `json:"org_code"`
	// OrgPath is the organisation's path, for pages to ask access.Actor.Can.
	OrgPath string `json:"-"`
}

// staffTable is the one list of the staff table's columns.
var staffTable = storage.Table[Staff]{Name: "staff", Columns: []storage.Column[Staff]{
	{Name: "id", Field: func(p *Staff) any { return &p.ID }, Fixed: true},
	{Name: "org_id", Field: func(p *Staff) any { return &p.OrgID }, Fixed: true},
	{Name: "name", Field: func(p *Staff) any { return &p.Name }},
	{Name: "name_search", Field: func(p *Staff) any { return staffSearch(*p) }, Derived: true},
	{Name: "position", Field: func(p *Staff) any { return &p.Position }},
	{Name: "email", Field: func(p *Staff) any { return &p.Email }},
	{Name: "phone", Field: func(p *Staff) any { return &p.Phone }},
	{Name: "created_at", Field: func(p *Staff) any { return storage.UTC{P: &p.CreatedAt} }, Fixed: true},
	{Name: "updated_at", Field: func(p *Staff) any { return storage.UTC{P: &p.UpdatedAt} }},
}}

var staffSelect = staffTable.Select("st") + ", o.code, o.path"

func scanStaff(sc storage.Scanner) (StaffView, error) {
	var v StaffView
	err := sc.Scan(staffTable.Dest(&v.Staff, &v.OrgCode, &v.OrgPath)...)
	return v, err
}

// staffSearch is the search key of a staff member, which also sorts them.
func staffSearch(p Staff) string { return i18n.Fold(p.Name + " " + p.Email) }

// qualificationTable is the one list of the qualifications table's columns.
var qualificationTable = storage.Table[Qualification]{Name: "qualifications", Columns: []storage.Column[Qualification]{
	{Name: "id", Field: func(q *Qualification) any { return &q.ID }, Fixed: true},
	{Name: "staff_id", Field: func(q *Qualification) any { return &q.StaffID }},
	{Name: "course", Field: func(q *Qualification) any { return &q.Course }},
	{Name: "completed_on", Field: func(q *Qualification) any { return &q.CompletedOn }},
	{Name: "certificate", Field: func(q *Qualification) any { return &q.Certificate }},
	{Name: "created_at", Field: func(q *Qualification) any { return storage.UTC{P: &q.CreatedAt} }, Fixed: true},
}}

func scanQualification(sc storage.Scanner) (Qualification, error) {
	var q Qualification
	return q, sc.Scan(qualificationTable.Dest(&q)...)
}

// staffOrder sorts staff by organisation code, then name; the id breaks ties.
var staffOrder = storage.Keyset{Text: []string{"o.code", "st.name_search"}, ID: "st.id"}

// ListStaff returns page p of the staff in the actor's scope matching f.
func ListStaff(ctx context.Context, db storage.Querier, actor access.Actor, f StaffFilter, p storage.Page) (storage.Paged[StaffView], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if f.OrgID != 0 {
		w.Add("o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'", f.OrgID)
	}
	if q := i18n.Fold(f.Query); q != "" {
		w.Add("st.name_search LIKE ?", storage.Contains(q))
	}
	res, err := storage.List[StaffView]{Select: "SELECT " + staffSelect, From: " FROM staff st JOIN orgs o ON o.id = st.org_id", Where: w, Order: staffOrder, Scan: scanStaff,
		Key: func(v StaffView) []any { return []any{v.OrgCode, staffSearch(v.Staff), v.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list staff: %w", err)
	}
	return res, nil
}

// GetStaff returns a staff member with their qualifications.
func GetStaff(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (StaffView, error) {
	scope, args := actor.OrgFilter("o.path")
	v, err := scanStaff(db.QueryRow(ctx, "SELECT "+staffSelect+" FROM staff st JOIN orgs o ON o.id = st.org_id WHERE st.id = ? AND "+scope, append([]any{id}, args...)...))
	if storage.IsNoRows(err) {
		return v, access.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("get staff %d: %w", id, err)
	}
	v.Qualifications, err = storage.Collect[Qualification](db.Query(ctx, "SELECT "+qualificationTable.Select("q")+
		" FROM qualifications q WHERE q.staff_id = ? ORDER BY q.completed_on, q.course", id))(scanQualification)
	if err != nil {
		return v, fmt.Errorf("qualifications of staff %d: %w", id, err)
	}
	return v, nil
}

// CreateStaff adds a staff member to an organisation.
func CreateStaff(ctx context.Context, db *storage.Store, actor access.Actor, p *Staff) error {
	if es := p.Normalise(); len(es) > 0 {
		return es
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, p.OrgID); err != nil {
			return err
		}
		if err := insertStaffRow(ctx, tx, p); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "staff.create", ObjectType: "staff", ObjectID: p.ID, OrgID: p.OrgID, New: p})
	})
}

func insertStaffRow(ctx context.Context, tx *storage.Tx, p *Staff) error {
	p.CreatedAt, p.UpdatedAt = tx.Now(), tx.Now()
	id, err := staffTable.Insert(ctx, tx, p)
	if err != nil {
		if storage.IsUniqueViolation(err) {
			return storage.Conflict("email", "inv.err.staff_exists", p.Email)
		}
		return fmt.Errorf("create staff %s: %w", p.Email, err)
	}
	p.ID = id
	return nil
}

// UpdateStaff changes a staff member's details.
func UpdateStaff(ctx context.Context, db *storage.Store, actor access.Actor, p *Staff) error {
	old, err := GetStaff(ctx, db, actor, p.ID)
	if err != nil {
		return err
	}
	p.OrgID = old.OrgID
	if es := p.Normalise(); len(es) > 0 {
		return es
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, p.OrgID); err != nil {
			return err
		}
		if err := updateStaffRow(ctx, tx, p); err != nil {
			return err
		}
		p.CreatedAt = old.CreatedAt
		return audit.Record(ctx, tx, actor, audit.Change{Action: "staff.update", ObjectType: "staff", ObjectID: p.ID, OrgID: p.OrgID, Old: &old.Staff, New: p})
	})
}

func updateStaffRow(ctx context.Context, tx *storage.Tx, p *Staff) error {
	p.UpdatedAt = tx.Now()
	if err := staffTable.Update(ctx, tx, p, p.ID); err != nil {
		if storage.IsUniqueViolation(err) {
			return storage.Conflict("email", "inv.err.staff_exists", p.Email)
		}
		return fmt.Errorf("update staff %d: %w", p.ID, err)
	}
	return nil
}

// DeleteStaff removes a staff member; systems they were the contact point
// of are left without one.
func DeleteStaff(ctx context.Context, db *storage.Store, actor access.Actor, id int64) error {
	old, err := GetStaff(ctx, db, actor, id)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, old.OrgID); err != nil {
			return err
		}
		for _, q := range []string{
			"UPDATE systems SET contact_staff_id = NULL WHERE contact_staff_id = ?",
			"DELETE FROM qualifications WHERE staff_id = ?",
			"DELETE FROM staff WHERE id = ?",
		} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return fmt.Errorf("delete staff %d: %w", id, err)
			}
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "staff.delete", ObjectType: "staff", ObjectID: id, OrgID: old.OrgID, Old: old})
	})
}

// AddQualification records a training or certificate of a staff member.
func AddQualification(ctx context.Context, db *storage.Store, actor access.Actor, q *Qualification) error {
	p, err := GetStaff(ctx, db, actor, q.StaffID)
	if err != nil {
		return err
	}
	if es := q.Normalise(); len(es) > 0 {
		return es
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, p.OrgID); err != nil {
			return err
		}
		if err := insertQualificationRow(ctx, tx, q); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "qualification.create", ObjectType: "staff", ObjectID: q.StaffID, OrgID: p.OrgID, New: q})
	})
}

func insertQualificationRow(ctx context.Context, tx *storage.Tx, q *Qualification) error {
	q.CreatedAt = tx.Now()
	id, err := qualificationTable.Insert(ctx, tx, q)
	if err != nil {
		if storage.IsUniqueViolation(err) {
			return storage.Conflict("course", "inv.err.qualification_exists")
		}
		return fmt.Errorf("add qualification: %w", err)
	}
	q.ID = id
	return nil
}

// DeleteQualification removes one qualification of a staff member.
func DeleteQualification(ctx context.Context, db *storage.Store, actor access.Actor, staffID, qualificationID int64) error {
	p, err := GetStaff(ctx, db, actor, staffID)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, p.OrgID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM qualifications WHERE id = ? AND staff_id = ?", qualificationID, staffID)
		if err != nil {
			return fmt.Errorf("delete qualification: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.ErrNotFound
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "qualification.delete", ObjectType: "staff", ObjectID: staffID, OrgID: p.OrgID, Old: qualificationID})
	})
}
