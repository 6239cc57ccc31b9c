package identity

import (
	"context"
	"fmt"
	"slices"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// SetAssignments replaces the organisations an auditor or responder works
// on. Only those who manage organisations (administrators, coordinators)
// assign, and only organisations they manage.
func SetAssignments(ctx context.Context, db *storage.Store, actor access.Actor, userID int64, orgIDs []int64) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+userFrom+"WHERE u.id = ?", userID))
		if storage.IsNoRows(err) || (err == nil && !canSeeUser(actor, u)) {
			return fmt.Errorf("user %d: %w", userID, access.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !actor.Global() || !actor.Can(access.ManageOrgs, u.orgPath) {
			return fmt.Errorf("%w: role %s may not assign organisations", access.ErrForbidden, actor.Role)
		}
		if !u.Role.Assignable() {
			return validation.Invalid("role", "identity.err.assign_role")
		}
		old, err := assignedOrgIDs(ctx, tx, userID)
		if err != nil {
			return err
		}
		orgIDs = slices.Compact(slices.Sorted(slices.Values(orgIDs)))
		if _, err := tx.Exec(ctx, "DELETE FROM org_assignments WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("clear assignments of user %d: %w", userID, err)
		}
		now := tx.Now()
		for _, id := range orgIDs {
			org, err := GetOrg(ctx, tx, actor, id)
			if err != nil {
				return validation.Invalid("org_ids", "identity.err.no_org", id)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO org_assignments (user_id, org_id, created_at) VALUES (?, ?, ?)", userID, org.ID, now); err != nil {
				return fmt.Errorf("assign user %d to organisation %d: %w", userID, id, err)
			}
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "user.assign", ObjectType: "user", ObjectID: userID, OrgID: u.OrgID, Old: old, New: orgIDs})
	})
}

func assignedOrgIDs(ctx context.Context, db storage.Querier, userID int64) ([]int64, error) {
	ids, err := storage.IDs(db.Query(ctx, "SELECT org_id FROM org_assignments WHERE user_id = ? ORDER BY org_id", userID))
	if err != nil {
		return nil, fmt.Errorf("read assignments of user %d: %w", userID, err)
	}
	return ids, nil
}
