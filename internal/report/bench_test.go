package report_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/storage"
)

// benchCity is the city of issue 14's benchmark: 500 systems of 20 agencies and 200,000
// findings (KHIEN_BENCH_FINDINGS) found over two years in every status, with a complete scan
// of every other system. The findings and their counts are written straight into the tables.
func benchCity(b *testing.B, kind string) (*storage.Store, identity.Org, []identity.Org) {
	n := 200_000
	if _, err := fmt.Sscan(os.Getenv("KHIEN_BENCH_FINDINGS"), &n); err != nil {
		n = 200_000
	}
	ctx := context.Background()
	store := storage.New(dbtest.Open(b, kind))
	store.SetClock(func() time.Time { return now })
	admin := access.SystemActor("bench")
	root, err := identity.RootOrg(ctx, store)
	must(b, err)
	var orgs []identity.Org
	for i := range 20 {
		o, err := identity.CreateOrg(ctx, store, admin, identity.OrgInput{ParentID: root.ID, Code: fmt.Sprintf("DV%02d", i), Name: fmt.Sprintf("Sở %d", i), Kind: identity.OrgDepartment})
		must(b, err)
		orgs = append(orgs, o)
	}
	systems := make([]inventory.System, 500)
	for i := range systems {
		systems[i] = inventory.System{OrgID: orgs[i%len(orgs)].ID, Name: fmt.Sprintf("Hệ thống %03d", i), Kind: "internal_app", Level: 1 + i%5}
		must(b, inventory.CreateSystem(ctx, store, admin, &systems[i]))
	}
	type cell struct {
		system int64
		sev    finding.Severity
		status finding.Status
	}
	sevs := []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info}
	must(b, store.InTx(ctx, func(tx *storage.Tx) error {
		counts := map[cell]int{}
		batch := tx.NewBatch("findings", "fingerprint", "system_id", "org_id", "rule_key", "title", "severity", "severity_rank", "status",
			"host", "port", "due_date", "first_seen", "last_seen", "status_changed_at", "created_at", "updated_at")
		for i := range n {
			s := systems[i%len(systems)]
			sev, st := sevs[i%len(sevs)], finding.Statuses[i/len(systems)%len(finding.Statuses)]
			found := now.Add(-time.Duration(i%730) * 24 * time.Hour)
			due := ""
			if st.Open() {
				due = found.AddDate(0, 0, 30).Format(time.DateOnly)
			}
			if err := batch.Add(ctx, fmt.Sprintf("fp-%d", i), s.ID, s.OrgID, "rule", fmt.Sprintf("Lỗ hổng số %d", i), string(sev), sev.Rank(), string(st),
				fmt.Sprintf("host%d.cantho.gov.vn", i%len(systems)), 443, due, found, found, found, found, found); err != nil {
				return err
			}
			counts[cell{s.ID, sev, st}]++
		}
		if err := batch.Flush(ctx); err != nil {
			return err
		}
		orgOf := map[int64]int64{}
		for _, s := range systems {
			orgOf[s.ID] = s.OrgID
		}
		for c, k := range counts {
			if _, err := tx.Exec(ctx, "INSERT INTO finding_counts (system_id, org_id, severity, status, n) VALUES (?, ?, ?, ?, ?)", c.system, orgOf[c.system], string(c.sev), string(c.status), k); err != nil {
				return err
			}
		}
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
	stats := "ANALYZE"
	if kind == "postgres" {
		stats = "VACUUM ANALYZE"
	}
	_, err = store.DB().Write.ExecContext(ctx, stats)
	must(b, err)
	return store, root, orgs
}

// BenchmarkCityReport generates the city's organisation report (every format) and one
// agency's follow-up list, on SQLite and, with KHIEN_TEST_POSTGRES_URL set, on PostgreSQL
// (KHIEN_BENCH_DB=sqlite or postgres for one of them); it reports the process's peak RSS.
func BenchmarkCityReport(b *testing.B) {
	kinds := []string{"sqlite"}
	if os.Getenv("KHIEN_TEST_POSTGRES_URL") != "" {
		kinds = append(kinds, "postgres")
	}
	if k := os.Getenv("KHIEN_BENCH_DB"); k != "" {
		kinds = []string{k}
	}
	for _, kind := range kinds {
		store, root, orgs := benchCity(b, kind)
		for _, c := range []struct {
			kind, format string
			id           int64
		}{
			{"org", "docx", root.ID}, {"org", "pdf", root.ID}, {"org", "xlsx", root.ID},
			{"followup", "pdf", orgs[3].ID}, {"followup", "xlsx", orgs[3].ID},
		} {
			b.Run(kind+"/"+c.kind+"/"+c.format, func(b *testing.B) {
				for b.Loop() {
					if _, err := report.Generate(context.Background(), store, access.SystemActor("bench"), report.Request{Kind: c.kind, ID: c.id, Format: c.format}, now); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(peakRSS(), "peak-MB")
			})
		}
	}
}

// peakRSS is the process's peak resident set in megabytes (Linux), or 0.
func peakRSS() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb / 1024
		}
	}
	return 0
}
