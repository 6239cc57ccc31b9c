package finding

import (
	"math"
	"net/netip"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/validation"
)

// Factor is one part of a finding's priority, for the finding page to
// explain the score: its catalogue key and the points it adds.
type Factor struct {
	Key    string `json:"key"`
	Points int    `json:"points"`
	Arg    string `json:"arg,omitempty"`
}

// Points of each factor. Severity dominates; a CVE under active
// exploitation (KEV) lifts a high finding above an ordinary critical one;
// exploit probability, reachability from the internet and the system's
// security level order findings of one severity.
var severityPoints = map[check.Severity]int{check.Critical: 50, check.High: 35, check.Medium: 20, check.Low: 8, check.Info: 0}

const (
	kevPoints     = 20
	epssPoints    = 15 // times the EPSS probability
	exposedPoints = 10
	levelPoints   = 3 // per level above 2
	maxPriority   = 100
)

// Priority scores a finding from 0 to 100 and lists why.
func Priority(f Finding, level int) (int, []Factor) {
	factors := []Factor{{Key: "finding.prio.severity", Points: severityPoints[f.Severity], Arg: string(f.Severity)}}
	if f.KEV {
		factors = append(factors, Factor{Key: "finding.prio.kev", Points: kevPoints})
	}
	if p := int(math.Round(f.EPSS * epssPoints)); p > 0 {
		factors = append(factors, Factor{Key: "finding.prio.epss", Points: p, Arg: formatPercent(f.EPSS)})
	}
	if f.Exposed {
		factors = append(factors, Factor{Key: "finding.prio.exposed", Points: exposedPoints})
	}
	if level > 2 {
		factors = append(factors, Factor{Key: "finding.prio.level", Points: (level - 2) * levelPoints, Arg: itoa(level)})
	}
	total := 0
	for _, x := range factors {
		total += x.Points
	}
	return min(total, maxPriority), factors
}

// Exposed reports whether the address a finding was seen on is reachable
// from the internet: a public IP, or a name (the names agencies register
// are their public sites; internal servers are registered by address).
func Exposed(host, ip string) bool {
	if ip == "" {
		ip = host
	}
	if a, err := netip.ParseAddr(ip); err == nil {
		return a.IsGlobalUnicast() && !a.IsPrivate()
	}
	return host != ""
}

// Policy sets due dates: days to fix by severity, shortened for systems of
// a high security level.
type Policy struct {
	Days map[check.Severity]int `json:"days"` // 0: no deadline
	// HalveFromLevel: systems of this level and above get half the days.
	HalveFromLevel int `json:"halve_from_level"`
}

// DefaultPolicy is critical 7 days, high 30, medium 90, low 180, halved for
// level 3 and above.
func DefaultPolicy() Policy {
	return Policy{Days: map[check.Severity]int{check.Critical: 7, check.High: 30, check.Medium: 90, check.Low: 180}, HalveFromLevel: 3}
}

// Validate refuses negative or absurd deadlines.
func (p Policy) Validate() error {
	var errs validation.Errors
	for sev, d := range p.Days {
		if sev.Rank() < 0 {
			errs.Add("days", "finding.err.severity", string(sev))
		} else if d < 0 || d > 3650 {
			errs.Add("days."+string(sev), "finding.err.days", d)
		}
	}
	if p.HalveFromLevel < 0 || p.HalveFromLevel > 6 {
		errs.Add("halve_from_level", "finding.err.level", p.HalveFromLevel)
	}
	return errs.Err()
}

// Due is the due date (YYYY-MM-DD, Vietnam time) of a finding of severity
// sev first seen at on a system of level; "" when the policy sets none.
func (p Policy) Due(sev check.Severity, level int, seen time.Time, zone *time.Location) string {
	days := p.Days[sev]
	if days == 0 {
		return ""
	}
	if p.HalveFromLevel > 0 && level >= p.HalveFromLevel {
		days = max(1, days/2)
	}
	return seen.In(zone).AddDate(0, 0, days).Format(time.DateOnly)
}

// LetsAttackerIn is Directive 18's test: a finding that gives an attacker a
// way in (critical, a CVE under active exploitation, or a sign of
// intrusion or compromise) is hunted for at once, alongside the fix.
func LetsAttackerIn(f Finding) bool {
	if f.Severity == check.Critical || f.KEV {
		return true
	}
	for _, t := range f.Tags {
		if t == "intrusion" || t == "compromise" {
			return true
		}
	}
	return false
}
