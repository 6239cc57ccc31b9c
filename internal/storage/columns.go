package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Column is one column of a table of records of type T and where its value
// lives in a record. A table's columns are listed once, in a Table, and that
// one list gives the SELECT list, the Scan destinations, the INSERT and the
// UPDATE, so a new field is added in one place.
type Column[T any] struct {
	Name string
	// Field returns a pointer to the record's field (or a Scanner/Valuer
	// wrapping one): Scan reads into it and writes dereference it
	// (database/sql dereferences pointers). A Derived column's Field returns
	// the value to write.
	Field func(*T) any
	// Derived columns (search keys) are written from the record and never read.
	Derived bool
	// Fixed columns (id, owner, created_at) are written once, by INSERT.
	Fixed bool
}

// Table is the column list of one table. It is built once, at package
// initialisation; reading a row costs one slice of destinations.
type Table[T any] struct {
	Name    string
	Columns []Column[T]
}

// Select is the comma-separated list of the readable columns, each
// qualified with alias ("s.name, s.kind, …").
func (t Table[T]) Select(alias string) string {
	var b strings.Builder
	for _, c := range t.Columns {
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

// Dest are the Scan destinations of Select's columns in r, followed by more
// (columns of joined tables).
func (t Table[T]) Dest(r *T, more ...any) []any {
	out := make([]any, 0, len(t.Columns)+len(more))
	for _, c := range t.Columns {
		if !c.Derived {
			out = append(out, c.Field(r))
		}
	}
	return append(out, more...)
}

// Insert inserts r and returns its new id: a table with an id column has it
// generated, one without returns 0.
func (t Table[T]) Insert(ctx context.Context, tx *Tx, r *T) (int64, error) {
	names, args := t.Names(), t.Values(r)
	q := "INSERT INTO " + t.Name + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
	if len(names) == len(t.Columns) {
		_, err := tx.Exec(ctx, q, args...)
		return 0, err
	}
	return tx.InsertID(ctx, q, args...)
}

// Update writes every column of r but the fixed ones to the row with id.
func (t Table[T]) Update(ctx context.Context, tx *Tx, r *T, id int64) error {
	var sets []string
	var args []any
	for _, c := range t.Columns {
		if !c.Fixed {
			sets = append(sets, c.Name+" = ?")
			args = append(args, c.Field(r))
		}
	}
	_, err := tx.Exec(ctx, "UPDATE "+t.Name+" SET "+strings.Join(sets, ", ")+" WHERE id = ?", append(args, id)...)
	return err
}

// Names are the names of the columns an INSERT writes (all but the
// generated id), in order, for a Batch.
func (t Table[T]) Names() []string {
	var out []string
	for _, c := range t.Columns {
		if c.Name != "id" {
			out = append(out, c.Name)
		}
	}
	return out
}

// Values are the values an INSERT of r writes, in the order of Names.
func (t Table[T]) Values(r *T) []any {
	var out []any
	for _, c := range t.Columns {
		if c.Name != "id" {
			out = append(out, c.Field(r))
		}
	}
	return out
}

// OptionalID is an optional reference: 0 in Go, NULL in the database.
type OptionalID struct{ P *int64 }

// Scan reads NULL as 0 (the common cases without going through
// database/sql's conversions, which allocate).
func (o OptionalID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*o.P = 0
		return nil
	case int64:
		*o.P = v
		return nil
	}
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
	if t, ok := src.(time.Time); ok {
		*u.P = t.UTC()
		return nil
	}
	var t sql.NullTime
	if err := t.Scan(src); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	*u.P = t.Time.UTC()
	return nil
}

// Value writes the time as it is.
func (u UTC) Value() (driver.Value, error) { return *u.P, nil }

// OptionalUTC is a nullable timestamp column (archived_at): NULL is a nil
// pointer, anything else is read back in UTC.
type OptionalUTC struct{ P **time.Time }

// Scan reads NULL as nil and a time in UTC.
func (u OptionalUTC) Scan(src any) error {
	if src == nil {
		*u.P = nil
		return nil
	}
	var t time.Time
	if err := (UTC{P: &t}).Scan(src); err != nil {
		return err
	}
	*u.P = &t
	return nil
}

// Value writes nil as NULL.
func (u OptionalUTC) Value() (driver.Value, error) {
	if *u.P == nil {
		return nil, nil
	}
	return **u.P, nil
}

// JSON is a text column holding P (a pointer) as JSON, for small structured
// values read and written whole (a scan's plan); "" reads as the zero value.
type JSON struct{ P any }

// Scan unmarshals the text into P.
func (j JSON) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("json column: unexpected %T", src)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, j.P)
}

// Value marshals P.
func (j JSON) Value() (driver.Value, error) {
	b, err := json.Marshal(j.P)
	return string(b), err
}
