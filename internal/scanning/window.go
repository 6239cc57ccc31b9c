// Package scanning runs Khiên's scanner as an operation: scans of a
// system's registered assets from the server or an agent, under a scope
// guard (an active campaign or a written authorisation; exclusions always
// win), within each system's window and limits, on schedules, as River jobs
// whose findings flow into the findings capability as they are found.
package scanning

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/i18n"
)

// Window is when a system may be scanned, in Vietnam time: any of its
// periods. The zero Window is always open.
type Window struct {
	spec    string
	periods []period
}

// period is a time of day on some days of the week. An overnight period
// (22:00-05:00) belongs to the day it starts on.
type period struct {
	days       [7]bool // by time.Weekday
	start, end int     // minutes after midnight; end <= start: past midnight; 0,0: all day
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday, "cn": time.Sunday, "t2": time.Monday, "t3": time.Tuesday,
	"t4": time.Wednesday, "t5": time.Thursday, "t6": time.Friday, "t7": time.Saturday}

// ParseWindow reads periods separated by ";", each an optional list of
// days (mon-fri, sat,sun; or t2-t6, t7, cn) and an optional time range:
// "22:00-05:00; sat,sun" is every night and all weekend.
func ParseWindow(spec string) (Window, error) {
	w := Window{spec: strings.TrimSpace(spec)}
	for part := range strings.SplitSeq(w.spec, ";") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		p := period{}
		// Days come first; the times start at the first word with a colon
		// (day names such as t2 hold digits too).
		days, times := part, ""
		fields := strings.Fields(part)
		if i := slices.IndexFunc(fields, func(f string) bool { return strings.Contains(f, ":") }); i >= 0 {
			days, times = strings.Join(fields[:i], " "), strings.Join(fields[i:], "")
		}
		if err := p.parseDays(days); err != nil {
			return Window{}, fmt.Errorf("%q: %w", part, err)
		}
		if times != "" {
			from, to, ok := strings.Cut(times, "-")
			var err1, err2 error
			p.start, err1 = clock(from)
			p.end, err2 = clock(to)
			if !ok || err1 != nil || err2 != nil || p.start == p.end {
				return Window{}, fmt.Errorf("%q: want a time range such as 22:00-05:00", part)
			}
		}
		w.periods = append(w.periods, p)
	}
	return w, nil
}

func (p *period) parseDays(s string) error {
	if s == "" {
		p.days = [7]bool{true, true, true, true, true, true, true}
		return nil
	}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		from, to, isRange := strings.Cut(item, "-")
		a, ok1 := weekdays[strings.TrimSpace(from)]
		b, ok2 := a, true
		if isRange {
			b, ok2 = weekdays[strings.TrimSpace(to)]
		}
		if !ok1 || !ok2 {
			return fmt.Errorf("unknown day %q (want mon…sun or t2…t7, cn)", item)
		}
		for d := a; ; d = (d + 1) % 7 {
			p.days[d] = true
			if d == b {
				break
			}
		}
	}
	return nil
}

func clock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return hh*60 + mm, nil
}

// String is the window as it was written.
func (w Window) String() string { return w.spec }

// Always reports whether the window never closes.
func (w Window) Always() bool { return len(w.periods) == 0 }

// Open reports whether t is inside the window.
func (w Window) Open(t time.Time) bool {
	if w.Always() {
		return true
	}
	t = t.In(i18n.Vietnam)
	minute := t.Hour()*60 + t.Minute()
	today, yesterday := t.Weekday(), (t.Weekday()+6)%7
	return slices.ContainsFunc(w.periods, func(p period) bool {
		switch {
		case p.start == 0 && p.end == 0:
			return p.days[today]
		case p.start < p.end:
			return p.days[today] && minute >= p.start && minute < p.end
		default: // past midnight: tonight's part, or the rest of last night's
			return p.days[today] && minute >= p.start || p.days[yesterday] && minute < p.end
		}
	})
}

// horizon bounds the search for the next change: every window repeats weekly.
const horizon = 8 * 24 * time.Hour

// NextOpen is when the window next opens at or after t (t itself when open).
func (w Window) NextOpen(t time.Time) time.Time { return w.next(t, true) }

// ClosesAt is when the window next closes after t; the zero time when it never does.
func (w Window) ClosesAt(t time.Time) time.Time {
	if w.Always() {
		return time.Time{}
	}
	return w.next(t, false)
}

// next walks minute by minute (periods start and end on minutes) to the
// first minute whose openness is want.
func (w Window) next(t time.Time, want bool) time.Time {
	if w.Open(t) == want {
		return t
	}
	m := t.Truncate(time.Minute)
	for end := t.Add(horizon); m.Before(end); {
		m = m.Add(time.Minute)
		if w.Open(m) == want {
			return m
		}
	}
	return time.Time{} // a window with days only on none (cannot be parsed) or always open
}
