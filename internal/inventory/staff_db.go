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

// StaffFilter narrows a list of staff.
type StaffFilter struct {
	OrgID  int64
	Query  string
	Limit  int
	Offset int
}

// StaffView is a staff member with the organisation's code.
type StaffView struct {
	Staff
	OrgCode string `json:"org_code"`
}

const staffColumns = "st.id, st.org_id, st.name, st.position, st.email, st.phone, st.created_at, st.updated_at, o.code"

func scanStaff(sc storage.Scanner) (StaffView, error) {
	var v StaffView
	p := &v.Staff
	err := sc.Scan(&p.ID, &p.OrgID, &p.Name, &p.Position, &p.Email, &p.Phone, &p.CreatedAt, &p.UpdatedAt, &v.OrgCode)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return v, err
}

// ListStaff returns the staff in the actor's scope matching f.
func ListStaff(ctx context.Context, db storage.Querier, actor access.Actor, f StaffFilter) ([]StaffView, int, error) {
	scope, args := actor.OrgFilter("o.path")
	where := []string{scope}
	if f.OrgID != 0 {
		where = append(where, "o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'")
		args = append(args, f.OrgID)
	}
	if q := i18n.Fold(f.Query); q != "" {
		where = append(where, "st.name_search LIKE ?")
		args = append(args, "%"+storage.EscapeLike(q)+"%")
	}
	from := " FROM staff st JOIN orgs o ON o.id = st.org_id WHERE " + strings.Join(where, " AND ")
	var total int
	if err := db.QueryRow(ctx, "SELECT count(*)"+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count staff: %w", err)
	}
	rows, err := db.Query(ctx, "SELECT "+staffColumns+from+" ORDER BY o.code, st.name_search LIMIT ? OFFSET ?", append(args, storage.ClampLimit(f.Limit), f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	var out []StaffView
	for rows.Next() {
		v, err := scanStaff(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list staff: %w", err)
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
}

// GetStaff returns a staff member with their qualifications.
func GetStaff(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (StaffView, error) {
	scope, args := actor.OrgFilter("o.path")
	v, err := scanStaff(db.QueryRow(ctx, "SELECT "+staffColumns+" FROM staff st JOIN orgs o ON o.id = st.org_id WHERE st.id = ? AND "+scope, append([]any{id}, args...)...))
	if storage.IsNoRows(err) {
		return v, access.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("get staff %d: %w", id, err)
	}
	rows, err := db.Query(ctx, "SELECT id, staff_id, course, completed_on, certificate FROM qualifications WHERE staff_id = ? ORDER BY completed_on, course", id)
	if err != nil {
		return v, fmt.Errorf("qualifications of staff %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var q Qualification
		if err := rows.Scan(&q.ID, &q.StaffID, &q.Course, &q.CompletedOn, &q.Certificate); err != nil {
			return v, err
		}
		v.Qualifications = append(v.Qualifications, q)
	}
	return v, rows.Err()
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
		return insertStaff(ctx, tx, actor, p)
	})
}

func insertStaff(ctx context.Context, tx *storage.Tx, actor access.Actor, p *Staff) error {
	if err := insertStaffRow(ctx, tx, p); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "staff.create", ObjectType: "staff", ObjectID: p.ID, OrgID: p.OrgID, New: p})
}

func insertStaffRow(ctx context.Context, tx *storage.Tx, p *Staff) error {
	now := tx.Now()
	id, err := tx.InsertID(ctx, `INSERT INTO staff (org_id, name, name_search, position, email, phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.OrgID, p.Name, i18n.Fold(p.Name+" "+p.Email), p.Position, p.Email, p.Phone, now, now)
	if err != nil {
		if storage.IsUniqueViolation(err) {
			return validation.Errors{validation.Invalid("email", "inv.err.staff_exists", p.Email)}
		}
		return fmt.Errorf("create staff %s: %w", p.Email, err)
	}
	p.ID, p.CreatedAt, p.UpdatedAt = id, now, now
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
		return updateStaff(ctx, tx, actor, &old.Staff, p)
	})
}

func updateStaff(ctx context.Context, tx *storage.Tx, actor access.Actor, old, p *Staff) error {
	if err := updateStaffRow(ctx, tx, p); err != nil {
		return err
	}
	p.CreatedAt = old.CreatedAt
	return audit.Record(ctx, tx, actor, audit.Change{Action: "staff.update", ObjectType: "staff", ObjectID: p.ID, OrgID: p.OrgID, Old: old, New: p})
}

func updateStaffRow(ctx context.Context, tx *storage.Tx, p *Staff) error {
	now := tx.Now()
	_, err := tx.Exec(ctx, "UPDATE staff SET name = ?, name_search = ?, position = ?, email = ?, phone = ?, updated_at = ? WHERE id = ?",
		p.Name, i18n.Fold(p.Name+" "+p.Email), p.Position, p.Email, p.Phone, now, p.ID)
	if err != nil {
		if storage.IsUniqueViolation(err) {
			return validation.Errors{validation.Invalid("email", "inv.err.staff_exists", p.Email)}
		}
		return fmt.Errorf("update staff %d: %w", p.ID, err)
	}
	p.UpdatedAt = now
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
		return insertQualification(ctx, tx, actor, p.OrgID, q)
	})
}

func insertQualification(ctx context.Context, tx *storage.Tx, actor access.Actor, orgID int64, q *Qualification) error {
	if err := insertQualificationRow(ctx, tx, q); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "qualification.create", ObjectType: "staff", ObjectID: q.StaffID, OrgID: orgID, New: q})
}

func insertQualificationRow(ctx context.Context, tx *storage.Tx, q *Qualification) error {
	id, err := tx.InsertID(ctx, "INSERT INTO qualifications (staff_id, course, completed_on, certificate, created_at) VALUES (?, ?, ?, ?, ?)",
		q.StaffID, q.Course, q.CompletedOn, q.Certificate, tx.Now())
	if err != nil {
		if storage.IsUniqueViolation(err) {
			return validation.Errors{validation.Invalid("course", "inv.err.qualification_exists")}
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
