package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/vulndb"
)

func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := NewRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func webServer(t *testing.T) (port string) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.git/HEAD" {
			w.Write([]byte("ref: refs/heads/main\n"))
			return
		}
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><title>Portal</title></html>"))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u.Port()
}

func TestScanCommand(t *testing.T) {
	port := webServer(t)
	common := []string{"scan", "--ports", port, "--per-host-rate", "1000", "--timeout", "2s", "--lang", "en"}
	out, err := execute(t, append(common, "--format", "jsonl", "127.0.0.1")...)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f struct {
			CheckID string `json:"check_id"`
			Title   string `json:"title"`
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("bad JSONL line %q: %v", line, err)
		}
		ids = append(ids, f.CheckID)
	}
	if !strings.Contains(strings.Join(ids, ","), "exposure.git") {
		t.Errorf("findings %v lack exposure.git", ids)
	}

	_, err = execute(t, append(common, "--format", "jsonl", "--fail-on", "high", "127.0.0.1")...)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 3 {
		t.Errorf("--fail-on high: err %v, want exit code 3", err)
	}
	if _, err := execute(t, append(common, "--format", "jsonl", "--fail-on", "critical", "127.0.0.1")...); err != nil {
		t.Errorf("--fail-on critical with no critical finding: %v", err)
	}

	path := filepath.Join(t.TempDir(), "scan.sarif")
	if _, err := execute(t, append(common, "--format", "sarif", "--output", path, "127.0.0.1")...); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(raw, []byte(`"version": "2.1.0"`)) {
		t.Errorf("SARIF file: %v %.200s", err, raw)
	}

	targets := filepath.Join(t.TempDir(), "targets.txt")
	os.WriteFile(targets, []byte("# test\n127.0.0.1\n"), 0o600)
	out, err = execute(t, append(common, "--targets-file", targets, "--exclude", "127.0.0.1")...)
	if err != nil || !strings.Contains(out, "Skipped 127.0.0.1") {
		t.Errorf("excluded target: %v\n%s", err, out)
	}
}

func TestScanCommandErrors(t *testing.T) {
	for _, args := range [][]string{
		{"scan"},
		{"scan", "10.0.0.0/8"},
		{"scan", "--ports", "abc", "127.0.0.1"},
		{"scan", "--format", "xml", "127.0.0.1"},
		{"scan", "--fail-on", "urgent", "127.0.0.1"},
		{"scan", "--checks", "tls.expird", "127.0.0.1"},
		{"scan", "--profile", "aggressive", "127.0.0.1"},
	} {
		if _, err := execute(t, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestChecksCommand(t *testing.T) {
	out, err := execute(t, "checks", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var defs []struct {
		ID       string   `json:"id"`
		TitleVI  string   `json:"title_vi"`
		TitleEN  string   `json:"title_en"`
		Severity string   `json:"severity"`
		CWE      string   `json:"cwe"`
		Tags     []string `json:"tags"`
		Safe     *bool    `json:"safe"`
	}
	if err := json.Unmarshal([]byte(out), &defs); err != nil {
		t.Fatal(err)
	}
	if len(defs) != len(check.Catalog()) || defs[0].ID == "" || defs[0].TitleVI == "" || defs[0].Safe == nil {
		t.Errorf("checks: %d entries, first %+v", len(defs), defs[0])
	}
	// Both tables list every check of the catalogue, in their language.
	for _, lang := range []string{"vi", "en"} {
		out, err = execute(t, "checks", "--lang", lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range check.Catalog() {
			if !strings.Contains(out, d.ID) || !strings.Contains(out, d.Title(lang)) {
				t.Errorf("%s table lacks %s (%s):\n%s", lang, d.ID, d.Title(lang), out)
			}
		}
	}
	if out, _ := execute(t, "checks"); !strings.Contains(out, "MỨC ĐỘ") || !strings.Contains(out, "nghiêm trọng") {
		t.Errorf("the default table is not in Vietnamese:\n%s", out)
	}
	if _, err := execute(t, "checks", "--lang", "fr"); err == nil {
		t.Error("--lang fr accepted")
	}
}

func TestVulndbCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vulndb.json.gz")
	// A new file starts from the built-in set, which holds the sample's CVEs.
	builtin := vulndb.Builtin().Stats()
	counts := fmt.Sprintf("%d CVE, %d in KEV, %d products", builtin.CVEs, builtin.KEV, builtin.Products)
	out, err := execute(t, "vulndb", "import", "--db", db, "../vulndb/testdata/nvdcve-2.0-sample.json", "../vulndb/testdata/known_exploited_vulnerabilities.json")
	if err != nil || !strings.Contains(out, counts) {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = execute(t, "vulndb", "match", "--db", db, "apache", "2.4.49")
	if err != nil || !strings.Contains(out, "CVE-2021-41773") || !strings.Contains(out, "true") {
		t.Errorf("match: %v\n%s", err, out)
	}
	out, err = execute(t, "vulndb", "info")
	if err != nil || !strings.Contains(out, `"cves"`) {
		t.Errorf("info: %v\n%s", err, out)
	}
	out, err = execute(t, "vulndb", "import", "--db", db, "../vulndb/testdata/epss_scores-2026-11-30.csv")
	if err != nil || !strings.Contains(out, "7 CVE (epss)") || !strings.Contains(out, counts+", 7 EPSS scores") {
		t.Fatalf("import EPSS: %v\n%s", err, out)
	}
	out, err = execute(t, "vulndb", "info", "--db", db)
	if err != nil || !strings.Contains(out, `"epss_date": "2026-11-30T00:00:00Z"`) || !strings.Contains(out, `"epss": 7`) {
		t.Errorf("info after EPSS: %v\n%s", err, out)
	}
	if _, err := execute(t, "vulndb", "import", "--db", db, "scan_test.go"); err == nil {
		t.Error("importing a non-JSON file succeeded")
	}
}
