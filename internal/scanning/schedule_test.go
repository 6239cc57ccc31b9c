package scanning

import (
	"testing"
	"time"

	"github.com/khien/khien/internal/i18n"
)

func TestNextRun(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, i18n.Vietnam) }
	tests := []struct {
		name        string
		rule        string
		start, from time.Time
		want        time.Time
	}{
		{"default is quarterly", "", at(2026, 1, 15, 22), at(2026, 1, 15, 22), at(2026, 4, 15, 22)},
		{"quarterly after a missed run", DefaultRule, at(2026, 1, 15, 22), at(2026, 5, 1, 0), at(2026, 7, 15, 22)},
		{"the 31st skips short months", "FREQ=MONTHLY", at(2026, 1, 31, 22), at(2026, 1, 31, 22), at(2026, 3, 31, 22)},
		{"last day of month", "FREQ=MONTHLY;BYMONTHDAY=-1", at(2026, 1, 31, 22), at(2026, 1, 31, 22), at(2026, 2, 28, 22)},
		{"leap February", "FREQ=MONTHLY;BYMONTHDAY=-1", at(2028, 1, 31, 22), at(2028, 1, 31, 22), at(2028, 2, 29, 22)},
		{"across the year end", DefaultRule, at(2026, 10, 15, 1), at(2026, 10, 15, 1), at(2027, 1, 15, 1)},
		{"no 30 February: RFC 5545 skips it", DefaultRule, at(2026, 11, 30, 1), at(2026, 11, 30, 1), at(2027, 5, 30, 1)},
		{"hour in Vietnam time", "FREQ=WEEKLY;BYDAY=SA;BYHOUR=22;BYMINUTE=0;BYSECOND=0", at(2026, 12, 1, 9), at(2026, 12, 1, 9), at(2026, 12, 5, 22)},
		{"after given in UTC", "FREQ=DAILY;BYHOUR=1;BYMINUTE=0;BYSECOND=0", at(2026, 12, 1, 9), time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC), at(2026, 12, 2, 1)},
		{"ended", "FREQ=MONTHLY;COUNT=1", at(2026, 1, 1, 0), at(2026, 1, 1, 0), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextRun(tt.rule, tt.start, tt.from)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("next %s, want %s", got.In(i18n.Vietnam), tt.want)
			}
		})
	}
}

func TestNextRunRefuses(t *testing.T) {
	for _, rule := range []string{"FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=NEVER", "BYDAY=XX"} {
		if _, err := NextRun(rule, time.Now(), time.Now()); err == nil {
			t.Errorf("%q: no error", rule)
		}
	}
}

func FuzzNextRun(f *testing.F) {
	f.Add(DefaultRule)
	f.Add("FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=22")
	start := time.Date(2026, 1, 31, 22, 0, 0, 0, i18n.Vietnam)
	f.Fuzz(func(t *testing.T, rule string) {
		next, err := NextRun(rule, start, start)
		if err == nil && !next.IsZero() && !next.After(start) {
			t.Fatalf("%q: next %s not after %s", rule, next, start)
		}
	})
}
