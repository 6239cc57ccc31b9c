package inventory

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// ListControls returns the security controls recorded for a system, in the
// order of Controls.
func ListControls(ctx context.Context, db storage.Querier, actor access.Actor, systemID int64) ([]Control, error) {
	if _, err := GetSystem(ctx, db, actor, systemID); err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, "SELECT "+controlTable.Select("c")+" FROM system_controls c WHERE c.system_id = ?", systemID)
	if err != nil {
		return nil, fmt.Errorf("list controls: %w", err)
	}
	defer rows.Close()
	byCode := map[string]Control{}
	for rows.Next() {
		var c Control
		if err := rows.Scan(controlTable.Dest(&c)...); err != nil {
			return nil, err
		}
		c.UpdatedAt = c.UpdatedAt.UTC()
		byCode[c.Control] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Control
	for _, o := range Controls {
		if c, ok := byCode[o.Code]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// SetControl records (inserts or replaces) one control of a system.
func SetControl(ctx context.Context, db *storage.Store, actor access.Actor, c *Control) error {
	sys, err := GetSystem(ctx, db, actor, c.SystemID)
	if err != nil {
		return err
	}
	if es := c.Normalise(); len(es) > 0 {
		return es
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, sys.OrgID); err != nil {
			return err
		}
		if err := setControlRow(ctx, tx, c); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "control.set", ObjectType: "system", ObjectID: c.SystemID, OrgID: sys.OrgID, New: c})
	})
}

func setControlRow(ctx context.Context, tx *storage.Tx, c *Control) error {
	c.UpdatedAt = tx.Now()
	if _, err := tx.Exec(ctx, "DELETE FROM system_controls WHERE system_id = ? AND control = ?", c.SystemID, c.Control); err != nil {
		return fmt.Errorf("set control: %w", err)
	}
	_, err := controlTable.Insert(ctx, tx, c)
	if err != nil {
		return fmt.Errorf("set control %s of system %d: %w", c.Control, c.SystemID, err)
	}
	return nil
}

// DeleteControl forgets one control of a system.
func DeleteControl(ctx context.Context, db *storage.Store, actor access.Actor, systemID int64, control string) error {
	sys, err := GetSystem(ctx, db, actor, systemID)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, sys.OrgID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM system_controls WHERE system_id = ? AND control = ?", systemID, control)
		if err != nil {
			return fmt.Errorf("delete control: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.ErrNotFound
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "control.delete", ObjectType: "system", ObjectID: systemID, OrgID: sys.OrgID, Old: control})
	})
}

// controlTable is the one list of the system_controls table's columns.
var controlTable = storage.Table[Control]{Name: "system_controls", Columns: []storage.Column[Control]{
	{Name: "system_id", Field: func(c *Control) any { return &c.SystemID }},
	{Name: "control", Field: func(c *Control) any { return &c.Control }},
	{Name: "status", Field: func(c *Control) any { return &c.Status }},
	{Name: "product", Field: func(c *Control) any { return &c.Product }},
	{Name: "notes", Field: func(c *Control) any { return &c.Notes }},
	{Name: "backup_frequency", Field: func(c *Control) any { return &c.BackupFrequency }},
	{Name: "last_restore_test", Field: func(c *Control) any { return &c.LastRestoreTest }},
	{Name: "updated_at", Field: func(c *Control) any { return storage.UTC{P: &c.UpdatedAt} }},
}}
