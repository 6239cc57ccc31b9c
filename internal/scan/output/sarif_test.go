package output

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/scantest"
)

var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri, uri-reference and date-time are checked too
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// validSARIF fails the test unless doc is valid against the SARIF 2.1.0 schema.
func validSARIF(t *testing.T, doc []byte) {
	t.Helper()
	sch, err := sarifSchema()
	if err != nil {
		t.Fatalf("SARIF schema: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("SARIF not valid against the 2.1.0 schema: %v", err)
	}
}

func TestSARIFSchemaIsTheStandard(t *testing.T) {
	b, err := os.ReadFile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		ID         string `json:"$id"`
		Title      string `json:"title"`
		Properties struct {
			Version struct {
				Enum []string `json:"enum"`
			} `json:"version"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(s.ID, "/sarif-schema-2.1.0.json") || !strings.Contains(s.Title, "Version 2.1.0") || len(s.Properties.Version.Enum) != 1 || s.Properties.Version.Enum[0] != "2.1.0" {
		t.Errorf("not the SARIF 2.1.0 schema: %q %q %v", s.ID, s.Title, s.Properties.Version.Enum)
	}
	// The validator must reject what the schema forbids.
	for _, bad := range []string{`{"version": "2.1.0"}`, `{"version": "2.0.0", "runs": []}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "high"}]}]}`} {
		sch, err := sarifSchema()
		if err != nil {
			t.Fatal(err)
		}
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if sch.Validate(v) == nil {
			t.Errorf("invalid SARIF accepted: %s", bad)
		}
	}
}

func TestSARIFSampleValidates(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		validSARIF(t, []byte(render(t, "sarif", lang)))
	}
}

// neglected is a public portal with many of the usual problems.
func neglected(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		w.Header().Set("Server", "Apache/2.4.49 (Unix)")
		w.Header().Set("X-Powered-By", "PHP/7.3.5")
		http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "abc"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><head><title>Cổng thông tin điện tử</title><meta name="generator" content="WordPress 5.8.1"><script src="/wp-includes/js/jquery/jquery.min.js?ver=1.12.4"></script></head>
<body><h1>Tin tức</h1><div style="display:none"><a href="https://fb88.example/">nhà cái uy tín</a></div></body></html>`))
	case "/.git/HEAD":
		w.Write([]byte("ref: refs/heads/master\n"))
	case "/.env":
		w.Write([]byte("APP_KEY=base64:c2VjcmV0\nDB_PASSWORD=secret\n"))
	case "/uploads/":
		w.Write([]byte("<html><title>Index of /uploads</title><h1>Index of /uploads</h1></html>"))
	default:
		http.NotFound(w, r)
	}
}

// TestSARIFOfARealScan scans local servers with findings of many kinds (web
// over HTTP and self-signed HTTPS, SSH, Elasticsearch without a password) in both
// languages: the SARIF validates, says its language, and carries titles and
// evidence in it.
func TestSARIFOfARealScan(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(neglected))
	defer web.Close()
	tlsWeb := httptest.NewTLSServer(http.HandlerFunc(neglected))
	defer tlsWeb.Close()
	search := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"name": "node-1", "cluster_name": "congdan", "version": {"number": "7.10.2"}, "tagline": "You Know, for Search"}`))
	}))
	defer search.Close()
	_, ssh := scantest.Banner(t, []byte("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n"), func([]byte) []byte { return nil }) // greets like SSH, then waits for the scanner to hang up
	ports := []int{port(t, web.URL), port(t, tlsWeb.URL), port(t, search.URL), ssh}
	targets, err := scan.ParseTargets([]string{"127.0.0.1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]sarifDoc{}
	for _, lang := range []string{"vi", "en"} {
		cfg := scan.Config{Ports: ports, PerHostRate: 1000, PerHostConnRate: 1000, Timeout: 2 * time.Second, Lang: lang}
		var buf bytes.Buffer
		w, err := New("sarif", &buf, lang, "test")
		if err != nil {
			t.Fatal(err)
		}
		sum, err := scan.Run(t.Context(), cfg, targets, func(f check.Finding) { _ = w.Finding(f) })
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(sum); err != nil {
			t.Fatal(err)
		}
		validSARIF(t, buf.Bytes())
		var doc sarifDoc
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		docs[lang] = doc
	}
	vi, en := docs["vi"].Runs[0], docs["en"].Runs[0]
	if vi.Language != "vi" || en.Language != "en" {
		t.Errorf("run.language %q and %q", vi.Language, en.Language)
	}
	levels := map[string]bool{}
	checks := map[string]bool{}
	english := map[string]check.Finding{}
	for _, r := range en.Results {
		english[r.Properties.Fingerprint] = r.Properties
	}
	// Evidence made only of what was seen (names, versions, CVE lists) reads
	// the same in both languages.
	neutral := map[string]bool{"exposure.git": true, "tech.detected": true, "http.server-version-disclosure": true, "service.vulnerable-version": true, "tech.vulnerable-component": true}
	for _, r := range vi.Results {
		f := r.Properties
		levels[r.Level] = true
		checks[f.CheckID] = true
		d, _ := check.Lookup(f.CheckID)
		if f.Title != d.TitleVI || !strings.HasPrefix(r.Message.Text, d.TitleVI+": ") {
			t.Errorf("%s: Vietnamese SARIF has title %q, message %q", f.CheckID, f.Title, r.Message.Text)
		}
		e, ok := english[f.Fingerprint]
		if !ok {
			t.Errorf("%s: found in Vietnamese only", f.CheckID)
			continue
		}
		if e.Title != d.TitleEN {
			t.Errorf("%s: English SARIF has title %q", f.CheckID, e.Title)
		}
		if e.Evidence == f.Evidence && !neutral[f.CheckID] {
			t.Errorf("%s: evidence not translated: %q", f.CheckID, f.Evidence)
		}
	}
	for _, id := range []string{"port.open", "port.risky-service", "service.unauthenticated", "service.version-disclosure", "service.vulnerable-version",
		"tls.self-signed", "http.no-https-redirect", "http.missing-csp", "http.insecure-cookie", "http.header-grade", "http.directory-listing",
		"exposure.git", "exposure.env", "tech.detected", "tech.vulnerable-component", "tech.end-of-life", "content.gambling-injection"} {
		if !checks[id] {
			t.Errorf("the scan did not find %s: %v", id, checks)
		}
	}
	for _, l := range []string{"error", "warning", "note"} {
		if !levels[l] {
			t.Errorf("no result of level %s: %v", l, levels)
		}
	}
	t.Logf("%d results, %d checks, levels %v", len(vi.Results), len(checks), levels)
}

type sarifDoc struct {
	Runs []struct {
		Language string `json:"language"`
		Results  []struct {
			Level   string `json:"level"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
			Properties check.Finding `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func port(t *testing.T, raw string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(raw, "http://"), "https://"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return n
}
