package vulndb

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"testing"
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
	for _, pv := range [][2]string{{"apache", "2.4.49"}, {"openssh", "8.9p1"}, {"php", "7.3.5"}, {"jquery", "1.12.4"}, {"wordpress", "5.8.1"}, {"drupal", "7.57"}, {"redis", "6.2.6"}, {"iis", "6.0"}} {
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
