package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/khien/khien/internal/validation"
)

// Page sizes every list accepts.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// Page asks for one page of a list: at most Limit items after the row whose
// sort key the cursor holds. The zero Page is the first page of DefaultLimit.
type Page struct {
	Limit int
	// After is the decoded cursor: the sort key of the last row already
	// seen, nil for the first page.
	After []any
}

// First is the first page of n items (pages that show a whole list ask for
// MaxLimit).
func First(n int) Page { return Page{Limit: n} }

func (p Page) limit() int {
	if p.Limit <= 0 {
		return DefaultLimit
	}
	return min(p.Limit, MaxLimit)
}

// Paged is one page of a list: its items, how many rows match in all, and
// the cursor of the next page ("" on the last).
type Paged[T any] struct {
	Items []T
	Total int
	Next  string
}

// errCursor is the validation error of a cursor that this server did not
// hand out (tampered, truncated, or from a list sorted differently).
func errCursor() error { return validation.Invalid("cursor", "validation.cursor") }

// EncodeCursor is the opaque cursor of a sort key: base64url of its JSON.
func EncodeCursor(key []any) string {
	b, err := json.Marshal(key)
	if err != nil {
		// Keys are strings and integers, which always encode.
		panic(fmt.Sprintf("encode cursor %v: %v", key, err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor back into its sort key: strings stay strings,
// integers become int64. Anything else is errCursor.
func DecodeCursor(s string) ([]any, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errCursor()
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil || dec.More() || len(raw) == 0 {
		return nil, errCursor()
	}
	key := make([]any, len(raw))
	for i, v := range raw {
		switch v := v.(type) {
		case string:
			key[i] = v
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return nil, errCursor()
			}
			key[i] = n
		default:
			return nil, errCursor()
		}
	}
	return key, nil
}

// Keyset is the sort order of a list, which its cursors follow: text
// columns, then (usually) the integer id that makes the order total, all
// ascending or all descending so that one row comparison continues it.
type Keyset struct {
	Text []string // text columns, most significant first
	Int  []string // integer columns after the text ones (a priority, a rank)
	ID   string   // the unique integer column last ("" when the other columns are unique)
	Desc bool
}

func (k Keyset) columns() []string {
	cols := append(append([]string(nil), k.Text...), k.Int...)
	if k.ID != "" {
		cols = append(cols, k.ID)
	}
	return cols
}

// OrderBy is " ORDER BY a, b, id" (each DESC for a descending keyset).
func (k Keyset) OrderBy() string {
	cols := k.columns()
	if k.Desc {
		for i := range cols {
			cols[i] += " DESC"
		}
	}
	return " ORDER BY " + strings.Join(cols, ", ")
}

// check refuses a key that does not fit the keyset: wrong length, or a
// string where the id goes and the other way round.
func (k Keyset) check(key []any) error {
	if len(key) != len(k.columns()) {
		return errCursor()
	}
	for i, v := range key {
		_, isText := v.(string)
		_, isInt := v.(int64)
		if i < len(k.Text) && !isText || i >= len(k.Text) && !isInt {
			return errCursor()
		}
	}
	return nil
}

// After adds to w the condition that continues after key: the row value
// comparison (a, b, id) > (?, ?, ?), which SQLite and PostgreSQL both
// evaluate in the order of ORDER BY (one collation for both).
func (k Keyset) After(w *Where, key []any) error {
	if key == nil {
		return nil
	}
	if err := k.check(key); err != nil {
		return err
	}
	op := ">"
	if k.Desc {
		op = "<"
	}
	cols := k.columns()
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	w.Add("("+strings.Join(cols, ", ")+") "+op+" ("+marks+")", key...)
	return nil
}

// List is a paged read: the columns to select, the tables, the conditions
// (scope and filters), the keyset, how to scan a row and how to read a
// row's sort key back (the keyset's values, in order).
type List[T any] struct {
	Select string // "SELECT s.id, …"
	From   string // " FROM systems s JOIN orgs o …"
	// CountFrom, when set, is what the total is counted over: the main
	// table alone when the conditions need no join.
	CountFrom string
	// Total, when set, gives the total instead of counting (a capability
	// that keeps counts of its own).
	Total func() (int, error)
	Where *Where
	Order Keyset
	Scan  func(Scanner) (T, error)
	Key   func(T) []any
}

// Read returns page p: the total number of matches (ignoring the cursor),
// then up to p's limit rows after the cursor, and the cursor of the next
// page when there is one. It reads one row more than the page to know.
func (l List[T]) Read(ctx context.Context, db Querier, p Page) (Paged[T], error) {
	var out Paged[T]
	from := l.From
	if l.CountFrom != "" {
		from = l.CountFrom
	}
	var err error
	if l.Total != nil {
		out.Total, err = l.Total()
	} else {
		err = db.QueryRow(ctx, "SELECT count(*)"+from+l.Where.SQL(), l.Where.Args()...).Scan(&out.Total)
	}
	if err != nil {
		return out, fmt.Errorf("count: %w", err)
	}
	w := &Where{conds: append([]string(nil), l.Where.conds...), args: l.Where.Args()}
	if err := l.Order.After(w, p.After); err != nil {
		return out, err
	}
	n := p.limit()
	items, err := Collect[T](db.Query(ctx, l.Select+l.From+w.SQL()+l.Order.OrderBy()+" LIMIT ?", w.Args(n+1)...))(l.Scan)
	if err != nil {
		return out, err
	}
	if len(items) > n {
		items = items[:n]
		out.Next = EncodeCursor(l.Key(items[n-1]))
	}
	out.Items = items
	return out, nil
}

// PageSlice pages a list already in memory in its order (a short, fixed
// list such as a system's controls): the cursor holds the last item's key.
func PageSlice[T any](items []T, p Page, key func(T) string) (Paged[T], error) {
	out := Paged[T]{Total: len(items)}
	start := 0
	if p.After != nil {
		last, ok := p.After[0].(string)
		if len(p.After) != 1 || !ok {
			return out, errCursor()
		}
		start = -1
		for i, it := range items {
			if key(it) == last {
				start = i + 1
				break
			}
		}
		if start < 0 {
			return out, errCursor()
		}
	}
	end := min(start+p.limit(), len(items))
	out.Items = items[start:end]
	if end < len(items) {
		out.Next = EncodeCursor([]any{key(items[end-1])})
	}
	return out, nil
}

// All reads every page of a list, MaxLimit rows at a time, for the few
// callers that need all of a list (an organisation picker, a command's
// export) while every query stays bounded.
func All[T any](list func(Page) (Paged[T], error)) ([]T, error) {
	var out []T
	p := First(MaxLimit)
	for {
		res, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, res.Items...)
		if res.Next == "" {
			return out, nil
		}
		if p.After, err = DecodeCursor(res.Next); err != nil {
			return nil, err
		}
	}
}
