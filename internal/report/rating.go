package report

import (
	"cmp"

	"github.com/khien/khien/internal/finding"
)

// Rating is a system's overall rating: the severity of the worst finding it still has open,
// or "pass" when none of severity low or above is open. Informational findings never lower
// it. The rule is deliberately plain, so that an agency can tell from the counts in the same
// report why its system got the rating it got.
type Rating string

// The ratings, worst first.
const (
	RatingCritical Rating = "critical"
	RatingHigh     Rating = "high"
	RatingMedium   Rating = "medium"
	RatingLow      Rating = "low"
	RatingPass     Rating = "pass"
)

// ratedSeverities are the severities that set a rating, worst first, with the rating each gives.
var ratedSeverities = []struct {
	severity finding.Severity
	rating   Rating
}{
	{finding.Critical, RatingCritical},
	{finding.High, RatingHigh},
	{finding.Medium, RatingMedium},
	{finding.Low, RatingLow},
}

// Rate is the rating of a system from the number of its open findings by severity.
func Rate(open map[finding.Severity]int) Rating {
	for _, s := range ratedSeverities {
		if open[s.severity] > 0 {
			return s.rating
		}
	}
	return RatingPass
}

// byPriority orders findings for the report: the most severe first; within a severity the
// earliest due date (a finding without one after those with one), then the higher
// priority score, then the oldest id.
func byPriority(a, b finding.View) int {
	if c := cmp.Compare(b.Severity.Rank(), a.Severity.Rank()); c != 0 {
		return c
	}
	if (a.DueDate == "") != (b.DueDate == "") {
		if a.DueDate == "" {
			return 1
		}
		return -1
	}
	if c := cmp.Compare(a.DueDate, b.DueDate); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
