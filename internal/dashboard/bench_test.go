package dashboard

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// benchCity is KHIEN_BENCH_STORED findings (1,000,000 by default) over 500
// systems of 20 agencies, found over two years, in every status, a fifth
// of them resolved, with a complete scan of every other system: the city
// the dashboards' target of 300 ms per page is set for.
func benchCity(b testing.TB, kind string) (*storage.Store, []identity.Org, []inventory.System) {
	n := 1_000_000
	if _, err := fmt.Sscan(os.Getenv("KHIEN_BENCH_STORED"), &n); err != nil {
		n = 1_000_000
	}
	ctx := context.Background()
	store := storage.New(dbtest.Open(b, kind))
	store.SetClock(func() time.Time { return now })
	admin := access.SystemActor("bench")
	root, err := identity.RootOrg(ctx, store)
	must(b, err)
	var orgs []identity.Org
	for i := range 20 {
		o, err := identity.CreateOrg(ctx, store, admin, identity.OrgInput{ParentID: root.ID, Code: fmt.Sprintf("DV%02d", i), Name: fmt.Sprintf("Đơn vị %d", i), Kind: identity.OrgDepartment})
		must(b, err)
		orgs = append(orgs, o)
	}
	systems := make([]inventory.System, 500)
	for i := range systems {
		systems[i] = inventory.System{OrgID: orgs[i%len(orgs)].ID, Name: fmt.Sprintf("Hệ thống %d", i), Kind: "internal_app", Level: 1 + i%5}
		must(b, inventory.CreateSystem(ctx, store, admin, &systems[i]))
	}
	statuses := finding.Statuses
	sevs := Severities
	seed(b, store, func(yield func(row) bool) {
		for i := range n {
			s := systems[i%len(systems)]
			found := now.Add(-time.Duration(i%730) * 24 * time.Hour)
			st := statuses[i/len(systems)%len(statuses)]
			due := ""
			if st.Open() {
				due = found.AddDate(0, 0, 30).Format(time.DateOnly)
			}
			if !yield(row{s.ID, s.OrgID, sevs[i%len(sevs)], st, due, found, found.Add(time.Duration(i%90) * 24 * time.Hour)}) {
				return
			}
		}
	})
	must(b, store.InTx(ctx, func(tx *storage.Tx) error {
		for i, s := range systems {
			if i%2 == 0 {
				at := now.AddDate(0, -i%8, 0)
				if _, err := tx.Exec(ctx, "INSERT INTO scans (system_id, profile, status, actor, created_at, finished_at, updated_at) VALUES (?, 'standard', 'done', 'bench', ?, ?, ?)", s.ID, at, at, at); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	// What a server does as the table grows (autovacuum: statistics and
	// the visibility map index-only scans need; SQLite's optimize).
	stats := "ANALYZE"
	if kind == "postgres" {
		stats = "VACUUM ANALYZE"
	}
	_, err = store.DB().Write.ExecContext(ctx, stats)
	must(b, err)
	return store, orgs, systems
}

// BenchmarkDashboard reads the city's, one agency's (as the agency) and one
// system's dashboard over the stored findings, on SQLite and, with
// KHIEN_TEST_POSTGRES_URL set, on PostgreSQL (KHIEN_BENCH_DB=sqlite or
// postgres for one of them).
func BenchmarkDashboard(b *testing.B) {
	kinds := []string{"sqlite"}
	if os.Getenv("KHIEN_TEST_POSTGRES_URL") != "" {
		kinds = append(kinds, "postgres")
	}
	if k := os.Getenv("KHIEN_BENCH_DB"); k != "" {
		kinds = []string{k}
	}
	for _, kind := range kinds {
		store, orgs, systems := benchCity(b, kind)
		agency := access.Actor{UserID: 1, Email: "op@dv.vn", Role: access.AgencyOperator, OrgID: orgs[3].ID, OrgPath: orgs[3].Path}
		for _, c := range []struct {
			name  string
			actor access.Actor
			scope Scope
		}{
			{"city", access.SystemActor("bench"), Scope{}},
			{"agency", agency, Scope{}},
			{"system", access.SystemActor("bench"), Scope{SystemID: systems[7].ID}},
		} {
			b.Run(kind+"/"+c.name, func(b *testing.B) {
				for b.Loop() {
					if _, err := Get(context.Background(), store, c.actor, c.scope, now); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
