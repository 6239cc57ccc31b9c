package database_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
)

func TestMigrateIsIdempotentAndReportsStatus(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) == 0 {
			t.Fatal("no migrations listed")
		}
		for _, m := range st {
			if !m.Applied {
				t.Errorf("migration %d %s not applied", m.Version, m.Name)
			}
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("ping: %v", err)
		}
	})
}

func TestRefusesNewerSchema(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		_, err := db.Write.ExecContext(ctx, db.Dialect.Rebind("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)"), 99999, true)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Migrate(ctx)
		if !errors.Is(err, database.ErrNewerSchema) || !errors.Is(err, database.ErrConfig) {
			t.Fatalf("want ErrNewerSchema, got %v", err)
		}
	})
}

func TestBadConfiguration(t *testing.T) {
	ctx := context.Background()
	notADir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notADir, []byte("x"), 0o600)
	corrupt := t.TempDir()
	os.WriteFile(filepath.Join(corrupt, database.SQLiteFile), []byte("this is not a database, just text that is long enough to fill a header"), 0o600)
	tests := []struct {
		name string
		cfg  database.Config
	}{
		// /proc refuses new directories even to root, who ignores permissions.
		{"unwritable data directory", database.Config{DataDir: "/proc/khien-test/data"}},
		{"data directory is a file", database.Config{DataDir: notADir}},
		{"corrupt database file", database.Config{DataDir: corrupt}},
		{"unreachable PostgreSQL", database.Config{URL: "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}},
		{"not a postgres URL", database.Config{URL: "mysql://x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := database.Open(ctx, tt.cfg)
			if err == nil {
				db.Close()
				t.Fatal("expected an error")
			}
			if !errors.Is(err, database.ErrConfig) {
				t.Fatalf("want a configuration error, got %v", err)
			}
		})
	}
}

func TestRebind(t *testing.T) {
	d := dbtest.Open(t, "sqlite").Dialect
	if got := d.Rebind("a = ?"); got != "a = ?" {
		t.Fatalf("sqlite rebind changed the query: %q", got)
	}
}
