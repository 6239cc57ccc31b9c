package storage

import (
	"context"
	"fmt"
	"strings"
)

// batchRows is how many rows one batched INSERT carries. With up to eight
// columns that stays far below both databases' limits on parameters.
const batchRows = 500

// Batch inserts rows into one table many at a time. On PostgreSQL every
// statement is a network round trip, and an import's time is mostly those
// round trips; one statement per batchRows rows removes nearly all of them.
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
	b.args = append(b.args, values...)
	if len(b.args) >= batchRows*b.cols {
		return b.Flush(ctx)
	}
	return nil
}

// Flush writes the queued rows.
func (b *Batch) Flush(ctx context.Context) error {
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
