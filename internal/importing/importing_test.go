package importing

import (
	"reflect"
	"testing"
)

func TestPlanCounts(t *testing.T) {
	p := NewPlan("A")
	for _, op := range []Op{Create, Unchanged, Skip, Unchanged} {
		p.Count("A", op)
	}
	p.Updated("A", 5, "k", []FieldChange{{Field: "x", Old: "1", New: "", Cleared: true}, {Field: "y", Old: "1", New: "2"}})
	if c := *p.Counts["A"]; c != (Counts{Created: 1, Updated: 1, Unchanged: 2, Skipped: 1}) || len(p.Changes) != 1 || p.Cleared() != 1 {
		t.Fatalf("counts %+v, changes %v", c, p.Changes)
	}
}

func TestDiff(t *testing.T) {
	type inner struct {
		Count int `json:"count"`
	}
	type record struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Notes string `json:"notes,omitempty"`
		Flag  bool   `json:"flag"`
		inner
		Tags []string `json:"tags"`
	}
	old := record{ID: 1, Name: "A", Notes: "ghi chú", inner: inner{Count: 3}, Tags: []string{"x"}}
	tests := []struct {
		name string
		new  record
		want []FieldChange
	}{
		{"nothing", old, nil},
		{"ignored id", record{ID: 2, Name: "A", Notes: "ghi chú", inner: inner{Count: 3}, Tags: []string{"x"}}, nil},
		{"renamed", record{ID: 1, Name: "B", Notes: "ghi chú", inner: inner{Count: 3}, Tags: []string{"x"}}, []FieldChange{{Field: "name", Old: "A", New: "B"}}},
		{"cleared text and count", record{ID: 1, Name: "A", Tags: []string{"x"}}, []FieldChange{
			{Field: "notes", Old: "ghi chú", New: "", Cleared: true}, {Field: "count", Old: "3", New: "0", Cleared: true}}},
		{"flag and list", record{ID: 1, Name: "A", Notes: "ghi chú", Flag: true, inner: inner{Count: 3}, Tags: []string{"x", "y"}}, []FieldChange{
			{Field: "flag", Old: "false", New: "true"}, {Field: "tags", Old: "x", New: "x, y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(old, tt.new, "id"); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestEmptied: a field going from a value to empty, no, false or 0 is
// cleared; anything else, including from nothing to something, is not.
func TestEmptied(t *testing.T) {
	tests := []struct {
		old, new string
		want     bool
	}{
		{"ghi chú", "", true},
		{"yes", "no", true},
		{"true", "false", true},
		{"3", "0", true},
		{"3", "", true},
		{"partial", "no", true},
		{"", "no", false},
		{"0", "", false},
		{"no", "yes", false},
		{"false", "true", false},
		{"3", "2", false},
		{"A", "B", false},
	}
	for _, tt := range tests {
		if got := Emptied(tt.old, tt.new); got != tt.want {
			t.Errorf("Emptied(%q, %q) = %v, want %v", tt.old, tt.new, got, tt.want)
		}
	}
}
