package storage

import (
	"context"
	"testing"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
)

// TestBatch writes row counts around the batch size and finds every row.
func TestBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := New(db)
		if _, err := db.Write.ExecContext(ctx, "CREATE TABLE batch_test (n BIGINT NOT NULL, label TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		for _, rows := range []int{0, 1, batchRows, batchRows + 1, 2*batchRows + 7} {
			err := s.InTx(ctx, func(tx *Tx) error {
				if _, err := tx.Exec(ctx, "DELETE FROM batch_test"); err != nil {
					return err
				}
				b := tx.NewBatch("batch_test", "n", "label")
				for i := range rows {
					if err := b.Add(ctx, i, "hàng"); err != nil {
						return err
					}
				}
				return b.Flush(ctx)
			})
			if err != nil {
				t.Fatalf("%d rows: %v", rows, err)
			}
			var n, sum int
			if err := s.QueryRow(ctx, "SELECT count(*), coalesce(sum(n), 0) FROM batch_test").Scan(&n, &sum); err != nil {
				t.Fatal(err)
			}
			if n != rows || sum != rows*(rows-1)/2 {
				t.Fatalf("%d rows written, found %d (sum %d)", rows, n, sum)
			}
		}
		err := s.InTx(ctx, func(tx *Tx) error {
			return tx.NewBatch("batch_test", "n", "label").Add(ctx, 1)
		})
		if err == nil {
			t.Fatal("a row with too few values must be refused")
		}
	})
}
