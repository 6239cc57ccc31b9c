package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/finding"
)

// TestWeaknesses: every weakness the demo plants converts to a finding;
// Khiên's are the scanner's own check IDs or CVEs; a manual test rates its
// findings by their CVSS vector, as auditors do; a CVE the demo calls
// exploited is one a weakness names.
func TestWeaknesses(t *testing.T) {
	var all []weakness
	all = append(all, khienAnchor, nucleiAnchor, nessusAnchor, openvasAnchor)
	all = append(all, khienMail...)
	all = append(all, zapAlerts...)
	all = append(all, burpIssues...)
	all = append(all, pentest...)
	for _, l := range [][]struct {
		w weakness
		p float64
	}{khienChecks, nucleiExtra, nessusWindows, nessusLinux, openvasChecks, openvasLAN} {
		for _, c := range l {
			all = append(all, c.w)
		}
	}
	for _, l := range cmsWeaknesses {
		for _, c := range l {
			w := c.w
			w.tool, w.rule = "khien", "tech.vulnerable-component"
			all = append(all, w)
		}
	}
	for _, u := range unregistered {
		all = append(all, u.w...)
	}
	named := map[string]bool{}
	for _, w := range all {
		is := issue{w: w, t: target{host: "demo.cantho.gov.vn", ip: "203.113.130.10"}}
		f, err := finding.FromObservation(is.observation(time.Now()), demoVulns{})
		if err != nil {
			t.Errorf("%s %s: %v", w.tool, w.rule, err)
			continue
		}
		if w.tool == "khien" && !strings.HasPrefix(f.RuleKey, "check:") && !strings.HasPrefix(f.RuleKey, "cve:") {
			t.Errorf("%s is not a check of Khiên's scanner", w.rule)
		}
		if w.tool == "manual" && bandOf(f.CVSS3Score) != w.sev {
			t.Errorf("%s: severity %s but CVSS %.1f", w.rule, w.sev, f.CVSS3Score)
		}
		if w.cvss == "" && w.score == 0 && w.sev != finding.Info {
			t.Errorf("%s %s: no score", w.tool, w.rule)
		}
		for _, c := range w.cves {
			named[c] = true
		}
	}
	for c := range kevCVEs {
		if !named[c] {
			t.Errorf("%s is in the demo's KEV list but no weakness names it", c)
		}
	}
}

// bandOf is CVSS 3.1's qualitative rating of a base score.
func bandOf(score float64) finding.Severity {
	switch {
	case score >= 9:
		return finding.Critical
	case score >= 7:
		return finding.High
	case score >= 4:
		return finding.Medium
	case score > 0:
		return finding.Low
	}
	return finding.Info
}
