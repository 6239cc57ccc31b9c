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
	// Systems name the systems of SystemIDs, by name.
	Systems []SystemRef `json:"systems,omitempty"`
	// OrgPath is the organisation's path, for pages to ask access.Actor.Can.
	OrgPath string `json:"-"`
	// Elsewhere is set when other organisations registered the same value.
	Elsewhere *Elsewhere `json:"registered_elsewhere,omitempty"`
}

// SystemRef names a system where a page links to it.
type SystemRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
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

var assetSelect = assetTable.Select("a") + ", o.code, o.path"

func scanAsset(sc storage.Scanner) (AssetView, error) {
	var v AssetView
	err := sc.Scan(assetTable.Dest(&v.Asset, &v.OrgCode, &v.OrgPath)...)
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
	return res, loadDetails(ctx, db, actor, res.Items)
}

// loadDetails fills the systems of the assets and whether other
// organisations registered them too.
func loadDetails(ctx context.Context, db storage.Querier, actor access.Actor, assets []AssetView) error {
	if err := loadAssetSystems(ctx, db, assets); err != nil {
		return err
	}
	return loadElsewhere(ctx, db, actor, assets)
}

// loadAssetSystems fills SystemIDs and Systems of the assets with one query,
// systems by name. An asset and its systems belong to one organisation, so
// the asset's scope is theirs.
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
	rows, err := db.Query(ctx, "SELECT sa.asset_id, s.id, s.name FROM system_assets sa JOIN systems s ON s.id = sa.system_id WHERE sa.asset_id IN ("+strings.Join(ids, ",")+") ORDER BY s.name_search, s.id")
	if err != nil {
		return fmt.Errorf("asset systems: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var aid int64
		var ref SystemRef
		if err := rows.Scan(&aid, &ref.ID, &ref.Name); err != nil {
			return err
		}
		a := &assets[index[aid]]
		a.SystemIDs = append(a.SystemIDs, ref.ID)
		a.Systems = append(a.Systems, ref)
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
	err = loadDetails(ctx, db, actor, list)
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

// AssetsOfSystem returns the assets registered to a system, by kind and
// value, for work the caller has already been allowed on the system (the
// scope guard of a scan).
func AssetsOfSystem(ctx context.Context, db storage.Querier, systemID int64) ([]Asset, error) {
	list, err := storage.Collect[Asset](db.Query(ctx, "SELECT "+assetTable.Select("a")+
		" FROM assets a JOIN system_assets sa ON sa.asset_id = a.id WHERE sa.system_id = ? ORDER BY a.kind, a.value, a.id", systemID))(
		func(sc storage.Scanner) (Asset, error) {
			var a Asset
			return a, sc.Scan(assetTable.Dest(&a)...)
		})
	if err != nil {
		return nil, fmt.Errorf("assets of system %d: %w", systemID, err)
	}
	return list, nil
}
