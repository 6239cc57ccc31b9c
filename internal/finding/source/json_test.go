package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// parsed is what a parser handed to its handler.
type parsed struct {
	obs     []Observation
	reached []Host
}

func parseBytes(format string, data []byte) (parsed, error) {
	var p parsed
	_, err := Parse(context.Background(), bytes.NewReader(data), format, Handler{
		Finding: func(o Observation) error { p.obs = append(p.obs, o); return nil },
		Reached: func(h Host) error { p.reached = append(p.reached, h); return nil },
	})
	return p, err
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// parseTestdata detects the format of a sample, checks it is want, and
// parses it.
func parseTestdata(t *testing.T, name, want string) parsed {
	t.Helper()
	data := readTestdata(t, name)
	f, _, err := Detect(bytes.NewReader(data))
	if err != nil || f.Name != want {
		t.Fatalf("%s detected as %q (%v), want %s", name, f.Name, err, want)
	}
	p, err := parseBytes(want, data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// seedTestdata adds the samples whose names match to a fuzz corpus.
func seedTestdata(f *testing.F, patterns ...string) {
	for _, pat := range patterns {
		names, _ := filepath.Glob(filepath.Join("testdata", pat))
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// fuzzParse parses data and checks what any parser promises: no panic,
// observations within the limits, and errors that are ParseErrors.
func fuzzParse(t *testing.T, format string, data []byte) {
	p, err := parseBytes(format, data)
	var pe *ParseError
	if err != nil && !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	for _, o := range p.obs {
		if o.Severity.Rank() < 0 || o.Tool == "" {
			t.Fatalf("observation with severity %q tool %q", o.Severity, o.Tool)
		}
		if len(o.Evidence) > MaxExcerpt || len(o.Request) > MaxExcerpt || len(o.Response) > MaxExcerpt || len(o.CVEs) > maxListSize || len(o.Description) > MaxText {
			t.Fatalf("observation over the limits: %d evidence bytes, %d CVEs", len(o.Evidence), len(o.CVEs))
		}
		for _, c := range o.CVEs {
			if c != strings.ToUpper(c) {
				t.Fatalf("CVE %q not upper-case", c)
			}
		}
	}
}

// wantParseError checks err is a *ParseError whose message holds each of
// places.
func wantParseError(t *testing.T, err error, places ...string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a *ParseError", err, err)
	}
	for _, p := range places {
		if !strings.Contains(pe.Error(), p) {
			t.Errorf("error %q lacks %q", pe.Error(), p)
		}
	}
}

// sameSet compares the fields of want that are set with those of got.
func sameSet(t *testing.T, label string, got, want Observation) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range wv.NumField() {
		if wv.Field(i).IsZero() {
			continue
		}
		if g, w := gv.Field(i).Interface(), wv.Field(i).Interface(); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s = %#v, want %#v", label, wv.Type().Field(i).Name, g, w)
		}
	}
}

func TestJSONFormats(t *testing.T) {
	seen := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	tests := []struct {
		file, format string
		want         []Observation // in the order parsed; fields left zero are not compared
		reached      []Host
	}{
		{file: "nuclei-v3.jsonl", format: "nuclei", want: []Observation{
			{Tool: "nuclei", RuleID: "CVE-2021-41773", Title: "Apache 2.4.49 - Path Traversal", Severity: check.High,
				CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", Score: 7.5, CWE: "CWE-22", CVEs: []string{"CVE-2021-41773"},
				Tags: []string{"cve", "cve2021", "apache", "lfi", "kev"}, Host: "portal.example.gov.vn", IP: "203.0.113.10", Port: 443, Protocol: "https",
				URL: "https://portal.example.gov.vn/cgi-bin/.%2e/.%2e/.%2e/.%2e/etc/passwd", Evidence: "root:x:0:0",
				Remediation: "Upgrade Apache HTTP Server to 2.4.51 or later.", SeenAt: seen("2024-03-05T02:12:44.123456789Z"),
				References: []string{"https://nvd.nist.gov/vuln/detail/CVE-2021-41773", "https://httpd.apache.org/security/vulnerabilities_24.html"}},
			{RuleID: "tech-detect:nginx", Severity: check.Info, Host: "portal.example.gov.vn", Port: 443, URL: "https://portal.example.gov.vn"},
			{RuleID: "openssh-detect", Severity: check.Info, Host: "203.0.113.11", IP: "203.0.113.11", Port: 22, Protocol: "tcp", CWE: "CWE-200",
				Tags: []string{"network", "ssh", "openssh", "detect"}, References: []string{"https://www.openssh.com/"}, Evidence: "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"},
		}, reached: []Host{{Host: "mail.example.gov.vn", IP: "203.0.113.12"}}},
		{file: "nuclei-v2.jsonl", format: "nuclei", want: []Observation{
			{RuleID: "exposed-panels/phpmyadmin-panel", Severity: check.Info, Host: "db.example.gov.vn", IP: "198.51.100.7", Port: 80, Protocol: "http",
				URL: "http://db.example.gov.vn/phpmyadmin/", Tags: []string{"panel", "phpmyadmin"}},
			{RuleID: "CVE-2017-5638:body", Severity: check.Critical, Score: 10, CWE: "CWE-20", CVEs: []string{"CVE-2017-5638"},
				CVSS3: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Host: "app.example.gov.vn", Port: 8443,
				Request: "curl -X 'GET' -H 'Content-Type: %{#context}' 'https://app.example.gov.vn:8443/struts2-showcase/'"},
		}},
		{file: "nuclei-export.json", format: "nuclei", want: []Observation{
			{RuleID: "http-missing-security-headers:strict-transport-security", Severity: check.Info, Host: "portal.example.gov.vn", Port: 443},
			{RuleID: "weak-cipher-suites:tls-1.0", Severity: check.Low, Host: "portal.example.gov.vn", Port: 443, Protocol: "tcp",
				Evidence: "TLS_RSA_WITH_AES_128_CBC_SHA", Remediation: "Disable CBC and RC4 cipher suites."},
		}},
		{file: "khien.jsonl", format: "khien", want: []Observation{
			{Tool: "khien", RuleID: "http.missing-hsts", Severity: check.Low, CVSS3: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", Score: 3.1,
				CWE: "CWE-523", Host: "portal.example.gov.vn", IP: "203.0.113.5", Port: 443, URL: "https://portal.example.gov.vn/",
				Evidence: "no Strict-Transport-Security header", Remediation: "http.missing-hsts", SeenAt: seen("2026-11-21T10:00:00Z")},
			{RuleID: "exposure.git", URL: "https://portal.example.gov.vn/.git/HEAD"},
			{RuleID: "service.vulnerable-version", CVEs: []string{"CVE-2024-6387"}, Port: 22, Host: "203.0.113.5"},
		}},
		{file: "codeql.sarif", format: "sarif", want: []Observation{
			{Tool: "sarif:codeql", RuleID: "js/reflected-xss", Title: "Reflected cross-site scripting", Severity: check.Medium, Score: 6.1, CWE: "CWE-79",
				Location: "src/server.js:42", Evidence: "Cross-site scripting vulnerability due to a [user-provided value](1).",
				References:  []string{"https://codeql.github.com/codeql-query-help/javascript/js-reflected-xss/"},
				Description: "Writing user input directly to an HTTP response allows for a cross-site scripting vulnerability."},
			{RuleID: "js/unused-local-variable", Severity: check.Low, Location: "src/util.js:7", Evidence: "Unused variable tmp."},
			{RuleID: "js/sql-injection", Title: "Database query built from user-controlled sources", Severity: check.High, CWE: "CWE-89", Location: "src/db.js:19"},
		}},
		{file: "semgrep.sarif", format: "sarif", want: []Observation{
			{Tool: "sarif:semgrep oss", RuleID: "python.django.security.injection.sql.sql-injection-using-raw.sql-injection-db-cursor-execute",
				Severity: check.High, CWE: "CWE-89", Location: "app/views.py:31", Remediation: "Use parameterised queries."},
			{RuleID: "python.django.security.audit.django-debug-true", Severity: check.Medium, CWE: "CWE-489", Location: "app/settings.py:12"},
		}},
		{file: "trivy-v2.json", format: "trivy", want: []Observation{
			{Tool: "trivy", RuleID: "CVE-2024-0727", Severity: check.Medium, CVEs: []string{"CVE-2024-0727"}, CWE: "CWE-476",
				CVSS3: "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", Score: 5.5,
				Location:    "registry.example.gov.vn/portal/web:1.4.2 registry.example.gov.vn/portal/web:1.4.2 (alpine 3.19.1) libcrypto3@3.1.4-r2",
				Remediation: "upgrade libcrypto3 to 3.1.4-r5", Evidence: "installed libcrypto3 3.1.4-r2, fixed in 3.1.4-r5",
				Tags: []string{"os-pkgs", "alpine"}, SeenAt: seen("2024-03-05T03:00:00.123456Z"),
				References: []string{"https://avd.aquasec.com/nvd/cve-2024-0727", "https://www.openssl.org/news/secadv/20240125.txt"}},
			{RuleID: "CVE-2023-99999", Severity: check.Info, Title: "CVE-2023-99999 in busybox"},
			{RuleID: "GHSA-grv7-fg5c-xmjg", Severity: check.High, CWE: "CWE-400", Score: 5.5},
			{RuleID: "DS002", Severity: check.High, Location: "registry.example.gov.vn/portal/web:1.4.2 Dockerfile:1",
				Remediation: "Add 'USER <non root user name>' line to the Dockerfile"},
			{RuleID: "aws-access-key-id", Severity: check.Critical, Evidence: "AWS_ACCESS_KEY_ID=[redacted]",
				Location: "registry.example.gov.vn/portal/web:1.4.2 app/config/.env:3"},
		}},
		{file: "trivy-old.json", format: "trivy", want: []Observation{
			{RuleID: "CVE-2021-3156", Severity: check.High, Score: 7.8, Location: "web01.example.gov.vn (ubuntu 20.04) sudo@1.8.31-1ubuntu1.1"},
		}},
		{file: "zap.json", format: "zap-json", want: []Observation{
			{Tool: "zap", RuleID: "10038-1", Title: "Content Security Policy (CSP) Header Not Set", Severity: check.Medium, CWE: "CWE-693",
				Tags: []string{"WASC-15"}, Host: "portal.example.gov.vn", Port: 443, Protocol: "https", URL: "https://portal.example.gov.vn/",
				Description: "Content Security Policy (CSP) is an added layer of security that helps to detect and mitigate certain types of attacks.",
				References:  []string{"https://developer.mozilla.org/en-US/docs/Web/Security/CSP", "https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html"}},
			{RuleID: "10038-1", URL: "https://portal.example.gov.vn/tin-tuc"},
			{RuleID: "40012", Severity: check.High, Parameter: "q", CWE: "CWE-79", Evidence: "<script>alert(1);</script>\nattack: <script>alert(1);</script>",
				Remediation: "Phase: Architecture and Design\nUse a vetted library or framework that does not allow this weakness to occur."},
		}, reached: []Host{{Host: "portal.example.gov.vn"}, {Host: "10.10.1.5", IP: "10.10.1.5"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := parseTestdata(t, tt.file, tt.format)
			if len(p.obs) != len(tt.want) {
				t.Fatalf("%d observations, want %d: %+v", len(p.obs), len(tt.want), p.obs)
			}
			for i, w := range tt.want {
				sameSet(t, fmt.Sprintf("observation %d", i), p.obs[i], w)
				if p.obs[i].Severity == "" || p.obs[i].Tool == "" {
					t.Errorf("observation %d has no severity or tool", i)
				}
			}
			if tt.reached != nil && !reflect.DeepEqual(p.reached, tt.reached) {
				t.Errorf("reached %+v, want %+v", p.reached, tt.reached)
			}
		})
	}
}

// Khiên's SARIF and JSONL of the same scan give the same observations, so
// that importing both merges them.
func TestKhienSARIFMatchesJSONL(t *testing.T) {
	jsonl := parseTestdata(t, "khien.jsonl", "khien")
	doc := parseTestdata(t, "khien.json", "khien")
	sarif := parseTestdata(t, "khien.sarif", "sarif")
	sortObs := func(os []Observation) []Observation {
		slices.SortFunc(os, func(a, b Observation) int { return strings.Compare(a.RuleID, b.RuleID) })
		return os
	}
	want := sortObs(jsonl.obs)
	for name, got := range map[string][]Observation{"json": doc.obs, "sarif": sarif.obs} {
		if !reflect.DeepEqual(sortObs(got), want) {
			t.Errorf("%s gives\n%+v\nwant\n%+v", name, got, want)
		}
	}
}

func TestDetectJSON(t *testing.T) {
	tests := map[string]string{
		"nuclei-v3.jsonl": "nuclei", "nuclei-v2.jsonl": "nuclei", "nuclei-export.json": "nuclei",
		"khien.jsonl": "khien", "khien.json": "khien", "khien.sarif": "sarif",
		"codeql.sarif": "sarif", "semgrep.sarif": "sarif",
		"trivy-v2.json": "trivy", "trivy-old.json": "trivy", "zap.json": "zap-json",
		"manual-vi.csv": "manual", "manual-en.csv": "manual",
	}
	for file, want := range tests {
		f, _, err := Detect(bytes.NewReader(readTestdata(t, file)))
		if err != nil || f.Name != want {
			t.Errorf("%s detected as %q (%v), want %s", file, f.Name, err, want)
		}
	}
	for _, other := range []string{`{"a": 1}`, `[1, 2]`, `{"runs": 3}`, "check_id,title,severity,fingerprint\n", ""} {
		if f, _, err := Detect(strings.NewReader(other)); err == nil {
			t.Errorf("%q detected as %s", other, f.Name)
		}
	}
}

func TestJSONErrors(t *testing.T) {
	v3 := string(readTestdata(t, "nuclei-v3.jsonl"))
	firstLine, _, _ := strings.Cut(v3, "\n")
	tests := []struct {
		name, format, data string
		places             []string
	}{
		{"nuclei truncated line", "nuclei", firstLine + "\n" + firstLine[:200], []string{"nuclei, line 2", "invalid JSON"}},
		{"nuclei port as object", "nuclei", `{"template-id":"x","info":{"severity":"low"},"port":{"n":1}}`, []string{"line 1", "port", "a JSON object where a number is expected"}},
		{"nuclei severity as number", "nuclei", "\n" + `{"template-id":"x","info":{"severity":3}}`, []string{"line 2", "info.severity", "a JSON number where a string is expected"}},
		{"nuclei unknown severity", "nuclei", `{"template-id":"x","info":{"severity":"urgent"}}`, []string{"line 1", "info.severity", `unknown severity "urgent"`}},
		{"nuclei bad timestamp", "nuclei", `{"template-id":"x","info":{"severity":"low"},"timestamp":"yesterday"}`, []string{"line 1", "timestamp"}},
		{"nuclei line too long", "nuclei", firstLine + "\n" + `{"template-id":"` + strings.Repeat("a", MaxRecord) + `"}`, []string{"line 2", "longer than 4 MiB"}},
		{"nuclei array truncated", "nuclei", `[{"template-id":"x","info":{"severity":"low"}},{"template-id":"y"`, []string{"nuclei, byte", "[1]", "truncated"}},
		{"nuclei array wrong type", "nuclei", `[{"template-id":"x","info":{"severity":"low"}}, {"template-id":"y","info":{"severity":"low"},"host":7}]`, []string{"byte", "[1].host", "a JSON number where a string is expected"}},
		{"khien unknown severity", "khien", `{"check_id":"a","severity":"severe","fingerprint":"f"}`, []string{"khien, line 1", "severity", `unknown severity "severe"`}},
		{"khien bad time", "khien", `{"check_id":"a","severity":"low","detected_at":"monday"}`, []string{"line 1", "detected_at"}},
		{"khien document wrong type", "khien", `{"summary":{},"findings":[{"check_id":"a","port":"22"}]}`, []string{"findings[0].port"}},
		{"sarif truncated", "sarif", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a"`, []string{"sarif, byte", "runs[0].results[0]", "truncated"}},
		{"sarif bad level", "sarif", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a"},{"ruleId":"b","level":"fatal"}]}]}`, []string{"runs[0].results[1].level", `unknown level "fatal"`}},
		{"sarif pending bad level", "sarif", `{"version":"2.1.0","runs":[{"results":[{"ruleId":"b","level":"fatal"}],"tool":{"driver":{"name":"x"}}}]}`, []string{"runs[0].results[0].level"}},
		{"sarif runs not a list", "sarif", `{"version":"2.1.0","runs":{}}`, []string{"runs", "an object where a list is expected"}},
		{"sarif security-severity as object", "sarif", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"a","properties":{"security-severity":{}}}]}}}]}`, []string{"runs[0].tool.driver.rules[0]", "properties.security-severity"}},
		{"trivy unknown severity", "trivy", `{"SchemaVersion":2,"Results":[{"Target":"t","Vulnerabilities":[{"VulnerabilityID":"CVE-2024-1","Severity":"SEVERE"}]}]}`, []string{"Results[0].Vulnerabilities[0].Severity", "unknown severity"}},
		{"trivy wrong type", "trivy", `{"SchemaVersion":2,"Results":[{"Target":"t","Vulnerabilities":[{"VulnerabilityID":"CVE-2024-1","CweIDs":"CWE-1"}]}]}`, []string{"Results[0].Vulnerabilities[0].CweIDs", "a JSON string where a list is expected"}},
		{"trivy trailing data", "trivy", `{"SchemaVersion":2,"Results":[]} {}`, []string{"after the end"}},
		{"zap bad riskcode", "zap-json", `{"@version":"2.14.0","site":[{"@name":"https://a.vn","@host":"a.vn","alerts":[{"alert":"x","riskcode":"9","confidence":"2"}]}]}`, []string{"site[0].alerts[0].riskcode", "unknown risk code 9"}},
		{"zap riskcode as list", "zap-json", `{"@version":"2.14.0","site":[{"@name":"https://a.vn","alerts":[{"alert":"x","riskcode":[]}]}]}`, []string{"site[0].alerts[0].riskcode"}},
		{"zap alerts before the site", "zap-json", `{"@version":"2.14.0","site":[{"alerts":[]}]}`, []string{"site[0].alerts", "before the site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseBytes(tt.format, []byte(tt.data))
			wantParseError(t, err, tt.places...)
		})
	}
}

// A record larger than MaxRecord inside a JSON document is refused without
// being held whole.
func TestJSONDocumentRecordLimit(t *testing.T) {
	data := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a","message":{"text":"` + strings.Repeat("x", 3*MaxRecord) + `"}}]}]}`
	_, err := parseBytes("sarif", []byte(data))
	wantParseError(t, err, "runs[0].results[0]", "longer than 4 MiB")
}

// The handler's errors come back as they are, not as parse errors.
func TestHandlerErrorPasses(t *testing.T) {
	stop := errors.New("stop")
	for _, file := range []string{"nuclei-v3.jsonl", "nuclei-export.json", "khien.json", "codeql.sarif", "semgrep.sarif", "trivy-v2.json", "zap.json", "manual-vi.csv"} {
		_, err := Parse(context.Background(), bytes.NewReader(readTestdata(t, file)), "", Handler{Finding: func(Observation) error { return stop }})
		if err != stop {
			t.Errorf("%s: %v, want the handler's error", file, err)
		}
	}
}

func FuzzParseKhien(f *testing.F) {
	seedTestdata(f, "khien.json*")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "khien", data) })
}

func FuzzParseNuclei(f *testing.F) {
	seedTestdata(f, "nuclei-*")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "nuclei", data) })
}

func FuzzParseSARIF(f *testing.F) {
	seedTestdata(f, "*.sarif")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "sarif", data) })
}

func FuzzParseTrivy(f *testing.F) {
	seedTestdata(f, "trivy-*")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "trivy", data) })
}

func FuzzParseZAPJSON(f *testing.F) {
	seedTestdata(f, "zap.json")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "zap-json", data) })
}

func FuzzDetectJSON(f *testing.F) {
	seedTestdata(f, "*")
	f.Fuzz(func(t *testing.T, data []byte) { _, _, _ = Detect(bytes.NewReader(data)) })
}

func TestCWEID(t *testing.T) {
	for in, want := range map[string]string{
		"79": "CWE-79", "CWE-79": "CWE-79", "cwe-079": "CWE-79", "external/cwe/cwe-079": "CWE-79",
		"CWE-89: Improper Neutralization": "CWE-89", "İcwe-22": "CWE-22", "CWE": "", "-1": "", "0": "", "maintainability": "",
	} {
		if got := cweID(in); got != want {
			t.Errorf("cweID(%q) = %q, want %q", in, got, want)
		}
	}
}

// Files written with a byte-order mark (PowerShell, Notepad) read the same.
func TestByteOrderMark(t *testing.T) {
	for _, file := range []string{"nuclei-v3.jsonl", "nuclei-export.json", "khien.json", "khien.jsonl", "codeql.sarif", "trivy-v2.json", "trivy-old.json", "zap.json"} {
		plain, err := parseBytes("", readTestdata(t, file))
		if err != nil {
			t.Fatal(err)
		}
		marked, err := parseBytes("", append([]byte("\xef\xbb\xbf"), readTestdata(t, file)...))
		if err != nil || len(marked.obs) != len(plain.obs) {
			t.Errorf("%s with a byte-order mark: %v, %d observations, want %d", file, err, len(marked.obs), len(plain.obs))
		}
	}
}
