package inventory_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// TestConflicts: a value registered by two agencies is flagged to each
// without naming the other, named to the coordinator, and resolved by
// giving it to one system or marking it shared.
func TestConflicts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		sa := inventory.System{OrgID: f.a.ID, Name: "Cổng", Kind: "web_portal"}
		sb := inventory.System{OrgID: f.b.ID, Name: "Một cửa", Kind: "internal_app"}
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &sa))
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &sb))
		mine := inventory.Asset{Kind: "ip", Value: "203.113.140.1"}
		must(t, inventory.AddAsset(ctx, f.store, f.operatorA, sa.ID, &mine))
		theirs := inventory.Asset{Kind: "ip", Value: "203.113.140.1"}
		must(t, inventory.AddAsset(ctx, f.store, f.admin, sb.ID, &theirs))
		for _, sys := range []int64{sa.ID, sb.ID} {
			must(t, inventory.AddAsset(ctx, f.store, f.admin, sys, &inventory.Asset{Kind: "ip", Value: "203.113.140.2"}))
		}

		seen, err := inventory.GetAsset(ctx, f.store, f.operatorA, mine.ID)
		must(t, err)
		if seen.Elsewhere == nil || seen.Elsewhere.Orgs != 1 || seen.Elsewhere.OrgCodes != nil {
			t.Fatalf("agency's view: %+v", seen.Elsewhere)
		}
		seen, err = inventory.GetAsset(ctx, f.store, f.admin, mine.ID)
		must(t, err)
		if seen.Elsewhere == nil || strings.Join(seen.Elsewhere.OrgCodes, ",") != "NINHKIEU" {
			t.Fatalf("coordinator's view: %+v", seen.Elsewhere)
		}

		// The importer's preview warns, without the other agency's name.
		b := &inventory.Batch{}
		record(b, inventory.SystemsSheet, 2, map[string]string{"name": "Mới", "kind": "other"})
		record(b, inventory.AssetsSheet, 2, map[string]string{"systems": "Mới", "kind": "ip", "value": "203.113.140.1"})
		res, err := inventory.Import(ctx, f.store, f.operatorA, f.a.ID, b, importing.Options{DryRun: true})
		must(t, err)
		if len(res.Problems) != 0 || len(res.Warnings) != 1 || res.Warnings[0].Column != "D" || strings.Contains(res.Warnings[0].Message, "NINHKIEU") ||
			!strings.Contains(res.Warnings[0].Message, "đơn vị khác") {
			t.Fatalf("preview warnings: %+v (problems %v)", res.Warnings, res.Problems)
		}

		conflictsPage, err := inventory.AssetConflicts(ctx, f.store, f.admin, storage.First(500))
		conflicts := conflictsPage.Items
		must(t, err)
		if len(conflicts) != 2 || len(conflicts[0].Systems) != 2 {
			t.Fatalf("conflicts: %+v", conflicts)
		}
		one := inventory.Resolution{Kind: "ip", Value: "203.113.140.1", SystemID: sa.ID}
		if err := inventory.ResolveConflict(ctx, f.store, f.operatorA, one); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("agency resolves: %v", err)
		}
		if err := inventory.ResolveConflict(ctx, f.store, f.admin, inventory.Resolution{Kind: "ip", Value: "203.113.140.1"}); err == nil {
			t.Fatal("a resolution with no decision accepted")
		}
		must(t, inventory.ResolveConflict(ctx, f.store, f.admin, one))
		if _, err := inventory.GetAsset(ctx, f.store, f.admin, theirs.ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("the other registration stays: %v", err)
		}
		must(t, inventory.ResolveConflict(ctx, f.store, f.admin, inventory.Resolution{Kind: "ip", Value: "203.113.140.2", Shared: true, Note: "Reverse proxy"}))
		conflictsPage, err = inventory.AssetConflicts(ctx, f.store, f.admin, storage.First(500))
		conflicts = conflictsPage.Items
		must(t, err)
		leftPage, err := inventory.ListAssets(ctx, f.store, f.admin, inventory.AssetFilter{}, storage.First(500))
		left := leftPage.Items
		must(t, err)
		if len(conflicts) != 0 || len(left) != 3 {
			t.Fatalf("after resolving: conflicts %+v, assets %d", conflicts, len(left))
		}
		for _, a := range left {
			if a.Elsewhere != nil {
				t.Errorf("%s still flagged: %+v", a.Value, a.Elsewhere)
			}
		}
		for _, action := range []string{"asset.delete", "asset.shared"} {
			if entries, err := storage.All(func(p storage.Page) (storage.Paged[audit.Entry], error) {
				return audit.List(ctx, f.store, access.SystemActor("test"), audit.Query{Action: action}, p)
			}); err != nil || len(entries) != 1 {
				t.Errorf("audit %s: %d, %v", action, len(entries), err)
			}
		}
	})
}
