package database

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"testing/fstest"
	"text/template"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations are plain SQL files shared by both databases; the column types
// that differ are template fields (see ColumnTypes).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNewerSchema means the database was migrated by a newer khien.
var ErrNewerSchema = errors.New("database schema is newer than this khien")

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

func (db *DB) provider() (*goose.Provider, error) {
	fsys, err := renderMigrations(db.Dialect)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if db.Dialect.Name() == "postgres" {
		dialect = goose.DialectPostgres
	}
	var opts []goose.ProviderOption
	if db.Dialect.Name() == "postgres" {
		// Several replicas may start at once; one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.Write, fsys, opts...)
}

// renderMigrations executes each migration template for the dialect.
func renderMigrations(d Dialect) (fs.FS, error) {
	out := fstest.MapFS{}
	entries, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	for _, name := range entries {
		src, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		t, err := template.New(name).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("parse migration %s: %w", name, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, d.Types()); err != nil {
			return nil, fmt.Errorf("render migration %s: %w", name, err)
		}
		out[name[len("migrations/"):]] = &fstest.MapFile{Data: buf.Bytes()}
	}
	return out, nil
}

// latestMigration is the version of the newest migration this khien has,
// read from the file names ("00004_login_throttle.sql") as goose reads them.
func latestMigration() (int64, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		return 0, fmt.Errorf("list migrations: %v", err)
	}
	base := path.Base(names[len(names)-1])
	prefix, _, _ := strings.Cut(base, "_")
	v, err := strconv.ParseInt(prefix, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("migration %s: no version number: %w", base, err)
	}
	return v, nil
}

// Migrate applies every pending migration, Khiên's and then the job
// engine's (River's, see migrateRiver). It refuses a database that a newer
// khien has migrated, rather than run old code against a schema it does not know.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if err := db.checkNotNewer(ctx, p); err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return db.migrateRiver(ctx)
}

func (db *DB) checkNotNewer(ctx context.Context, p *goose.Provider) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	sources := p.ListSources()
	if len(sources) == 0 {
		return nil
	}
	latest := sources[len(sources)-1].Version
	if current > latest {
		return fmt.Errorf("%w: %w", ErrNewerSchema, configErr("db.newer", current, latest))
	}
	return nil
}

// MigrationStatus lists every known migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	results, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(results))
	for _, r := range results {
		out = append(out, MigrationStatus{
			Version: r.Source.Version,
			Name:    r.Source.Path,
			Applied: r.State == goose.StateApplied,
		})
	}
	return out, nil
}
