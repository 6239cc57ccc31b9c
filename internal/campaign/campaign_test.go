package campaign

import (
	"testing"
	"time"
)

func TestEffectiveStatus(t *testing.T) {
	for _, c := range []struct {
		stored     ObligationStatus
		due, today string
		want       ObligationStatus
	}{
		{NotStarted, "2025-05-31", "2025-05-31", NotStarted},
		{NotStarted, "2025-05-31", "2025-06-01", Late},
		{Returned, "2025-05-31", "2025-06-01", Late},
		{Returned, "2025-05-31", "2025-05-20", Returned},
		{Submitted, "2025-05-31", "2025-06-01", Submitted},
		{Accepted, "2025-05-31", "2026-01-01", Accepted},
		{NotStarted, "", "2026-01-01", NotStarted},
	} {
		if got := EffectiveStatus(c.stored, c.due, c.today); got != c.want {
			t.Errorf("EffectiveStatus(%s, %s, %s) = %s, want %s", c.stored, c.due, c.today, got, c.want)
		}
	}
}

func TestRunning(t *testing.T) {
	scan := []Phase{{Kind: KindInventory, StartsOn: "2025-05-01", DueOn: "2025-05-31"}, {Kind: KindScanning, StartsOn: "2025-06-01", DueOn: "2025-12-31"}}
	quarters := []Phase{{Kind: KindScanning, StartsOn: "2025-01-01", DueOn: "2025-03-31"}, {Kind: KindScanning, StartsOn: "2025-07-01", DueOn: "2025-09-30"}}
	for _, c := range []struct {
		name   string
		status Status
		year   int
		phases []Phase
		today  string
		want   bool
	}{
		{"in the scanning phase", Active, 2025, scan, "2025-06-01", true},
		{"last day of the phase", Active, 2025, scan, "2025-12-31", true},
		{"before the scanning phase", Active, 2025, scan, "2025-05-15", false},
		{"draft", Draft, 2025, scan, "2025-07-01", false},
		{"closed", Closed, 2025, scan, "2025-07-01", false},
		{"between two scanning phases", Active, 2025, quarters, "2025-05-01", false},
		{"in a later scanning phase", Active, 2025, quarters, "2025-08-01", true},
		{"no scanning phase: its year", Active, 2025, nil, "2025-02-03", true},
		{"no scanning phase: another year", Active, 2025, nil, "2026-01-01", false},
	} {
		if got := Running(c.status, c.year, c.phases, c.today); got != c.want {
			t.Errorf("%s: Running = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTemplatesPlan(t *testing.T) {
	for _, c := range []struct {
		key        string
		phases     int
		first, due string // the first phase's start, the last phase's due date
	}{
		{"yearly_review", 4, "2025-05-01", "2025-10-09"},
		{"quarterly_scan", 8, "2025-01-01", "2026-01-15"},
		{"merger_review", 5, "2025-06-01", "2025-08-15"},
	} {
		tpl, ok := TemplateByKey(c.key)
		if !ok {
			t.Fatalf("no template %s", c.key)
		}
		plan, err := tpl.Plan(2025)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) != c.phases || plan[0].StartsOn != c.first || plan[len(plan)-1].DueOn != c.due {
			t.Errorf("%s: %d phases from %s to %s", c.key, len(plan), plan[0].StartsOn, plan[len(plan)-1].DueOn)
		}
		for _, p := range plan {
			if p.StartsOn > p.DueOn || p.Title == "" || p.Obligation == "" {
				t.Errorf("%s: phase %+v", c.key, p)
			}
		}
	}
	// Seed 000: the inventory is due in May and the report before 10 October.
	tpl, _ := TemplateByKey("yearly_review")
	plan, _ := tpl.Plan(2025)
	if plan[0].Kind != KindInventory || plan[0].DueOn != "2025-05-31" || plan[3].Kind != KindFinalReport {
		t.Errorf("yearly review: %+v", plan)
	}
}

func TestNormalise(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     Input
		fields []string
	}{
		{"minimal", Input{Title: "Rà soát 2025", Year: 2025, OrgIDs: []int64{1}}, nil},
		{"no title, no orgs", Input{Year: 2025}, []string{"title", "org_ids"}},
		{"bad year", Input{Title: "x", Year: 25, OrgIDs: []int64{1}}, []string{"year"}},
		{"bad template", Input{Title: "x", Year: 2025, OrgIDs: []int64{1}, Template: "monthly"}, []string{"template"}},
		{"bad date", Input{Title: "x", Year: 2025, OrgIDs: []int64{1}, DocumentDate: "09/05/2025"}, []string{"document_date"}},
		{"closed at birth", Input{Title: "x", Year: 2025, OrgIDs: []int64{1}, Status: Closed}, []string{"status"}},
	} {
		c0, es := c.in.Normalise()
		var got []string
		for _, e := range es {
			got = append(got, e.Field)
		}
		if len(got) != len(c.fields) {
			t.Errorf("%s: problems %v, want %v", c.name, got, c.fields)
			continue
		}
		for i := range got {
			if got[i] != c.fields[i] {
				t.Errorf("%s: problems %v, want %v", c.name, got, c.fields)
			}
		}
		if len(es) == 0 && c0.Status != Active {
			t.Errorf("%s: status %s, want active by default", c.name, c0.Status)
		}
	}
}

func TestNextStatus(t *testing.T) {
	for _, c := range []struct {
		from, to Status
		ok       bool
	}{
		{Draft, Active, true}, {Draft, Closed, true}, {Active, Closed, true},
		{Active, Active, false}, {Closed, Active, false}, {Closed, Closed, false},
	} {
		if err := NextStatus(c.from, c.to); (err == nil) != c.ok {
			t.Errorf("%s → %s: %v", c.from, c.to, err)
		}
	}
}

func TestGrid(t *testing.T) {
	phases := []Phase{{ID: 1}, {ID: 2}}
	obs := []ObligationView{
		{Obligation: Obligation{ID: 10, OrgID: 5, PhaseID: 1, Status: Accepted}, OrgCode: "A"},
		{Obligation: Obligation{ID: 11, OrgID: 5, PhaseID: 2, Status: Late}, OrgCode: "A"},
		{Obligation: Obligation{ID: 12, OrgID: 6, PhaseID: 2, Status: Submitted}, OrgCode: "B"},
	}
	g := Grid(phases, obs)
	if len(g) != 2 || g[0].Done != 1 || g[0].Late != 1 || g[0].Total != 2 || g[1].Cells[0].ObligationID != 0 || g[1].Cells[1].Status != Submitted {
		t.Fatalf("grid: %+v", g)
	}
}

func TestDayIsVietnamese(t *testing.T) {
	// 18:00 UTC on 31 May is already 1 June in Vietnam.
	if d := Day(time.Date(2025, 5, 31, 18, 0, 0, 0, time.UTC)); d != "2025-06-01" {
		t.Fatalf("Day = %s", d)
	}
}
