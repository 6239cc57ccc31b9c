package inventory_test

import (
	"context"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

func TestOverviewIsScoped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		sum, err := demo.Load(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		city, err := inventory.GetOverview(ctx, store, access.Actor{Role: access.Coordinator})
		if err != nil {
			t.Fatal(err)
		}
		if city.Systems != sum.Systems || city.Assets != sum.Assets || city.Staff != sum.Staff || city.Orgs != sum.Agencies+1 {
			t.Fatalf("city overview %+v does not match the demo %+v", city, sum)
		}
		total := 0
		for _, n := range city.ByLevel {
			total += n
		}
		if total != city.Systems || city.PersonalData == 0 || city.PopulationDB == 0 {
			t.Fatalf("levels or flags do not add up: %+v", city)
		}
		orgs, err := identity.AllOrgs(ctx, store, access.SystemActor("test"), identity.OrgQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var agency identity.Org
		for _, o := range orgs {
			if o.Code == "SKHCN" {
				agency = o
			}
		}
		own, err := inventory.GetOverview(ctx, store, access.Actor{Role: access.AgencyOperator, OrgID: agency.ID, OrgPath: agency.Path})
		if err != nil {
			t.Fatal(err)
		}
		if own.Systems == 0 || own.Systems >= city.Systems || own.Orgs != 1 {
			t.Fatalf("agency overview %+v is not limited to its agency", own)
		}
	})
}
