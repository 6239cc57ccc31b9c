package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scan/check"
)

// Enricher gives what is known of CVEs offline: the CISA KEV catalogue and
// FIRST's EPSS scores (internal/vulndb implements it).
type Enricher interface {
	KEV(cve string) bool
	EPSS(cve string) (score float64, ok bool)
}

// noEnrichment knows nothing.
type noEnrichment struct{}

func (noEnrichment) KEV(string) bool             { return false }
func (noEnrichment) EPSS(string) (float64, bool) { return 0, false }

// FromObservation turns what a tool reported into a finding (without its
// system, status or dates): the host and URL normalised, scores computed
// from the vectors, CVEs enriched, and the fingerprint that identifies the
// issue whatever tool reports it.
func FromObservation(o source.Observation, vulns Enricher) (Finding, error) {
	f := Finding{
		Tool: o.Tool, CheckID: o.RuleID, Title: oneLine(o.Title), Description: o.Description, Severity: o.Severity,
		CWE: normaliseCWE(o.CWE), Tags: capList(o.Tags), Port: o.Port, Protocol: strings.ToLower(o.Protocol),
		URL: o.URL, Parameter: o.Parameter, Location: o.Location, Evidence: source.Excerpt(o.Evidence),
		Request: source.Excerpt(o.Request), Response: source.Excerpt(o.Response), Remediation: o.Remediation,
		References: capList(o.References), CVEs: normaliseCVEs(o.CVEs),
	}
	if f.Title == "" {
		f.Title = cmpOr(o.RuleID, "(no title)")
	}
	if f.Severity.Rank() < 0 {
		f.Severity = check.Info
	}
	f.Host, f.IP = normaliseHost(o.Host), normaliseIP(o.IP)
	if u, err := url.Parse(o.URL); err == nil && u.Host != "" {
		if f.Host == "" {
			f.Host = normaliseHost(u.Hostname())
		}
		if f.Port == 0 {
			f.Port = urlPort(u)
		}
	}
	if a, err := netip.ParseAddr(f.Host); err == nil {
		f.Host = a.Unmap().String()
		if f.IP == "" {
			f.IP = f.Host
		}
	}
	if f.Host == "" {
		f.Host = f.IP
	}
	var err error
	if o.CVSS3 != "" {
		f.CVSS3 = normaliseVector(o.CVSS3, "CVSS:3.1/")
		if f.CVSS3Score, err = check.CVSSScore(f.CVSS3); err != nil {
			return f, fmt.Errorf("CVSS 3 vector %q: %w", o.CVSS3, err)
		}
	}
	if o.CVSS4 != "" {
		f.CVSS4 = o.CVSS4
		if f.CVSS4Score, err = check.CVSSScore(f.CVSS4); err != nil {
			return f, fmt.Errorf("CVSS 4.0 vector %q: %w", o.CVSS4, err)
		}
	}
	if f.CVSS3Score == 0 && o.Score > 0 && o.Score <= 10 {
		f.CVSS3Score = o.Score
	}
	for _, cve := range f.CVEs {
		f.KEV = f.KEV || vulns.KEV(cve)
		if s, ok := vulns.EPSS(cve); ok && s > f.EPSS {
			f.EPSS = s
		}
	}
	f.Exposed = Exposed(f.Host, f.IP)
	f.RuleKey = ruleKey(f)
	f.Fingerprint = fingerprint(f)
	return f, nil
}

// ruleKey is what makes two reports the same issue: the lowest CVE (two
// tools naming one CVE on one port meet), a Khiên check ID (other tools'
// parsers use them where they mean the same: "port.open"), else the tool's
// own rule.
func ruleKey(f Finding) string {
	if len(f.CVEs) > 0 {
		return "cve:" + f.CVEs[0]
	}
	if _, ok := check.Lookup(f.CheckID); ok {
		return "check:" + f.CheckID
	}
	return f.Tool + ":" + f.CheckID
}

// fingerprint hashes the rule key, the asset, the port and the place on
// it: the path and parameter of a web finding, the file of a code finding.
// A CVE is one issue per port whatever URL showed it.
func fingerprint(f Finding) string {
	place := f.Location
	if !strings.HasPrefix(f.RuleKey, "cve:") {
		if u, err := url.Parse(f.URL); err == nil && f.URL != "" {
			place += "|" + cmpOr(u.EscapedPath(), "/")
		}
		if f.Parameter != "" {
			place += "?" + f.Parameter
		}
	}
	h := sha256.Sum256([]byte(f.RuleKey + "\x00" + f.Host + "\x00" + strconv.Itoa(f.Port) + "\x00" + place))
	return hex.EncodeToString(h[:16])
}

func urlPort(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	switch u.Scheme {
	case "https":
		return 443
	case "http":
		return 80
	}
	return 0
}

func normaliseHost(h string) string {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return h
}

func normaliseIP(s string) string {
	if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
		return a.Unmap().String()
	}
	return ""
}

// normaliseVector adds the version prefix tools leave out ("AV:N/…").
func normaliseVector(v, prefix string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "CVSS:") {
		return v
	}
	return prefix + strings.TrimPrefix(v, "/")
}

func normaliseCWE(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" || s == "CWE-0" || s == "0" || s == "-1" {
		return ""
	}
	if !strings.HasPrefix(s, "CWE-") {
		s = "CWE-" + s
	}
	return s
}

// normaliseCVEs upper-cases, sorts and deduplicates CVE ids, dropping what
// is not one.
func normaliseCVEs(in []string) []string {
	out := make([]string, 0, len(in))
	for _, c := range in {
		c = strings.ToUpper(strings.TrimSpace(c))
		if strings.HasPrefix(c, "CVE-") && len(c) >= len("CVE-2000-0000") && len(c) <= 20 {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, compareCVE)
	return capList(slices.Compact(out))
}

// compareCVE orders CVE ids by year, then number.
func compareCVE(a, b string) int {
	if len(a) != len(b) && a[:9] == b[:9] {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// capList drops empty items and keeps at most maxList.
func capList(in []string) []string {
	out := make([]string, 0, min(len(in), maxList))
	for _, s := range in {
		if s = oneLine(s); s != "" && len(out) < maxList {
			out = append(out, s)
		}
	}
	return out
}

const maxList = 256

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func searchKey(f Finding) string {
	return i18n.Fold(strings.Join([]string{f.Title, f.Host, f.IP, f.URL, f.CheckID, f.Tool, strings.Join(f.CVEs, " "), f.CWE}, " "))
}

func formatPercent(p float64) string { return strconv.FormatFloat(p*100, 'f', 1, 64) + "%" }

func itoa(n int) string { return strconv.Itoa(n) }

// today is the calendar day in Vietnam of t.
func today(t time.Time) string { return t.In(i18n.Vietnam).Format(time.DateOnly) }

// zone is where calendar days (due dates, expiries) are counted.
var zone = i18n.Vietnam
