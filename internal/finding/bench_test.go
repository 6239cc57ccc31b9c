package finding

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// benchCity registers hosts 10.20.x.y as the assets of systems of 20
// agencies, 20 hosts per system, and returns the host names.
func benchCity(b *testing.B, store *storage.Store, hosts int) []string {
	ctx := context.Background()
	admin := access.SystemActor("bench")
	root, err := identity.RootOrg(ctx, store)
	if err != nil {
		b.Fatal(err)
	}
	var orgs []identity.Org
	for i := range 20 {
		o, err := identity.CreateOrg(ctx, store, admin, identity.OrgInput{ParentID: root.ID, Code: fmt.Sprintf("DV%02d", i), Name: fmt.Sprintf("Đơn vị %d", i), Kind: identity.OrgDepartment})
		if err != nil {
			b.Fatal(err)
		}
		orgs = append(orgs, o)
	}
	names := make([]string, hosts)
	var sys inventory.System
	for i := range hosts {
		if i%20 == 0 {
			sys = inventory.System{OrgID: orgs[i/20%len(orgs)].ID, Name: fmt.Sprintf("Hệ thống %d", i/20), Kind: "internal_app", Level: 1 + i/20%4}
			if err := inventory.CreateSystem(ctx, store, admin, &sys); err != nil {
				b.Fatal(err)
			}
		}
		names[i] = fmt.Sprintf("10.20.%d.%d", i/250, i%250+1)
		if err := inventory.AddAsset(ctx, store, admin, sys.ID, &inventory.Asset{Kind: "ip", Value: names[i]}); err != nil {
			b.Fatal(err)
		}
	}
	return names
}

// benchObservations is n findings of 50 templates spread over the hosts, as
// a Nuclei run over a city's servers reports them.
func benchObservations(hosts []string, n int, at time.Time) []source.Observation {
	sevs := []Severity{Info, Low, Medium, High, Critical}
	obs := make([]source.Observation, n)
	for i := range obs {
		tpl := i % 50
		obs[i] = source.Observation{Tool: "nuclei", RuleID: fmt.Sprintf("template-%d", tpl), Title: fmt.Sprintf("Template %d", tpl),
			Severity: sevs[tpl%5], Host: hosts[i/50%len(hosts)], Port: 80 + i%7, URL: fmt.Sprintf("http://%s/path-%d", hosts[i/50%len(hosts)], i%13),
			Evidence: "matched-at: /path", Tags: []string{"misconfig"}, SeenAt: at}
	}
	return obs
}

// BenchmarkImportObservations writes 100,000 findings over 2,000 hosts, then
// the same again: the database side of an import, without a file to parse.
// KHIEN_BENCH_DB=postgres runs it on PostgreSQL.
func BenchmarkImportObservations(b *testing.B) {
	kind := os.Getenv("KHIEN_BENCH_DB")
	if kind == "" {
		kind = "sqlite"
	}
	n := benchSize()
	for b.Loop() {
		b.StopTimer()
		store := storage.New(dbtest.Open(b, kind))
		hosts := benchCity(b, store, 2000)
		obs := benchObservations(hosts, n, time.Now().Add(-time.Hour))
		b.StartTimer()
		start := time.Now()
		s, err := ImportObservations(context.Background(), store, access.SystemActor("bench"), ImportRequest{}, obs, nil)
		if err != nil || s.Created != n {
			b.Fatalf("%+v %v", s, err)
		}
		first := time.Since(start)
		start = time.Now()
		if s, err := ImportObservations(context.Background(), store, access.SystemActor("bench"), ImportRequest{}, obs, nil); err != nil || s.Unchanged != n {
			b.Fatalf("%+v %v", s, err)
		}
		again := time.Since(start)
		b.ReportMetric(float64(n)/first.Seconds(), "findings/s")
		b.ReportMetric(float64(n)/again.Seconds(), "reimport-findings/s")
	}
}

// benchSize is KHIEN_BENCH_FINDINGS, 100,000 by default.
func benchSize() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("KHIEN_BENCH_FINDINGS"), &n); err != nil || n <= 0 {
		return 100_000
	}
	return n
}
