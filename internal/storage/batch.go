package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batchRows is how many rows one batched INSERT carries. With up to eight
// columns that stays far below both databases' limits on parameters.
const batchRows = 500

// Batch inserts rows into one table many at a time. On PostgreSQL every
// statement is a network round trip, and an import's time is mostly those
// round trips; one statement per batchRows rows removes nearly all of them.
// SQLite has no round trips but parses every statement anew, and a
// statement of thousands of placeholders costs more to parse than its rows
// to write: there one prepared single-row statement is run per row.
// Rows must not conflict with each other or with stored rows: the caller
// checks that against its snapshot first.
type Batch struct {
	tx     *Tx
	insert string // "INSERT INTO t (a, b)"
	row    string // "(?, ?)"
	cols   int
	args   []any
	// returning, when set, is read back from every written row by scan.
	returning string
	scan      func(Scanner) error
	stmt      *sql.Stmt // SQLite: the prepared single-row statement
}

// NewBatch starts a batch of rows for table's columns.
func (t *Tx) NewBatch(table string, columns ...string) *Batch {
	return &Batch{
		tx:     t,
		insert: "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ",
		row:    "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")",
		cols:   len(columns),
	}
}

// Returning makes every flush read columns (" id, key") of the rows it
// wrote and hand each row to scan. The databases return the rows in no
// promised order: return a key to match them by.
func (b *Batch) Returning(columns string, scan func(Scanner) error) *Batch {
	b.returning, b.scan = columns, scan
	return b
}

// Add queues one row, writing the batch when it is full.
func (b *Batch) Add(ctx context.Context, values ...any) error {
	if len(values) != b.cols {
		return fmt.Errorf("batch %s: %d values for %d columns", b.insert, len(values), b.cols)
	}
	if b.tx.Dialect().Name() == "sqlite" {
		return b.addOne(ctx, values)
	}
	b.args = append(b.args, values...)
	if len(b.args) >= batchRows*b.cols {
		return b.Flush(ctx)
	}
	return nil
}

// addOne writes one row with the prepared statement.
func (b *Batch) addOne(ctx context.Context, values []any) error {
	if b.stmt == nil {
		q := b.insert + b.row
		if b.returning != "" {
			q += " RETURNING " + b.returning
		}
		stmt, err := b.tx.tx.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("%s…: %w", b.insert, err)
		}
		b.stmt = stmt
	}
	var err error
	if b.returning == "" {
		_, err = b.stmt.ExecContext(ctx, values...)
	} else {
		rows, qerr := b.stmt.QueryContext(ctx, values...)
		err = Each(rows, qerr, b.scan)
	}
	if err != nil {
		return fmt.Errorf("%s…: %w", b.insert, err)
	}
	return nil
}

// Flush writes the queued rows (and releases the prepared statement).
func (b *Batch) Flush(ctx context.Context) error {
	if b.stmt != nil {
		err := b.stmt.Close()
		b.stmt = nil
		return err
	}
	n := len(b.args) / b.cols
	if n == 0 {
		return nil
	}
	rows := make([]string, n)
	for i := range rows {
		rows[i] = b.row
	}
	q := b.insert + strings.Join(rows, ", ")
	var err error
	if b.returning == "" {
		_, err = b.tx.Exec(ctx, q, b.args...)
	} else {
		rows, qerr := b.tx.Query(ctx, q+" RETURNING "+b.returning, b.args...)
		err = Each(rows, qerr, b.scan)
	}
	if err != nil {
		return fmt.Errorf("%s… (%d rows): %w", b.insert, n, err)
	}
	b.args = b.args[:0]
	return nil
}
