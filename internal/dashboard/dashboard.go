// Package dashboard is the picture at a glance of the city, an organisation
// or one system ([docs/dashboards.md]): findings by severity and status,
// found against fixed by month, overdue, mean time to remediate, scan
// coverage, campaign progress and systems by level. Every figure is an SQL
// aggregate inside the reader's scope; the decisions (months in Vietnam
// time, coverage windows, means) are the plain functions of this file.
package dashboard

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/validation"
)

// Scope is what a dashboard covers: the reader's whole scope (both 0), an
// organisation with those below it, or one system.
type Scope struct {
	OrgID    int64 `json:"org_id,omitempty"`
	SystemID int64 `json:"system_id,omitempty"`
}

// Level names the scope's kind: "city", "org" or "system".
func (s Scope) Level() string {
	switch {
	case s.SystemID != 0:
		return "system"
	case s.OrgID != 0:
		return "org"
	}
	return "city"
}

// Months is how far back the trend goes.
const Months = 12

// CoverageMonths are the windows of scan coverage: Directive 18 asks for a
// scan at least every six months; three shows who keeps ahead of it.
var CoverageMonths = []int{3, 6}

// Severities are the rows of the severity tables, most serious first.
var Severities = []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info}

// Resolved are the statuses that count as remediated: the fix is verified
// by a scan, or the finding is closed. "fixed" alone is a claim still open.
var Resolved = []finding.Status{finding.Verified, finding.Closed}

// Dashboard is every figure of one scope at one moment.
type Dashboard struct {
	Scope      Scope              `json:"scope"`
	Level      string             `json:"level"` // city, org or system
	Name       string             `json:"name,omitempty"`
	Day        string             `json:"day"` // the day in Vietnam the figures are for
	Total      int                `json:"total"`
	Open       int                `json:"open"`
	Overdue    int                `json:"overdue"`
	Severities []SeverityRow      `json:"severities"`
	Trend      []Month            `json:"trend"`
	MTTR       []Remediation      `json:"mttr"`
	Coverage   Coverage           `json:"coverage"`
	Campaigns  []CampaignProgress `json:"campaigns"`
	Levels     []LevelCount       `json:"levels"`
}

// SeverityRow is the findings of one severity by status, with the open and
// overdue ones.
type SeverityRow struct {
	Severity finding.Severity       `json:"severity"`
	Total    int                    `json:"total"`
	Open     int                    `json:"open"`
	Overdue  int                    `json:"overdue"`
	ByStatus map[finding.Status]int `json:"by_status"`
}

// Month is one month of the trend: findings first seen in it and findings
// resolved in it.
type Month struct {
	Month    string `json:"month"` // YYYY-MM in Vietnam time
	Found    int    `json:"found"`
	Resolved int    `json:"resolved"`
}

// Remediation is the mean time to remediate of one severity: from first
// seen to resolved, over the findings resolved.
type Remediation struct {
	Severity finding.Severity `json:"severity"`
	Resolved int              `json:"resolved"`
	MeanDays float64          `json:"mean_days"`
}

// Coverage counts the systems in use and those with a complete scan within
// each window of CoverageMonths.
type Coverage struct {
	Systems int           `json:"systems"`
	Windows []WindowCount `json:"windows"`
	// LastScan is the system's last complete scan (system level only).
	LastScan *time.Time `json:"last_scan,omitempty"`
}

// WindowCount is the systems scanned within the last Months months.
type WindowCount struct {
	Months  int `json:"months"`
	Scanned int `json:"scanned"`
}

// CampaignProgress is one active campaign's obligations in scope by status.
type CampaignProgress struct {
	ID          int64                             `json:"id"`
	Title       string                            `json:"title"`
	Obligations int                               `json:"obligations"`
	ByStatus    map[campaign.ObligationStatus]int `json:"by_status"`
	Accepted    int                               `json:"accepted"`
}

// LevelCount is the systems in use at one security level (0: not yet decided).
type LevelCount struct {
	Level   int `json:"level"`
	Systems int `json:"systems"`
}

// MonthStarts are the first instants (UTC) of the last n months in Vietnam
// time, oldest first, followed by the start of the month after now's: the
// bounds of n buckets.
func MonthStarts(now time.Time, n int) []time.Time {
	local := now.In(i18n.Vietnam)
	next := time.Date(local.Year(), local.Month()+1, 1, 0, 0, 0, 0, i18n.Vietnam)
	out := make([]time.Time, n+1)
	for i := range out {
		out[i] = next.AddDate(0, i-n, 0).UTC()
	}
	return out
}

// MonthLabel is the YYYY-MM of a bucket's start in Vietnam time.
func MonthLabel(start time.Time) string { return start.In(i18n.Vietnam).Format("2006-01") }

// CoverageSince is the start of a coverage window: the same moment months
// calendar months before now, in Vietnam time.
func CoverageSince(now time.Time, months int) time.Time {
	return now.In(i18n.Vietnam).AddDate(0, -months, 0).UTC()
}

// Covered narrows a systems list to the systems behind a coverage figure:
// inuse "1" keeps the systems in use; scanned, a window of CoverageMonths
// ("3", "6"), keeps those in use with a complete scan within it. The web's
// links and the API's filters mean the same thing through it.
func Covered(f *inventory.SystemFilter, inuse, scanned string, now time.Time) error {
	f.InUse = f.InUse || inuse == "1"
	if scanned == "" {
		return nil
	}
	m, err := strconv.Atoi(scanned)
	if err != nil || !slices.Contains(CoverageMonths, m) {
		return validation.Invalid("scanned", "dashboard.err.window", strings.Join(CoverageWindows(), ", "))
	}
	f.InUse, f.ScannedSince = true, CoverageSince(now, m)
	return nil
}

// CoverageWindows are CoverageMonths as the values of the scanned filter.
func CoverageWindows() []string {
	s := make([]string, len(CoverageMonths))
	for i, m := range CoverageMonths {
		s[i] = strconv.Itoa(m)
	}
	return s
}

// MeanDays is a total duration in days over n findings, to one decimal; 0 when none.
func MeanDays(totalDays float64, n int) float64 {
	if n <= 0 {
		return 0
	}
	return float64(int64(totalDays/float64(n)*10+0.5)) / 10
}

// progress adds obligation counts stored with their phase's due date, as
// campaign.EffectiveStatus reads them on day today.
func (p *CampaignProgress) add(stored campaign.ObligationStatus, dueOn, today string, n int) {
	st := campaign.EffectiveStatus(stored, dueOn, today)
	if p.ByStatus == nil {
		p.ByStatus = map[campaign.ObligationStatus]int{}
	}
	p.ByStatus[st] += n
	p.Obligations += n
	if st == campaign.Accepted {
		p.Accepted += n
	}
}

// Percent is the share of part in whole, rounded down; 0 of 0 is 0.
func Percent(part, whole int) int {
	if whole <= 0 {
		return 0
	}
	return part * 100 / whole
}
