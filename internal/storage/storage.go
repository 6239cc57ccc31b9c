// Package storage is the small kernel every capability's SQL runs on: the
// Store over an open database, write transactions, the Querier that reads
// the same inside or outside a transaction, batched inserts and row helpers.
// It holds no domain types: each capability (internal/identity,
// internal/inventory, …) owns its tables and its SQL.
package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/khien/khien/internal/database"
)

// Store is an open database with the clock its records are stamped with and
// the key its audit entries are signed with.
type Store struct {
	db *database.DB
	// now is the clock; tests replace it with SetClock.
	now func() time.Time
	// auditKey is kept outside the database (see internal/audit), so that
	// whoever can write the database cannot recompute the audit chain.
	auditKey []byte
}

// New returns a Store over db.
func New(db *database.DB) *Store {
	return &Store{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// DB returns the underlying database (for health checks and backups).
func (s *Store) DB() *database.DB { return s.db }

// Dialect names the database's SQL dialect.
func (s *Store) Dialect() database.Dialect { return s.db.Dialect }

// Now is the store's clock: UTC, truncated to what both databases keep.
func (s *Store) Now() time.Time { return s.now() }

// SetClock replaces the clock (tests that need a fixed time).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// SetAuditKey sets the key audit entries are signed with (nil: plain SHA-256).
func (s *Store) SetAuditKey(key []byte) { s.auditKey = key }

// AuditKey is the key audit entries are signed with, nil when none is set.
func (s *Store) AuditKey() []byte { return s.auditKey }

// Querier runs queries with portable "?" placeholders. Both *Store (reads on
// the reader pool) and *Tx implement it, so one read function serves inside
// and outside a transaction.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Now() time.Time
}

// Query runs a read-only query on the reader pool.
func (s *Store) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.Read.QueryContext(ctx, s.db.Dialect.Rebind(query), args...)
}

// QueryRow runs a read-only single-row query on the reader pool.
func (s *Store) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.Read.QueryRowContext(ctx, s.db.Dialect.Rebind(query), args...)
}

// Tx is a write transaction.
type Tx struct {
	tx *sql.Tx
	s  *Store
}

// Dialect names the database's SQL dialect.
func (t *Tx) Dialect() database.Dialect { return t.s.db.Dialect }

// Now is the store's clock.
func (t *Tx) Now() time.Time { return t.s.now() }

// AuditKey is the store's audit key (see Store.AuditKey).
func (t *Tx) AuditKey() []byte { return t.s.auditKey }

// SQLTx is the database/sql transaction underneath, for a library that joins
// it as it is (internal/jobs inserts River jobs in it). Run your own SQL
// through Exec and Query, which rebind the portable placeholders.
func (t *Tx) SQLTx() *sql.Tx { return t.tx }

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.s.db.Dialect.Rebind(query), args...)
}

// ExecCount runs a statement and returns how many rows it changed.
func (t *Tx) ExecCount(ctx context.Context, query string, args ...any) (int, error) {
	res, err := t.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// QueryRow runs a query returning one row in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.s.db.Dialect.Rebind(query), args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.s.db.Dialect.Rebind(query), args...)
}

// InsertID inserts a row and returns its generated id (RETURNING works on both databases).
func (t *Tx) InsertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// InReadTx runs fn in a read-only transaction that sees one snapshot of the
// database, so reads made one after another agree with each other (an
// export, an import's plan) even while others write. PostgreSQL needs
// REPEATABLE READ for that; SQLite's WAL gives every read transaction a
// snapshot.
func (s *Store) InReadTx(ctx context.Context, fn func(*Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.db.Dialect.Name() == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.Read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(&Tx{tx: tx, s: s})
}

// InTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise, so nothing is ever half-written.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return classifyWriteError(fmt.Errorf("begin transaction: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			err = classifyWriteError(err)
		}
	}()
	if err = fn(&Tx{tx: tx, s: s}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// WriteProbe rewrites the heartbeat row in a transaction of its own: the
// health check's proof that the database accepts writes. Its error is
// marked ErrStorageFull or ErrReadOnly when the database says why.
func (s *Store) WriteProbe(ctx context.Context) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE heartbeat SET at = ? WHERE id = 1", tx.Now())
		return err
	})
}

// PreferIndexes makes PostgreSQL plan the rest of the transaction's
// lookups by index. An import into a table that grew since its statistics
// were last gathered would otherwise scan the whole table for every batch
// of keys it looks up, because the planner still thinks it small. SQLite
// needs nothing.
func (t *Tx) PreferIndexes(ctx context.Context) error {
	if t.Dialect().Name() != "postgres" {
		return nil
	}
	_, err := t.Exec(ctx, "SET LOCAL enable_seqscan = off")
	return err
}
