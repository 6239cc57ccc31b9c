package vulndb

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2.4.58", "2.4.58", 0},
		{"2.4.58", "2.4.9", 1},
		{"2.4.49", "2.4.50", -1},
		{"8.9p1", "9.8p1", -1},
		{"8.9p1", "8.9", 1},
		{"9.8", "9.8p1", -1},
		{"8.5p1", "8.5p1", 0},
		{"1.0.1f", "1.0.1g", -1},
		{"1.0.1", "1.0.1a", -1},
		{"1.0.2zd", "1.0.2k", 1},
		{"7.4.33-1+deb12u1", "7.4.33", 0},
		{"7.4.33-1+deb12u1", "7.4.34", -1},
		{"2.4.52-1ubuntu4.6", "2.4.52", 0},
		{"1:2.4.58-1", "2.4.58", 0},
		{"1.0.0-rc1", "1.0.0", -1},
		{"1.0.0-beta2", "1.0.0-rc1", -1},
		{"1.0.0-alpha", "1.0.0-beta", -1},
		{"10.0", "9.9", 1},
		{"v1.2.3", "1.2.3", 0},
		{"4.2.7", "4.2.10", -1},
		{"2022.83", "2020.81", 1},
		{"1.20", "1.20.0", -1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func FuzzCompareVersions(f *testing.F) {
	for _, s := range []string{"2.4.58", "8.9p1", "7.4.33-1+deb12u1", "1.0.0-rc1", "1:2.0", ""} {
		f.Add(s, "2.4.9")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if CompareVersions(a, b) != -CompareVersions(b, a) {
			t.Fatalf("not antisymmetric: %q %q", a, b)
		}
		if CompareVersions(a, a) != 0 {
			t.Fatalf("%q != itself", a)
		}
	})
}

func TestParseCPE(t *testing.T) {
	c, err := ParseCPE(`cpe:2.3:a:joomla:joomla\!:4.2.7:*:*:*:*:*:*:*`)
	if err != nil || c.Key() != "joomla:joomla!" || c.Version != "4.2.7" || c.Part != "a" {
		t.Fatalf("got %+v %v", c, err)
	}
	for _, bad := range []string{"", "cpe:/a:apache:http_server:2.4", "cpe:2.3:a"} {
		if _, err := ParseCPE(bad); err == nil {
			t.Errorf("ParseCPE(%q) accepted", bad)
		}
	}
}

func FuzzParseCPE(f *testing.F) {
	f.Add(`cpe:2.3:a:joomla:joomla\!:4.2.7:*:*:*:*:*:*:*`)
	f.Fuzz(func(t *testing.T, s string) { _, _ = ParseCPE(s) })
}

func TestRange(t *testing.T) {
	tests := []struct {
		r    Range
		v    string
		want bool
	}{
		{Range{Version: "2.4.49"}, "2.4.49", true},
		{Range{Version: "2.4.49"}, "2.4.50", false},
		{Range{StartIncluding: "8.5p1", EndExcluding: "9.8p1"}, "8.9p1", true},
		{Range{StartIncluding: "8.5p1", EndExcluding: "9.8p1"}, "9.8p1", false},
		{Range{StartIncluding: "8.5p1", EndExcluding: "9.8p1"}, "8.4p1", false},
		{Range{StartExcluding: "1.0", EndIncluding: "2.0"}, "1.0", false},
		{Range{StartExcluding: "1.0", EndIncluding: "2.0"}, "2.0", true},
		{Range{}, "1.0", false},
		{Range{Version: "-"}, "1.0", false},
	}
	for _, tt := range tests {
		if got := tt.r.Contains(tt.v); got != tt.want {
			t.Errorf("%+v.Contains(%q) = %v, want %v", tt.r, tt.v, got, tt.want)
		}
	}
}

func importSamples(t *testing.T) *DB {
	t.Helper()
	db := New()
	for _, f := range []string{"testdata/nvdcve-2.0-sample.json", "testdata/known_exploited_vulnerabilities.json"} {
		if _, err := db.ImportFile(f); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestImportAndMatch(t *testing.T) {
	db := importSamples(t)
	s := db.Stats()
	if s.CVEs != 3 || s.KEV != 2 {
		t.Fatalf("stats %+v, want 3 CVEs and 2 KEV", s)
	}
	tests := []struct {
		product, version string
		want             []string
	}{
		{"apache", "2.4.49", []string{"CVE-2021-41773"}},
		{"apache", "2.4.58", nil},
		{"openssh", "8.9p1", []string{"CVE-2024-6387"}},
		{"openssh", "9.8p1", nil},
		{"openssh", "9.7p1", []string{"CVE-2024-6387"}},
		{"openssh", "9.9p1", nil},
		{"openssh", "4.3p2", []string{"CVE-2024-6387"}},
		{"joomla", "4.2.7", []string{"CVE-2023-23752"}},
		{"joomla", "4.2.8", nil},
		{"netapp:cloud_backup", "1.0", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range db.Match(tt.product, tt.version) {
			got = append(got, v.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Match(%s, %s) = %v, want %v", tt.product, tt.version, got, tt.want)
		}
	}
	v := db.Match("apache", "2.4.49")[0]
	if !v.KEV || v.Score != 7.5 || v.CWE != "CWE-22" || v.Vector == "" {
		t.Errorf("CVE-2021-41773 = %+v", v)
	}
	if j := db.Match("joomla", "4.0.0")[0]; j.Score != 5.3 || !j.KEV {
		t.Errorf("CVSS 3.0 metric or KEV lost: %+v", j)
	}
}

func TestSaveLoad(t *testing.T) {
	db := importSamples(t)
	path := filepath.Join(t.TempDir(), "vulndb.json.gz")
	if err := db.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Stats().CVEs != 3 || len(loaded.Match("openssh", "8.9p1")) != 1 || !loaded.Match("apache", "2.4.49")[0].KEV {
		t.Errorf("round trip lost data: %+v", loaded.Stats())
	}
	// Importing again replaces entries instead of duplicating them.
	if _, err := loaded.ImportFile("testdata/nvdcve-2.0-sample.json"); err != nil {
		t.Fatal(err)
	}
	if n := len(loaded.Match("apache", "2.4.49")); n != 1 {
		t.Errorf("reimport duplicated matches: %d", n)
	}
}

func TestImportGzipAndReject(t *testing.T) {
	raw, err := os.ReadFile("testdata/nvdcve-2.0-sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	res, err := New().Import(&buf)
	if err != nil || res.CVEs != 3 || res.Kind != "nvd" {
		t.Fatalf("gzip import = %+v, %v", res, err)
	}
	if _, err := New().Import(bytes.NewReader([]byte(`{"hello": "world"}`))); err == nil {
		t.Error("unknown JSON accepted")
	}
}

func TestBuiltin(t *testing.T) {
	db := Builtin()
	if db.Stats().CVEs < 20 {
		t.Fatalf("built-in set has %d CVEs", db.Stats().CVEs)
	}
	for _, pv := range [][2]string{{"apache", "2.4.49"}, {"openssh", "8.9p1"}, {"php", "7.3.5"}, {"jquery", "1.12.4"}, {"wordpress", "5.8.1"}, {"drupal", "7.57"}, {"redis", "6.2.6"}, {"iis", "6.0"}, {"joomla", "3.7.0"}, {"drupal", "8.5.2"}} {
		if len(db.Match(pv[0], pv[1])) == 0 {
			t.Errorf("built-in set has nothing for %s %s", pv[0], pv[1])
		}
	}
	for _, id := range db.cves {
		if len(CPEKeys(firstKey(id.Products))) == 0 {
			t.Errorf("%s: product key %q unknown", id.ID, firstKey(id.Products))
		}
	}
}

func firstKey(m map[string][]Range) string {
	for k := range m {
		return k
	}
	return ""
}

func FuzzImport(f *testing.F) {
	raw, _ := os.ReadFile("testdata/nvdcve-2.0-sample.json")
	f.Add(raw)
	kev, _ := os.ReadFile("testdata/known_exploited_vulnerabilities.json")
	f.Add(kev)
	f.Fuzz(func(t *testing.T, b []byte) {
		db := New()
		if _, err := db.Import(bytes.NewReader(b)); err == nil {
			_ = db.Match("apache", "2.4.49")
		}
	})
}

// The built-in scores must agree with their vectors.
func TestBuiltinScores(t *testing.T) {
	for _, rec := range Builtin().cves {
		if rec.Vector == "" || rec.Score == 0 {
			t.Errorf("%s: no CVSS", rec.ID)
		}
	}
}

func TestLoadKnown(t *testing.T) {
	db := importSamples(t)
	path := filepath.Join(t.TempDir(), "vulndb.json.gz")
	if err := db.Save(path); err != nil {
		t.Fatal(err)
	}
	known, err := LoadKnown(path)
	if err != nil {
		t.Fatal(err)
	}
	// The sample's netapp:cloud_backup entry is not a scanner product; the
	// three CVEs stay because each also names a known product.
	if s := known.Stats(); s.CVEs != 3 || s.Products != 3 || s.KEV != 2 {
		t.Errorf("stats %+v, want 3 CVEs over 3 products", s)
	}
	if len(known.Match("openssh", "8.9p1")) != 1 {
		t.Error("known product lost")
	}
}

func TestEPSS(t *testing.T) {
	raw, err := os.ReadFile("testdata/epss_scores-2026-11-30.csv")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	// Plain and gzip-compressed files are recognised by content, with or
	// without a byte-order mark.
	for name, data := range map[string][]byte{"plain": raw, "gzip": gz.Bytes(), "bom": append([]byte("\uFEFF"), raw...)} {
		db := importSamples(t)
		res, err := db.Import(bytes.NewReader(data))
		if err != nil || res.Kind != "epss" || res.CVEs != 7 {
			t.Fatalf("%s: Import = %+v, %v", name, res, err)
		}
		tests := []struct {
			cve   string
			score float64
			ok    bool
		}{
			{"CVE-2021-41773", 0.944, true},
			{"CVE-2021-1000002", 0.00043, true},
			{"CVE-1999-0001", 0.01167, true},
			{"CVE-2024-10001", 0, true},
			{"CVE-2025-0001", 1, true},
			{"CVE-2021-41774", 0, false},
			{"cve-2021-41773", 0, false},
			{"CVE-2021-041773", 0, false},
			{"CVE-2021-+4177", 0, false},
			{"", 0, false},
		}
		for _, tt := range tests {
			if score, ok := db.EPSS(tt.cve); score != tt.score || ok != tt.ok {
				t.Errorf("%s: EPSS(%s) = %v, %v; want %v, %v", name, tt.cve, score, ok, tt.score, tt.ok)
			}
		}
		s := db.Stats()
		if s.EPSS != 7 || s.EPSSModel != "v2025.03.14" || !s.EPSSDate.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) || s.CVEs != 3 {
			t.Errorf("%s: stats %+v", name, s)
		}
		if !db.KEV("CVE-2021-41773") || db.KEV("CVE-2024-6387") {
			t.Errorf("%s: KEV wrong", name)
		}
	}
}

func TestEPSSSaveLoad(t *testing.T) {
	db := importSamples(t)
	if _, err := db.ImportFile("testdata/epss_scores-2026-11-30.csv"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "vulndb.json.gz")
	if err := db.Save(path); err != nil {
		t.Fatal(err)
	}
	for name, load := range map[string]func(string) (*DB, error){"Load": Load, "LoadKnown": LoadKnown} {
		loaded, err := load(path)
		if err != nil {
			t.Fatal(err)
		}
		if score, ok := loaded.EPSS("CVE-2024-6387"); !ok || score != 0.4512 {
			t.Errorf("%s: EPSS after round trip = %v, %v", name, score, ok)
		}
		if a, b := db.Stats(), loaded.Stats(); a.EPSS != b.EPSS || !a.EPSSDate.Equal(b.EPSSDate) || a.EPSSModel != b.EPSSModel {
			t.Errorf("%s: stats %+v, want %+v", name, b, a)
		}
	}
	// A newer snapshot replaces the old one.
	if _, err := db.Import(strings.NewReader("cve,epss,percentile\nCVE-2024-6387,0.5,0.9\n")); err != nil {
		t.Fatal(err)
	}
	if _, ok := db.EPSS("CVE-2021-41773"); ok || db.Stats().EPSS != 1 {
		t.Errorf("old scores kept after a new import: %+v", db.Stats())
	}
}

func TestEPSSDateFromName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "epss_scores-2022-01-15.csv")
	if err := os.WriteFile(path, []byte("cve,epss\nCVE-2021-44228,0.97565\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := New()
	if _, err := db.ImportFile(path); err != nil {
		t.Fatal(err)
	}
	if d := db.Stats().EPSSDate; !d.Equal(time.Date(2022, 1, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date %v, want the file name's", d)
	}
}

func TestEPSSErrors(t *testing.T) {
	const header = "#model_version:v2023.03.01,score_date:2023-03-05T00:00:00+0000\ncve,epss,percentile\n"
	tests := []struct{ input, want string }{
		{header + "CVE-2021-1,0.5,0.5\n", "line 3: \"CVE-2021-1\" is not a CVE ID"},
		{header + "CVE-2021-44228,1.5,0.5\n", "line 3: epss \"1.5\" of CVE-2021-44228 is not a probability"},
		{header + "CVE-2021-44228,-0.1,0.5\n", "line 3: epss"},
		{header + "CVE-2021-44228,abc,0.5\n", "line 3: epss"},
		{header + "CVE-2021-44228,NaN,0.5\n", "line 3: epss"},
		{header + "CVE-2021-44228\n", "line 3: \"CVE-2021-44228\" has no epss column"},
		{header + "CVE-2021-44228,0.5,0.5\nCVE-2020-0001,0.1,0.1\nCVE-2021-44228,0.6,0.6\n", "line 5: CVE-2021-44228 is listed again (first on line 3)"},
		{"#score_date:yesterday\ncve,epss\n", "line 1: score_date"},
		{"#model_version:v1\ncve,score\n", "line 2: header"},
		{"#model_version:v1\n", "line 1: no cve,epss,percentile header"},
		{header + "CVE-2021-44228," + strings.Repeat("0", 300) + "\n", "line 3: longer than"},
	}
	for _, tt := range tests {
		_, err := New().Import(strings.NewReader(tt.input))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Import(%q) error = %v, want %q", tt.input[:min(len(tt.input), 80)], err, tt.want)
		}
	}
}

func FuzzParseEPSS(f *testing.F) {
	raw, _ := os.ReadFile("testdata/epss_scores-2026-11-30.csv")
	f.Add(raw)
	f.Add([]byte("cve,epss\nCVE-2021-44228,0.97565\nCVE-2021-44228,0.1\n"))
	f.Add([]byte("#model_version:v1,score_date:2023-03-05\ncve,epss,percentile\r\nCVE-1999-0001,0,0\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := parseEPSS(bytes.NewReader(b))
		if err != nil {
			return
		}
		if !slices.IsSorted(tab.keys) || len(tab.keys) != len(tab.scores) {
			t.Fatalf("table not sorted or ragged: %d keys, %d scores", len(tab.keys), len(tab.scores))
		}
		back, err := tab.file().table()
		if err != nil || !slices.Equal(back.keys, tab.keys) {
			t.Fatalf("delta encoding does not round-trip: %v", err)
		}
	})
}

// BenchmarkLoadEPSS loads a database holding as many EPSS scores as FIRST
// publishes (about 250 000).
func BenchmarkLoadEPSS(b *testing.B) {
	var csv strings.Builder
	csv.WriteString("#model_version:v2025.03.14,score_date:2026-11-30T00:00:00+0000\ncve,epss,percentile\n")
	// Scores skewed towards zero and gaps between sequence numbers, as in
	// FIRST's files, so that the file size means something.
	rnd := rand.New(rand.NewPCG(1, 2))
	seq := 0
	for i := range 250_000 {
		if i%10_000 == 0 {
			seq = 0
		}
		seq += 1 + rnd.IntN(4)
		score := math.Pow(rnd.Float64(), 6)
		fmt.Fprintf(&csv, "CVE-%d-%04d,%.5f,%.5f\n", 1999+i/10_000, seq, score, rnd.Float64())
	}
	db := New()
	if _, err := db.Import(strings.NewReader(csv.String())); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "vulndb.json.gz")
	if err := db.Save(path); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		loaded, err := Load(path)
		if err != nil || loaded.Stats().EPSS != 250_000 {
			b.Fatal(err)
		}
	}
	if st, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(st.Size()), "file-bytes")
	}
}

// A damaged EPSS table in the database file is refused, not half loaded.
func TestEPSSDamaged(t *testing.T) {
	tab, err := parseEPSS(strings.NewReader("cve,epss\nCVE-2021-44228,0.9\nCVE-2022-0001,0.1\n"))
	if err != nil {
		t.Fatal(err)
	}
	good := tab.file()
	for name, f := range map[string]epssFile{
		"short scores": {Count: 2, Keys: good.Keys, Scores: good.Scores[:7]},
		"short keys":   {Count: 2, Keys: good.Keys[:len(good.Keys)-1], Scores: good.Scores},
		"extra keys":   {Count: 2, Keys: append(slices.Clone(good.Keys), 1), Scores: good.Scores},
		"bad score":    {Count: 2, Keys: good.Keys, Scores: append(slices.Clone(good.Scores[:4]), 0, 0, 0x80, 0x7f)},
	} {
		if _, err := f.table(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
