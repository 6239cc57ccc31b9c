package dashboard

import (
	"testing"
	"time"

	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/storage"
)

func TestMonthStarts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		now   time.Time
		n     int
		first string // the first bound, UTC
		last  string // the last bound, UTC
		label string // the label of the last bucket
	}{
		// 20:00 UTC on 31 January is 03:00 on 1 February in Vietnam: February's bucket.
		{"Vietnam day after UTC day", time.Date(2026, 1, 31, 20, 0, 0, 0, time.UTC), 2, "2025-12-31T17:00:00Z", "2026-02-28T17:00:00Z", "2026-02"},
		{"mid month", time.Date(2026, 7, 15, 3, 0, 0, 0, time.UTC), 12, "2025-07-31T17:00:00Z", "2026-07-31T17:00:00Z", "2026-07"},
		{"across a year", time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), 3, "2025-10-31T17:00:00Z", "2026-01-31T17:00:00Z", "2026-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MonthStarts(tc.now, tc.n)
			if len(got) != tc.n+1 {
				t.Fatalf("%d bounds, want %d", len(got), tc.n+1)
			}
			if f := got[0].Format(time.RFC3339); f != tc.first {
				t.Errorf("first bound %s, want %s", f, tc.first)
			}
			if l := got[tc.n].Format(time.RFC3339); l != tc.last {
				t.Errorf("last bound %s, want %s", l, tc.last)
			}
			if l := MonthLabel(got[tc.n-1]); l != tc.label {
				t.Errorf("last label %s, want %s", l, tc.label)
			}
			if !got[tc.n-1].Before(tc.now) || got[tc.n].Before(tc.now) {
				t.Errorf("now %s is not in the last bucket %s–%s", tc.now, got[tc.n-1], got[tc.n])
			}
		})
	}
}

func TestCoverageSince(t *testing.T) {
	for _, tc := range []struct {
		now    time.Time
		months int
		want   string
	}{
		{time.Date(2026, 7, 15, 3, 0, 0, 0, time.UTC), 3, "2026-04-15T03:00:00Z"},
		{time.Date(2026, 7, 15, 3, 0, 0, 0, time.UTC), 6, "2026-01-15T03:00:00Z"},
		// 31 August in Vietnam, six months back: 31 February normalises to 3 March.
		{time.Date(2026, 8, 31, 1, 0, 0, 0, time.UTC), 6, "2026-03-03T01:00:00Z"},
	} {
		if got := CoverageSince(tc.now, tc.months).Format(time.RFC3339); got != tc.want {
			t.Errorf("CoverageSince(%s, %d) = %s, want %s", tc.now, tc.months, got, tc.want)
		}
	}
}

func TestMeanDays(t *testing.T) {
	for _, tc := range []struct {
		total float64
		n     int
		want  float64
	}{{0, 0, 0}, {10, 0, 0}, {30, 3, 10}, {10, 3, 3.3}, {20, 3, 6.7}, {1.04, 1, 1}} {
		if got := MeanDays(tc.total, tc.n); got != tc.want {
			t.Errorf("MeanDays(%v, %d) = %v, want %v", tc.total, tc.n, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct{ part, whole, want int }{{0, 0, 0}, {1, 3, 33}, {3, 3, 100}, {2, 0, 0}} {
		if got := Percent(tc.part, tc.whole); got != tc.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", tc.part, tc.whole, got, tc.want)
		}
	}
}

func TestScopeLevel(t *testing.T) {
	for s, want := range map[Scope]string{{}: "city", {OrgID: 3}: "org", {SystemID: 4}: "system", {OrgID: 3, SystemID: 4}: "system"} {
		if got := s.Level(); got != want {
			t.Errorf("%+v: %s, want %s", s, got, want)
		}
	}
}

func TestCampaignProgress(t *testing.T) {
	var p CampaignProgress
	p.add(campaign.NotStarted, "2026-07-01", "2026-07-15", 2) // past due: late
	p.add(campaign.NotStarted, "2026-08-01", "2026-07-15", 1)
	p.add(campaign.Accepted, "2026-07-01", "2026-07-15", 3)
	p.add(campaign.Returned, "2026-07-01", "2026-07-15", 1) // returned past due: late
	want := map[campaign.ObligationStatus]int{campaign.Late: 3, campaign.NotStarted: 1, campaign.Accepted: 3}
	if p.Obligations != 7 || p.Accepted != 3 || len(p.ByStatus) != len(want) {
		t.Fatalf("%+v", p)
	}
	for st, n := range want {
		if p.ByStatus[st] != n {
			t.Errorf("%s: %d, want %d", st, p.ByStatus[st], n)
		}
	}
}

func TestMonthCounts(t *testing.T) {
	starts := MonthStarts(time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC), 2)
	w := storage.NewWhere("f.org_id = ?", 5)
	query, args := monthCounts("f.first_seen", starts, w)
	want := "SELECT 0, count(*), 0 FROM findings f WHERE f.org_id = ? AND f.first_seen >= ? AND f.first_seen < ? UNION ALL " +
		"SELECT 1, count(*), 0 FROM findings f WHERE f.org_id = ? AND f.first_seen >= ? AND f.first_seen < ?"
	if query != want {
		t.Errorf("query\n%s\nwant\n%s", query, want)
	}
	if len(args) != 6 || args[0] != 5 || args[1] != starts[0] || args[2] != starts[1] || args[5] != starts[2] {
		t.Errorf("args %v", args)
	}
}

// TestMonthsAgree: the dashboard's months are the findings list's, so a
// month's figure and the list it links to count the same findings.
func TestMonthsAgree(t *testing.T) {
	starts := MonthStarts(time.Date(2026, 1, 31, 20, 0, 0, 0, time.UTC), Months)
	for i := range Months {
		from, to, ok := finding.MonthBounds(MonthLabel(starts[i]))
		if !ok || !from.Equal(starts[i]) || !to.Equal(starts[i+1]) {
			t.Errorf("month %s: list %s–%s, dashboard %s–%s", MonthLabel(starts[i]), from, to, starts[i], starts[i+1])
		}
	}
}
