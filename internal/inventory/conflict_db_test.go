package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
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

// TestConflictKinds: one rule (inventory.Conflicting) decides which values
// registered by two organisations are a conflict, for the asset's flag, the
// import preview's warning and the coordinator's list alike: addresses,
// ranges, domains and URLs are; a server's or a device's name is not.
func TestConflictKinds(t *testing.T) {
	tests := []struct {
		kind, value string
		conflict    bool
	}{
		{"ip", "203.113.150.1", true},
		{"cidr", "203.113.150.0/28", true},
		{"domain", "chung.cantho.gov.vn", true},
		{"url", "https://chung.cantho.gov.vn/dichvu", true},
		{"server", "SRV-01", false},
		{"device", "FW-01", false},
	}
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		sa := inventory.System{OrgID: f.a.ID, Name: "Cổng", Kind: "web_portal"}
		sb := inventory.System{OrgID: f.b.ID, Name: "Một cửa", Kind: "internal_app"}
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &sa))
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &sb))
		b := &inventory.Batch{}
		record(b, inventory.SystemsSheet, 2, map[string]string{"name": "Mới", "kind": "other"})
		mine := map[string]int64{}
		for i, tt := range tests {
			must(t, inventory.AddAsset(ctx, f.store, f.admin, sb.ID, &inventory.Asset{Kind: tt.kind, Value: tt.value}))
			a := inventory.Asset{Kind: tt.kind, Value: tt.value}
			must(t, inventory.AddAsset(ctx, f.store, f.admin, sa.ID, &a))
			mine[tt.kind] = a.ID
			record(b, inventory.AssetsSheet, 2+i, map[string]string{"systems": "Mới", "kind": tt.kind, "value": tt.value})
		}
		res, err := inventory.Import(ctx, f.store, f.operatorA, f.a.ID, b, importing.Options{DryRun: true})
		must(t, err)
		warned := map[int]bool{}
		for _, w := range res.Warnings {
			warned[w.Row] = true
		}
		page, err := inventory.AssetConflicts(ctx, f.store, f.admin, storage.First(500))
		must(t, err)
		listed := map[string]bool{}
		for _, c := range page.Items {
			listed[c.Kind] = true
		}
		for i, tt := range tests {
			seen, err := inventory.GetAsset(ctx, f.store, f.operatorA, mine[tt.kind])
			must(t, err)
			if flagged := seen.Elsewhere != nil; flagged != tt.conflict {
				t.Errorf("%s %s: flagged %v, want %v", tt.kind, tt.value, flagged, tt.conflict)
			}
			if warned[2+i] != tt.conflict {
				t.Errorf("%s %s: preview warns %v, want %v (%v)", tt.kind, tt.value, warned[2+i], tt.conflict, res.Warnings)
			}
			if listed[tt.kind] != tt.conflict {
				t.Errorf("%s %s: listed as a conflict %v, want %v", tt.kind, tt.value, listed[tt.kind], tt.conflict)
			}
			if got := inventory.Conflicting(tt.kind); got != tt.conflict {
				t.Errorf("Conflicting(%s) = %v", tt.kind, got)
			}
		}
	})
}

// TestUnshare: the coordinator takes back a "shared infrastructure"
// decision, audited with the decision undone, and the value is listed and
// flagged as a conflict again; an agency may not, an unknown value is not
// found, a missing kind or value is refused.
func TestUnshare(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var assets []int64
		for _, org := range []int64{f.a.ID, f.b.ID} {
			s := inventory.System{OrgID: org, Name: "Cổng", Kind: "web_portal"}
			must(t, inventory.CreateSystem(ctx, f.store, f.admin, &s))
			a := inventory.Asset{Kind: "ip", Value: "203.113.160.1"}
			must(t, inventory.AddAsset(ctx, f.store, f.admin, s.ID, &a))
			assets = append(assets, a.ID)
		}
		value := inventory.Unshared{Kind: "ip", Value: "203.113.160.1"}
		must(t, inventory.ResolveConflict(ctx, f.store, f.admin, inventory.Resolution{Kind: "ip", Value: value.Value, Shared: true, Note: "Reverse proxy"}))
		shared, err := inventory.SharedValues(ctx, f.store, f.admin, storage.First(500))
		must(t, err)
		if len(shared.Items) != 1 || shared.Items[0].Note != "Reverse proxy" || shared.Items[0].Orgs != 2 || shared.Items[0].CreatedAt.IsZero() {
			t.Fatalf("shared values: %+v", shared.Items)
		}
		if _, err := inventory.SharedValues(ctx, f.store, f.operatorA, storage.First(500)); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("agency lists shared values: %v", err)
		}

		for _, tt := range []struct {
			name  string
			actor access.Actor
			u     inventory.Unshared
			want  func(error) bool
		}{
			{"an agency", f.operatorA, value, func(err error) bool { return errors.Is(err, access.ErrForbidden) }},
			{"no value", f.admin, inventory.Unshared{Kind: "ip"}, func(err error) bool { _, ok := validation.As(err); return ok }},
			{"not shared", f.admin, inventory.Unshared{Kind: "domain", Value: value.Value}, func(err error) bool { return errors.Is(err, access.ErrNotFound) }},
		} {
			if err := inventory.Unshare(ctx, f.store, tt.actor, tt.u); !tt.want(err) {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
		must(t, inventory.Unshare(ctx, f.store, f.admin, value))
		if err := inventory.Unshare(ctx, f.store, f.admin, value); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("unshared twice: %v", err)
		}
		review, err := inventory.ReviewConflicts(ctx, f.store, f.admin)
		must(t, err)
		if len(review.Shared) != 0 || len(review.Conflicts) != 1 || review.Conflicts[0].Value != value.Value {
			t.Fatalf("after unsharing: %+v", review)
		}
		seen, err := inventory.GetAsset(ctx, f.store, f.operatorA, assets[0])
		must(t, err)
		if seen.Elsewhere == nil || seen.Elsewhere.Orgs != 1 {
			t.Fatalf("not flagged again: %+v", seen.Elsewhere)
		}
		entries, err := storage.All(func(p storage.Page) (storage.Paged[audit.Entry], error) {
			return audit.List(ctx, f.store, access.SystemActor("test"), audit.Query{Action: "asset.unshared"}, p)
		})
		must(t, err)
		if len(entries) != 1 || !strings.Contains(fmt.Sprint(entries[0].Details), "Reverse proxy") {
			t.Fatalf("audit: %+v", entries)
		}
		// Marked shared again, it leaves the list again.
		must(t, inventory.ResolveConflict(ctx, f.store, f.admin, inventory.Resolution{Kind: "ip", Value: value.Value, Shared: true}))
		if review, err = inventory.ReviewConflicts(ctx, f.store, f.admin); err != nil || len(review.Conflicts) != 0 || len(review.Shared) != 1 {
			t.Fatalf("shared again: %+v, %v", review, err)
		}
	})
}
