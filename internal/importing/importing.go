// Package importing is the shape every import of Khiên shares — inventory
// workbooks now, scanner results and account lists later: read the file,
// validate it, plan against the current state what each row will do, then
// apply the plan. The plan is computed before anything is written, so the
// preview a user confirms is exactly what the import does; an import with
// problems writes nothing unless the user chose to import the valid rows.
package importing

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/khien/khien/internal/storage"
)

// Op is what an import does with one row.
type Op string

// The operations of a plan.
const (
	Create    Op = "create"
	Update    Op = "update"
	Unchanged Op = "unchanged"
	Skip      Op = "skip" // the row has problems
)

// FieldChange is one field that an update changes.
type FieldChange struct {
	Field string `json:"field"`
	// Header names the field for people, in the reader's language.
	Header string `json:"header,omitempty"`
	Old    string `json:"old"`
	New    string `json:"new"`
	// Cleared: the update empties a field that had a value (Emptied).
	Cleared bool `json:"cleared,omitempty"`
}

// Emptied reports whether a field going from old to new, as text, is
// cleared: it had a value and now has none, "no" or 0 (a yes/no going to
// no, a count or a level going to 0, a text going blank). It is the one
// rule by which every import counts and highlights the fields it clears.
func Emptied(old, new string) bool { return !blank(old) && blank(new) }

// blank is a field's text that says "nothing": empty, 0, no or false.
func blank(v string) bool {
	switch v {
	case "", "0", "no", "false":
		return true
	}
	return false
}

// Change is an updated row with the fields it changes.
type Change struct {
	Sheet  string        `json:"sheet"`
	Row    int           `json:"row"`
	Key    string        `json:"key"` // the row's natural key, as the user wrote it
	Fields []FieldChange `json:"fields"`
}

// Clears reports whether the change empties any field.
func (c Change) Clears() bool {
	for _, f := range c.Fields {
		if f.Cleared {
			return true
		}
	}
	return false
}

// Cleared counts the fields that the plan's updates empty.
func (p *Plan) Cleared() int {
	n := 0
	for _, c := range p.Changes {
		for _, f := range c.Fields {
			if f.Cleared {
				n++
			}
		}
	}
	return n
}

// Total is the counts of every sheet added up.
func (p *Plan) Total() Counts {
	var t Counts
	for _, c := range p.Counts {
		t.Created, t.Updated, t.Unchanged, t.Skipped = t.Created+c.Created, t.Updated+c.Updated, t.Unchanged+c.Unchanged, t.Skipped+c.Skipped
	}
	return t
}

// Counts counts rows by what the import does with them.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
}

// Plan is what an import will do: counts by sheet, and every update field
// by field. Problems is how many problems the input has.
type Plan struct {
	Counts   map[string]*Counts `json:"counts"`
	Changes  []Change           `json:"changes,omitempty"`
	Problems int                `json:"-"`
	// Written is set once the plan has been applied.
	Written bool `json:"written"`
}

// NewPlan is an empty plan over the named sheets.
func NewPlan(sheets ...string) *Plan {
	p := &Plan{Counts: map[string]*Counts{}}
	for _, s := range sheets {
		p.Counts[s] = &Counts{}
	}
	return p
}

// Count records op for a row of sheet.
func (p *Plan) Count(sheet string, op Op) {
	c := p.Counts[sheet]
	if c == nil {
		c = &Counts{}
		p.Counts[sheet] = c
	}
	switch op {
	case Create:
		c.Created++
	case Update:
		c.Updated++
	case Unchanged:
		c.Unchanged++
	case Skip:
		c.Skipped++
	}
}

// Updated records an update of a row with the fields it changes.
func (p *Plan) Updated(sheet string, row int, key string, fields []FieldChange) {
	p.Count(sheet, Update)
	if len(fields) > 0 {
		p.Changes = append(p.Changes, Change{Sheet: sheet, Row: row, Key: key, Fields: fields})
	}
}

// Options say what an import may do.
type Options struct {
	// DryRun plans without writing: the preview.
	DryRun bool
	// SkipInvalid writes the valid rows of an input that has problems;
	// without it an input with any problem writes nothing.
	SkipInvalid bool
	// Source names the input in the audit log.
	Source string
}

// Run plans an import and, when the options allow, applies it. A dry run
// plans in a read-only snapshot and takes no write lock; a real import plans and
// applies in one transaction, so the state cannot change in between. apply
// writes what plan decided (plan keeps its typed decisions for it) and
// records the audit entry.
func Run(ctx context.Context, db *storage.Store, opt Options,
	plan func(storage.Querier) (*Plan, error), apply func(*storage.Tx, *Plan) error) (*Plan, error) {
	if opt.DryRun {
		var out *Plan
		err := db.InReadTx(ctx, func(tx *storage.Tx) error {
			p, err := plan(tx)
			out = p
			return err
		})
		return out, err
	}
	var out *Plan
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		p, err := plan(tx)
		if err != nil {
			return err
		}
		out = p
		if p.Problems > 0 && !opt.SkipInvalid {
			return nil
		}
		if err := apply(tx, p); err != nil {
			return err
		}
		p.Written = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", opt.Source, err)
	}
	return out, nil
}

// Diff lists the fields of two values of the same struct type that differ,
// by their JSON names, skipping the fields named in ignore and the fields
// of embedded structs' ignore lists alike. It is how a plan shows an update.
func Diff(old, new any, ignore ...string) []FieldChange {
	skip := map[string]bool{}
	for _, f := range ignore {
		skip[f] = true
	}
	var out []FieldChange
	diffValue(reflect.ValueOf(old), reflect.ValueOf(new), skip, &out)
	return out
}

func diffValue(a, b reflect.Value, skip map[string]bool, out *[]FieldChange) {
	t := a.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			diffValue(a.Field(i), b.Field(i), skip, out)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			name = f.Name
		}
		if skip[name] {
			continue
		}
		x, y := show(a.Field(i)), show(b.Field(i))
		if x != y {
			*out = append(*out, FieldChange{Field: name, Old: x, New: y, Cleared: Emptied(x, y)})
		}
	}
}

// show is a field's value as a user reads it.
func show(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.Format(time.RFC3339)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	}
	if v.Kind() == reflect.Slice {
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = show(v.Index(i))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v.Interface())
}
