package database

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// riverMigrationLock is the PostgreSQL advisory lock held while River's
// tables are migrated: rivermigrate takes no lock of its own, and several
// replicas may start at once.
const riverMigrationLock int64 = 0x6b6869656e726976 // "khienriv"

// migrateRiver applies the job engine's (River's) own migrations, which
// River versions apart from Khiên's; both run over database/sql here.
func (db *DB) migrateRiver(ctx context.Context) error {
	// River logs every version at Info; upRiver logs them at Debug instead.
	logger := slog.New(slog.DiscardHandler)
	if db.Dialect.Name() == "sqlite" {
		m, err := rivermigrate.New(riversqlite.New(db.Write), &rivermigrate.Config{Logger: logger})
		if err != nil {
			return fmt.Errorf("migrate job engine: %w", err)
		}
		return upRiver(ctx, m)
	}
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate job engine: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", riverMigrationLock); err != nil {
		return fmt.Errorf("migrate job engine: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", riverMigrationLock)
	m, err := rivermigrate.New(riverdatabasesql.New(db.Write), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("migrate job engine: %w", err)
	}
	return upRiver(ctx, m)
}

func upRiver(ctx context.Context, m *rivermigrate.Migrator[*sql.Tx]) error {
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate job engine: %w", err)
	}
	for _, v := range res.Versions {
		slog.DebugContext(ctx, "job engine migration applied", "version", v.Version, "name", v.Name)
	}
	return nil
}
