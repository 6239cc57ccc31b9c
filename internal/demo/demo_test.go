package demo_test

import (
	"context"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// TestDemoAccountsSeeTheirPartOfTheCity loads the demo and signs in as each
// demo account: every role gets in, and an agency's operator sees only its
// own agency's systems while the coordinator sees the whole city.
func TestDemoAccountsSeeTheirPartOfTheCity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		sum, err := demo.Load(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Agencies < 30 || sum.Systems < 120 || len(sum.Users) != len(access.Roles) {
			t.Fatalf("demo too small: %+v", sum)
		}
		authn := auth.NewAuthenticator(store)
		seen := map[access.Role]int{}
		for _, u := range sum.Users {
			login, err := authn.Login(ctx, u.Email, demo.Password, "", "127.0.0.1")
			if err != nil {
				t.Fatalf("sign in as %s: %v", u.Email, err)
			}
			if login.NeedsEnrolment != u.Role.RequiresMFA() {
				t.Errorf("%s: enrolment required = %v", u.Email, login.NeedsEnrolment)
			}
			res, err := inventory.ListSystems(ctx, store, login.Actor, inventory.SystemFilter{Level: -1}, storage.First(1))
			n := res.Total
			if err != nil {
				t.Fatal(err)
			}
			seen[u.Role] = n
		}
		if seen[access.Coordinator] != sum.Systems {
			t.Errorf("coordinator sees %d of %d systems", seen[access.Coordinator], sum.Systems)
		}
		if op := seen[access.AgencyOperator]; op == 0 || op >= sum.Systems {
			t.Errorf("agency operator sees %d systems; want its agency's only", op)
		}
		if aud := seen[access.Auditor]; aud == 0 || aud >= sum.Systems {
			t.Errorf("auditor sees %d systems; want its assigned agencies' only", aud)
		}
	})
}
