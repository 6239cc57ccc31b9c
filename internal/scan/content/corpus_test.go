package content_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/content"
	"github.com/khien/khien/internal/scan/scantest"
)

// corpusEntry is one page of testdata/corpus and what the checks must say
// about it (manifest.json).
type corpusEntry struct {
	Page     string   `json:"page"`
	About    string   `json:"about"`
	Want     []string `json:"want"`     // content check IDs that must fire, and no others
	Evidence string   `json:"evidence"` // text the first wanted finding's evidence contains
	// NeedsBrowser marks pages whose injection only the rendered page
	// shows (the thorough profile with Chromium): the emulator misses it.
	NeedsBrowser bool `json:"needs_browser"`
}

func loadCorpus(t testing.TB) []corpusEntry {
	t.Helper()
	b, err := os.ReadFile("testdata/corpus/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusEntry
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var contentChecks = []string{"content.gambling-injection", "content.cloaking", "content.malicious-redirect", "content.cryptominer", "content.defacement"}

// checkCorpusPage serves the page as a site's start page (with the corpus
// scripts under /js/) on loopback and runs the content checks on it.
func checkCorpusPage(t testing.TB, e corpusEntry, thorough bool) []check.Finding {
	t.Helper()
	page, err := os.ReadFile(filepath.Join("testdata/corpus", e.Page))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/js/", http.StripPrefix("/js/", http.FileServer(http.Dir("testdata/corpus/js"))))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	env, rec := scantest.Env(t)
	env.Checks.Thorough = thorough
	content.Check(t.Context(), env, scantest.Site(t, env, srv.URL, "portal.gov.vn", false))
	return rec.Findings
}

// score compares findings with an entry's expectation.
func score(e corpusEntry, fs []check.Finding) (found, missed, falseAlarms []string) {
	fired := map[string]bool{}
	for _, f := range fs {
		fired[f.CheckID] = true
	}
	for _, id := range contentChecks {
		switch want := slices.Contains(e.Want, id); {
		case want && fired[id]:
			found = append(found, id)
		case want:
			missed = append(missed, id)
		case fired[id]:
			falseAlarms = append(falseAlarms, id)
		}
	}
	return found, missed, falseAlarms
}

func TestCorpus(t *testing.T) {
	corpus := loadCorpus(t)
	if len(corpus) < 30 {
		t.Fatalf("corpus has %d pages, want at least 30", len(corpus))
	}
	for _, e := range corpus {
		t.Run(strings.TrimSuffix(e.Page, ".html"), func(t *testing.T) {
			fs := checkCorpusPage(t, e, false)
			for _, ev := range evidence(fs) {
				t.Log(ev)
			}
			if e.NeedsBrowser {
				e.Want = nil // a known gap of the emulator, covered by TestCorpusRendered
			}
			_, missed, falseAlarms := score(e, fs)
			if len(missed) > 0 || len(falseAlarms) > 0 {
				t.Errorf("%s: missed %v, false alarms %v; findings: %v", e.About, missed, falseAlarms, evidence(fs))
			}
			if e.Evidence == "" || len(e.Want) == 0 {
				return
			}
			for _, f := range fs {
				if f.CheckID == e.Want[0] && !strings.Contains(f.Evidence, e.Evidence) {
					t.Errorf("%s evidence %q does not say %q", f.CheckID, f.Evidence, e.Evidence)
				}
			}
		})
	}
}

// TestCorpusRendered checks that the pages only a browser gets right are
// found in the thorough profile, which renders them in Chromium.
func TestCorpusRendered(t *testing.T) {
	if !chromiumInstalled() {
		t.Skip("Chromium not installed: the thorough profile's rendering is not tested (install Debian's chromium package)")
	}
	for _, e := range loadCorpus(t) {
		if !e.NeedsBrowser {
			continue
		}
		t.Run(strings.TrimSuffix(e.Page, ".html"), func(t *testing.T) {
			fs := checkCorpusPage(t, e, true)
			if _, missed, falseAlarms := score(e, fs); len(missed) > 0 || len(falseAlarms) > 0 {
				t.Errorf("%s: missed %v, false alarms %v; findings: %v", e.About, missed, falseAlarms, evidence(fs))
			}
			for _, f := range fs {
				if f.CheckID == e.Want[0] && !strings.Contains(f.Evidence, e.Evidence) {
					t.Errorf("%s evidence %q does not say %q", f.CheckID, f.Evidence, e.Evidence)
				}
			}
		})
	}
}

func chromiumInstalled() bool {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if _, err := exec.LookPath(name); err == nil {
			return true
		}
	}
	return false
}

func evidence(fs []check.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.CheckID+": "+f.Evidence)
	}
	return out
}

// BenchmarkCorpus runs the content checks on every corpus page and reports
// expected findings found and missed, false alarms, and the time per page.
// With KHIEN_BENCH_RENDER=1 it runs the thorough profile, rendering each
// page in Chromium too.
func BenchmarkCorpus(b *testing.B) {
	thorough := os.Getenv("KHIEN_BENCH_RENDER") == "1"
	corpus := loadCorpus(b)
	var found, missed, falseAlarms, pages int
	var spent time.Duration
	for b.Loop() {
		found, missed, falseAlarms, pages, spent = 0, 0, 0, 0, 0
		for _, e := range corpus {
			start := time.Now()
			fs := checkCorpusPage(b, e, thorough)
			spent += time.Since(start)
			f, m, fa := score(e, fs)
			found, missed, falseAlarms, pages = found+len(f), missed+len(m), falseAlarms+len(fa), pages+1
			for _, id := range append(m, fa...) {
				b.Logf("%s: %s wrong; findings %v", e.Page, id, evidence(fs))
			}
		}
	}
	b.ReportMetric(float64(found), "found")
	b.ReportMetric(float64(missed), "missed")
	b.ReportMetric(float64(falseAlarms), "false-alarms")
	b.ReportMetric(float64(spent.Milliseconds())/float64(pages), "ms/page")
}
