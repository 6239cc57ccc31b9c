package check

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/khien/khien/internal/remediation"
)

func TestCVSSScore(t *testing.T) {
	tests := []struct {
		vector  string
		want    float64
		version string
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, CVSS31},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, CVSS31},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, CVSS31},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3, CVSS31},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1, CVSS31},
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, CVSS31},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:L", 9.3, CVSS31},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:L/I:L/A:H", 8.1, CVSS31},
		{"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:N/A:N", 0, CVSS31},
		// Metrics in any order, as 3.x allows; temporal metrics do not change the base score.
		{"CVSS:3.1/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N/S:U/E:P", 9.8, CVSS31},
		{"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:H/A:H", 7.7, CVSS30},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, CVSS30},
		// CVSS 4.0 scores as FIRST's calculator publishes them.
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, CVSS40},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10, CVSS40},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0, CVSS40},
		{"", 0, ""},
	}
	for _, tt := range tests {
		got, err := CVSSScore(tt.vector)
		if err != nil || got != tt.want {
			t.Errorf("CVSSScore(%q) = %v, %v; want %v", tt.vector, got, err, tt.want)
		}
		if v := CVSSVersion(tt.vector); v != tt.version {
			t.Errorf("CVSSVersion(%q) = %q, want %q", tt.vector, v, tt.version)
		}
	}
}

func TestCVSSScoreErrors(t *testing.T) {
	// Each error names what is wrong and where.
	tests := []struct{ vector, want string }{
		{"CVSS:2.0/AV:N", `does not begin with CVSS:3.0/`},
		{"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `found "AV:N"`},
		{"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `"X" is not a valid value of the metric AV`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:Q/C:H/I:H/A:H", `"Q" is not a valid value of the metric S`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", `lacks the base metric A`},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", `lacks the base metric A`},
		{"CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `metric AV more than once`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", `unknown metric "ZZ"`},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A", `"A" is not METRIC:VALUE`},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:Z/SC:N/SI:N/SA:N", `"Z" is not a valid value of the metric VA`},
		{"CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", `out of the order`},
		{"CVSS:4.0/AV:N/AC:L/AT:N", `lacks`},
		{"CVSS:3.1/" + strings.Repeat("AV:N/", 200), `longer than`},
	}
	for _, tt := range tests {
		_, err := CVSSScore(tt.vector)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CVSSScore(%q) error = %v, want it to say %s", tt.vector, err, tt.want)
		}
	}
}

func FuzzCVSSScore(f *testing.F) {
	for _, seed := range []string{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:H/A:H",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
		"CVSS:4.0/AV:N/AC:L/AT:N",
		"CVSS:3.1/AV:N/AV:N",
		"CVSS:3.1//",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, vector string) {
		score, err := CVSSScore(vector)
		if err == nil && (score < 0 || score > 10) {
			t.Errorf("CVSSScore(%q) = %v, outside 0–10", vector, score)
		}
		if err != nil && score != 0 {
			t.Errorf("CVSSScore(%q) = %v with error %v", vector, score, err)
		}
	})
}

func TestCatalog(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Catalog() {
		if seen[d.ID] {
			t.Errorf("duplicate check %s", d.ID)
		}
		seen[d.ID] = true
		if d.TitleVI == "" || d.TitleEN == "" || d.Severity.Rank() < 0 || len(d.Tags) == 0 {
			t.Errorf("%s: incomplete definition %+v", d.ID, d)
		}
		if !strings.ContainsAny(strings.ToLower(d.TitleVI), vietnameseMarks) || !norm.NFC.IsNormalString(d.TitleVI) {
			t.Errorf("%s: Vietnamese title without diacritics or not in NFC: %q", d.ID, d.TitleVI)
		}
		if d.CWE != "" && !strings.HasPrefix(d.CWE, "CWE-") {
			t.Errorf("%s: bad CWE %q", d.ID, d.CWE)
		}
		if _, err := CVSSScore(d.CVSS); err != nil {
			t.Errorf("%s: %v", d.ID, err)
		}
		e, ok := remediation.Get(d.ID)
		if !ok || e.VI.Summary == "" || e.VI.Fix == "" || e.EN.Summary == "" || e.EN.Fix == "" {
			t.Errorf("%s: no complete knowledge-base entry", d.ID)
		}
		if !d.Safe && !strings.Contains(strings.Join(d.Tags, ","), "intrusive") {
			t.Errorf("%s: intrusive check not tagged intrusive", d.ID)
		}
	}
	for _, k := range remediation.Keys() {
		if !seen[k] && !strings.HasPrefix(k, "CWE-") {
			t.Errorf("knowledge-base entry %s is neither a check nor a CWE class", k)
		}
	}
}

func TestSelection(t *testing.T) {
	tests := []struct {
		sel  Selection
		id   string
		want bool
	}{
		{Selection{}, "tls.expired", true},
		{Selection{}, "service.ftp-anonymous", false},
		{Selection{Thorough: true}, "service.ftp-anonymous", true},
		{Selection{Include: []string{"tls"}}, "tls.expired", true},
		{Selection{Include: []string{"tls"}}, "http.missing-csp", false},
		{Selection{Include: []string{"http.missing-csp"}}, "http.missing-csp", true},
		{Selection{Exclude: []string{"dns"}}, "dns.spf-missing", false},
		{Selection{Include: []string{"dns"}, Exclude: []string{"dns.dnssec-missing"}}, "dns.dnssec-missing", false},
		{Selection{}, "no.such-check", false},
	}
	for _, tt := range tests {
		if got := tt.sel.Enabled(tt.id); got != tt.want {
			t.Errorf("%+v.Enabled(%s) = %v, want %v", tt.sel, tt.id, got, tt.want)
		}
	}
	if err := (Selection{Include: []string{"tls.expird"}}).Validate(); err == nil {
		t.Error("unknown check accepted")
	}
}

func TestNewFinding(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	a := Asset{Target: "portal.gov.vn", Host: "portal.gov.vn", IP: "203.0.113.5", Port: 443}
	f := New("tls.expired", a, "serial-1", Evidencef("expired"), now)
	if f.CVSSScore != 5.9 && f.CVSSScore == 0 {
		t.Errorf("score not computed from the vector: %v", f.CVSSScore)
	}
	if f.Remediation != "tls.expired" || f.CWE != "CWE-298" || f.Severity != Medium || f.CVE == nil {
		t.Errorf("finding %+v", f)
	}
	g := New("tls.expired", a, "serial-1", Evidencef("expired two days ago"), now.Add(48*time.Hour))
	if f.Fingerprint != g.Fingerprint {
		t.Error("fingerprint depends on evidence or time")
	}
	a.IP = "203.0.113.6"
	if New("tls.expired", a, "serial-1", Evidencef(""), now).Fingerprint != f.Fingerprint {
		t.Error("fingerprint of a named asset depends on its address")
	}
	if New("tls.expired", a, "serial-2", Evidencef(""), now).Fingerprint == f.Fingerprint {
		t.Error("fingerprint ignores the subject")
	}
	if s := Truncate(strings.Repeat("ả", 200), 10); len(s) > 10 || !strings.HasSuffix(s, "…") {
		t.Errorf("Truncate = %q", s)
	}
}

func TestSeverity(t *testing.T) {
	if s, err := ParseSeverity("HIGH"); err != nil || s != High {
		t.Errorf("ParseSeverity(HIGH) = %v, %v", s, err)
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("unknown severity accepted")
	}
	if SeverityFromScore(9.8) != Critical || SeverityFromScore(5.3) != Medium || SeverityFromScore(0) != Info {
		t.Error("SeverityFromScore")
	}
	if Low.Raise() != Medium || Critical.Raise() != Critical {
		t.Error("Raise")
	}
}

// TestSetSeverityKeepsScoreHonest: a severity other than the check's keeps
// the check's CVSS score only when the score's band agrees.
func TestSetSeverityKeepsScoreHonest(t *testing.T) {
	f := New("dns.dangling-cname", Asset{Host: "a.gov.vn"}, "x", Evidencef("e"), time.Now())
	score := f.CVSSScore
	if score == 0 {
		t.Skip("the check has no CVSS vector")
	}
	f.SetSeverity(SeverityFromScore(score))
	if f.CVSSScore != score {
		t.Errorf("an agreeing severity dropped the score")
	}
	other := High
	if SeverityFromScore(score) == High {
		other = Low
	}
	f.SetSeverity(other)
	if f.CVSSScore != 0 || f.CVSSVector != "" || f.Severity != other {
		t.Errorf("severity %s shown with score %.1f", f.Severity, f.CVSSScore)
	}
}
