package finding

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	n := benchSize()
	for b.Loop() {
		b.StopTimer()
		store := benchStore(b)
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
	store := benchStore(b)
	hosts := benchCity(b, store, 2000)
	ctx := context.Background()
	idx, err := loadScope(ctx, store, access.SystemActor("bench"), ImportRequest{})
	if err != nil {
		b.Fatal(err)
	}
	sevs := []Severity{Info, Low, Low, Medium, Medium, Medium, High, High, Critical, Info}
	now := time.Now().UTC().Truncate(time.Microsecond)
	start := time.Now()
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
		if err := ins.Flush(ctx); err != nil {
			return err
		}
		// The rows went in without the import: count them as it would have.
		if _, err := tx.Exec(ctx, "INSERT INTO finding_cves (cve, finding_id) SELECT cves, id FROM findings WHERE cves <> ''"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO finding_counts (system_id, org_id, severity, status, n) SELECT COALESCE(system_id, 0), COALESCE(org_id, 0), severity, status, count(*) FROM findings GROUP BY 1, 2, 3, 4")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// The rate of plain inserts of finding rows: the ceiling of an import's writes.
	b.Logf("%d findings inserted at %.0f rows/s", n, float64(n)/time.Since(start).Seconds())
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

// writeNuclei writes n Nuclei v3 JSONL results, 50 templates per host, as
// `nuclei -jsonl` reports a city's servers (with request and response).
func writeNuclei(w io.Writer, hosts []string, n int) error {
	bw := bufio.NewWriter(w)
	sevs := []string{"info", "low", "medium", "high", "critical"}
	for i := range n {
		h, tpl := hosts[i/50%len(hosts)], i%50
		_, err := fmt.Fprintf(bw, `{"template-id":"bench-template-%d","info":{"name":"Bench template %d","author":["khien"],"tags":["misconfig","bench"],"description":"A generated check.","severity":"%s","classification":{"cwe-id":["cwe-200"]}},"matcher-name":"m%d","type":"http","host":"%s","port":"80","scheme":"http","url":"http://%s","matched-at":"http://%s/path-%d","request":"GET /path-%d HTTP/1.1\r\nHost: %s\r\n\r\n","response":"HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n","ip":"%s","timestamp":"2026-11-30T09:12:41.123456789+07:00","matcher-status":true}`+"\n",
			tpl, tpl, sevs[tpl%5], tpl%3, h, h, h, tpl, tpl, h, h)
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}

// TestWriteNucleiBenchFile writes the benchmark's file to
// KHIEN_BENCH_NUCLEI_FILE (for scripts/bench-import.sh); skipped otherwise.
func TestWriteNucleiBenchFile(t *testing.T) {
	path := os.Getenv("KHIEN_BENCH_NUCLEI_FILE")
	if path == "" {
		t.Skip("set KHIEN_BENCH_NUCLEI_FILE to write the benchmark's Nuclei file")
	}
	hosts := make([]string, 2000)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("10.20.%d.%d", i/250, i%250+1)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := writeNuclei(f, hosts, benchSize()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkImportNuclei imports a 100,000-finding Nuclei JSONL over 2,000
// registered hosts, then the same file again, and parses it alone: the
// whole import, its second run and its ceiling on the parser's side.
func BenchmarkImportNuclei(b *testing.B) {
	n := benchSize()
	for b.Loop() {
		b.StopTimer()
		store := benchStore(b)
		hosts := benchCity(b, store, 2000)
		path := filepath.Join(b.TempDir(), "nuclei.jsonl")
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := writeNuclei(f, hosts, n); err != nil {
			b.Fatal(err)
		}
		f.Close()
		open := func() (io.ReadCloser, error) { return os.Open(path) }
		b.StartTimer()
		start := time.Now()
		parsed := 0
		r, _ := open()
		if _, err := source.Parse(context.Background(), r, "auto", source.Handler{Finding: func(source.Observation) error { parsed++; return nil }}); err != nil || parsed != n {
			b.Fatal(parsed, err)
		}
		r.Close()
		parse := time.Since(start)
		start = time.Now()
		s, err := Import(context.Background(), store, access.SystemActor("bench"), ImportRequest{}, open, nil, nil)
		if err != nil || s.Created != n {
			b.Fatalf("%+v %v", s, err)
		}
		first := time.Since(start)
		start = time.Now()
		if s, err := Import(context.Background(), store, access.SystemActor("bench"), ImportRequest{}, open, nil, nil); err != nil || s.Unchanged != n {
			b.Fatalf("%+v %v", s, err)
		}
		again := time.Since(start)
		b.ReportMetric(float64(n)/parse.Seconds(), "parse-findings/s")
		b.ReportMetric(float64(n)/first.Seconds(), "findings/s")
		b.ReportMetric(float64(n)/again.Seconds(), "reimport-findings/s")
	}
}

// benchStore is a fresh database: SQLite, or PostgreSQL with KHIEN_BENCH_DB=postgres.
func benchStore(b *testing.B) *storage.Store {
	kind := os.Getenv("KHIEN_BENCH_DB")
	if kind == "" {
		kind = "sqlite"
	}
	return storage.New(dbtest.Open(b, kind))
}
