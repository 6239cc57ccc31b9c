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
	names  []string
	args   []any
	// key, when set, names the column whose value identifies a row to
	// onID, which is told the id generated for it.
	key    string
	keyCol int
	onID   func(key string, id int64)
	stmt   *sql.Stmt // SQLite: the prepared single-row statement
}

// NewBatch starts a batch of rows for table's columns.
func (t *Tx) NewBatch(table string, columns ...string) *Batch {
	return &Batch{
		tx:     t,
		insert: "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ",
		row:    "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")",
		cols:   len(columns),
		names:  columns,
	}
}

// IDs has fn told the generated id of every row written, with the value
// of its key column (a text column unique among the rows). SQLite gives
// the id of each row as it is written; PostgreSQL returns the ids of a
// statement's rows in no promised order, so they are matched by key.
func (b *Batch) IDs(key string, fn func(key string, id int64)) *Batch {
	for i, n := range b.names {
		if n == key {
			b.key, b.keyCol, b.onID = key, i, fn
			return b
		}
	}
	panic("storage: batch has no column " + key)
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
		stmt, err := b.tx.tx.PrepareContext(ctx, b.insert+b.row)
		if err != nil {
			return fmt.Errorf("%s…: %w", b.insert, err)
		}
		b.stmt = stmt
	}
	res, err := b.stmt.ExecContext(ctx, values...)
	if err == nil && b.onID != nil {
		var id int64
		if id, err = res.LastInsertId(); err == nil {
			b.onID(keyText(values[b.keyCol]), id)
		}
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
	if b.onID == nil {
		_, err = b.tx.Exec(ctx, q, b.args...)
	} else {
		rows, qerr := b.tx.Query(ctx, q+" RETURNING id, "+b.key, b.args...)
		err = Each(rows, qerr, func(r Scanner) error {
			var id int64
			var key string
			err := r.Scan(&id, &key)
			b.onID(key, id)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("%s… (%d rows): %w", b.insert, n, err)
	}
	b.args = b.args[:0]
	return nil
}

// keyText is a key column's value as text (records give their fields by pointer).
func keyText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case *string:
		return *v
	}
	return fmt.Sprint(v)
}
