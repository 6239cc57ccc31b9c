// Package dbtest gives tests a fresh, migrated database of each kind:
// SQLite always, PostgreSQL when KHIEN_TEST_POSTGRES_URL is set; and crash
// tests a server on the same database to kill (StartDoomed).
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/khien/khien/internal/database"
)

// PostgresEnv names the variable that points tests at a PostgreSQL server.
const PostgresEnv = "KHIEN_TEST_POSTGRES_URL"

// Each runs fn once on SQLite and once on PostgreSQL, as subtests.
func Each(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			fn(t, Open(t, kind))
		})
	}
}

// Open returns a migrated database of kind ("sqlite" or "postgres"), closed
// and removed when the test ends.
func Open(t testing.TB, kind string) *database.DB {
	t.Helper()
	ctx := context.Background()
	cfg := Config(t, kind)
	db, err := database.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", kind, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", kind, err)
	}
	return db
}

// Config returns the configuration of a fresh, empty database of kind: a new
// temporary directory for SQLite, a new schema for PostgreSQL.
func Config(t testing.TB, kind string) database.Config {
	t.Helper()
	if kind == "sqlite" {
		return database.Config{DataDir: t.TempDir()}
	}
	return database.Config{URL: PostgresURL(t)}
}

// PostgresURL creates a schema of its own for the test and returns a URL whose
// search_path selects it; the test is skipped when no server is configured.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test) to run them", PostgresEnv)
	}
	buf := make([]byte, 6)
	rand.Read(buf)
	schema := "t_" + hex.EncodeToString(buf)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
