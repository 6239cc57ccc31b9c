package report_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/storage"
)

// benchCity is the city of issue 14's target: KHIEN_BENCH_FINDINGS findings (200,000 by
// default) over 500 systems of 20 agencies, of 400 checks (every 40th on the KEV list), in
// every status, found over two years, half the systems scanned in the last five months; and
// the city's yearly review over the 20 agencies. Rows are written as the dashboard's
// benchmark writes them: batched inserts into findings with the counts beside them.
func benchCity(b *testing.B, kind string) (store *storage.Store, root identity.Org, orgs []identity.Org, campaignID int64) {
	n := 200_000
	if _, err := fmt.Sscan(os.Getenv("KHIEN_BENCH_FINDINGS"), &n); err != nil || n <= 0 {
		n = 200_000
	}
	ctx := context.Background()
	store = storage.New(dbtest.Open(b, kind))
	store.SetClock(func() time.Time { return now })
	admin := access.SystemActor("bench")
	root, err := identity.RootOrg(ctx, store)
	must(b, err)
	orgs = make([]identity.Org, 20)
	orgIDs := make([]int64, len(orgs))
	for i := range orgs {
		orgs[i], err = identity.CreateOrg(ctx, store, admin, identity.OrgInput{ParentID: root.ID, Code: fmt.Sprintf("DV%02d", i), Name: fmt.Sprintf("Sở, ngành số %d", i), Kind: identity.OrgDepartment})
		must(b, err)
		orgIDs[i] = orgs[i].ID
	}
	systems := make([]inventory.System, 500)
	for i := range systems {
		systems[i] = inventory.System{OrgID: orgIDs[i%len(orgIDs)], Name: fmt.Sprintf("Hệ thống %03d", i), Kind: "internal_app", Level: 1 + i%5}
		must(b, inventory.CreateSystem(ctx, store, admin, &systems[i]))
	}
	sevs := []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info}
	type cell struct {
		system, org int64
		sev         finding.Severity
		status      finding.Status
	}
	counts := map[cell]int{}
	must(b, store.InTx(ctx, func(tx *storage.Tx) error {
		batch := tx.NewBatch("findings", "fingerprint", "system_id", "org_id", "rule_key", "title", "severity", "severity_rank", "kev", "status",
			"host", "port", "due_date", "first_seen", "last_seen", "status_changed_at", "created_at", "updated_at")
		for i := range n {
			s := systems[i%len(systems)]
			rule := i / 7 % 400
			sev := sevs[rule%len(sevs)]
			st := finding.Statuses[i/len(systems)%len(finding.Statuses)]
			found := now.Add(-time.Duration(i%730) * 24 * time.Hour)
			due := ""
			if st.Open() {
				due = found.AddDate(0, 0, 30).Format(time.DateOnly)
			}
			if err := batch.Add(ctx, fmt.Sprintf("fp-%d", i), s.ID, s.OrgID, fmt.Sprintf("check:rule.%d", rule), fmt.Sprintf("Điểm yếu số %d", rule), string(sev), sev.Rank(),
				rule%40 == 0, string(st), fmt.Sprintf("host%d.cantho.gov.vn", i%len(systems)), 443, due, found, found, found.Add(time.Duration(i%90)*24*time.Hour), found, found); err != nil {
				return err
			}
			counts[cell{s.ID, s.OrgID, sev, st}]++
		}
		if err := batch.Flush(ctx); err != nil {
			return err
		}
		for c, k := range counts {
			if _, err := tx.Exec(ctx, "INSERT INTO finding_counts (system_id, org_id, severity, status, n) VALUES (?, ?, ?, ?, ?)",
				c.system, c.org, string(c.sev), string(c.status), k); err != nil {
				return err
			}
		}
		for i, s := range systems {
			if i%2 == 0 {
				at := now.AddDate(0, 0, -i%150)
				if _, err := tx.Exec(ctx, "INSERT INTO scans (system_id, profile, status, actor, created_at, finished_at, updated_at) VALUES (?, 'standard', 'done', 'bench', ?, ?, ?)", s.ID, at, at, at); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	c, err := campaign.Create(ctx, store, admin, campaign.CreateInput{Input: campaign.Input{Title: "Kế hoạch rà soát năm 2026", Year: 2026, OrgIDs: orgIDs, Template: "yearly_review"}})
	must(b, err)
	stats := "ANALYZE"
	if kind == "postgres" {
		stats = "VACUUM ANALYZE"
	}
	_, err = store.DB().Write.ExecContext(ctx, stats)
	must(b, err)
	return store, root, orgs, c.ID
}

// BenchmarkCityReports generates the reports over the whole city in each format: the
// campaign's consolidated report and the organisation report of the root (a coordinator),
// and one agency's follow-up list; on SQLite and, with KHIEN_TEST_POSTGRES_URL set, on
// PostgreSQL (KHIEN_BENCH_DB=sqlite or postgres for one of them). Issue 14's target: at most
// 10 s and 500 MB of resident memory. MB-maxrss is the process's peak resident set so far
// (getrusage), the seeding included: an upper bound of what generating took.
// KHIEN_BENCH_REPORT_DIR keeps the last file of each.
func BenchmarkCityReports(b *testing.B) {
	kinds := []string{"sqlite"}
	if os.Getenv("KHIEN_TEST_POSTGRES_URL") != "" {
		kinds = append(kinds, "postgres")
	}
	if k := os.Getenv("KHIEN_BENCH_DB"); k != "" {
		kinds = []string{k}
	}
	coordinator := access.Actor{UserID: 1, Email: "dp@cantho.gov.vn", Role: access.Coordinator, OrgPath: "/1/"}
	for _, db := range kinds {
		store, root, orgs, campaignID := benchCity(b, db)
		for _, c := range []struct {
			kind    string
			id      int64
			formats []string
		}{
			{"campaign", campaignID, report.Formats},
			{"org", root.ID, report.Formats},
			{"followup", orgs[3].ID, []string{"pdf", "xlsx"}},
		} {
			for _, format := range c.formats {
				b.Run(db+"/"+c.kind+"/"+format, func(b *testing.B) {
					var file report.File
					for b.Loop() {
						var err error
						if file, err = report.Generate(context.Background(), store, coordinator, report.Request{Kind: c.kind, ID: c.id, Format: format}, now); err != nil {
							b.Fatal(err)
						}
					}
					if dir := os.Getenv("KHIEN_BENCH_REPORT_DIR"); dir != "" {
						must(b, os.WriteFile(filepath.Join(dir, db+"-"+file.Name), file.Data, 0o600))
					}
					var ru syscall.Rusage
					must(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
					b.ReportMetric(float64(ru.Maxrss)/1024, "MB-maxrss") // kilobytes on Linux
					b.ReportMetric(float64(len(file.Data))/1024, "KB-file")
				})
			}
		}
	}
}
