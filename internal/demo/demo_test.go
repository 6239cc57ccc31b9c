package demo_test

import (
	"context"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/identity"
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
		if sum.Agencies < 40 || sum.Merged < 10 || sum.Systems < 120 || len(sum.Users) != len(access.Roles) {
			t.Fatalf("demo too small: %+v", sum)
		}
		checkTodaysCity(t, store, sum)
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

// checkTodaysCity: since 1 July 2025 the city has two levels (no active
// district), wards and communes from the former Hậu Giang and Sóc Trăng
// areas, and every organisation of before is merged, archived, with its
// systems in today's organisation.
func checkTodaysCity(t *testing.T, store *storage.Store, sum demo.Summary) {
	t.Helper()
	ctx := context.Background()
	actor := access.SystemActor("test")
	root, err := identity.RootOrg(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := identity.Subtree(ctx, store, actor, root.ID)
	if err != nil {
		t.Fatal(err)
	}
	active, archived := 0, 0
	for _, o := range orgs {
		switch {
		case o.ArchivedAt != nil:
			archived++
		case o.Kind == identity.OrgDistrict:
			t.Errorf("%s (%s) is an active district", o.Code, o.Name)
		case o.Depth() > 1 && o.Kind == identity.OrgCommune:
			t.Errorf("%s (%s) is a commune below the city's level", o.Code, o.Name)
		default:
			active++
		}
	}
	if active != sum.Agencies+1 || archived != sum.Merged {
		t.Errorf("%d active and %d archived organisations; summary %+v", active, archived, sum)
	}
	mergesPage, err := inventory.ListMerges(ctx, store, actor, storage.First(500))
	merges := mergesPage.Items
	if err != nil {
		t.Fatal(err)
	}
	into := map[string]bool{}
	for _, m := range merges {
		into[m.FromCode+">"+m.IntoCode] = true
	}
	for _, want := range []string{"HG-SKHCN>SKHCN", "ST-SKHCN>SKHCN", "Q-NINHKIEU>P-NINHKIEU", "TP-SOCTRANG>P-SOCTRANG", "TP-VITHANH>P-VITHANH"} {
		if !into[want] {
			t.Errorf("no merge %s among %v", want, into)
		}
	}
	skhcn, err := identity.OrgByCode(ctx, store, actor, "SKHCN")
	if err != nil {
		t.Fatal(err)
	}
	systemsPage, err := inventory.ListSystems(ctx, store, actor, inventory.SystemFilter{Level: -1, OrgID: skhcn.ID, Query: "Hậu Giang"}, storage.First(500))
	systems := systemsPage.Items
	if err != nil || len(systems) == 0 {
		t.Errorf("SKHCN holds no system of the former Hậu Giang department (%v)", err)
	}
}
