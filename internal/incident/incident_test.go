package incident

import (
	"slices"
	"testing"
	"time"
)

func TestCheckMove(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{Reception, Analysis, true},
		{Reception, Eradication, true},
		{Recovery, Eradication, true}, // the attacker came back
		{Analysis, Analysis, false},
		{Recovery, Closed, false},
		{Review, Closed, true},
		{Closed, Analysis, true},
		{Closed, Recovery, false},
		{Reception, "done", false},
	} {
		if err := CheckMove(tc.from, tc.to); (err == nil) != tc.ok {
			t.Errorf("%s → %s: %v", tc.from, tc.to, err)
		}
	}
}

func TestSeriousHint(t *testing.T) {
	for _, tc := range []struct {
		severity string
		level    int
		want     bool
	}{{"high", 3, true}, {"high", 2, false}, {"critical", 1, true}, {"medium", 5, false}} {
		if got, _ := SeriousHint(tc.severity, tc.level); got != tc.want {
			t.Errorf("%s at level %d: %v", tc.severity, tc.level, got)
		}
	}
}

func TestPlaybooks(t *testing.T) {
	for _, cat := range Categories {
		steps := Playbook(cat)
		if len(steps) < 5 || len(steps) != len(playbooks[cat]) {
			t.Errorf("%s: %d steps of %d codes", cat, len(steps), len(playbooks[cat]))
		}
		for i := 1; i < len(steps); i++ {
			if PhaseIndex(steps[i].Phase) < PhaseIndex(steps[i-1].Phase) {
				t.Errorf("%s: %s before %s", cat, steps[i-1].Code, steps[i].Code)
			}
		}
	}
	seen := map[string]bool{}
	for _, s := range library {
		if seen[s.Code] || s.VI == "" || s.EN == "" || PhaseIndex(s.Phase) < 0 || s.Phase == Closed {
			t.Errorf("library step %+v", s)
		}
		seen[s.Code] = true
	}
	// The defacement playbook is the one the issue spells out.
	var codes []string
	for _, s := range Playbook(Defacement) {
		codes = append(codes, s.Code)
	}
	for _, want := range []string{"snapshot_page", "preserve_logs", "maintenance_page", "entry_point", "remove_files", "patch", "change_credentials", "restore_backup", "rescan", "watch"} {
		if !slices.Contains(codes, want) {
			t.Errorf("defacement playbook lacks %s", want)
		}
	}
}

func TestDurations(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	n, c := t0.Add(3*time.Hour), t0.Add(5*time.Hour)
	d := Case{DetectedAt: t0, NotifiedAt: &n, ContainedAt: &c}.Durations()
	if *d.ToNotify != 3*time.Hour || *d.ToContain != 5*time.Hour || d.ToRecover != nil || d.Contained != nil {
		t.Errorf("durations = %+v", d)
	}
}

func TestSummarise(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { x := t0.Add(time.Duration(h) * time.Hour); return &x }
	cases := []Case{
		{Category: Defacement, OrgCode: "SKHCN", Phase: Closed, DetectedAt: t0, ContainedAt: at(2), RecoveredAt: at(10)},
		{Category: Defacement, OrgCode: "STC", Phase: Containment, DetectedAt: t0, ContainedAt: at(4), Serious: true},
		{Category: Ransomware, OrgCode: "SKHCN", Phase: Analysis, DetectedAt: t0},
	}
	m := Summarise(cases, t0, t0.AddDate(0, 1, 0))
	if m.Cases != 3 || m.Open != 2 || m.Serious != 1 || *m.MeanToContain != 3 || *m.MeanToRecover != 10 {
		t.Errorf("metrics = %+v", m)
	}
	if len(m.ByCategory) != 2 || m.ByCategory[0] != (Count{Key: Defacement, Cases: 2}) || m.ByOrg[0].Key != "SKHCN" || m.ByOrg[0].Cases != 2 {
		t.Errorf("counts: %+v %+v", m.ByCategory, m.ByOrg)
	}
}
