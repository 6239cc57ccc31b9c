package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// The same value (an IP address, a range, a domain) registered by two
// agencies is a conflict: one of them is mistaken, or the value is shared
// infrastructure (a provincial data centre's reverse proxy). Agencies are
// told only that another organisation registered it; the coordinator sees
// which, and resolves it.

// Elsewhere says that other organisations registered an asset's value too:
// how many, and (for actors who see every organisation) which.
type Elsewhere struct {
	Orgs     int      `json:"orgs"`
	OrgCodes []string `json:"org_codes,omitempty"`
}

// conflictKinds are the kinds whose value names one thing on the network
// (an address, a range, a domain, a URL): the same value registered by two
// organisations is the same thing, so it is a conflict. A server's or a
// device's name ("SRV-01") is only a label within its organisation.
var conflictKinds = []string{"ip", "cidr", "domain", "url"}

// Conflicting reports whether the same value of kind registered by two
// organisations is a conflict. It is the one rule behind the asset's flag
// (Elsewhere), the import preview's warning and the coordinator's list.
func Conflicting(kind string) bool { return slices.Contains(conflictKinds, kind) }

// notShared leaves out the values marked as shared infrastructure.
const notShared = ` AND NOT EXISTS (SELECT 1 FROM shared_assets sh WHERE sh.kind = a.kind AND sh.value = a.value)`

// registrations maps kind|value to the codes of the organisations, by id,
// that registered it, for the values given (none: every value).
func registrations(ctx context.Context, db storage.Querier, values []string) (map[string]map[int64]string, error) {
	query := `SELECT a.kind, a.value, a.org_id, o.code FROM assets a JOIN orgs o ON o.id = a.org_id WHERE 1 = 1` + notShared
	args := make([]any, len(values))
	if len(values) > 0 {
		query += " AND a.value IN (?" + strings.Repeat(", ?", len(values)-1) + ")"
		for i, v := range values {
			args[i] = v
		}
	}
	out := map[string]map[int64]string{}
	rows, err := db.Query(ctx, query, args...)
	err = storage.Each(rows, err, func(sc storage.Scanner) error {
		var kind, value, code string
		var org int64
		if err := sc.Scan(&kind, &value, &org, &code); err != nil {
			return err
		}
		k := kind + "|" + value
		if out[k] == nil {
			out[k] = map[int64]string{}
		}
		out[k][org] = code
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("asset registrations: %w", err)
	}
	return out, nil
}

// elsewhere is the registrations of kind|value by organisations other than
// org, as actor may know them; nil when there are none.
func elsewhere(regs map[string]map[int64]string, org int64, kind, value string, global bool) *Elsewhere {
	if !Conflicting(kind) {
		return nil
	}
	var codes []string
	for id, code := range regs[kind+"|"+value] {
		if id != org {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	e := &Elsewhere{Orgs: len(codes)}
	if global {
		slices.Sort(codes)
		e.OrgCodes = codes
	}
	return e
}

// loadElsewhere fills Elsewhere of the assets with one query.
func loadElsewhere(ctx context.Context, db storage.Querier, actor access.Actor, assets []AssetView) error {
	if len(assets) == 0 {
		return nil
	}
	values := make([]string, len(assets))
	for i, a := range assets {
		values[i] = a.Value
	}
	regs, err := registrations(ctx, db, values)
	if err != nil {
		return err
	}
	for i := range assets {
		a := &assets[i]
		a.Elsewhere = elsewhere(regs, a.OrgID, a.Kind, a.Value, actor.Global())
	}
	return nil
}

// AssetConflict is an asset value registered by more than one organisation,
// with the systems it is registered for: the coordinator decides whose it
// really is.
type AssetConflict struct {
	Kind     string           `json:"kind"`
	Value    string           `json:"value"`
	OrgCodes []string         `json:"org_codes"`
	Systems  []ConflictSystem `json:"systems"`
}

// ConflictSystem is one system a conflicting value is registered for.
type ConflictSystem struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	OrgCode string `json:"org_code"`
}

// AssetConflicts lists values registered by several organisations, except
// those marked as shared infrastructure. Only actors who see every
// organisation may ask: for an agency the answer would reveal other
// agencies' assets.
func AssetConflicts(ctx context.Context, db storage.Querier, actor access.Actor, p storage.Page) (storage.Paged[AssetConflict], error) {
	all, err := allConflicts(ctx, db, actor)
	if err != nil {
		return storage.Paged[AssetConflict]{}, err
	}
	// Conflicts are few (each is a coordinator's to-do), so they are read
	// whole, in value order, and paged in memory.
	return storage.PageSlice(all, p, func(c AssetConflict) string { return c.Kind + "|" + c.Value })
}

func allConflicts(ctx context.Context, db storage.Querier, actor access.Actor) ([]AssetConflict, error) {
	if !actor.Global() {
		return nil, fmt.Errorf("%w: only the coordinator sees conflicts across agencies", access.ErrForbidden)
	}
	rows, err := db.Query(ctx, `SELECT a.kind, a.value, o.code, COALESCE(s.id, 0), COALESCE(s.name, '') FROM assets a JOIN orgs o ON o.id = a.org_id
		LEFT JOIN system_assets sa ON sa.asset_id = a.id LEFT JOIN systems s ON s.id = sa.system_id
		WHERE a.value IN (SELECT value FROM assets GROUP BY kind, value HAVING count(DISTINCT org_id) > 1)`+notShared+`
		ORDER BY a.value, a.kind, o.code, s.name_search`)
	var out []AssetConflict
	err = storage.Each(rows, err, func(sc storage.Scanner) error {
		var kind, value, code, name string
		var sys int64
		if err := sc.Scan(&kind, &value, &code, &sys, &name); err != nil {
			return err
		}
		n := len(out)
		if n == 0 || out[n-1].Value != value || out[n-1].Kind != kind {
			out = append(out, AssetConflict{Kind: kind, Value: value})
			n++
		}
		c := &out[n-1]
		if len(c.OrgCodes) == 0 || c.OrgCodes[len(c.OrgCodes)-1] != code {
			c.OrgCodes = append(c.OrgCodes, code)
		}
		if sys != 0 {
			c.Systems = append(c.Systems, ConflictSystem{ID: sys, Name: name, OrgCode: code})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("asset conflicts: %w", err)
	}
	// A value of one organisation's several kinds (never the case) is not a
	// conflict, nor are two organisations' servers of the same name.
	kept := out[:0]
	for _, c := range out {
		if len(c.OrgCodes) > 1 && Conflicting(c.Kind) {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// Resolution is the coordinator's decision on a conflict: the value belongs
// to SystemID (every other organisation's registration is removed), or it
// is Shared infrastructure and stays with everyone who registered it.
type Resolution struct {
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	SystemID int64  `json:"system_id,omitempty"`
	Shared   bool   `json:"shared,omitempty"`
	Note     string `json:"note,omitempty"`
}

// ResolveConflict applies the coordinator's decision, audited: each removed
// registration as asset.delete, a shared value as asset.shared.
func ResolveConflict(ctx context.Context, db *storage.Store, actor access.Actor, res Resolution) error {
	if !actor.Global() {
		return fmt.Errorf("%w: only the coordinator resolves conflicts", access.ErrForbidden)
	}
	var es validation.Errors
	if res.Shared == (res.SystemID != 0) {
		es.Add("system_id", "inv.err.resolution")
	}
	if len(res.Note) > MaxText {
		es.Add("note", "inv.err.too_long", MaxText)
	}
	if err := es.Err(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		regs, err := registrations(ctx, tx, []string{res.Value})
		if err != nil {
			return err
		}
		if len(regs[res.Kind+"|"+res.Value]) < 2 || !Conflicting(res.Kind) {
			return access.ErrNotFound
		}
		if res.Shared {
			if _, err := tx.Exec(ctx, "INSERT INTO shared_assets (kind, value, note, actor, created_at) VALUES (?, ?, ?, ?, ?)",
				res.Kind, res.Value, res.Note, actor.Email, tx.Now()); err != nil {
				return fmt.Errorf("mark %s shared: %w", res.Value, err)
			}
			return audit.Record(ctx, tx, actor, audit.Change{Action: "asset.shared", ObjectType: "asset_value", ObjectID: 0, New: res})
		}
		var keepOrg int64
		if err := tx.QueryRow(ctx, `SELECT a.org_id FROM assets a JOIN system_assets sa ON sa.asset_id = a.id
			WHERE sa.system_id = ? AND a.kind = ? AND a.value = ?`, res.SystemID, res.Kind, res.Value).Scan(&keepOrg); err != nil {
			if storage.IsNoRows(err) {
				return validation.Errors{validation.Invalid("system_id", "inv.err.resolution_system", res.Value)}
			}
			return fmt.Errorf("resolve %s: %w", res.Value, err)
		}
		rows, err := tx.Query(ctx, "SELECT "+assetSelect+" FROM assets a JOIN orgs o ON o.id = a.org_id WHERE a.kind = ? AND a.value = ? AND a.org_id <> ?", res.Kind, res.Value, keepOrg)
		removed, err := storage.Collect[AssetView](rows, err)(scanAsset)
		if err != nil {
			return fmt.Errorf("resolve %s: %w", res.Value, err)
		}
		for _, a := range removed {
			for _, q := range []string{"DELETE FROM system_assets WHERE asset_id = ?", "DELETE FROM assets WHERE id = ?"} {
				if _, err := tx.Exec(ctx, q, a.ID); err != nil {
					return fmt.Errorf("resolve %s: %w", res.Value, err)
				}
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "asset.delete", ObjectType: "asset", ObjectID: a.ID, OrgID: a.OrgID,
				Old: a, New: map[string]any{"resolution": res}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// SharedValue is a value the coordinator marked as shared infrastructure:
// registered by several organisations and, while marked, neither listed nor
// flagged as a conflict.
type SharedValue struct {
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	Note      string    `json:"note,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
	// Orgs counts the organisations that register the value now.
	Orgs int `json:"orgs"`
}

// SharedValues lists the values marked as shared infrastructure, in value
// order (coordinator and administrator only, as the conflicts).
func SharedValues(ctx context.Context, db storage.Querier, actor access.Actor, p storage.Page) (storage.Paged[SharedValue], error) {
	all, err := allShared(ctx, db, actor, "", "")
	if err != nil {
		return storage.Paged[SharedValue]{}, err
	}
	// Like conflicts, shared values are few: read whole, paged in memory.
	return storage.PageSlice(all, p, func(v SharedValue) string { return v.Kind + "|" + v.Value })
}

// allShared reads the shared values (one, when kind and value are given).
func allShared(ctx context.Context, db storage.Querier, actor access.Actor, kind, value string) ([]SharedValue, error) {
	if !actor.Global() {
		return nil, fmt.Errorf("%w: only the coordinator sees shared values across agencies", access.ErrForbidden)
	}
	query := `SELECT sh.kind, sh.value, sh.note, sh.actor, sh.created_at,
		(SELECT count(DISTINCT a.org_id) FROM assets a WHERE a.kind = sh.kind AND a.value = sh.value) FROM shared_assets sh`
	var args []any
	if kind != "" || value != "" {
		query += " WHERE sh.kind = ? AND sh.value = ?"
		args = []any{kind, value}
	}
	rows, err := db.Query(ctx, query+" ORDER BY sh.value, sh.kind", args...)
	out, err := storage.Collect[SharedValue](rows, err)(func(sc storage.Scanner) (SharedValue, error) {
		var v SharedValue
		err := sc.Scan(&v.Kind, &v.Value, &v.Note, &v.Actor, storage.UTC{P: &v.CreatedAt}, &v.Orgs)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("shared asset values: %w", err)
	}
	return out, nil
}

// Unshared names the shared value the coordinator takes back.
type Unshared struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Unshare takes back the coordinator's "shared infrastructure" decision on
// a value, audited as asset.unshared with the decision it undoes: the
// value is listed and flagged as a conflict again while several
// organisations register it.
func Unshare(ctx context.Context, db *storage.Store, actor access.Actor, u Unshared) error {
	if !actor.Global() {
		return fmt.Errorf("%w: only the coordinator resolves conflicts", access.ErrForbidden)
	}
	var es validation.Errors
	if u.Kind == "" {
		es.Add("kind", "inv.err.shared_value")
	}
	if u.Value == "" {
		es.Add("value", "inv.err.shared_value")
	}
	if err := es.Err(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		found, err := allShared(ctx, tx, actor, u.Kind, u.Value)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return access.ErrNotFound
		}
		if _, err := tx.Exec(ctx, "DELETE FROM shared_assets WHERE kind = ? AND value = ?", u.Kind, u.Value); err != nil {
			return fmt.Errorf("unshare %s: %w", u.Value, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "asset.unshared", ObjectType: "asset_value", ObjectID: 0, Old: found[0], New: u})
	})
}

// ConflictReview is what the coordinator's conflicts page shows: the values
// still in conflict and those marked as shared infrastructure.
type ConflictReview struct {
	Conflicts []AssetConflict
	Shared    []SharedValue
}

// ReviewConflicts reads both lists of the conflicts page (coordinator and
// administrator only).
func ReviewConflicts(ctx context.Context, db storage.Querier, actor access.Actor) (ConflictReview, error) {
	conflicts, err := allConflicts(ctx, db, actor)
	if err != nil {
		return ConflictReview{}, err
	}
	shared, err := allShared(ctx, db, actor, "", "")
	return ConflictReview{Conflicts: conflicts, Shared: shared}, err
}
