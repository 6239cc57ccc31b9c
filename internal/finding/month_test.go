package finding

import (
	"testing"
	"time"
)

func TestMonthBounds(t *testing.T) {
	for _, tc := range []struct {
		month    string
		from, to string
		ok       bool
	}{
		{"2026-03", "2026-02-28T17:00:00Z", "2026-03-31T17:00:00Z", true},
		{"2026-12", "2026-11-30T17:00:00Z", "2026-12-31T17:00:00Z", true},
		{"2026-13", "", "", false},
		{"2026-3", "", "", false},
		{"", "", "", false},
		{"2026-03-01", "", "", false},
	} {
		from, to, ok := MonthBounds(tc.month)
		if ok != tc.ok {
			t.Errorf("%q: ok %v", tc.month, ok)
			continue
		}
		if ok && (from.Format(time.RFC3339) != tc.from || to.Format(time.RFC3339) != tc.to) {
			t.Errorf("%q: %s – %s, want %s – %s", tc.month, from.Format(time.RFC3339), to.Format(time.RFC3339), tc.from, tc.to)
		}
	}
}
