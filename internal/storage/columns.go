package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
)

// Column is one column of a table and the Go field its value lives in. A
// table's columns are listed once, in a function from a record to its
// Columns, and that one list gives the SELECT list, the Scan destinations,
// the INSERT and the UPDATE, so a new field is added in one place.
type Column struct {
	Name string
	// Field points at the record's field: Scan reads into it and writes
	// dereference it (database/sql dereferences pointers).
	Field any
	// Derived columns (search keys) are written from the record and never read.
	Derived bool
	// Fixed columns (created_at) are written once, by INSERT.
	Fixed bool
}

// Columns is the column list of one table.
type Columns []Column

// Select is the comma-separated list of the readable columns, each
// qualified with alias ("s.name, s.kind, …").
func (cs Columns) Select(alias string) string {
	var b strings.Builder
	for _, c := range cs {
		if c.Derived {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias + "." + c.Name)
	}
	return b.String()
}

// Dest are the Scan destinations of Select's columns, followed by more
// (columns of joined tables).
func (cs Columns) Dest(more ...any) []any {
	out := make([]any, 0, len(cs)+len(more))
	for _, c := range cs {
		if !c.Derived {
			out = append(out, c.Field)
		}
	}
	return append(out, more...)
}

// Insert inserts the record into table and returns its new id: a table
// with an id column has it generated, one without returns 0.
func (cs Columns) Insert(ctx context.Context, tx *Tx, table string) (int64, error) {
	var names []string
	var args []any
	hasID := false
	for _, c := range cs {
		if c.Name == "id" {
			hasID = true
			continue
		}
		names, args = append(names, c.Name), append(args, c.Field)
	}
	q := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
	if !hasID {
		_, err := tx.Exec(ctx, q, args...)
		return 0, err
	}
	return tx.InsertID(ctx, q, args...)
}

// Update writes every column but the fixed ones to the row of table with id.
func (cs Columns) Update(ctx context.Context, tx *Tx, table string, id int64) error {
	var sets []string
	var args []any
	for _, c := range cs {
		if !c.Fixed {
			sets = append(sets, c.Name+" = ?")
			args = append(args, c.Field)
		}
	}
	_, err := tx.Exec(ctx, "UPDATE "+table+" SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, id)...)
	return err
}

// Values are the written values in column order, for a Batch of the same columns.
func (cs Columns) Values() []any {
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = c.Field
	}
	return out
}

// WithoutID is the list less the generated id column, for a Batch.
func (cs Columns) WithoutID() Columns {
	out := make(Columns, 0, len(cs))
	for _, c := range cs {
		if c.Name != "id" {
			out = append(out, c)
		}
	}
	return out
}

// Names are every column's name, for a Batch.
func (cs Columns) Names() []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// OptionalID is an optional reference: 0 in Go, NULL in the database.
type OptionalID struct{ P *int64 }

// Scan reads NULL as 0.
func (o OptionalID) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	*o.P = n.Int64
	return nil
}

// Value writes 0 as NULL.
func (o OptionalID) Value() (driver.Value, error) {
	if *o.P == 0 {
		return nil, nil
	}
	return *o.P, nil
}

// UTC is a timestamp column read back in UTC (PostgreSQL returns local time).
type UTC struct{ P *time.Time }

// Scan reads the time and converts it to UTC.
func (u UTC) Scan(src any) error {
	var t sql.NullTime
	if err := t.Scan(src); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	*u.P = t.Time.UTC()
	return nil
}

// Value writes the time as it is.
func (u UTC) Value() (driver.Value, error) { return *u.P, nil }
