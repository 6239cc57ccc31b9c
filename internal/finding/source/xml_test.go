package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// collect parses data in the named format and returns what the handler got.
func collect(t testing.TB, format string, data []byte) ([]Observation, []Host, error) {
	t.Helper()
	var obs []Observation
	var hosts []Host
	f, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	err = f.Parse(context.Background(), bytes.NewReader(data), Handler{
		Finding: func(o Observation) error { obs = append(obs, o); return nil },
		Reached: func(h Host) error { hosts = append(hosts, h); return nil },
	})
	return obs, hosts, err
}

// brief is one line per observation: rule, severity, where, score and CVEs.
func brief(o Observation) string {
	s := fmt.Sprintf("%s %s %s %s %d/%s", o.RuleID, o.Severity, o.Host, o.IP, o.Port, o.Protocol)
	if o.Score > 0 {
		s += fmt.Sprintf(" %.1f", o.Score)
	}
	if len(o.CVEs) > 0 {
		s += " " + strings.Join(o.CVEs, ",")
	}
	return s
}

func TestParseXMLSamples(t *testing.T) {
	tests := []struct {
		file    string
		format  string
		want    []string
		reached []Host
		check   func(t *testing.T, obs []Observation)
	}{
		{
			file: "nmap-7.94.xml", format: "nmap",
			want: []string{
				"port.open info www.example.vn 192.0.2.10 22/tcp",
				"nmap-script:vulners critical www.example.vn 192.0.2.10 22/tcp 9.8 CVE-2023-38408,CVE-2023-28531,CVE-2023-48795",
				"port.open info www.example.vn 192.0.2.10 80/tcp",
				"nmap-script:http-title info www.example.vn 192.0.2.10 80/tcp",
				"port.open info www.example.vn 192.0.2.10 443/tcp",
				"nmap-script:ssl-heartbleed high www.example.vn 192.0.2.10 443/tcp CVE-2014-0160",
				"nmap-script:smb-vuln-ms17-010 high www.example.vn 192.0.2.10 0/ 8.1 CVE-2017-0143",
				"nmap-script:smb2-security-mode info www.example.vn 192.0.2.10 0/",
			},
			reached: []Host{{"www.example.vn", "192.0.2.10"}, {"192.0.2.11", "192.0.2.11"}},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "evidence", obs[0].Evidence, "22/tcp open ssh OpenSSH 8.9p1 Ubuntu 3ubuntu0.6 (Ubuntu Linux; protocol 2.0)")
				equal(t, "tool", obs[0].Tool, "nmap")
				equal(t, "seen", obs[0].SeenAt.Format("2006-01-02T15:04:05Z"), "2024-03-05T10:13:40Z")
				equal(t, "title", obs[3].Evidence, "Cổng thông tin điện tử")
				equal(t, "refs", strings.Join(obs[5].References, " "),
					"https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2014-0160 http://www.openssl.org/news/secadv_20140407.txt")
				equal(t, "description", obs[6].Description, "A critical remote code execution vulnerability exists in Microsoft SMBv1\nservers (ms17-010).")
			},
		},
		{
			file: "nmap-6.40.xml", format: "nmap",
			want: []string{
				"port.open info 2001:db8::5 2001:db8::5 53/udp",
				"port.open info 2001:db8::5 2001:db8::5 3306/tcp",
				"nmap-script:vulners medium 2001:db8::5 2001:db8::5 3306/tcp 6.5 CVE-2020-14812,CVE-2019-2974",
			},
			reached: []Host{{"2001:db8::5", "2001:db8::5"}},
		},
		{
			file: "openvas-gmp22.xml", format: "openvas",
			want: []string{
				"1.3.6.1.4.1.25623.1.0.108031 high www.example.vn 192.0.2.10 443/tcp 7.5 CVE-2016-2183,CVE-2016-6329",
				"1.3.6.1.4.1.25623.1.0.151234 critical www.example.vn 192.0.2.10 80/tcp 9.8 CVE-2023-31122,CVE-2023-43622,CVE-2023-45802",
				"1.3.6.1.4.1.25623.1.0.105937 info 192.0.2.11 192.0.2.11 0/tcp",
			},
			reached: []Host{{"www.example.vn", "192.0.2.10"}, {"192.0.2.11", "192.0.2.11"}},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "cvss3", obs[0].CVSS3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N")
				equal(t, "solution", obs[0].Remediation, "The configuration of this services should be changed so\nthat it does not accept the listed cipher suites anymore.")
				equal(t, "refs", strings.Join(obs[0].References, " "), "https://sweet32.info/")
				equal(t, "tags", strings.Join(obs[0].Tags, " "), "qod:98")
				if !strings.HasPrefix(obs[0].Description, "This routine reports") || !strings.Contains(obs[0].Description, "\n\nThese rules") {
					t.Errorf("description = %q, want summary then insight", obs[0].Description)
				}
				equal(t, "evidence", obs[1].Evidence, "Installed version: 2.4.57\nFixed version:     2.4.58")
				equal(t, "title", obs[1].Title, "Apache HTTP Server < 2.4.58 Multiple Vulnerabilities")
			},
		},
		{
			file: "openvas-9-bare.xml", format: "openvas",
			want: []string{
				"1.3.6.1.4.1.25623.1.0.105611 medium 198.51.100.7 198.51.100.7 22/tcp 4.3",
				"1.3.6.1.4.1.25623.1.0.812051 medium 198.51.100.7 198.51.100.7 22/tcp 5.0 CVE-2017-15906",
				"1.3.6.1.4.1.25623.1.0.108560 info 198.51.100.7 198.51.100.7 0/",
			},
			reached: []Host{{"mail.example.vn", "198.51.100.7"}},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "xref", strings.Join(obs[0].References, " "), "https://tools.ietf.org/html/rfc4253#section-6.3 https://www.kb.cert.org/vuls/id/958563")
				equal(t, "solution from tags", obs[1].Remediation, "Upgrade to OpenSSH version 7.6 or later.")
				equal(t, "no v3 vector", obs[1].CVSS3, "")
				equal(t, "false positive", strings.Join(obs[2].Tags, " "), "false-positive")
			},
		},
		{
			file: "zap-2.14.xml", format: "zap-xml",
			want: []string{
				"10038 medium www.example.vn  443/https",
				"10038 medium www.example.vn  443/https",
				"40012 high www.example.vn  443/https",
				"10036 low 192.0.2.20 192.0.2.20 8080/http",
			},
			reached: []Host{{"www.example.vn", ""}, {"192.0.2.20", "192.0.2.20"}, {"cdn.example.vn", ""}},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "url", obs[1].URL, "https://www.example.vn/tin-tuc?id=1")
				equal(t, "description", obs[0].Description, "Content Security Policy (CSP) is an added layer of security that helps to detect and mitigate certain types of attacks, including Cross Site Scripting (XSS) and data injection attacks.\nThese attacks are used for everything from data theft to site defacement.")
				equal(t, "cwe", obs[2].CWE, "CWE-79")
				equal(t, "param", obs[2].Parameter, "q")
				equal(t, "evidence", obs[2].Evidence, "<scrIpt>alert(1);</scRipt>\n\nattack: <scrIpt>alert(1);</scRipt>")
				equal(t, "apostrophe", obs[2].Description, "Cross-site Scripting (XSS) is an attack technique that involves echoing attacker-supplied code into a user's browser instance.")
				equal(t, "refs", strings.Join(obs[2].References, " "), "https://owasp.org/www-community/attacks/xss/ https://cwe.mitre.org/data/definitions/79.html")
				equal(t, "tags", strings.Join(obs[2].Tags, " "), "WASC-8 confidence:medium")
				equal(t, "tool", obs[3].Tool, "zap")
			},
		},
		{
			file: "zap-2.7.xml", format: "zap-xml",
			want: []string{
				"10016 low portal.example.vn  80/http",
				"0 medium portal.example.vn  80/http",
			},
			reached: []Host{{"portal.example.vn", ""}},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "url", obs[0].URL, "http://portal.example.vn/")
				equal(t, "param", obs[0].Parameter, "X-XSS-Protection")
				equal(t, "cwe", obs[1].CWE, "CWE-548")
				equal(t, "evidence", obs[1].Evidence, "Parent Directory\n\nattack: http://portal.example.vn/uploads/")
			},
		},
		{
			file: "nessus-10.xml", format: "nessus",
			want: []string{
				"19506 info www.example.vn 192.0.2.10 0/tcp",
				"42873 high www.example.vn 192.0.2.10 443/tcp 7.5 CVE-2016-2183",
				"183391 critical www.example.vn 192.0.2.10 80/tcp 9.3 CVE-2023-31122,CVE-2023-43622,CVE-2023-45802",
				"10287 info db01.example.vn 192.0.2.11 0/tcp",
			},
			reached: []Host{{"www.example.vn", "192.0.2.10"}, {"db01.example.vn", "192.0.2.11"}},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "n/a solution", obs[0].Remediation, "")
				equal(t, "seen", obs[0].SeenAt.Format("2006-01-02T15:04:05Z"), "2024-03-05T10:20:00Z")
				equal(t, "cvss3", obs[1].CVSS3, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N")
				equal(t, "cwe", obs[1].CWE, "CWE-326")
				equal(t, "see also", strings.Join(obs[1].References, " "), "https://www.openssl.org/blog/blog/2016/08/24/sweet32/ https://sweet32.info")
				equal(t, "news", strings.Join(obs[1].Tags, " "), "in-the-news")
				equal(t, "cvss4", obs[2].CVSS4, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
				equal(t, "malware", strings.Join(obs[2].Tags, " "), "exploited-by-malware exploit-available")
				if !strings.HasPrefix(obs[2].Evidence, "URL               : http://www.example.vn/") {
					t.Errorf("evidence = %q", obs[2].Evidence)
				}
				equal(t, "title", obs[2].Title, "Apache 2.4.x < 2.4.58 Multiple Vulnerabilities")
			},
		},
		{
			file: "nessus-6.xml", format: "nessus",
			want: []string{
				"54582 medium 198.51.100.7 198.51.100.7 25/tcp 6.5",
				"71049 low 198.51.100.7 198.51.100.7 22/tcp 2.6",
			},
			reached: []Host{{"198.51.100.7", "198.51.100.7"}},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "vector given its prefix", obs[0].CVSS3, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N")
				equal(t, "no v3", obs[1].CVSS3, "")
				equal(t, "seen", obs[0].SeenAt.Format("2006-01-02T15:04:05Z"), "2019-06-03T08:30:00Z")
			},
		},
		{
			file: "burp-2023.xml", format: "burp",
			want: []string{
				"2097920 high www.example.vn 192.0.2.10 443/https",
				"5245344 low www.example.vn 192.0.2.10 443/https CVE-2020-11022,CVE-2020-11023,CVE-2019-11358",
				"16777216 info dichvucong.example.vn 192.0.2.30 8443/https",
			},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "url", obs[0].URL, "https://WWW.example.vn/tim-kiem")
				equal(t, "param", obs[0].Parameter, "q")
				equal(t, "cwe", obs[0].CWE, "CWE-79")
				if !strings.HasPrefix(obs[0].Request, "GET /tim-kiem?q=abc%3cscript%3ealert(1)%3c%2fscript%3e HTTP/2\r\nHost: www.example.vn") {
					t.Errorf("request not decoded: %q", obs[0].Request)
				}
				if !strings.Contains(obs[0].Response, "Kết quả tìm kiếm") {
					t.Errorf("response not decoded: %q", obs[0].Response)
				}
				equal(t, "refs", strings.Join(obs[0].References, " "), "https://portswigger.net/web-security/cross-site-scripting https://portswigger.net/web-security/cross-site-scripting/reflected")
				if strings.Contains(obs[0].Description, "<p>") || !strings.Contains(obs[0].Description, "unsafe way.\nAn attacker") {
					t.Errorf("description not plain text in paragraphs: %q", obs[0].Description)
				}
				equal(t, "remediation list", strings.Split(obs[0].Remediation, "\n")[1], "Input should be validated as strictly as possible.")
				equal(t, "url with port", obs[2].URL, "https://dichvucong.example.vn:8443/")
				equal(t, "cwe", obs[2].CWE, "CWE-523")
			},
		},
		{
			file: "burp-1.7.xml", format: "burp",
			want: []string{"1049088 high tuyendung.example.vn 198.51.100.8 80/http"},
			check: func(t *testing.T, obs []Observation) {
				equal(t, "param", obs[0].Parameter, "id")
				if !strings.HasPrefix(obs[0].Request, "GET /chi-tiet.php?id=12' HTTP/1.1\nHost: tuyendung.example.vn") {
					t.Errorf("request = %q", obs[0].Request)
				}
				if !strings.HasSuffix(obs[0].Response, "check the manual that corresponds to your MySQL server version") {
					t.Errorf("response = %q", obs[0].Response)
				}
				equal(t, "tags", strings.Join(obs[0].Tags, " "), "confidence:firm")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			obs, hosts, err := collect(t, tt.format, data)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range obs {
				got = append(got, brief(o))
				checkInvariants(t, o)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("observations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if !slices.Equal(hosts, tt.reached) {
				t.Errorf("reached %v, want %v", hosts, tt.reached)
			}
			if tt.check != nil && len(obs) == len(tt.want) {
				tt.check(t, obs)
			}
		})
	}
}

func equal(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// checkInvariants holds for every observation of every parser, whatever the
// input: the fuzz tests check it too.
func checkInvariants(t testing.TB, o Observation) {
	t.Helper()
	if o.Severity.Rank() < 0 {
		t.Errorf("%s: severity %q", o.RuleID, o.Severity)
	}
	if o.Tool == "" {
		t.Errorf("%s: no tool", o.RuleID)
	}
	if o.Host != strings.ToLower(o.Host) {
		t.Errorf("host %q not lower-case", o.Host)
	}
	if len(o.CVEs) > maxListSize || len(o.References) > maxListSize {
		t.Errorf("%s: %d CVEs, %d references", o.RuleID, len(o.CVEs), len(o.References))
	}
	for i, c := range o.CVEs {
		if c != strings.ToUpper(c) || slices.Contains(o.CVEs[:i], c) {
			t.Errorf("%s: CVEs %v", o.RuleID, o.CVEs)
		}
	}
	for _, s := range []string{o.Evidence, o.Request, o.Response} {
		if len(s) > MaxExcerpt {
			t.Errorf("%s: excerpt of %d bytes", o.RuleID, len(s))
		}
	}
	if len(o.Description) > MaxText || len(o.Remediation) > MaxText {
		t.Errorf("%s: text of %d bytes", o.RuleID, max(len(o.Description), len(o.Remediation)))
	}
}

func TestDetectXMLSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatal("no samples", err)
	}
	for _, file := range files {
		want, _, _ := strings.Cut(filepath.Base(file), "-")
		if want == "zap" {
			want = "zap-xml"
		}
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// Detection reads the content only: a file renamed to another
			// tool's extension is detected all the same. A byte-order mark
			// and leading blank lines do not matter either.
			renamed := filepath.Join(t.TempDir(), "report.json")
			if err := os.WriteFile(renamed, data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, content := range [][]byte{data, append([]byte("\xef\xbb\xbf\n\n"), data...), nil} {
				var in io.Reader = bytes.NewReader(content)
				if content == nil {
					fh, err := os.Open(renamed)
					if err != nil {
						t.Fatal(err)
					}
					defer fh.Close()
					in = fh
				}
				f, r, err := Detect(in)
				if err != nil {
					t.Fatal(err)
				}
				if f.Name != want {
					t.Fatalf("detected %s, want %s", f.Name, want)
				}
				// The reader Detect returns still yields the whole file.
				got := 0
				name, err := Parse(context.Background(), r, f.Name, Handler{Finding: func(Observation) error { got++; return nil }})
				if err != nil || name != want || got == 0 {
					t.Errorf("parse after detection: %s, %d observations, %v", name, got, err)
				}
			}
		})
	}
	for _, other := range []string{`<?xml version="1.0"?><issues><issue/></issues>`, `<report><foo/></report>`, `<html><body/></html>`, `{"nmaprun": 1}`} {
		if f, _, err := Detect(strings.NewReader(other)); err == nil && slices.Contains([]string{"nmap", "openvas", "zap-xml", "nessus", "burp"}, f.Name) {
			t.Errorf("%s detected as %s", other, f.Name)
		}
	}
}

func TestParseXMLBadInput(t *testing.T) {
	sample := func(name string) string {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	nmap := sample("nmap-7.94.xml")
	bomb := `<?xml version="1.0"?>
<!DOCTYPE nmaprun [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<nmaprun><host><hostnames><hostname name="&lol3;"/></hostnames></host></nmaprun>`
	huge := `<NessusClientData_v2><Report><ReportHost name="a"><ReportItem pluginID="1"><plugin_output>` +
		strings.Repeat("A", MaxRecord+10) + `</plugin_output></ReportItem></ReportHost></Report></NessusClientData_v2>`
	hugeAttr := `<OWASPZAPReport><site host="` + strings.Repeat("a", MaxRecord+10) + `"></site></OWASPZAPReport>`
	deep := `<issues>` + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + `</issues>`
	wide := `<issues><issue>` + strings.Repeat("<a/>", maxRecordNodes+1) + `</issue></issues>`
	tests := []struct {
		name, format, input string
		element             string // where the error must point
		message             string
	}{
		{"truncated in a port", "nmap", nmap[:strings.Index(nmap, `<service name="http" product="nginx"`)], "nmaprun/host/ports/port", "ends inside an element"},
		{"truncated between hosts", "nmap", nmap[:strings.Index(nmap, "<runstats>")], "nmaprun", "ends inside an element"},
		{"entity bomb", "nmap", bomb, "", "DOCTYPE with ENTITY refused"},
		{"external DTD", "burp", `<?xml version="1.0"?><!DOCTYPE issues SYSTEM "http://192.0.2.1/x.dtd"><issues/>`, "", "DOCTYPE with SYSTEM refused"},
		{"undeclared entity", "burp", `<issues><issue><name>&xxe;</name></issue></issues>`, "issues/issue/name", "entity"},
		{"declaration inside", "zap-xml", `<OWASPZAPReport><!DOCTYPE x></OWASPZAPReport>`, "OWASPZAPReport", "declaration inside the document refused"},
		{"wrong root", "nessus", sample("nmap-6.40.xml"), "nmaprun", "wrong root element <nmaprun> for nessus"},
		{"wrong root openvas", "openvas", `<results><result/></results>`, "results", "want <get_reports_response> or <report>"},
		{"failed GMP request", "openvas", `<get_reports_response status="404" status_text="Failed to find report"/>`, "get_reports_response", "the GMP request failed: 404 Failed to find report"},
		{"empty", "burp", "", "", "no root element"},
		{"not XML", "openvas", "host,port\n1.2.3.4,80\n", "", "text before the root element"},
		{"huge element", "nessus", huge, "NessusClientData_v2/Report/ReportHost/ReportItem/plugin_output", "element larger than 4 MiB"},
		{"huge attribute", "zap-xml", hugeAttr, "OWASPZAPReport", "element larger than 4 MiB"},
		{"too deep", "burp", deep, strings.TrimSuffix("issues/"+strings.Repeat("a/", maxXMLDepth-1), "/"), "nested deeper than 64"},
		{"too many attributes", "nmap", `<nmaprun><host ` + strings.Repeat(`a="=" `, maxAttrs+1) + `/></nmaprun>`, "nmaprun", "more than 256 attributes in one element"},
		{"too many elements", "burp", wide, "issues/issue/a", "more than 65536 elements in one <issue>"},
		{"mismatched tags", "openvas", `<report><results><result></results></report>`, "report/results/result", "element <result> closed by </results>"},
		{"unsupported encoding", "nmap", `<?xml version="1.0" encoding="ISO-8859-1"?><nmaprun/>`, "", "ISO-8859-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs, _, err := collect(t, tt.format, []byte(tt.input))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a *ParseError; %d observations", err, err, len(obs))
			}
			if pe.Format != tt.format || pe.Element != tt.element || !strings.Contains(pe.Error(), tt.message) {
				t.Errorf("error %q (element %q), want %s at %q saying %q", pe, pe.Element, tt.format, tt.element, tt.message)
			}
			if tt.input != "" && pe.Offset <= 0 && tt.name != "not XML" {
				t.Errorf("no offset in %q", pe)
			}
		})
	}
	// The observations read before a truncation are delivered.
	obs, _, _ := collect(t, "nmap", []byte(nmap[:strings.Index(nmap, "<runstats>")]))
	if len(obs) != 8 {
		t.Errorf("%d observations before the truncation, want 8", len(obs))
	}
}

// Equals signs in text, CDATA, comments and attribute values are not
// attributes.
func TestParseXMLManyEqualsSigns(t *testing.T) {
	form, escaped := strings.Repeat("a=1&", 2*maxAttrs), strings.Repeat("a=1&amp;", 2*maxAttrs)
	input := `<?xml version="1.0"?><!-- ` + form + ` --><issues burpVersion="1"><issue><type>1</type><name a="` + escaped + `">` + escaped +
		`</name><host>http://a.example</host><requestresponse><request base64="false"><![CDATA[POST / HTTP/1.1` + "\n\n<" + form + `]]></request></requestresponse></issue></issues>`
	obs, _, err := collect(t, "burp", []byte(input))
	if err != nil || len(obs) != 1 || !strings.HasSuffix(obs[0].Request, "a=1&") {
		t.Fatalf("%v, %d observations", err, len(obs))
	}
}

func TestParseXMLHandlerAndContext(t *testing.T) {
	data, err := os.ReadFile("testdata/nessus-10.xml")
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	err = nessusFormat.Parse(context.Background(), bytes.NewReader(data), Handler{
		Finding: func(Observation) error { n++; return stop },
		Reached: func(Host) error { return nil },
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("handler error: %v after %d observations, want stop after 1", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	big := largeFile("nessus", 2000)
	err = nessusFormat.Parse(ctx, big, Handler{Finding: func(Observation) error { return nil }, Reached: func(Host) error { return nil }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>One</p><p>Two &amp; three</p>", "One\nTwo & three"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<ul>\n<li>x</li>\n<li>y</li>\n</ul>", "x\ny"},
		{"plain   text\n\n\n\nnext", "plain text\nnext"},
		{"<b>bold</b> and <a href='u'>link</a>", "bold and link"},
		{"broken <p", "broken <p"},
		{"&lt;script&gt;", "<script>"},
	}
	for _, tt := range tests {
		equal(t, tt.in, htmlText(tt.in), tt.want)
	}
}

func TestCVEsAreBounded(t *testing.T) {
	var ids []string
	for i := range 300 {
		ids = append(ids, fmt.Sprintf("cve-2024-%05d", i))
	}
	got := addCVEs(nil, strings.Join(ids, " "), "CVE-2024-00001")
	if len(got) != maxListSize || got[0] != "CVE-2024-00000" {
		t.Errorf("%d CVEs, first %s", len(got), got[0])
	}
}
