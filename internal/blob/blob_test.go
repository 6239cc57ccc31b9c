package blob

import (
	"context"
	"testing"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/storage"
)

func TestPutStoresTheSameBytesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		tests := []struct {
			data string
			key  string
		}{
			{"test", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
			{"test", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
			{"nhật ký", "36885fe8222fee77ae329e4b605d2cd0455444988e4bb3f89c186b51ffc974cf"},
		}
		for _, tt := range tests {
			var key string
			err := store.InTx(ctx, func(tx *storage.Tx) (err error) {
				key, err = Put(ctx, tx, []byte(tt.data))
				return err
			})
			if err != nil || key != tt.key {
				t.Errorf("Put(%q) = %s, %v, want %s", tt.data, key, err, tt.key)
			}
		}
		var n int
		var data []byte
		if err := store.QueryRow(ctx, "SELECT count(*) FROM blobs").Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d blobs, %v; want 2", n, err)
		}
		if err := store.QueryRow(ctx, "SELECT data FROM blobs WHERE sha256 = ?", tests[0].key).Scan(&data); err != nil || string(data) != "test" {
			t.Fatalf("blob %q, %v", data, err)
		}
	})
}
