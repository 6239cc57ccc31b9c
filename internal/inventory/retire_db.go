package inventory

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// A system that is no longer used is archived: it keeps its assets,
// controls and history and can be restored. Deleting is for a system
// registered by mistake, and takes with it only what the system owned.

// ArchiveSystem archives a system; an archived system is left out of lists
// and the overview.
func ArchiveSystem(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (SystemView, error) {
	return setArchived(ctx, db, actor, id, true)
}

// RestoreSystem puts an archived system back in use.
func RestoreSystem(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (SystemView, error) {
	return setArchived(ctx, db, actor, id, false)
}

func setArchived(ctx context.Context, db *storage.Store, actor access.Actor, id int64, archive bool) (SystemView, error) {
	old, err := GetSystem(ctx, db, actor, id)
	if err != nil {
		return old, err
	}
	action := "system.restore"
	if archive {
		action = "system.archive"
	}
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, old.OrgID); err != nil {
			return err
		}
		sys := old.System
		sys.ArchivedAt, sys.UpdatedAt = nil, tx.Now()
		if archive {
			now := tx.Now()
			sys.ArchivedAt = &now
		}
		if _, err := tx.Exec(ctx, "UPDATE systems SET archived_at = ?, updated_at = ? WHERE id = ?", storage.OptionalUTC{P: &sys.ArchivedAt}, sys.UpdatedAt, id); err != nil {
			return fmt.Errorf("%s %d: %w", action, id, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: action, ObjectType: "system", ObjectID: id, OrgID: old.OrgID,
			Old: map[string]any{"archived_at": old.ArchivedAt}, New: map[string]any{"archived_at": sys.ArchivedAt}})
	})
	if err != nil {
		return old, err
	}
	return GetSystem(ctx, db, actor, id)
}

// Removal is what deleting a system removes: the system, its controls,
// the assets that belong to it alone, and the links of the assets it shares
// with other systems (those assets stay).
type Removal struct {
	System   SystemView  `json:"system"`
	Assets   []AssetView `json:"assets"`
	Shared   []AssetView `json:"shared"`
	Controls []Control   `json:"controls"`
}

// SystemRemoval lists what deleting the system would remove, for the user
// to confirm.
func SystemRemoval(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (Removal, error) {
	var rm Removal
	var err error
	if rm.System, err = GetSystem(ctx, db, actor, id); err != nil {
		return rm, err
	}
	if rm.Controls, err = ListControls(ctx, db, actor, id); err != nil {
		return rm, err
	}
	rows, err := db.Query(ctx, "SELECT "+assetSelect+`, (SELECT count(*) FROM system_assets x WHERE x.asset_id = a.id AND x.system_id <> ?)
		FROM assets a JOIN orgs o ON o.id = a.org_id JOIN system_assets sa ON sa.asset_id = a.id
		WHERE sa.system_id = ? ORDER BY a.kind, a.value`, id, id)
	err = storage.Each(rows, err, func(sc storage.Scanner) error {
		var v AssetView
		var others int
		if err := sc.Scan(assetTable.Dest(&v.Asset, &v.OrgCode, &v.OrgPath, &others)...); err != nil {
			return err
		}
		if others > 0 {
			rm.Shared = append(rm.Shared, v)
		} else {
			rm.Assets = append(rm.Assets, v)
		}
		return nil
	})
	if err != nil {
		return rm, fmt.Errorf("assets of system %d: %w", id, err)
	}
	return rm, nil
}

// DeleteSystem removes a system with what it owned (see Removal), each
// object with its own audit entry, in one transaction. Assets of other
// systems are never touched.
func DeleteSystem(ctx context.Context, db *storage.Store, actor access.Actor, id int64) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		rm, err := SystemRemoval(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		org := rm.System.OrgID
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, org); err != nil {
			return err
		}
		for _, c := range rm.Controls {
			if _, err := tx.Exec(ctx, "DELETE FROM system_controls WHERE system_id = ? AND control = ?", id, c.Control); err != nil {
				return fmt.Errorf("delete system %d: control: %w", id, err)
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "control.delete", ObjectType: "system", ObjectID: id, OrgID: org, Old: c}); err != nil {
				return err
			}
		}
		for _, a := range rm.Shared {
			if _, err := tx.Exec(ctx, "DELETE FROM system_assets WHERE system_id = ? AND asset_id = ?", id, a.ID); err != nil {
				return fmt.Errorf("delete system %d: link: %w", id, err)
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "asset.unlink", ObjectType: "asset", ObjectID: a.ID, OrgID: org,
				Old: map[string]any{"system_id": id, "asset_id": a.ID, "value": a.Value}}); err != nil {
				return err
			}
		}
		for _, a := range rm.Assets {
			for _, q := range []string{"DELETE FROM system_assets WHERE asset_id = ?", "DELETE FROM assets WHERE id = ?"} {
				if _, err := tx.Exec(ctx, q, a.ID); err != nil {
					return fmt.Errorf("delete system %d: asset %d: %w", id, a.ID, err)
				}
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "asset.delete", ObjectType: "asset", ObjectID: a.ID, OrgID: org, Old: a}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM systems WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete system %d: %w", id, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "system.delete", ObjectType: "system", ObjectID: id, OrgID: org, Old: rm.System})
	})
}
