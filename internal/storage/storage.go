// Package storage holds all of Khiên's SQL. Each file covers one kind of
// object. Methods that touch agency data take an access.Actor and filter by
// it; every change is written to the audit log in the same transaction.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/khien/khien/internal/database"
)

// Store is the storage layer over an open database.
type Store struct {
	db *database.DB
	// now is the clock; tests replace it.
	now func() time.Time
}

// New returns a Store over db.
func New(db *database.DB) *Store {
	return &Store{db: db, now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }}
}

// DB returns the underlying database (for health checks and backups).
func (s *Store) DB() *database.DB { return s.db }

// Now is the store's clock: UTC, truncated to what both databases keep.
func (s *Store) Now() time.Time { return s.now() }

// Tx is a write transaction. Queries use portable "?" placeholders.
type Tx struct {
	tx *sql.Tx
	d  database.Dialect
	s  *Store
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.d.Rebind(query), args...)
}

// QueryRow runs a query returning one row in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.Rebind(query), args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.Rebind(query), args...)
}

// InsertID inserts a row and returns its generated id (RETURNING works on both databases).
func (t *Tx) InsertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := t.QueryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// InTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise, so nothing is ever half-written.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	tx, err := s.db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(&Tx{tx: tx, d: s.db.Dialect, s: s}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// query runs a read-only query on the reader pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.Read.QueryContext(ctx, s.db.Dialect.Rebind(query), args...)
}

// queryRow runs a read-only single-row query on the reader pool.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.Read.QueryRowContext(ctx, s.db.Dialect.Rebind(query), args...)
}

// notFound maps sql.ErrNoRows to access.ErrNotFound-compatible errors.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// scanIDs reads a one-column result of ids and closes rows.
func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
