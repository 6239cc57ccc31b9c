package finding

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/storage"
)

func BenchmarkExpRaw(b *testing.B) {
	for _, ret := range []bool{false, true} {
		b.Run(fmt.Sprint("returning=", ret), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				store := storage.New(dbtest.Open(b, "sqlite"))
				now := time.Now().UTC()
				b.StartTimer()
				start := time.Now()
				err := store.InTx(context.Background(), func(tx *storage.Tx) error {
					ins := tx.NewBatch("findings", findingTable.Names()...)
					if ret {
						ins.Returning("id, fingerprint", func(r storage.Scanner) error { var id int64; var fp string; return r.Scan(&id, &fp) })
					}
					for i := range 20000 {
						f := Finding{Fingerprint: fmt.Sprintf("%032x", i), RuleKey: "x", Title: "t", Severity: Low, CVEs: []string{}, Tags: []string{}, References: []string{}, Status: New, FirstSeen: now, LastSeen: now, StatusAt: now, CreatedAt: now, UpdatedAt: now}
						if err := ins.Add(context.Background(), findingTable.Values(&f)...); err != nil {
							return err
						}
					}
					return ins.Flush(context.Background())
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(20000/time.Since(start).Seconds(), "rows/s")
			}
		})
	}
}
