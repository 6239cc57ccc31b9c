package scanning

import (
	"testing"
	"time"

	"github.com/khien/khien/internal/i18n"
)

// vn is a time in Vietnam; 2026-12-07 is a Monday.
func vn(day, hour, minute int) time.Time {
	return time.Date(2026, 12, day, hour, minute, 0, 0, i18n.Vietnam)
}

func TestWindowOpen(t *testing.T) {
	tests := []struct {
		spec string
		at   time.Time
		open bool
	}{
		{"", vn(7, 12, 0), true},
		{"22:00-05:00", vn(7, 23, 0), true},
		{"22:00-05:00", vn(8, 4, 59), true},
		{"22:00-05:00", vn(8, 5, 0), false},
		{"22:00-05:00", vn(7, 21, 59), false},
		{"22:00-05:00; sat,sun", vn(12, 14, 0), true}, // Saturday afternoon
		{"22:00-05:00; sat,sun", vn(11, 14, 0), false},
		{"t2-t6 22:00-05:00", vn(7, 22, 30), true},
		{"t2-t6 22:00-05:00", vn(12, 22, 30), false}, // Saturday night is not t2-t6
		{"t2-t6 22:00-05:00", vn(12, 2, 0), true},    // the rest of Friday night
		{"fri-mon", vn(13, 10, 0), true},             // wraps through the weekend
		{"fri-mon", vn(8, 10, 0), false},
		{"cn 08:00-12:00", vn(13, 8, 0), true},
		{"cn 08:00-12:00", vn(13, 12, 0), false},
		{"22:00-05:00", time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC), true}, // 23:00 in Vietnam
	}
	for _, tt := range tests {
		w, err := ParseWindow(tt.spec)
		if err != nil {
			t.Fatalf("%q: %v", tt.spec, err)
		}
		if got := w.Open(tt.at); got != tt.open {
			t.Errorf("%q at %s: open %v, want %v", tt.spec, tt.at, got, tt.open)
		}
	}
}

func TestWindowNext(t *testing.T) {
	w, err := ParseWindow("22:00-05:00; sat,sun")
	if err != nil {
		t.Fatal(err)
	}
	if got := w.NextOpen(vn(7, 12, 30)); !got.Equal(vn(7, 22, 0)) {
		t.Errorf("next open %s", got)
	}
	if got := w.ClosesAt(vn(7, 23, 0)); !got.Equal(vn(8, 5, 0)) {
		t.Errorf("closes %s", got)
	}
	// Friday night runs into the weekend: closed only on Monday at 05:00.
	if got := w.ClosesAt(vn(11, 23, 0)); !got.Equal(vn(14, 5, 0)) {
		t.Errorf("weekend closes %s", got)
	}
	if got := (Window{}).ClosesAt(vn(7, 1, 0)); !got.IsZero() {
		t.Errorf("always-open window closes %s", got)
	}
}

func TestParseWindowErrors(t *testing.T) {
	for _, spec := range []string{"22-05", "mon-xyz", "25:00-01:00", "10:00-10:00", "22:00"} {
		if _, err := ParseWindow(spec); err == nil {
			t.Errorf("%q: no error", spec)
		}
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"22:00-05:00; sat,sun", "t2-t6 22:00-05:00", "cn", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		w, err := ParseWindow(spec)
		if err != nil {
			return
		}
		at := vn(7, 12, 0)
		if n := w.NextOpen(at); !n.IsZero() && !w.Open(n) {
			t.Fatalf("%q: next open %s is not open", spec, n)
		}
	})
}
