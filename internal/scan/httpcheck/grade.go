package httpcheck

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// GradeResult is a header score in the manner of the Mozilla HTTP
// Observatory: start from 100, subtract for missing or weak protections,
// add a little for extra ones, and map the score to a letter.
type GradeResult struct {
	Score int
	Grade string
	Notes []check.Text
}

var reMaxAge = regexp.MustCompile(`(?i)max-age\s*=\s*"?(\d+)`)

// Grade scores the headers of a start page served over HTTPS or, when https
// is false, over plain HTTP without a redirect. badCookies and
// permissiveCORS come from the other checks.
func Grade(h http.Header, https, badCookies, permissiveCORS bool) GradeResult {
	score := 100
	var notes []check.Text
	adjust := func(n int, note check.Text) {
		score += n
		notes = append(notes, check.Evidencef("%s %s", note, signed(n)))
	}
	csp := strings.ToLower(h.Get("Content-Security-Policy"))
	switch {
	case csp == "":
		adjust(-25, check.Evidencef("no CSP"))
	case strings.Contains(csp, "'unsafe-inline'") || strings.Contains(csp, "'unsafe-eval'"):
		adjust(-20, check.Evidencef("CSP allows unsafe-inline/eval"))
	}
	if badCookies {
		adjust(-20, check.Evidencef("cookies without Secure/HttpOnly"))
	}
	if permissiveCORS {
		adjust(-50, check.Evidencef("CORS reflects any origin"))
	}
	if !https {
		adjust(-20, check.Evidencef("no redirect to HTTPS"))
	}
	switch rp := strings.ToLower(h.Get("Referrer-Policy")); {
	case strings.Contains(rp, "no-referrer") || strings.Contains(rp, "same-origin") || strings.Contains(rp, "strict-origin"):
		adjust(5, check.Evidencef("Referrer-Policy"))
	case strings.Contains(rp, "unsafe-url"):
		adjust(-5, check.Evidencef("Referrer-Policy unsafe-url"))
	}
	if https {
		hsts := h.Get("Strict-Transport-Security")
		m := reMaxAge.FindStringSubmatch(hsts)
		switch {
		case m == nil:
			adjust(-20, check.Evidencef("no HSTS"))
		case atoi(m[1]) < 15768000:
			adjust(-10, check.Evidencef("HSTS max-age under 6 months"))
		case strings.Contains(strings.ToLower(hsts), "preload"):
			adjust(5, check.Evidencef("HSTS preload"))
		}
	}
	if !strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
		adjust(-5, check.Evidencef("no nosniff"))
	}
	switch {
	case strings.Contains(csp, "frame-ancestors"):
		adjust(5, check.Evidencef("CSP frame-ancestors"))
	case h.Get("X-Frame-Options") == "":
		adjust(-20, check.Evidencef("no X-Frame-Options"))
	}
	score = max(score, 0)
	return GradeResult{Score: score, Grade: letter(score), Notes: notes}
}

func letter(score int) string {
	for _, g := range []struct {
		min   int
		grade string
	}{{100, "A+"}, {90, "A"}, {85, "A-"}, {80, "B+"}, {70, "B"}, {65, "B-"}, {60, "C+"}, {50, "C"}, {45, "C-"}, {40, "D+"}, {30, "D"}, {25, "D-"}} {
		if score >= g.min {
			return g.grade
		}
	}
	return "F"
}

func signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
