package storage

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/inventory"
)

// ListControls returns the security controls recorded for a system, in the
// order of inventory.Controls.
func (s *Store) ListControls(ctx context.Context, actor access.Actor, systemID int64) ([]inventory.Control, error) {
	if _, err := s.GetSystem(ctx, actor, systemID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT system_id, control, status, product, notes, backup_frequency, last_restore_test, updated_at
		FROM system_controls WHERE system_id = ?`, systemID)
	if err != nil {
		return nil, fmt.Errorf("list controls: %w", err)
	}
	defer rows.Close()
	byCode := map[string]inventory.Control{}
	for rows.Next() {
		var c inventory.Control
		if err := rows.Scan(&c.SystemID, &c.Control, &c.Status, &c.Product, &c.Notes, &c.BackupFrequency, &c.LastRestoreTest, &c.UpdatedAt); err != nil {
			return nil, err
		}
		c.UpdatedAt = c.UpdatedAt.UTC()
		byCode[c.Control] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []inventory.Control
	for _, o := range inventory.Controls {
		if c, ok := byCode[o.Code]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// SetControl records (inserts or replaces) one control of a system.
func (s *Store) SetControl(ctx context.Context, actor access.Actor, c *inventory.Control) error {
	sys, err := s.GetSystem(ctx, actor, c.SystemID)
	if err != nil {
		return err
	}
	if es := c.Normalise(); len(es) > 0 {
		return es
	}
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.checkOrg(ctx, actor, access.Write, sys.OrgID); err != nil {
			return err
		}
		return tx.setControl(ctx, actor, sys.OrgID, c)
	})
}

func (t *Tx) setControl(ctx context.Context, actor access.Actor, orgID int64, c *inventory.Control) error {
	if err := t.setControlRow(ctx, c); err != nil {
		return err
	}
	return t.Audit(ctx, actor, Change{Action: "control.set", ObjectType: "system", ObjectID: c.SystemID, OrgID: orgID, New: c})
}

func (t *Tx) setControlRow(ctx context.Context, c *inventory.Control) error {
	c.UpdatedAt = t.s.now()
	if _, err := t.Exec(ctx, "DELETE FROM system_controls WHERE system_id = ? AND control = ?", c.SystemID, c.Control); err != nil {
		return fmt.Errorf("set control: %w", err)
	}
	_, err := t.Exec(ctx, `INSERT INTO system_controls (system_id, control, status, product, notes, backup_frequency, last_restore_test, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.SystemID, c.Control, c.Status, c.Product, c.Notes, c.BackupFrequency, c.LastRestoreTest, c.UpdatedAt)
	if err != nil {
		return fmt.Errorf("set control %s of system %d: %w", c.Control, c.SystemID, err)
	}
	return nil
}

// DeleteControl forgets one control of a system.
func (s *Store) DeleteControl(ctx context.Context, actor access.Actor, systemID int64, control string) error {
	sys, err := s.GetSystem(ctx, actor, systemID)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.checkOrg(ctx, actor, access.Write, sys.OrgID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM system_controls WHERE system_id = ? AND control = ?", systemID, control)
		if err != nil {
			return fmt.Errorf("delete control: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.ErrNotFound
		}
		return tx.Audit(ctx, actor, Change{Action: "control.delete", ObjectType: "system", ObjectID: systemID, OrgID: sys.OrgID, Old: control})
	})
}
