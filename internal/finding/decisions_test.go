package finding

import (
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding/source"
)

func TestCheckMove(t *testing.T) {
	today := time.Date(2026, 3, 1, 9, 0, 0, 0, zone)
	in := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	for _, c := range []struct {
		name string
		from Status
		role access.Role
		m    Move
		ok   bool
	}{
		{"operator confirms", New, access.AgencyOperator, Move{To: Confirmed}, true},
		{"viewer confirms", New, access.Viewer, Move{To: Confirmed}, false},
		{"fixed needs evidence", InRemediation, access.AgencyOperator, Move{To: Fixed}, false},
		{"fixed with a note", InRemediation, access.AgencyOperator, Move{To: Fixed, Note: "đã vá"}, true},
		{"fixed with a file", Confirmed, access.AgencyOperator, Move{To: Fixed, HasEvidence: true}, true},
		{"operator cannot verify", Fixed, access.AgencyOperator, Move{To: Verified, Note: "x"}, false},
		{"auditor verifies", Fixed, access.Auditor, Move{To: Verified}, true},
		{"cannot verify an unfixed one", New, access.Auditor, Move{To: Verified}, false},
		{"false positive by an agency", New, access.AgencyAdmin, Move{To: FalsePositive, Note: "x"}, false},
		{"false positive needs a reason", New, access.Coordinator, Move{To: FalsePositive}, false},
		{"false positive by the coordinator", New, access.Coordinator, Move{To: FalsePositive, Note: "máy chủ thử nghiệm"}, true},
		{"rejecting a claim needs a reason", Fixed, access.Auditor, Move{To: InRemediation}, false},
		{"risk accepted by the agency leader", Confirmed, access.AgencyAdmin, Move{To: RiskAccepted, Note: "x", Approver: "Giám đốc", Until: in(90)}, true},
		{"risk accepted by an operator", Confirmed, access.AgencyOperator, Move{To: RiskAccepted, Note: "x", Approver: "Giám đốc", Until: in(90)}, false},
		{"risk accepted without approver", Confirmed, access.Coordinator, Move{To: RiskAccepted, Note: "x", Until: in(90)}, false},
		{"risk accepted for two years", Confirmed, access.Coordinator, Move{To: RiskAccepted, Note: "x", Approver: "G", Until: in(730)}, false},
		{"risk accepted until yesterday", Confirmed, access.Coordinator, Move{To: RiskAccepted, Note: "x", Approver: "G", Until: in(-1)}, false},
		{"closing a verified one", Verified, access.Coordinator, Move{To: Closed}, true},
		{"reopening a closed one", Closed, access.Coordinator, Move{To: Reopened, Note: "thấy lại"}, true},
		{"unknown status", New, access.Admin, Move{To: "done"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckMove(c.from, c.role, c.m, today); (err == nil) != c.ok {
				t.Fatalf("CheckMove: %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestIndexFind(t *testing.T) {
	x := NewIndex([]Target{
		{AssetID: 1, SystemID: 10, Kind: "domain", Value: "cantho.gov.vn"},
		{AssetID: 2, SystemID: 11, Kind: "domain", Value: "dichvucong.cantho.gov.vn"},
		{AssetID: 3, SystemID: 12, Kind: "url", Value: "https://cantho.gov.vn/egov"},
		{AssetID: 4, SystemID: 13, Kind: "cidr", Value: "10.0.0.0/16"},
		{AssetID: 5, SystemID: 14, Kind: "cidr", Value: "10.0.5.0/24"},
		{AssetID: 6, SystemID: 15, Kind: "server", Value: "srv-db01", Hostname: "srv-db01", IPs: []string{"10.0.5.20"}},
		{AssetID: 7, SystemID: 9, Kind: "ip", Value: "203.113.1.5"},
		{AssetID: 7, SystemID: 8, Kind: "ip", Value: "203.113.1.5"},
	})
	for _, c := range []struct {
		host, ip, url string
		system        int64
	}{
		{"dichvucong.cantho.gov.vn", "", "", 11},
		{"www.cantho.gov.vn", "", "", 10}, // a name under a registered domain
		{"cantho.gov.vn", "", "https://cantho.gov.vn/egov/login", 12},
		{"cantho.gov.vn", "", "https://cantho.gov.vnx/", 10},
		{"10.0.5.20", "", "", 15},
		{"10.0.5.21", "", "", 14}, // the narrowest range
		{"10.0.9.1", "", "", 13},
		{"srv-db01", "", "", 15},
		{"203.113.1.5", "", "", 8}, // two systems: the lowest id
		{"example.org", "", "", 0},
		{"gov.vn", "", "", 0},
	} {
		if got := x.Find(c.host, c.ip, c.url).SystemID; got != c.system {
			t.Errorf("Find(%q, %q, %q) = system %d, want %d", c.host, c.ip, c.url, got, c.system)
		}
	}
}

func TestFingerprints(t *testing.T) {
	mk := func(o source.Observation) Finding {
		f, err := FromObservation(o, noEnrichment{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	nuclei := mk(source.Observation{Tool: "nuclei", RuleID: "CVE-2021-44228", CVEs: []string{"cve-2021-44228"}, URL: "https://App.example.vn:8443/api?x=1"})
	nessus := mk(source.Observation{Tool: "nessus", RuleID: "155999", CVEs: []string{"CVE-2021-44228"}, Host: "app.example.vn.", Port: 8443})
	if nuclei.Fingerprint != nessus.Fingerprint || nuclei.Host != "app.example.vn" || nuclei.Port != 8443 {
		t.Errorf("one CVE on one port from two tools: %+v / %+v", nuclei, nessus)
	}
	nmap := mk(source.Observation{Tool: "nmap", RuleID: "port.open", Host: "10.0.0.1", Port: 22})
	khien := mk(source.Observation{Tool: "khien", RuleID: "port.open", IP: "10.0.0.1", Port: 22})
	if nmap.Fingerprint != khien.Fingerprint {
		t.Error("Khiên's check ids are shared by the tools that report the same")
	}
	a := mk(source.Observation{Tool: "zap", RuleID: "40012", URL: "https://a.vn/search", Parameter: "q"})
	b := mk(source.Observation{Tool: "zap", RuleID: "40012", URL: "https://a.vn/search", Parameter: "page"})
	if a.Fingerprint == b.Fingerprint {
		t.Error("two parameters of one page are two findings")
	}
	if _, err := FromObservation(source.Observation{Tool: "manual", CVSS3: "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, noEnrichment{}); err != nil {
		t.Errorf("a vector without its prefix: %v", err)
	}
	if _, err := FromObservation(source.Observation{Tool: "manual", CVSS3: "CVSS:3.1/AV:X"}, noEnrichment{}); err == nil {
		t.Error("a bad vector was accepted")
	}
}

func TestPriorityAndDue(t *testing.T) {
	base, _ := Priority(Finding{Severity: High}, 1)
	kev, why := Priority(Finding{Severity: High, KEV: true, EPSS: 0.9, Exposed: true}, 4)
	crit, _ := Priority(Finding{Severity: Critical}, 1)
	if !(kev > crit && crit > base) || len(why) != 5 {
		t.Errorf("priorities: high %d, critical %d, high+KEV+EPSS+exposed+level 4 %d (%v)", base, crit, kev, why)
	}
	seen := time.Date(2026, 3, 1, 20, 0, 0, 0, time.UTC) // already 2 March in Vietnam
	p := DefaultPolicy()
	for _, c := range []struct {
		sev   Severity
		level int
		want  string
	}{{Critical, 2, "2026-03-09"}, {Critical, 3, "2026-03-05"}, {High, 1, "2026-04-01"}, {Low, 4, "2026-05-31"}, {Info, 1, ""}} {
		if got := p.Due(c.sev, c.level, seen, zone); got != c.want {
			t.Errorf("due %s level %d: %s, want %s", c.sev, c.level, got, c.want)
		}
	}
	if Exposed("10.0.0.1", "") || !Exposed("cantho.gov.vn", "") || !Exposed("", "203.113.1.1") {
		t.Error("exposure")
	}
}
