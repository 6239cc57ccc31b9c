package check

import (
	"slices"
	"strings"

	"github.com/khien/khien/internal/vulndb"
)

// Vulnerable emits one finding of check id (service.vulnerable-version or
// tech.vulnerable-component) for product/version when the vulnerability
// database knows CVEs for it. Severity and CVSS are those of the worst CVE;
// a CVE in the CISA KEV catalogue raises the severity one step.
func (e *Env) Vulnerable(id string, a Asset, product, version string) {
	e.VulnerableAs(id, a, product, version, version)
}

// VulnerableAs is Vulnerable for a version that was read only in part (a
// release line): the finding names version as read, and the database is
// asked about matchAs, the newest release the evidence allows.
func (e *Env) VulnerableAs(id string, a Asset, product, version, matchAs string) {
	if e.VulnDB == nil || version == "" || !e.Enabled(id) {
		return
	}
	vulns := e.VulnDB.Match(product, matchAs)
	if len(vulns) == 0 {
		return
	}
	slices.SortFunc(vulns, func(x, y vulndb.Vuln) int {
		if x.KEV != y.KEV {
			if x.KEV {
				return -1
			}
			return 1
		}
		if x.Score != y.Score {
			if x.Score > y.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(x.ID, y.ID)
	})
	worst := vulns[0]
	for _, v := range vulns {
		if v.Score > worst.Score {
			worst = v
		}
	}
	ids := make([]string, 0, len(vulns))
	var kev []string
	refs := []string{}
	for _, v := range vulns {
		ids = append(ids, v.ID)
		if v.KEV {
			kev = append(kev, v.ID)
		}
		if len(refs) < 10 {
			refs = append(refs, "https://nvd.nist.gov/vuln/detail/"+v.ID)
		}
	}
	f := New(id, a, product+"\x00"+version, Evidencef("%s %s: %d CVE (%s)", product, version, len(ids), strings.Join(ids[:min(len(ids), 5)], ", ")), e.Now())
	if len(kev) > 0 {
		f.AddEvidence(Evidencef("CISA KEV: %s", strings.Join(kev, ", ")))
	}
	f.CVE = ids
	f.CVSSScore = worst.Score
	f.CVSSVector = worst.Vector
	f.Severity = SeverityFromScore(worst.Score)
	if worst.Score == 0 {
		f.Severity = Medium
	}
	if worst.CWE != "" {
		f.CWE = worst.CWE
	}
	// The documented rule: severity is the worst CVE's CVSS band, raised
	// one step (to high at least) when one is known exploited, and the
	// finding says so.
	if len(kev) > 0 {
		from := f.Severity
		f.Severity = f.Severity.Raise()
		if f.Severity.Rank() < High.Rank() {
			f.Severity = High
		}
		if f.Severity != from {
			f.AddEvidence(Evidencef("severity raised from %s (CVSS %.1f) to %s: known exploited (CISA KEV)", from, worst.Score, f.Severity))
		}
	}
	f.References = refs
	e.Send(f)
}
