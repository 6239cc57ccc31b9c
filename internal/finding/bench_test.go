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

// storedCity is a database holding KHIEN_BENCH_STORED findings (1,000,000
// by default) over 2,000 hosts of 100 systems of 20 agencies, in every
// status, written straight through the findings table: the import's own
// speed is BenchmarkImportObservations's business.
func storedCity(b *testing.B) (*storage.Store, identity.Org, int64) {
	n := 1_000_000
	if _, err := fmt.Sscan(os.Getenv("KHIEN_BENCH_STORED"), &n); err != nil {
		n = 1_000_000
	}
	kind := os.Getenv("KHIEN_BENCH_DB")
	if kind == "" {
		kind = "sqlite"
	}
	store := storage.New(dbtest.Open(b, kind))
	hosts := benchCity(b, store, 2000)
	ctx := context.Background()
	idx, err := loadScope(ctx, store, access.SystemActor("bench"), ImportRequest{})
	if err != nil {
		b.Fatal(err)
	}
	sevs := []Severity{Info, Low, Low, Medium, Medium, Medium, High, High, Critical, Info}
	now := time.Now().UTC().Truncate(time.Microsecond)
	err = store.InTx(ctx, func(tx *storage.Tx) error {
		ins := tx.NewBatch("findings", findingTable.Names()...)
		for i := range n {
			h := hosts[i%len(hosts)]
			m := idx.index.Find(h, h, "")
			f := Finding{Fingerprint: fmt.Sprintf("%032x", i), SystemID: m.SystemID, OrgID: m.OrgID, AssetID: m.AssetID, RuleKey: fmt.Sprintf("nuclei:t%d", i%500),
				CheckID: fmt.Sprintf("t%d", i%500), Tool: "nuclei", Title: fmt.Sprintf("Lỗ hổng mẫu số %d", i%500), Severity: sevs[i%len(sevs)],
				CVEs: []string{}, Tags: []string{}, References: []string{}, Host: h, IP: h, Port: 443, Status: Statuses[i%len(Statuses)],
				KEV: i%997 == 0, DueDate: now.AddDate(0, 0, i%200-100).Format(time.DateOnly), FirstSeen: now, LastSeen: now, TimesSeen: 1,
				StatusAt: now, CreatedAt: now, UpdatedAt: now}
			if i%10 == 0 {
				f.CVEs = []string{fmt.Sprintf("CVE-2024-%04d", i%9000)}
			}
			f.Priority, _ = Priority(f, m.Level)
			if err := ins.Add(ctx, findingTable.Values(&f)...); err != nil {
				return err
			}
		}
		return ins.Flush(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.DB().Write.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	var org identity.Org
	org, err = identity.OrgByCode(ctx, store, access.SystemActor("bench"), "DV07")
	if err != nil {
		b.Fatal(err)
	}
	var sys int64
	if err := store.QueryRow(ctx, "SELECT id FROM systems WHERE org_id = ? ORDER BY id LIMIT 1", org.ID).Scan(&sys); err != nil {
		b.Fatal(err)
	}
	return store, org, sys
}

// BenchmarkFindingsAtScale reads the first page of the findings list with
// one filter at a time, and counts by severity and status, over a million
// stored findings, as the city coordinator.
func BenchmarkFindingsAtScale(b *testing.B) {
	store, org, sys := storedCity(b)
	ctx := context.Background()
	actor := access.SystemActor("bench")
	for _, c := range []struct {
		name string
		f    Filter
	}{
		{"list/none", Filter{}},
		{"list/org", Filter{OrgID: org.ID}},
		{"list/system", Filter{SystemID: sys}},
		{"list/severity=critical", Filter{Severity: []string{"critical"}}},
		{"list/severity=info", Filter{Severity: []string{"info"}}},
		{"list/status=open", Filter{Status: []string{"open"}}},
		{"list/status=risk_accepted", Filter{Status: []string{"risk_accepted"}}},
		{"list/overdue", Filter{Overdue: true}},
		{"list/kev", Filter{KEV: true}},
		{"list/tool", Filter{Tool: "nuclei"}},
		{"list/q", Filter{Query: "lo hong mau so 42"}},
		{"list/cve", Filter{CVE: "CVE-2024-0420"}},
		{"list/sort=due", Filter{Sort: "due"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := List(ctx, store, actor, c.f, storage.First(50)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, c := range []struct {
		name string
		f    Filter
	}{{"counts/city", Filter{}}, {"counts/org", Filter{OrgID: org.ID}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Count(ctx, store, actor, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
