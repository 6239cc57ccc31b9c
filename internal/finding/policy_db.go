package finding

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
)

// LoadPolicy reads the due-date policy, the default until one is set.
func LoadPolicy(ctx context.Context, q storage.Querier) (Policy, error) {
	var js string
	err := q.QueryRow(ctx, "SELECT policy FROM finding_policy WHERE id = 1").Scan(&js)
	if storage.IsNoRows(err) {
		return DefaultPolicy(), nil
	}
	if err != nil {
		return Policy{}, fmt.Errorf("read the due-date policy: %w", err)
	}
	var p Policy
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		return Policy{}, fmt.Errorf("due-date policy: %w", err)
	}
	return p, nil
}

// SetPolicy replaces the due-date policy (coordinator). Findings keep the
// due dates they have; new ones follow the new policy.
func SetPolicy(ctx context.Context, db *storage.Store, actor access.Actor, p Policy) error {
	if err := actor.Check(access.ManageOrgs, "/"); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	js, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		old, err := LoadPolicy(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM finding_policy WHERE id = 1"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO finding_policy (id, policy, updated_by, updated_at) VALUES (1, ?, ?, ?)", string(js), actor.Email, tx.Now()); err != nil {
			return fmt.Errorf("save the due-date policy: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "finding.policy", ObjectType: "finding_policy", ObjectID: 1, Old: old, New: p})
	})
}
