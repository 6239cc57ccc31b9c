package inventory

import (
	"context"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// MergeResult counts what an organisation merge moved.
type MergeResult struct {
	Systems  int `json:"systems"`
	Assets   int `json:"assets"`
	Staff    int `json:"staff"`
	Children int `json:"children"`
}

// MergeOrgs merges organisation from into into (the 2025 mergers [003]):
// its systems, assets, staff and sub-organisations move to into; assets and
// staff that into already has (same value, same e-mail) are joined rather
// than duplicated; from is archived and the merge is recorded, so history
// (audit entries, earlier reports) stays as it was and can be followed.
func MergeOrgs(ctx context.Context, db *storage.Store, actor access.Actor, fromID, intoID int64) (MergeResult, error) {
	var res MergeResult
	if fromID == intoID {
		return res, fmt.Errorf("%w: cannot merge an organisation into itself", access.ErrForbidden)
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		fromPath, err := identity.CheckOrg(ctx, tx, actor, access.ManageOrgs, fromID)
		if err != nil {
			return err
		}
		intoPath, err := identity.CheckOrg(ctx, tx, actor, access.ManageOrgs, intoID)
		if err != nil {
			return err
		}
		if len(intoPath) > len(fromPath) && intoPath[:len(fromPath)] == fromPath {
			return fmt.Errorf("%w: cannot merge an organisation into its own sub-organisation", access.ErrForbidden)
		}
		// Systems: a name clash would break the natural key, so it stops the merge.
		var clash string
		err = tx.QueryRow(ctx, `SELECT a.name FROM systems a JOIN systems b ON b.name_search = a.name_search AND b.org_id = ? WHERE a.org_id = ? LIMIT 1`, intoID, fromID).Scan(&clash)
		if err == nil {
			return storage.Conflict("into_org_id", "inv.err.merge_name_clash", clash)
		} else if !storage.IsNoRows(err) {
			return fmt.Errorf("merge: check systems: %w", err)
		}
		if res.Systems, err = execCount(ctx, tx, "UPDATE systems SET org_id = ? WHERE org_id = ?", intoID, fromID); err != nil {
			return err
		}
		// Assets and staff both have (same value, same e-mail) are joined:
		// from's links, qualifications and contact roles go to into's record,
		// then from's copy is dropped.
		dupAsset := "SELECT a.id FROM assets a JOIN assets b ON b.org_id = ? AND b.kind = a.kind AND b.value = a.value WHERE a.org_id = ?"
		dupStaff := "SELECT a.id FROM staff a JOIN staff b ON b.org_id = ? AND b.email = a.email WHERE a.org_id = ?"
		for _, step := range []struct {
			q    string
			args []any
		}{
			{`INSERT INTO system_assets (system_id, asset_id)
				SELECT DISTINCT sa.system_id, b.id FROM system_assets sa JOIN assets a ON a.id = sa.asset_id
				JOIN assets b ON b.org_id = ? AND b.kind = a.kind AND b.value = a.value
				WHERE a.org_id = ? AND NOT EXISTS (SELECT 1 FROM system_assets x WHERE x.system_id = sa.system_id AND x.asset_id = b.id)`, []any{intoID, fromID}},
			{"DELETE FROM system_assets WHERE asset_id IN (" + dupAsset + ")", []any{intoID, fromID}},
			{"DELETE FROM assets WHERE id IN (" + dupAsset + ")", []any{intoID, fromID}},
			{`UPDATE systems SET contact_staff_id = (SELECT b.id FROM staff a JOIN staff b ON b.org_id = ? AND b.email = a.email WHERE a.id = systems.contact_staff_id)
				WHERE contact_staff_id IN (` + dupStaff + ")", []any{intoID, intoID, fromID}},
			{`DELETE FROM qualifications WHERE staff_id IN (` + dupStaff + `) AND EXISTS (
				SELECT 1 FROM qualifications x JOIN staff b ON b.id = x.staff_id JOIN staff a ON a.email = b.email
				WHERE a.id = qualifications.staff_id AND b.org_id = ? AND x.course = qualifications.course AND x.completed_on = qualifications.completed_on)`, []any{intoID, fromID, intoID}},
			{`UPDATE qualifications SET staff_id = (SELECT b.id FROM staff a JOIN staff b ON b.org_id = ? AND b.email = a.email WHERE a.id = qualifications.staff_id)
				WHERE staff_id IN (` + dupStaff + ")", []any{intoID, intoID, fromID}},
			{"DELETE FROM staff WHERE id IN (" + dupStaff + ")", []any{intoID, fromID}},
		} {
			if _, err := tx.Exec(ctx, step.q, step.args...); err != nil {
				return fmt.Errorf("merge: join duplicates: %w", err)
			}
		}
		if res.Assets, err = execCount(ctx, tx, "UPDATE assets SET org_id = ? WHERE org_id = ?", intoID, fromID); err != nil {
			return err
		}
		if res.Staff, err = execCount(ctx, tx, "UPDATE staff SET org_id = ? WHERE org_id = ?", intoID, fromID); err != nil {
			return err
		}
		// Sub-organisations move under into, their paths rewritten.
		if res.Children, err = execCount(ctx, tx, "UPDATE orgs SET parent_id = ? WHERE parent_id = ?", intoID, fromID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE orgs SET path = ? || substr(path, ?) WHERE path LIKE ? AND id <> ?",
			intoPath, len(fromPath)+1, fromPath+"%", fromID); err != nil {
			return fmt.Errorf("merge: move sub-organisations: %w", err)
		}
		now := db.Now()
		if _, err := tx.Exec(ctx, "UPDATE orgs SET archived_at = ?, updated_at = ? WHERE id = ?", now, now, fromID); err != nil {
			return fmt.Errorf("merge: archive: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO org_merges (from_org_id, into_org_id, merged_at, actor, moved) VALUES (?, ?, ?, ?, ?)",
			fromID, intoID, now, actor.Email, fmt.Sprintf("systems=%d assets=%d staff=%d children=%d", res.Systems, res.Assets, res.Staff, res.Children)); err != nil {
			return fmt.Errorf("merge: record: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "org.merge", ObjectType: "org", ObjectID: fromID, OrgID: intoID,
			Old: map[string]any{"org_id": fromID, "path": fromPath}, New: map[string]any{"into_org_id": intoID, "moved": res}})
	})
	if err != nil {
		return MergeResult{}, fmt.Errorf("merge organisation %d into %d: %w", fromID, intoID, err)
	}
	return res, nil
}

// Merge is a recorded organisation merge.
type Merge struct {
	ID       int64     `json:"id"`
	FromCode string    `json:"from_code"`
	FromName string    `json:"from_name"`
	IntoCode string    `json:"into_code"`
	IntoName string    `json:"into_name"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Moved    string    `json:"moved"`
}

// mergeOrder is newest first (ids grow with time).
var mergeOrder = storage.Keyset{ID: "m.id", Desc: true}

// ListMerges returns page p of the merges into organisations in the actor's
// scope, newest first: where an organisation's history went.
func ListMerges(ctx context.Context, db storage.Querier, actor access.Actor, p storage.Page) (storage.Paged[Merge], error) {
	res, err := storage.List[Merge]{Select: "SELECT m.id, f.code, f.name, i.code, i.name, m.merged_at, m.actor, m.moved",
		From:  " FROM org_merges m JOIN orgs f ON f.id = m.from_org_id JOIN orgs i ON i.id = m.into_org_id",
		Where: storage.Scoped(actor.OrgFilter("i.path")), Order: mergeOrder,
		Scan: func(sc storage.Scanner) (Merge, error) {
			var m Merge
			err := sc.Scan(&m.ID, &m.FromCode, &m.FromName, &m.IntoCode, &m.IntoName, storage.UTC{P: &m.At}, &m.Actor, &m.Moved)
			return m, err
		},
		Key: func(m Merge) []any { return []any{m.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list merges: %w", err)
	}
	return res, nil
}

func execCount(ctx context.Context, tx *storage.Tx, q string, args ...any) (int, error) {
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("merge: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
