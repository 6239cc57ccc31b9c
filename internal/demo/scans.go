package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
)

// ScansSummary is the demo's scan operation: a history of past scans, the
// quarterly schedules, a fragile system's window and what the scope guard
// refused.
type ScansSummary struct {
	Done, Refused, Schedules, Stale int
	NextRun                         time.Time
}

// demoExclusions are every name and address the demo invents: they belong
// to real organisations, so no scan from the demo may touch them. Remove
// one (DELETE /api/v1/scan-exclusions/{id}, coordinator) only for what is yours.
var demoExclusions = []string{"cantho.gov.vn", "haugiang.gov.vn", "soctrang.gov.vn", "203.113.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}

// loadScans gives the demo its scan operation. Past scans are written as
// they would stand once done (the demo scans nothing); what the coordinator
// records (exclusions, an authorisation, a window, schedules) and one scan
// refused by the guard go through the capability.
func loadScans(ctx context.Context, store *storage.Store) (ScansSummary, error) {
	var sum ScansSummary
	coord, err := coordinator(ctx, store)
	if err != nil {
		return sum, err
	}
	for _, v := range demoExclusions {
		if _, err := scanning.AddExclusion(ctx, store, coord, scanning.Exclusion{Value: v, Reason: "Dữ liệu mẫu: tên và địa chỉ của cơ quan thật, không quét"}); err != nil {
			return sum, fmt.Errorf("demo exclusion %s: %w", v, err)
		}
	}
	systems, err := storage.All(func(p storage.Page) (storage.Paged[inventory.SystemView], error) {
		return inventory.ListSystems(ctx, store, coord, inventory.SystemFilter{Level: -1}, p)
	})
	if err != nil {
		return sum, err
	}
	rng := rand.New(rand.NewPCG(2025, 12))
	now := store.Now()
	// Each system's last quarterly scans; one in eight was last scanned
	// eight months ago and one in ten never: Directive 18's six months flag them.
	err = store.InTx(ctx, func(tx *storage.Tx) error {
		for i, s := range systems {
			var ages []int // days ago
			switch {
			case i%10 == 9:
				sum.Stale++
				continue
			case i%8 == 7:
				ages = []int{240}
				sum.Stale++
			default:
				ages = []int{190 + rng.IntN(20), 95 + rng.IntN(20), 5 + rng.IntN(60)}
			}
			for _, days := range ages {
				started := now.Add(-time.Duration(days)*24*time.Hour - time.Duration(rng.IntN(6))*time.Hour)
				finished := started.Add(time.Duration(20+rng.IntN(90)) * time.Minute)
				hosts := 1 + rng.IntN(4)
				found := rng.IntN(14)
				if _, err := tx.Exec(ctx, `INSERT INTO scans (system_id, profile, status, runner, reason, plan, actor, hosts_total, hosts_done, findings, new_findings, reopened, verified,
					created_at, started_at, finished_at, updated_at) VALUES (?, 'safe', ?, 'server', '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					s.ID, scanning.StatusDone, fmt.Sprintf(`{"basis":"campaign","basis_id":1,"targets":[],"exclusions":[],"skipped":[]}`), "system:schedule",
					hosts, hosts, found, found/3, rng.IntN(2), rng.IntN(3), started, started, finished, finished); err != nil {
					return fmt.Errorf("demo scan of %s: %w", s.Name, err)
				}
				sum.Done++
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	// Quarterly schedules at 22:00 on the first day of each quarter, and a
	// fragile system scanned only at night and at weekends, gently.
	q := now.In(i18n.Vietnam)
	start := time.Date(q.Year(), time.Month((int(q.Month())-1)/3*3+1), 1, 22, 0, 0, 0, i18n.Vietnam)
	for _, s := range systems[:min(6, len(systems))] {
		sch, err := scanning.CreateSchedule(ctx, store, coord, scanning.Schedule{SystemID: s.ID, RRule: scanning.DefaultRule, StartsAt: start})
		if err != nil {
			return sum, fmt.Errorf("demo schedule: %w", err)
		}
		sum.Schedules++
		sum.NextRun = *sch.NextRunAt
	}
	if len(systems) > 1 {
		if _, err := scanning.SetSettings(ctx, store, coord, scanning.Settings{SystemID: systems[1].ID, Window: "22:00-05:00; sat,sun",
			Limits: scanning.Limits{PerHost: 1, PerHostRate: 2, HTTPBudget: 80}}); err != nil {
			return sum, fmt.Errorf("demo window: %w", err)
		}
		if _, err := scanning.Authorize(ctx, store, coord, scanning.Authorization{SystemID: systems[1].ID, AuthorizedBy: "Giám đốc Sở Khoa học và Công nghệ",
			DocumentNo: "215/QĐ-SKHCN", ValidUntil: q.AddDate(0, 3, 0).Format(time.DateOnly), Note: "Quét bổ sung sau sự cố"}); err != nil {
			return sum, fmt.Errorf("demo authorisation: %w", err)
		}
	}
	// Asked now, a scan of a demo system is refused: every target is excluded.
	if len(systems) > 0 {
		list, err := scanning.RequestScans(ctx, store, coord, scanning.ScanRequest{SystemID: systems[0].ID})
		if err != nil {
			return sum, fmt.Errorf("demo refused scan: %w", err)
		}
		for _, s := range list {
			if s.Status == scanning.StatusRefused {
				sum.Refused++
			}
		}
	}
	return sum, nil
}
