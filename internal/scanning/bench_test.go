package scanning

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// BenchmarkQuarterlySchedule: the quarterly scans of 5,000 systems fall due
// at once. servers ticks run together (several `khien serve` on one
// PostgreSQL; one on SQLite), then 4 agents claim every scan. It reports the
// time from the tick to all scans queued, the mean claim latency, and fails
// on any duplicate.
//
//	go test ./internal/scanning -run '^$' -bench QuarterlySchedule -benchtime 1x
func BenchmarkQuarterlySchedule(b *testing.B) {
	const systems, agents = 5000, 4
	for _, tc := range []struct {
		kind    string
		servers int
	}{{"sqlite", 1}, {"postgres", 2}} {
		b.Run(fmt.Sprintf("%s/%d-servers", tc.kind, tc.servers), func(b *testing.B) {
			db := dbtest.Open(b, tc.kind)
			store := storage.New(db)
			ctx := context.Background()
			agentIDs := seedSchedules(b, store, systems, agents)
			for b.Loop() {
				b.StopTimer()
				must(b, store.InTx(ctx, func(tx *storage.Tx) error {
					for _, q := range []string{"DELETE FROM scan_hosts", "DELETE FROM scans"} {
						if _, err := tx.Exec(ctx, q); err != nil {
							return err
						}
					}
					_, err := tx.Exec(ctx, "UPDATE scan_schedules SET next_run_at = ?", tx.Now().Add(-time.Minute))
					return err
				}))
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for range tc.servers {
					wg.Go(func() {
						if _, err := Tick(ctx, store); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				tick := time.Since(start)
				var queued, distinct int
				must(b, store.QueryRow(ctx, "SELECT COUNT(*), COUNT(DISTINCT system_id) FROM scans WHERE status = ?", StatusQueued).Scan(&queued, &distinct))
				if queued != systems || distinct != systems {
					b.Fatalf("%d scans queued for %d systems, want %d each", queued, distinct, systems)
				}
				start = time.Now()
				claims := make([]int, agents)
				for i, id := range agentIDs {
					wg.Go(func() {
						for {
							_, ok, err := Claim(ctx, store, id)
							if err != nil {
								b.Error(err)
							}
							if !ok || err != nil {
								return
							}
							claims[i]++
						}
					})
				}
				wg.Wait()
				claiming := time.Since(start)
				total := 0
				for _, n := range claims {
					total += n
				}
				if total != systems {
					b.Fatalf("%d scans claimed, want %d", total, systems)
				}
				b.ReportMetric(tick.Seconds(), "s-tick-to-queued")
				b.ReportMetric(float64(claiming.Microseconds())/float64(total)*float64(agents)/1000, "ms/claim")
			}
		})
	}
}

// seedSchedules registers systems with an address, a written authorisation
// and a quarterly schedule each, pinned in turn to agents, with plain SQL
// (the setup is not what is measured).
func seedSchedules(b *testing.B, store *storage.Store, systems, agents int) []int64 {
	ctx := context.Background()
	var ids []int64
	for i := range agents {
		a, _, err := agent.Register(ctx, store, access.SystemActor("bench"), fmt.Sprintf("agent-%d", i))
		must(b, err)
		ids = append(ids, a.ID)
	}
	root, err := identity.RootOrg(ctx, store)
	must(b, err)
	org := root.ID
	until := time.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	must(b, store.InTx(ctx, func(tx *storage.Tx) error {
		now := tx.Now()
		for i := range systems {
			sys, err := tx.InsertID(ctx, "INSERT INTO systems (org_id, name, name_search, kind, created_at, updated_at) VALUES (?, ?, ?, 'internal_app', ?, ?)",
				org, fmt.Sprintf("Hệ thống %d", i), fmt.Sprintf("he thong %d", i), now, now)
			if err != nil {
				return err
			}
			asset, err := tx.InsertID(ctx, "INSERT INTO assets (org_id, kind, value, value_search, created_at, updated_at) VALUES (?, 'ip', ?, ?, ?, ?)",
				org, fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256+1), "", now, now)
			if err != nil {
				return err
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{"INSERT INTO system_assets (system_id, asset_id) VALUES (?, ?)", []any{sys, asset}},
				{"INSERT INTO scan_authorizations (system_id, valid_until, actor, created_at) VALUES (?, ?, 'bench', ?)", []any{sys, until, now}},
				{"INSERT INTO scan_schedules (system_id, rrule, profile, starts_at, next_run_at, enabled, actor, created_at, updated_at) VALUES (?, ?, 'safe', ?, ?, ?, 'bench', ?, ?)",
					[]any{sys, DefaultRule, now.Add(-time.Hour), now.Add(-time.Minute), true, now, now}},
				{"INSERT INTO agent_pins (system_id, agent_id, actor, created_at) VALUES (?, ?, 'bench', ?)", []any{sys, ids[i%agents], now}},
			} {
				if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	return ids
}
