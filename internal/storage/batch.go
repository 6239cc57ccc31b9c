package storage

import (
	"context"
	"fmt"
	"strings"
)

// batchRows is how many rows one batched INSERT carries. With up to eight
// columns that stays far below both databases' limits on parameters.
const batchRows = 500

// rowBatch inserts rows into one table many at a time. On PostgreSQL every
// statement is a network round trip, and an import's time is mostly those
// round trips; one statement per batchRows rows removes nearly all of them.
// Rows must not conflict with each other or with stored rows: the importer
// checks that against its snapshot first.
type rowBatch struct {
	tx     *Tx
	insert string // "INSERT INTO t (a, b)"
	row    string // "(?, ?)"
	cols   int
	args   []any
}

func (t *Tx) newRowBatch(table string, columns ...string) *rowBatch {
	return &rowBatch{
		tx:     t,
		insert: "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ",
		row:    "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")",
		cols:   len(columns),
	}
}

// add queues one row, writing the batch when it is full.
func (b *rowBatch) add(ctx context.Context, values ...any) error {
	if len(values) != b.cols {
		return fmt.Errorf("batch %s: %d values for %d columns", b.insert, len(values), b.cols)
	}
	b.args = append(b.args, values...)
	if len(b.args) >= batchRows*b.cols {
		return b.flush(ctx)
	}
	return nil
}

// flush writes the queued rows.
func (b *rowBatch) flush(ctx context.Context) error {
	n := len(b.args) / b.cols
	if n == 0 {
		return nil
	}
	rows := make([]string, n)
	for i := range rows {
		rows[i] = b.row
	}
	if _, err := b.tx.Exec(ctx, b.insert+strings.Join(rows, ", "), b.args...); err != nil {
		return fmt.Errorf("%s… (%d rows): %w", b.insert, n, err)
	}
	b.args = b.args[:0]
	return nil
}
