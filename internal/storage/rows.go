package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/validation"
)

// Scanner is a *sql.Row or *sql.Rows: what a table's scan function reads.
type Scanner interface{ Scan(dest ...any) error }

// Collect reads every row of a query with scan and closes the rows. It takes
// the query's error too, so a list is one line:
//
//	return storage.Collect(db.Query(ctx, q, args...))(scanOrg)
func Collect[T any](rows *sql.Rows, err error) func(scan func(Scanner) (T, error)) ([]T, error) {
	return func(scan func(Scanner) (T, error)) ([]T, error) {
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []T
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	}
}

// Each calls fn for every row of a query and closes the rows.
func Each(rows *sql.Rows, err error, fn func(Scanner) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// IDs reads a one-column result of ids.
func IDs(rows *sql.Rows, err error) ([]int64, error) {
	return Collect[int64](rows, err)(func(sc Scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	})
}

// IsNoRows reports whether err is sql.ErrNoRows: a single-row read found nothing.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// IsUniqueViolation recognises a unique-constraint error on both databases.
func IsUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "duplicate key")
}

// ErrStorageFull and ErrReadOnly mark writes the database refused for lack
// of space or because it (or its file) is read-only: the operator's problem,
// which users are told plainly rather than with a generic error.
var (
	ErrStorageFull = errors.New("the database's disk is full")
	ErrReadOnly    = errors.New("the database is read-only")
)

// classifyWriteError marks a failed write with ErrStorageFull or ErrReadOnly
// when the database says so (SQLite's SQLITE_FULL and SQLITE_READONLY,
// PostgreSQL's disk_full 53100 and read_only_sql_transaction 25006).
func classifyWriteError(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, ErrStorageFull) || errors.Is(err, ErrReadOnly):
		return err
	case strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "SQLSTATE 53100") || strings.Contains(msg, "no space left on device"):
		return fmt.Errorf("%w: %w", ErrStorageFull, err)
	case strings.Contains(msg, "readonly database") || strings.Contains(msg, "SQLSTATE 25006"):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

// NullID stores 0 as NULL for optional references.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// TimePtr turns a nullable time column into a UTC *time.Time.
func TimePtr(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

// ClampLimit bounds page sizes.
func ClampLimit(n int) int {
	if n <= 0 || n > 500 {
		return 100
	}
	return n
}

// EscapeLike makes user text literal inside a LIKE pattern (no wildcards).
func EscapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

// Contains is the LIKE pattern matching s anywhere.
func Contains(s string) string { return "%" + EscapeLike(s) + "%" }

// Where collects the conditions of a query with their arguments.
type Where struct {
	conds []string
	args  []any
}

// NewWhere starts with cond and its arguments (typically the actor's scope).
func NewWhere(cond string, args ...any) *Where {
	return &Where{conds: []string{cond}, args: args}
}

// Scoped starts with a condition and its argument list as one value, as
// access.Actor.OrgFilter returns them: storage.Scoped(actor.OrgFilter("o.path")).
func Scoped(cond string, args []any) *Where { return NewWhere(cond, args...) }

// Add appends a condition with its arguments.
func (w *Where) Add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// SQL is " WHERE c1 AND c2 …".
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Args are the arguments of every condition in order, followed by more.
func (w *Where) Args(more ...any) []any {
	return append(append([]any(nil), w.args...), more...)
}

// ErrConflict marks a write that clashes with existing data (a unique key);
// capabilities wrap it with what clashed.
var ErrConflict = errors.New("conflict")

// Conflict is ErrConflict on field, with the message key (and args) that
// says what clashed in the reader's language: a 409 that names the field.
func Conflict(field, key string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrConflict, validation.Invalid(field, key, args...))
}
