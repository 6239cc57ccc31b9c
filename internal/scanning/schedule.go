package scanning

import (
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
)

// DefaultRule is every three months (seed 000, II.3.b).
const DefaultRule = "FREQ=MONTHLY;INTERVAL=3"

// MaxScanAge is the longest a system may go without a complete scan
// (Directive 18, seed 004: at most six months between scans).
const MaxScanAge = 183 * 24 * time.Hour

// parseRule reads an iCalendar RRULE (with or without the "RRULE:" prefix)
// starting at start, in Vietnam time, so "BYHOUR=22" is 22:00 in Vietnam
// and a monthly rule on the 31st skips the shorter months (RFC 5545).
func parseRule(rule string, start time.Time) (*rrule.RRule, error) {
	rule = strings.TrimPrefix(strings.TrimSpace(rule), "RRULE:")
	if rule == "" {
		rule = DefaultRule
	}
	opt, err := rrule.StrToROptionInLocation(rule, i18n.Vietnam)
	if err != nil {
		return nil, validation.Invalid("rrule", "scan.schedule.rrule", rule, err.Error())
	}
	// A scan more often than daily is not a schedule but a load test.
	if opt.Freq > rrule.DAILY {
		return nil, validation.Invalid("rrule", "scan.schedule.too_often", rule)
	}
	opt.Dtstart = start.In(i18n.Vietnam)
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, validation.Invalid("rrule", "scan.schedule.rrule", rule, err.Error())
	}
	return r, nil
}

// ValidateRule reports whether rule can be a schedule.
func ValidateRule(rule string) error {
	_, err := parseRule(rule, time.Now())
	return err
}

// NextRun is the first occurrence of rule, started at start, strictly after
// after; the zero time when the rule has ended (COUNT or UNTIL).
func NextRun(rule string, start, after time.Time) (time.Time, error) {
	r, err := parseRule(rule, start)
	if err != nil {
		return time.Time{}, err
	}
	next := r.After(after, false)
	if next.IsZero() {
		return next, nil
	}
	return next.UTC(), nil
}

// Stale reports whether a system last completely scanned at last (zero:
// never) is past the policy's limit at now.
func Stale(last, now time.Time) bool {
	return last.IsZero() || now.Sub(last) > MaxScanAge
}
