package inventory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// BenchmarkListSystems reads a page of 100 systems with their organisations,
// as the coordinator's list does.
func BenchmarkListSystems(b *testing.B) {
	ctx := context.Background()
	store := storage.New(dbtest.Open(b, "sqlite"))
	system := access.SystemActor("bench")
	root, err := identity.RootOrg(ctx, store)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 100 {
		s := inventory.System{OrgID: root.ID, Name: fmt.Sprintf("Hệ thống thông tin số %d", i), Kind: "internal_app", Level: 2, Purpose: "Quản lý văn bản và điều hành"}
		if err := inventory.CreateSystem(ctx, store, system, &s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if res, err := inventory.ListSystems(ctx, store, system, inventory.SystemFilter{Level: -1}, storage.First(100)); err != nil || len(res.Items) != 100 {
			b.Fatal(len(res.Items), err)
		}
	}
}
