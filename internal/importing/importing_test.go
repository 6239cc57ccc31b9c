package importing

import (
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
