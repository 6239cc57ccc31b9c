package inventory_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// TestDeleteSystemTakesOnlyItsOwn: deleting a system deletes its controls
// and the assets linked to it alone, unlinks the assets it shares, leaves
// every other asset of the organisation, and audits each removal.
func TestDeleteSystemTakesOnlyItsOwn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s1 := inventory.System{OrgID: f.a.ID, Name: "Một cửa", Kind: "internal_app"}
		s2 := inventory.System{OrgID: f.a.ID, Name: "Cổng", Kind: "web_portal"}
		must(t, inventory.CreateSystem(ctx, f.store, f.operatorA, &s1))
		must(t, inventory.CreateSystem(ctx, f.store, f.operatorA, &s2))
		own := inventory.Asset{Kind: "ip", Value: "10.0.0.1"}
		must(t, inventory.AddAsset(ctx, f.store, f.operatorA, s1.ID, &own))
		for _, sys := range []int64{s1.ID, s2.ID} {
			must(t, inventory.AddAsset(ctx, f.store, f.operatorA, sys, &inventory.Asset{Kind: "domain", Value: "chung.cantho.gov.vn"}))
		}
		must(t, inventory.AddAsset(ctx, f.store, f.operatorA, s2.ID, &inventory.Asset{Kind: "ip", Value: "10.0.0.2"}))
		// An asset linked to no system (left so by an earlier version or a merge) is not the deleted system's.
		loose := inventory.Asset{Kind: "ip", Value: "10.0.0.3"}
		must(t, inventory.AddAsset(ctx, f.store, f.operatorA, s2.ID, &loose))
		must(t, f.store.InTx(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM system_assets WHERE asset_id = ?", loose.ID)
			return err
		}))
		must(t, inventory.SetControl(ctx, f.store, f.operatorA, &inventory.Control{SystemID: s1.ID, Control: "firewall", Status: "yes"}))

		rm, err := inventory.SystemRemoval(ctx, f.store, f.operatorA, s1.ID)
		must(t, err)
		if len(rm.Assets) != 1 || rm.Assets[0].ID != own.ID || len(rm.Shared) != 1 || rm.Shared[0].Value != "chung.cantho.gov.vn" || len(rm.Controls) != 1 {
			t.Fatalf("removal: %+v", rm)
		}
		must(t, inventory.DeleteSystem(ctx, f.store, f.operatorA, s1.ID))
		leftPage, err := inventory.ListAssets(ctx, f.store, f.admin, inventory.AssetFilter{OrgID: f.a.ID}, storage.First(500))
		left := leftPage.Items
		must(t, err)
		var values []string
		for _, a := range left {
			values = append(values, a.Value)
		}
		if len(left) != 3 {
			t.Fatalf("assets left: %v", values)
		}
		for action, id := range map[string]string{"asset.delete": strconv.FormatInt(own.ID, 10), "asset.unlink": strconv.FormatInt(rm.Shared[0].ID, 10),
			"control.delete": strconv.FormatInt(s1.ID, 10), "system.delete": strconv.FormatInt(s1.ID, 10)} {
			entries, err := storage.All(func(p storage.Page) (storage.Paged[audit.Entry], error) {
				return audit.List(ctx, f.store, access.SystemActor("test"), audit.Query{Action: action, ObjectID: id}, p)
			})
			if err != nil || len(entries) != 1 {
				t.Errorf("audit %s of %s: %d entries, %v", action, id, len(entries), err)
			}
		}
	})
}

// TestArchiveSystem: an archived system leaves lists and counts, stays
// readable, and comes back when restored; both are audited.
func TestArchiveSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		sys := inventory.System{OrgID: f.a.ID, Name: "Cũ", Kind: "other", Level: 2}
		must(t, inventory.CreateSystem(ctx, f.store, f.operatorA, &sys))
		count := func(archived bool) int {
			nPage, err := inventory.ListSystems(ctx, f.store, f.operatorA, inventory.SystemFilter{Level: -1, Archived: archived}, storage.First(1))
			n := nPage.Total
			must(t, err)
			return n
		}
		v, err := inventory.ArchiveSystem(ctx, f.store, f.operatorA, sys.ID)
		must(t, err)
		ov, err := inventory.GetOverview(ctx, f.store, f.operatorA)
		must(t, err)
		if v.ArchivedAt == nil || count(false) != 0 || count(true) != 1 || ov.Systems != 0 {
			t.Fatalf("archived: %v, listed %d, archived listed %d, overview %d", v.ArchivedAt, count(false), count(true), ov.Systems)
		}
		// Editing an archived system keeps it archived.
		edit := v.System
		edit.Purpose = "Lưu trữ"
		must(t, inventory.UpdateSystem(ctx, f.store, f.operatorA, &edit))
		if got, _ := inventory.GetSystem(ctx, f.store, f.operatorA, sys.ID); got.ArchivedAt == nil {
			t.Fatal("an update restored the system")
		}
		v, err = inventory.RestoreSystem(ctx, f.store, f.operatorA, sys.ID)
		must(t, err)
		if v.ArchivedAt != nil || count(false) != 1 {
			t.Fatalf("restored: %v, listed %d", v.ArchivedAt, count(false))
		}
		for _, action := range []string{"system.archive", "system.restore"} {
			if entries, err := storage.All(func(p storage.Page) (storage.Paged[audit.Entry], error) {
				return audit.List(ctx, f.store, access.SystemActor("test"), audit.Query{Action: action}, p)
			}); err != nil || len(entries) != 1 {
				t.Errorf("audit %s: %d, %v", action, len(entries), err)
			}
		}
	})
}
