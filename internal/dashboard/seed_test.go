package dashboard

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/storage"
)

// row is one finding the tests and the benchmark write straight into the
// findings table, with the counts the findings capability keeps beside it.
type row struct {
	system, org int64
	sev         finding.Severity
	status      finding.Status
	due         string
	firstSeen   time.Time
	changedAt   time.Time
}

type cell struct {
	system int64
	sev    finding.Severity
	status finding.Status
}

// seed writes rows in one transaction with batched inserts.
func seed(tb testing.TB, store *storage.Store, rows func(yield func(row) bool)) {
	tb.Helper()
	ctx := context.Background()
	counts := map[cell]int{}
	orgOf := map[int64]int64{}
	err := store.InTx(ctx, func(tx *storage.Tx) error {
		b := tx.NewBatch("findings", "fingerprint", "system_id", "org_id", "rule_key", "title", "severity", "severity_rank", "status",
			"due_date", "first_seen", "last_seen", "status_changed_at", "created_at", "updated_at")
		i := 0
		for r := range rows {
			i++
			system, org := any(r.system), any(r.org)
			if r.system == 0 {
				system, org = nil, nil
			}
			if err := b.Add(ctx, fmt.Sprintf("fp-%d", i), system, org, "rule", "Lỗ hổng", string(r.sev), r.sev.Rank(), string(r.status),
				r.due, r.firstSeen, r.firstSeen, r.changedAt, r.firstSeen, r.changedAt); err != nil {
				return err
			}
			counts[cell{r.system, r.sev, r.status}]++
			orgOf[r.system] = r.org
		}
		if err := b.Flush(ctx); err != nil {
			return err
		}
		for c, n := range counts {
			if _, err := tx.Exec(ctx, "INSERT INTO finding_counts (system_id, org_id, severity, status, n) VALUES (?, ?, ?, ?, ?)",
				c.system, orgOf[c.system], string(c.sev), string(c.status), n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// list adapts a slice to seed.
func list(rows ...row) func(func(row) bool) {
	return func(yield func(row) bool) {
		for _, r := range rows {
			if !yield(r) {
				return
			}
		}
	}
}
