// Package check holds what every scanner check shares: the Finding type (the
// JSONL contract), severities, CVSS 3.1 scoring, the check catalogue and the
// Env through which a check reaches the network under the engine's limits.
package check

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Severity orders findings; the zero value is invalid.
type Severity string

// Severities from most to least serious.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Rank maps a severity to an integer for comparisons (critical = 4, info = 0, unknown = -1).
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	case Info:
		return 0
	}
	return -1
}

// ParseSeverity accepts the five severity names, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToLower(strings.TrimSpace(s)))
	if sev.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", s)
	}
	return sev, nil
}

// SeverityFromScore maps a CVSS 3.x base score to its qualitative rating.
func SeverityFromScore(score float64) Severity {
	switch {
	case score >= 9.0:
		return Critical
	case score >= 7.0:
		return High
	case score >= 4.0:
		return Medium
	case score > 0:
		return Low
	}
	return Info
}

// Raise returns the severity one step higher (critical stays critical).
func (s Severity) Raise() Severity {
	switch s {
	case Critical, High:
		return Critical
	case Medium:
		return High
	case Low:
		return Medium
	}
	return Low
}

// Finding is one issue on one asset. The JSON field names are the contract
// shared by the JSONL, JSON, SARIF and CSV outputs and the server.
type Finding struct {
	CheckID     string    `json:"check_id"`
	Title       string    `json:"title"`
	Severity    Severity  `json:"severity"`
	CVSSScore   float64   `json:"cvss_score"`
	CVSSVector  string    `json:"cvss_vector"`
	CWE         string    `json:"cwe"`
	CVE         []string  `json:"cve"`
	Target      string    `json:"target"`
	Host        string    `json:"host"`
	IP          string    `json:"ip"`
	Port        int       `json:"port"`
	URL         string    `json:"url"`
	Evidence    string    `json:"evidence"`
	Remediation string    `json:"remediation"`
	References  []string  `json:"references"`
	Fingerprint string    `json:"fingerprint"`
	DetectedAt  time.Time `json:"detected_at"`

	evidence Text   // Evidence before rendering (see Localize)
	lang     string // the language Title and Evidence are in
}

// Asset says where a finding was observed.
type Asset struct {
	Target string // what the user asked to scan
	Host   string // host name, or the IP when there is none
	IP     string
	Port   int
	URL    string
}

// maxEvidence keeps evidence short: it is what was seen, not a dump.
const maxEvidence = 300

// SetSeverity gives a finding a severity other than its check's, for
// what the check saw (a worse grade, a name that can be claimed). The
// check's CVSS score describes the usual case: a score that no longer
// agrees with the severity is dropped rather than shown beside it.
func (f *Finding) SetSeverity(s Severity) {
	f.Severity = s
	if f.CVSSScore > 0 && SeverityFromScore(f.CVSSScore) != s {
		f.CVSSScore, f.CVSSVector = 0, ""
	}
}

// New builds a finding from the catalogue entry of id, in the default
// language (Env.Send renders it again in the scan's). subject identifies the
// issue on the asset (a path, a cookie name, a CVE list…) so that the
// fingerprint stays the same across runs while the evidence may change.
func New(id string, a Asset, subject string, evidence Text, now time.Time) Finding {
	d, ok := Lookup(id)
	if !ok {
		panic("check: unknown check id " + id) // a programming error, caught by tests
	}
	score, _ := CVSSScore(d.CVSS)
	f := Finding{
		CheckID:     id,
		Severity:    d.Severity,
		CVSSScore:   score,
		CVSSVector:  d.CVSS,
		CWE:         d.CWE,
		CVE:         []string{},
		Target:      a.Target,
		Host:        a.Host,
		IP:          a.IP,
		Port:        a.Port,
		URL:         a.URL,
		Remediation: id,
		References:  append([]string{}, d.References...),
		Fingerprint: Fingerprint(id, a, subject),
		DetectedAt:  now.UTC(),
		evidence:    evidence,
	}
	f.Localize(DefaultLang)
	return f
}

// Fingerprint hashes what identifies an issue: the check, the asset (name,
// or IP when there is no name) and port, and the subject.
func Fingerprint(id string, a Asset, subject string) string {
	asset := a.Host
	if asset == "" {
		asset = a.IP
	}
	h := sha256.Sum256([]byte(id + "\x00" + strings.ToLower(asset) + "\x00" + strconv.Itoa(a.Port) + "\x00" + subject))
	return hex.EncodeToString(h[:16])
}

// Truncate shortens s to at most n bytes on a rune boundary, marking the cut.
func Truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
