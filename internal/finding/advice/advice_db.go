package advice

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/storage"
)

// Get returns the entry key in lang: the coordinator's edit when there is
// one (overridden), the embedded text otherwise. An unknown key is
// access.ErrNotFound.
func Get(ctx context.Context, q storage.Querier, key, lang string) (remediation.Text, bool, error) {
	e, ok := remediation.Get(key)
	if !ok {
		return remediation.Text{}, false, access.ErrNotFound
	}
	lang = language(lang)
	overrides, err := readOverrides(ctx, q, "key = ? AND lang = ?", key, lang)
	if err != nil {
		return remediation.Text{}, false, err
	}
	if len(overrides) > 0 {
		return overrides[0].Text, true, nil
	}
	return e.In(lang), false, nil
}

// List returns every entry in lang whose key or text contains query,
// ignoring case and diacritics ("mat khau" finds "mật khẩu"), in the order
// of compareKeys.
func List(ctx context.Context, q storage.Querier, lang, query string) ([]Item, error) {
	lang = language(lang)
	rows, err := readOverrides(ctx, q, "lang = ?", lang)
	if err != nil {
		return nil, err
	}
	overrides := map[string]remediation.Text{}
	for _, o := range rows {
		overrides[o.Key] = o.Text
	}
	folded := i18n.Fold(query)
	keys := remediation.Keys()
	slices.SortFunc(keys, compareKeys)
	items := []Item{}
	for _, key := range keys {
		t, overridden := overrides[key]
		if !overridden {
			e, _ := remediation.Get(key)
			t = e.In(lang)
		}
		if matches(folded, key, t) {
			items = append(items, Item{Key: key, Kind: kindOf(key), Summary: t.Summary, Overridden: overridden})
		}
	}
	return items, nil
}

// override is one stored edit.
type override struct {
	Key  string           `json:"key"`
	Lang string           `json:"lang"`
	Text remediation.Text `json:"text"`
}

// readOverrides reads the edits that match cond, in key and language order.
func readOverrides(ctx context.Context, q storage.Querier, cond string, args ...any) ([]override, error) {
	return storage.Collect[override](q.Query(ctx, "SELECT key, lang, summary, fix, stacks FROM remediation_overrides WHERE "+cond+" ORDER BY key, lang", args...))(
		func(row storage.Scanner) (override, error) {
			var o override
			var stacks string
			if err := row.Scan(&o.Key, &o.Lang, &o.Text.Summary, &o.Text.Fix, &stacks); err != nil {
				return o, fmt.Errorf("read remediation overrides: %w", err)
			}
			if err := json.Unmarshal([]byte(stacks), &o.Text.Stacks); err != nil {
				return o, fmt.Errorf("remediation override %s/%s: stacks: %w", o.Key, o.Lang, err)
			}
			return o, nil
		})
}

// Override replaces the text of entry key in each edit's language, in one
// transaction, with one audit entry per language holding the old and new
// text. Only the coordinator and the administrator may (CanEdit).
func Override(ctx context.Context, db *storage.Store, actor access.Actor, key string, edits ...Edit) error {
	if err := checkEdit(actor); err != nil {
		return err
	}
	if _, ok := remediation.Get(key); !ok {
		return access.ErrNotFound
	}
	for _, e := range edits {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		for _, e := range edits {
			old, _, err := Get(ctx, tx, key, e.Lang)
			if err != nil {
				return err
			}
			t := e.Text()
			stacks := []byte("{}")
			if t.Stacks != nil {
				if stacks, err = json.Marshal(t.Stacks); err != nil {
					return err
				}
			}
			// An upsert, so that two editors saving at once do not clash on the key.
			if _, err := tx.Exec(ctx, `INSERT INTO remediation_overrides (key, lang, summary, fix, stacks, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (key, lang) DO UPDATE SET summary = excluded.summary, fix = excluded.fix, stacks = excluded.stacks,
					updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				key, e.Lang, t.Summary, t.Fix, string(stacks), actor.Email, tx.Now()); err != nil {
				return fmt.Errorf("override remediation %s: %w", key, err)
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "remediation.override", ObjectType: "remediation",
				Old: override{key, e.Lang, old}, New: override{key, e.Lang, t}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reset deletes the edits of entry key in every language, so readers see
// the embedded text again; it is audited when there was an edit.
func Reset(ctx context.Context, db *storage.Store, actor access.Actor, key string) error {
	if err := checkEdit(actor); err != nil {
		return err
	}
	if _, ok := remediation.Get(key); !ok {
		return access.ErrNotFound
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		old, err := readOverrides(ctx, tx, "key = ?", key)
		if err != nil || len(old) == 0 {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM remediation_overrides WHERE key = ?", key); err != nil {
			return fmt.Errorf("reset remediation %s: %w", key, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "remediation.reset", ObjectType: "remediation", Old: old})
	})
}
