package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
)

var now = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func sample() ([]check.Finding, scan.Summary) {
	a := check.Asset{Target: "portal.gov.vn", Host: "portal.gov.vn", IP: "203.0.113.5", Port: 443, URL: "https://portal.gov.vn/"}
	f1 := check.New("http.missing-hsts", a, "", check.Evidencef("no Strict-Transport-Security header"), now)
	f2 := check.New("exposure.git", a, "/.git/HEAD", check.Evidencef("/.git/HEAD: ref: refs/heads/main"), now)
	f2.URL = "https://portal.gov.vn/.git/HEAD"
	f3 := check.New("service.vulnerable-version", check.Asset{Target: "203.0.113.5", Host: "203.0.113.5", IP: "203.0.113.5", Port: 22}, "openssh 8.9p1", check.Evidencef("openssh 8.9p1: 1 CVE (CVE-2024-6387)"), now)
	f3.CVE = []string{"CVE-2024-6387"}
	s := scan.Summary{Started: now, Finished: now.Add(90 * time.Second), Hosts: 2, Findings: 3, Stopped: []scan.Note{{Host: "203.0.113.9", Reason: "9 consecutive failures"}}}
	return []check.Finding{f1, f2, f3}, s
}

func render(t *testing.T, format, lang string) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := New(format, &buf, lang, "test")
	if err != nil {
		t.Fatal(err)
	}
	fs, s := sample()
	for _, f := range fs {
		if err := w.Finding(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(s); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// The JSONL schema is the contract with the server.
var contract = []string{"check_id", "title", "severity", "cvss_score", "cvss_vector", "cwe", "cve", "target", "host", "ip", "port", "url", "evidence", "remediation", "references", "fingerprint", "detected_at"}

func TestJSONL(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(render(t, "jsonl", "vi")), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := slices.Clone(contract)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Errorf("keys %v, want %v", keys, want)
		}
	}
}

func TestJSON(t *testing.T) {
	var doc struct {
		Summary  scan.Summary    `json:"summary"`
		Findings []check.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(render(t, "json", "en")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 3 || doc.Findings[0].Severity != check.High || len(doc.Summary.Stopped) != 1 {
		t.Errorf("json %+v", doc)
	}
}

func TestSARIF(t *testing.T) {
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						HelpURI    string         `json:"helpUri"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				Notifications []any `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				RuleIndex           int               `json:"ruleIndex"`
				Level               string            `json:"level"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Properties check.Finding `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(render(t, "sarif", "en")), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if doc.Version != "2.1.0" || len(run.Tool.Driver.Rules) != len(check.Catalog()) || len(run.Results) != 3 || len(run.Invocations[0].Notifications) != 1 {
		t.Fatalf("sarif: version %s, %d rules, %d results", doc.Version, len(run.Tool.Driver.Rules), len(run.Results))
	}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID || r.PartialFingerprints["khien/v1"] == "" || r.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" || r.Properties.CheckID != r.RuleID {
			t.Errorf("result %+v", r)
		}
	}
	if run.Results[0].Level != "error" {
		t.Errorf("high severity level %q", run.Results[0].Level)
	}
	for _, r := range run.Tool.Driver.Rules {
		if cwe, _ := r.Properties["cwe"].(string); cwe != "" && !strings.HasPrefix(r.HelpURI, "https://cwe.mitre.org/data/definitions/") {
			t.Errorf("rule %s of %s: helpUri %q", r.ID, cwe, r.HelpURI)
		}
		if _, ok := r.Properties["security-severity"].(string); !ok {
			t.Errorf("rule %s without security-severity", r.ID)
		}
	}
}

func TestCSV(t *testing.T) {
	rows, err := csv.NewReader(strings.NewReader(render(t, "csv", "en"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !slices.Equal(rows[0], contract) {
		t.Fatalf("csv header %v, %d rows", rows[0], len(rows))
	}
	if rows[1][0] != "exposure.git" && rows[1][0] != "service.vulnerable-version" {
		t.Errorf("rows not sorted by severity: %v", rows[1])
	}
}

func TestTable(t *testing.T) {
	vi := render(t, "table", "vi")
	for _, want := range []string{"MỨC ĐỘ", "Lộ kho mã nguồn .git", "cao", "Ngừng quét 203.0.113.9", "Khắc phục exposure.git"} {
		if !strings.Contains(vi, want) {
			t.Errorf("Vietnamese table lacks %q:\n%s", want, vi)
		}
	}
	en := render(t, "table", "en")
	for _, want := range []string{"SEVERITY", "Exposed .git repository", "Stopped scanning 203.0.113.9"} {
		if !strings.Contains(en, want) {
			t.Errorf("English table lacks %q:\n%s", want, en)
		}
	}
	if _, err := New("xml", &bytes.Buffer{}, "vi", ""); err == nil {
		t.Error("unknown format accepted")
	}
}
