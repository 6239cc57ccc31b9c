package vulndb_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/vulndb"
)

// The built-in scores are those their vectors give.
func TestBuiltinScoresMatchVectors(t *testing.T) {
	raw, err := os.ReadFile("builtin.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		CVEs []struct {
			ID     string  `json:"id"`
			Score  float64 `json:"score"`
			Vector string  `json:"vec"`
		} `json:"cves"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.CVEs {
		if s, err := check.CVSSScore(c.Vector); err != nil || s != c.Score {
			t.Errorf("%s: score %.1f, vector %s gives %.1f (%v)", c.ID, c.Score, c.Vector, s, err)
		}
	}
}

// The platforms the scanner reads versions of are covered by the built-in
// set at their vulnerable releases, and not at the fixed ones.
func TestBuiltinPlatforms(t *testing.T) {
	db := vulndb.Builtin()
	notInKEV := []string{"CVE-2018-12613", "CVE-2020-35489", "CVE-2025-49844", "CVE-2024-6387"}
	tests := []struct {
		product, version, cve string // cve "" means no CVE may match
	}{
		{"jenkins", "2.441", "CVE-2024-23897"},
		{"jenkins", "2.426.2", "CVE-2024-23897"},
		{"jenkins", "2.426.3", ""},
		{"jenkins", "2.440.1", ""},
		{"jenkins", "2.442", ""},
		{"grafana", "8.3.0", "CVE-2021-43798"},
		{"grafana", "8.2.7", ""},
		{"kibana", "6.5.4", "CVE-2019-7609"},
		{"kibana", "6.6.1", ""},
		{"confluence", "7.13.6", "CVE-2022-26134"},
		{"confluence", "7.11.5", "CVE-2021-26084"},
		{"confluence", "7.13.7", ""},
		{"confluence", "7.18.1", ""},
		{"gitlab", "13.10.2", "CVE-2021-22205"},
		{"gitlab", "16.7.1", "CVE-2023-7028"},
		{"gitlab", "16.7.2", ""},
		{"tomcat", "9.0.30", "CVE-2020-1938"},
		{"tomcat", "8.5.22", "CVE-2017-12617"},
		{"tomcat", "10.1.34", "CVE-2025-24813"},
		{"tomcat", "9.0.99", ""},
		{"phpmyadmin", "4.8.1", "CVE-2018-12613"},
		{"phpmyadmin", "4.8.2", ""},
		{"webmin", "1.890", "CVE-2019-15107"},
		{"webmin", "1.930", ""},
		{"exchange", "15.1.2507.6", "CVE-2022-41082"},
		{"exchange", "15.2.986.30", "CVE-2022-41040"},
		{"exchange", "15.2.1118.20", ""},
		{"exchange", "15.1.2507.16", ""},
		{"vcenter", "7.0.0.0", "CVE-2021-21972"},
		{"vcenter", "7.0.3.0", ""},
		{"wp-file-manager", "6.8", "CVE-2020-25213"},
		{"wp-file-manager", "6.9", ""},
		{"duplicator", "1.3.26", "CVE-2020-11738"},
		{"contact-form-7", "5.3.1", "CVE-2020-35489"},
		{"contact-form-7", "5.3.2", ""},
		// Edge devices, in the forms the fingerprints match them as.
		{"netscaler", "13.1.48.47", "CVE-2023-3519"},
		{"netscaler", "13.1.49.13", "CVE-2023-4966"},
		{"netscaler", "13.1.49.15", ""},
		{"netscaler", "13.1.37.159", "CVE-2023-4966"},
		{"netscaler", "13.1.37.164", ""},
		{"netscaler", "12.1.55.18", "CVE-2023-3519"},
		{"netscaler", "13.0.47.22", "CVE-2019-19781"},
		{"netscaler", "14.1.8.50", ""},
		{"connect-secure", "9.0R3.99999", "CVE-2021-22893"},
		{"connect-secure", "9.0R2.99999", "CVE-2019-11510"},
		{"connect-secure", "9.1R11.99999", ""},
		{"connect-secure", "9.1r14.3", "CVE-2023-46805"},
		{"connect-secure", "9.1r14.4", ""},
		{"sophos-firewall", "18.0.4.506", "CVE-2022-1040"},
		{"sophos-firewall", "18.5.0.171", "CVE-2022-1040"},
		{"sophos-firewall", "18.5.3.408", ""},
		{"sophos-firewall", "19.0.1.365", ""},
		{"big-ip", "15.1.0.3-0.0.12", "CVE-2020-5902"},
		{"big-ip", "16.1.2-0.0.18", "CVE-2022-1388"},
		{"big-ip", "16.1.2.2-0.0.28", "CVE-2023-46747"},
		{"big-ip", "17.1.1-0.0.6", ""},
		{"big-ip", "12.1.3-0.0.378", "CVE-2020-5902"},
		// Services whose versions the service probes read.
		{"redis", "7.2.10", "CVE-2025-49844"},
		{"redis", "6.0.9", "CVE-2025-49844"},
		{"redis", "8.0.3", "CVE-2025-49844"},
		{"redis", "7.4.6", ""},
		{"redis", "8.2.2", ""},
		{"mongodb", "4.2.25", "CVE-2025-14847"},
		{"mongodb", "7.0.27", "CVE-2025-14847"},
		{"mongodb", "8.2.2", "CVE-2025-14847"},
		{"mongodb", "7.0.28", ""},
		{"mongodb", "4.4.30", ""},
		{"elasticsearch", "1.1.1", "CVE-2014-3120"},
		{"elasticsearch", "1.4.2", "CVE-2015-1427"},
		{"elasticsearch", "1.4.3", ""},
		{"openssh", "9.6p1", "CVE-2024-6387"},
		{"openssh", "9.8p1", ""},
		{"exim", "4.91", "CVE-2019-10149"},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range db.Match(tt.product, tt.version) {
			got = append(got, v.ID)
		}
		if tt.cve == "" && len(got) > 0 || tt.cve != "" && !slices.Contains(got, tt.cve) {
			t.Errorf("%s %s: matched %v, want %q", tt.product, tt.version, got, tt.cve)
		}
		if tt.cve != "" && db.KEV(tt.cve) == slices.Contains(notInKEV, tt.cve) {
			t.Errorf("%s: KEV flag %v is wrong", tt.cve, db.KEV(tt.cve))
		}
	}
}
