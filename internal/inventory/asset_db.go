package inventory

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// AssetFilter narrows a list of assets.
type AssetFilter struct {
	OrgID    int64
	SystemID int64
	Kind     string
	Query    string // substring of the value, host name or notes, diacritics-insensitive
}

// AssetView is an asset with its owner's code.
type AssetView struct {
	Asset
	OrgCode string `json:"org_code"`
}

// assetTable is the one list of the assets table's columns.
var assetTable = storage.Table[Asset]{Name: "assets", Columns: []storage.Column[Asset]{
	{Name: "id", Field: func(a *Asset) any { return &a.ID }, Fixed: true},
	{Name: "org_id", Field: func(a *Asset) any { return &a.OrgID }, Fixed: true},
	{Name: "kind", Field: func(a *Asset) any { return &a.Kind }},
	{Name: "value", Field: func(a *Asset) any { return &a.Value }},
	{Name: "value_search", Field: func(a *Asset) any { return assetSearch(*a) }, Derived: true},
	{Name: "hostname", Field: func(a *Asset) any { return &a.Hostname }},
	{Name: "ips", Field: func(a *Asset) any { return &a.IPs }},
	{Name: "os", Field: func(a *Asset) any { return &a.OS }},
	{Name: "os_version", Field: func(a *Asset) any { return &a.OSVersion }},
	{Name: "role", Field: func(a *Asset) any { return &a.Role }},
	{Name: "device_kind", Field: func(a *Asset) any { return &a.DeviceKind }},
	{Name: "vendor", Field: func(a *Asset) any { return &a.Vendor }},
	{Name: "model", Field: func(a *Asset) any { return &a.Model }},
	{Name: "notes", Field: func(a *Asset) any { return &a.Notes }},
	{Name: "created_at", Field: func(a *Asset) any { return storage.UTC{P: &a.CreatedAt} }, Fixed: true},
	{Name: "updated_at", Field: func(a *Asset) any { return storage.UTC{P: &a.UpdatedAt} }},
}}

var assetSelect = assetTable.Select("a") + ", o.code"

func scanAsset(sc storage.Scanner) (AssetView, error) {
	var v AssetView
	err := sc.Scan(assetTable.Dest(&v.Asset, &v.OrgCode)...)
	return v, err
}

func assetSearch(a Asset) string {
	return i18n.Fold(strings.Join([]string{a.Value, a.Hostname, a.IPs, a.Vendor, a.Model, a.Notes}, " "))
}

// assetOrder sorts assets by owner code, kind and value; the id breaks ties.
var assetOrder = storage.Keyset{Text: []string{"o.code", "a.kind", "a.value"}, ID: "a.id"}

// ListAssets returns page p of the assets in the actor's scope matching f.
func ListAssets(ctx context.Context, db storage.Querier, actor access.Actor, f AssetFilter, p storage.Page) (storage.Paged[AssetView], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if f.OrgID != 0 {
		w.Add("o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'", f.OrgID)
	}
	if f.SystemID != 0 {
		w.Add("a.id IN (SELECT asset_id FROM system_assets WHERE system_id = ?)", f.SystemID)
	}
	if f.Kind != "" {
		w.Add("a.kind = ?", f.Kind)
	}
	if q := i18n.Fold(f.Query); q != "" {
		w.Add("a.value_search LIKE ?", storage.Contains(q))
	}
	res, err := storage.List[AssetView]{Select: "SELECT " + assetSelect, From: " FROM assets a JOIN orgs o ON o.id = a.org_id", Where: w, Order: assetOrder, Scan: scanAsset,
		Key: func(v AssetView) []any { return []any{v.OrgCode, v.Kind, v.Value, v.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list assets: %w", err)
	}
	return res, loadAssetSystems(ctx, db, res.Items)
}

// loadAssetSystems fills SystemIDs of the assets with one query.
func loadAssetSystems(ctx context.Context, db storage.Querier, assets []AssetView) error {
	if len(assets) == 0 {
		return nil
	}
	ids := make([]string, len(assets))
	index := map[int64]int{}
	for i, a := range assets {
		ids[i] = strconv.FormatInt(a.ID, 10)
		index[a.ID] = i
	}
	// ids are integers formatted here, not user input.
	rows, err := db.Query(ctx, "SELECT asset_id, system_id FROM system_assets WHERE asset_id IN ("+strings.Join(ids, ",")+") ORDER BY system_id")
	if err != nil {
		return fmt.Errorf("asset systems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var aid, sid int64
		if err := rows.Scan(&aid, &sid); err != nil {
			return err
		}
		a := &assets[index[aid]]
		a.SystemIDs = append(a.SystemIDs, sid)
	}
	return rows.Err()
}

// GetAsset returns one asset in the actor's scope.
func GetAsset(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (AssetView, error) {
	scope, args := actor.OrgFilter("o.path")
	v, err := scanAsset(db.QueryRow(ctx, "SELECT "+assetSelect+" FROM assets a JOIN orgs o ON o.id = a.org_id WHERE a.id = ? AND "+scope, append([]any{id}, args...)...))
	if storage.IsNoRows(err) {
		return v, access.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("get asset %d: %w", id, err)
	}
	list := []AssetView{v}
	err = loadAssetSystems(ctx, db, list)
	return list[0], err
}

// AddAsset attaches an asset to a system. An asset with the same kind and
// value already registered by the system's organisation is reused (and its
// details updated), so one server serving three systems is one asset.
func AddAsset(ctx context.Context, db *storage.Store, actor access.Actor, systemID int64, a *Asset) error {
	sys, err := GetSystem(ctx, db, actor, systemID)
	if err != nil {
		return err
	}
	if es := a.Normalise(); len(es) > 0 {
		return es
	}
	a.OrgID = sys.OrgID
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, sys.OrgID); err != nil {
			return err
		}
		var existing int64
		err := tx.QueryRow(ctx, "SELECT id FROM assets WHERE org_id = ? AND kind = ? AND value = ?", a.OrgID, a.Kind, a.Value).Scan(&existing)
		switch {
		case storage.IsNoRows(err):
			if err := insertAsset(ctx, tx, actor, a); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("find asset: %w", err)
		default:
			a.ID = existing
			if err := updateAsset(ctx, tx, actor, a); err != nil {
				return err
			}
		}
		return linkAsset(ctx, tx, systemID, a.ID)
	})
}

func insertAsset(ctx context.Context, tx *storage.Tx, actor access.Actor, a *Asset) error {
	if err := insertAssetRow(ctx, tx, a); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "asset.create", ObjectType: "asset", ObjectID: a.ID, OrgID: a.OrgID, New: a})
}

func insertAssetRow(ctx context.Context, tx *storage.Tx, a *Asset) error {
	a.CreatedAt, a.UpdatedAt = tx.Now(), tx.Now()
	id, err := assetTable.Insert(ctx, tx, a)
	if err != nil {
		return fmt.Errorf("create asset %s %s: %w", a.Kind, a.Value, err)
	}
	a.ID = id
	return nil
}

func updateAsset(ctx context.Context, tx *storage.Tx, actor access.Actor, a *Asset) error {
	if err := updateAssetRow(ctx, tx, a); err != nil {
		return err
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "asset.update", ObjectType: "asset", ObjectID: a.ID, OrgID: a.OrgID, New: a})
}

func updateAssetRow(ctx context.Context, tx *storage.Tx, a *Asset) error {
	a.UpdatedAt = tx.Now()
	if err := assetTable.Update(ctx, tx, a, a.ID); err != nil {
		if storage.IsUniqueViolation(err) {
			return storage.Conflict("value", "inv.err.asset_exists", a.Kind, a.Value)
		}
		return fmt.Errorf("update asset %d: %w", a.ID, err)
	}
	return nil
}

func linkAsset(ctx context.Context, tx *storage.Tx, systemID, assetID int64) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM system_assets WHERE system_id = ? AND asset_id = ?", systemID, assetID).Scan(&one)
	if err == nil {
		return nil
	}
	if !storage.IsNoRows(err) {
		return fmt.Errorf("link asset: %w", err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO system_assets (system_id, asset_id) VALUES (?, ?)", systemID, assetID); err != nil {
		return fmt.Errorf("link asset %d to system %d: %w", assetID, systemID, err)
	}
	return nil
}

// UpdateAsset changes an asset's value and details.
func UpdateAsset(ctx context.Context, db *storage.Store, actor access.Actor, a *Asset) error {
	old, err := GetAsset(ctx, db, actor, a.ID)
	if err != nil {
		return err
	}
	if es := a.Normalise(); len(es) > 0 {
		return es
	}
	a.OrgID, a.SystemIDs = old.OrgID, old.SystemIDs
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, old.OrgID); err != nil {
			return err
		}
		return updateAsset(ctx, tx, actor, a)
	})
}

// RemoveAsset detaches an asset from a system, deleting it when no system
// is left.
func RemoveAsset(ctx context.Context, db *storage.Store, actor access.Actor, systemID, assetID int64) error {
	a, err := GetAsset(ctx, db, actor, assetID)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, a.OrgID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM system_assets WHERE system_id = ? AND asset_id = ?", systemID, assetID)
		if err != nil {
			return fmt.Errorf("unlink asset: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.ErrNotFound
		}
		if _, err := tx.Exec(ctx, "DELETE FROM assets WHERE id = ? AND NOT EXISTS (SELECT 1 FROM system_assets WHERE asset_id = ?)", assetID, assetID); err != nil {
			return fmt.Errorf("delete asset: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "asset.remove", ObjectType: "asset", ObjectID: assetID, OrgID: a.OrgID, Old: a})
	})
}

// AssetConflict is an asset value registered by more than one organisation:
// the coordinator decides whose it really is.
type AssetConflict struct {
	Kind     string   `json:"kind"`
	Value    string   `json:"value"`
	OrgCodes []string `json:"org_codes"`
}

// conflictOrder sorts conflicts by value, then kind (the pair is unique).
var conflictOrder = storage.Keyset{Text: []string{"c.value", "c.kind"}}

// AssetConflicts lists page p of the values registered by several
// organisations. Only actors who see every organisation may ask: for an
// agency the answer would reveal other agencies' assets.
func AssetConflicts(ctx context.Context, db storage.Querier, actor access.Actor, p storage.Page) (storage.Paged[AssetConflict], error) {
	if !actor.Global() {
		return storage.Paged[AssetConflict]{}, fmt.Errorf("%w: only the coordinator sees conflicts across agencies", access.ErrForbidden)
	}
	res, err := storage.List[AssetConflict]{Select: "SELECT c.kind, c.value",
		From:  " FROM (SELECT kind, value FROM assets GROUP BY kind, value HAVING count(DISTINCT org_id) > 1) c",
		Where: storage.NewWhere("1=1"), Order: conflictOrder,
		Scan: func(sc storage.Scanner) (AssetConflict, error) {
			var c AssetConflict
			return c, sc.Scan(&c.Kind, &c.Value)
		},
		Key: func(c AssetConflict) []any { return []any{c.Value, c.Kind} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("asset conflicts: %w", err)
	}
	if len(res.Items) == 0 {
		return res, nil
	}
	at := map[[2]string]*AssetConflict{}
	values := make([]any, len(res.Items))
	for i := range res.Items {
		c := &res.Items[i]
		at[[2]string{c.Kind, c.Value}], values[i] = c, c.Value
	}
	rows, err := db.Query(ctx, "SELECT DISTINCT a.kind, a.value, o.code FROM assets a JOIN orgs o ON o.id = a.org_id WHERE a.value IN ("+
		strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")+") ORDER BY o.code", values...)
	err = storage.Each(rows, err, func(sc storage.Scanner) error {
		var kind, value, code string
		if err := sc.Scan(&kind, &value, &code); err != nil {
			return err
		}
		if c := at[[2]string{kind, value}]; c != nil {
			c.OrgCodes = append(c.OrgCodes, code)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("asset conflicts: organisations: %w", err)
	}
	return res, nil
}
