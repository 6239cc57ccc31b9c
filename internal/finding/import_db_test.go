package finding

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// fixture is a small city: two agencies, each with a system and its assets.
type fixture struct {
	store            *storage.Store
	a, b             identity.Org
	sysA, sysB       inventory.System
	admin, operatorA access.Actor
	auditorA         access.Actor
}

func newFixture(t *testing.T, db *database.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{store: storage.New(db), admin: access.SystemActor("test")}
	root, err := identity.RootOrg(ctx, f.store)
	must(t, err)
	f.a, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
	must(t, err)
	f.b, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "NINHKIEU", Name: "UBND phường Ninh Kiều", Kind: identity.OrgDistrict})
	must(t, err)
	f.operatorA = access.Actor{UserID: 0, Email: "op@a.vn", Role: access.AgencyOperator, OrgID: f.a.ID, OrgPath: f.a.Path}
	f.auditorA = access.Actor{Email: "auditor@a.vn", Role: access.Auditor, AssignedPaths: []string{f.a.Path}}
	f.sysA = inventory.System{OrgID: f.a.ID, Name: "Cổng thông tin", Kind: "web_portal", Level: 3}
	must(t, inventory.CreateSystem(ctx, f.store, f.admin, &f.sysA))
	f.sysB = inventory.System{OrgID: f.b.ID, Name: "Một cửa", Kind: "internal_app", Level: 2}
	must(t, inventory.CreateSystem(ctx, f.store, f.admin, &f.sysB))
	must(t, inventory.AddAsset(ctx, f.store, f.admin, f.sysA.ID, &inventory.Asset{Kind: "domain", Value: "skhcn.cantho.gov.vn"}))
	must(t, inventory.AddAsset(ctx, f.store, f.admin, f.sysB.ID, &inventory.Asset{Kind: "cidr", Value: "10.1.0.0/24"}))
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// observations is a parser over JSON lines of source.Observation, so the
// import is tested apart from the file formats.
func observations(_ context.Context, r io.Reader, _ string, h source.Handler) (string, error) {
	dec := json.NewDecoder(r)
	for {
		var o source.Observation
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return "test", nil
		} else if err != nil {
			return "test", err
		}
		if o.Title == "reached" {
			if h.Reached != nil {
				must0(h.Reached(source.Host{Host: o.Host}))
			}
			continue
		}
		if err := h.Finding(o); err != nil {
			return "test", err
		}
	}
}

func must0(err error) {
	if err != nil {
		panic(err)
	}
}

func file(obs ...source.Observation) Opener {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, o := range obs {
		must0(enc.Encode(o))
	}
	data := buf.Bytes()
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

func run(t *testing.T, f fixture, actor access.Actor, req ImportRequest, open Opener) Summary {
	t.Helper()
	s, err := importWith(context.Background(), f.store, actor, req, open, nil, nil, observations)
	must(t, err)
	return s
}

var (
	day1 = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	day2 = day1.AddDate(0, 0, 7)
	day3 = day2.AddDate(0, 0, 7)
)

func hsts(at time.Time) source.Observation {
	return source.Observation{Tool: "khien", RuleID: "http.missing-hsts", Title: "Missing HSTS", Severity: Low, Host: "skhcn.cantho.gov.vn", Port: 443, URL: "https://skhcn.cantho.gov.vn/", SeenAt: at}
}

func log4j(tool, rule string, at time.Time) source.Observation {
	return source.Observation{Tool: tool, RuleID: rule, Title: "Log4Shell", Severity: Critical, CVEs: []string{"cve-2021-44228"}, Host: "10.1.0.7", Port: 8080, SeenAt: at}
}

func TestImportMapsDedupsAndVerifies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		stray := source.Observation{Tool: "khien", RuleID: "port.open", Title: "Open port", Severity: Info, Host: "unknown.example.org", Port: 22, SeenAt: day1}
		first := file(hsts(day1), log4j("nuclei", "CVE-2021-44228", day1), stray)
		s := run(t, f, f.admin, ImportRequest{}, first)
		if s.Created != 3 || s.Unassigned != 1 || s.Updated != 0 || s.Hunts != 1 {
			t.Fatalf("first import: %+v", s)
		}
		// The same file again changes nothing.
		if s := run(t, f, f.admin, ImportRequest{}, first); s.Created != 0 || s.Updated != 0 || s.Unchanged != 3 || s.Closed != 0 {
			t.Fatalf("re-import: %+v", s)
		}
		// Another tool reporting the same CVE on the same port is one finding with two sources.
		if s := run(t, f, f.admin, ImportRequest{}, file(log4j("nessus", "155999", day1))); s.Created != 0 || s.Unchanged != 1 {
			t.Fatalf("second tool: %+v", s)
		}
		all, err := List(ctx, f.store, f.admin, Filter{}, storage.Page{})
		must(t, err)
		if all.Total != 3 {
			t.Fatalf("findings: %d", all.Total)
		}
		// Split across agencies; the agency sees its own only, never the queue.
		mine, err := List(ctx, f.store, f.operatorA, Filter{}, storage.Page{})
		must(t, err)
		if mine.Total != 1 || mine.Items[0].SystemID != f.sysA.ID || mine.Items[0].DueDate != "2026-05-30" {
			t.Fatalf("agency A sees %+v", mine.Items)
		}
		crit, err := List(ctx, f.store, f.admin, Filter{Severity: []string{"critical"}}, storage.Page{})
		must(t, err)
		if crit.Total != 1 || crit.Items[0].SystemID != f.sysB.ID || crit.Items[0].DueDate != "2026-03-08" {
			t.Fatalf("critical: %+v", crit.Items)
		}
		if byCVE, err := List(ctx, f.store, f.admin, Filter{CVE: "cve-2021-44228", Overdue: false}, storage.Page{}); err != nil || byCVE.Total != 1 {
			t.Fatalf("by CVE: %d %v", byCVE.Total, err)
		}
		d, err := GetDetail(ctx, f.store, f.admin, crit.Items[0].ID)
		must(t, err)
		if len(d.Sources) != 2 || d.HuntID == 0 {
			t.Fatalf("sources %+v hunt %d", d.Sources, d.HuntID)
		}
		// The agency claims the HSTS fix; a later scan that reached the host no longer sees it.
		hstsID := mine.Items[0].ID
		_, err = ChangeStatus(ctx, f.store, f.operatorA, hstsID, Move{To: Fixed, Note: "HSTS enabled in nginx"})
		must(t, err)
		other := source.Observation{Tool: "khien", RuleID: "http.missing-csp", Title: "Missing CSP", Severity: Low, Host: "skhcn.cantho.gov.vn", Port: 443, URL: "https://skhcn.cantho.gov.vn/", SeenAt: day2}
		// A scan that did not reach the host verifies nothing.
		if s := run(t, f, f.admin, ImportRequest{}, file(log4j("nuclei", "CVE-2021-44228", day2))); s.Closed != 0 || s.Updated != 1 {
			t.Fatalf("unrelated scan: %+v", s)
		}
		if s := run(t, f, f.admin, ImportRequest{}, file(other)); s.Closed != 1 || s.Created != 1 {
			t.Fatalf("verifying scan: %+v", s)
		}
		v, err := Get(ctx, f.store, f.admin, hstsID)
		must(t, err)
		if v.Status != Verified {
			t.Fatalf("status after verification: %s", v.Status)
		}
		// It comes back: a regression.
		if s := run(t, f, f.admin, ImportRequest{}, file(hsts(day3))); s.Reopened != 1 {
			t.Fatalf("regression: %+v", s)
		}
		v, err = Get(ctx, f.store, f.admin, hstsID)
		must(t, err)
		if v.Status != Reopened || !v.Regression || v.TimesSeen != 2 {
			t.Fatalf("after regression: %s %v %d", v.Status, v.Regression, v.TimesSeen)
		}
		// An agency's auditor imports only into what they may scan.
		if s := run(t, f, f.auditorA, ImportRequest{}, file(log4j("nuclei", "x", day3), hsts(day3))); s.Skipped != 1 || s.Unchanged != 1 {
			t.Fatalf("auditor import: %+v", s)
		}
		if _, err := importWith(ctx, f.store, f.operatorA, ImportRequest{}, first, nil, nil, observations); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("operator import: %v", err)
		}
		if n, err := AssignHost(ctx, f.store, f.admin, "unknown.example.org", f.sysB.ID); err != nil || n != 1 {
			t.Fatalf("assign host: %d %v", n, err)
		}
		c, err := Count(ctx, f.store, f.admin, Filter{})
		must(t, err)
		if c.Total != 4 || c.ByStatus["reopened"] != 1 {
			t.Fatalf("counts: %+v", c)
		}
		checkCounts(t, f.store)
	})
}

func TestImportWritesNothingFromABadFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		bad := source.Observation{Tool: "manual", RuleID: "X-1", Title: "Bad vector", Severity: High, Host: "skhcn.cantho.gov.vn", CVSS3: "CVSS:3.1/AV:Q"}
		_, err := importWith(context.Background(), f.store, f.admin, ImportRequest{}, file(hsts(day1), bad), nil, nil, observations)
		if err == nil {
			t.Fatal("bad vector accepted")
		}
		res, err := List(context.Background(), f.store, f.admin, Filter{}, storage.Page{})
		must(t, err)
		if res.Total != 0 {
			t.Fatalf("%d findings written from a bad file", res.Total)
		}
	})
}

// knownCVEs says CVE-2023-4966 is exploited in the wild, with a high EPSS.
type knownCVEs struct{}

func (knownCVEs) KEV(cve string) bool { return cve == "CVE-2023-4966" }
func (knownCVEs) EPSS(cve string) (float64, bool) {
	return 0.94, cve == "CVE-2023-4966"
}

func TestImportEnrichesAndPrioritises(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		bleed := source.Observation{Tool: "nessus", RuleID: "183026", Title: "Citrix Bleed", Severity: High, CVEs: []string{"CVE-2023-4966"}, Host: "10.1.0.9", Port: 443}
		plain := source.Observation{Tool: "nessus", RuleID: "1", Title: "Other", Severity: High, CVEs: []string{"CVE-2020-0001"}, Host: "10.1.0.9", Port: 443}
		s, err := importWith(ctx, f.store, f.admin, ImportRequest{}, file(bleed, plain), knownCVEs{}, nil, observations)
		must(t, err)
		if s.Created != 2 || s.Hunts != 1 {
			t.Fatalf("import: %+v", s)
		}
		res, err := List(ctx, f.store, f.admin, Filter{KEV: true}, storage.Page{})
		must(t, err)
		if res.Total != 1 || !res.Items[0].KEV || res.Items[0].EPSS != 0.94 || res.Items[0].HuntID == 0 {
			t.Fatalf("KEV findings: %+v", res.Items)
		}
		all, err := List(ctx, f.store, f.admin, Filter{}, storage.Page{})
		must(t, err)
		if all.Items[0].ID != res.Items[0].ID || all.Items[0].Priority <= all.Items[1].Priority {
			t.Fatalf("the KEV finding does not come first: %+v", all.Items)
		}
		// Accepting a risk needs a reason, an approver and an expiry within a year.
		id := all.Items[1].ID
		if _, err := ChangeStatus(ctx, f.store, f.admin, id, Move{To: RiskAccepted, Note: "Hệ thống sắp thay thế"}); err == nil {
			t.Fatal("risk accepted without approver or expiry")
		}
		until := f.store.Now().In(zone).AddDate(0, 1, 0).Format(time.DateOnly)
		if _, err := ChangeStatus(ctx, f.store, f.admin, id, Move{To: RiskAccepted, Note: "Hệ thống sắp thay thế", Approver: "Phó Giám đốc Sở", Until: until}); err != nil {
			t.Fatal(err)
		}
		// At expiry it reopens.
		later := f.store.Now().AddDate(0, 2, 0)
		f.store.SetClock(func() time.Time { return later })
		n, err := ExpireAcceptances(ctx, f.store)
		must(t, err)
		v, err := Get(ctx, f.store, f.admin, id)
		must(t, err)
		if n != 1 || v.Status != Reopened {
			t.Fatalf("after expiry: %d %s", n, v.Status)
		}
		checkCounts(t, f.store)
	})
}

// TestFindingsFollowAMergedSystem merges agency B into A: B's findings
// become A's, seen by A's operator, counted under A.
func TestFindingsFollowAMergedSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		run(t, f, f.admin, ImportRequest{}, file(log4j("nuclei", "CVE-2021-44228", day1)))
		if res, err := List(ctx, f.store, f.operatorA, Filter{}, storage.Page{}); err != nil || res.Total != 0 {
			t.Fatalf("before the merge A sees %d (%v)", res.Total, err)
		}
		if _, err := inventory.MergeOrgs(ctx, f.store, f.admin, f.b.ID, f.a.ID); err != nil {
			t.Fatal(err)
		}
		res, err := List(ctx, f.store, f.operatorA, Filter{}, storage.Page{})
		must(t, err)
		if res.Total != 1 || res.Items[0].OrgID != f.a.ID || res.Items[0].AssigneeOrg != f.a.ID {
			t.Fatalf("after the merge A sees %+v", res.Items)
		}
		hunts, err := hunt.List(ctx, f.store, f.operatorA, hunt.Filter{}, storage.Page{}, f.store.Now())
		must(t, err)
		if hunts.Total != 1 {
			t.Fatalf("after the merge A sees %d hunts", hunts.Total)
		}
		checkCounts(t, f.store)
		c, err := Count(ctx, f.store, f.operatorA, Filter{})
		must(t, err)
		if c.Total != 1 || c.Open != 1 {
			t.Fatalf("A's counts after the merge: %+v", c)
		}
	})
}

// checkCounts compares the counts table with the findings it counts.
func checkCounts(t *testing.T, store *storage.Store) {
	t.Helper()
	read := func(q string) map[string]int {
		out := map[string]int{}
		rows, err := store.Query(context.Background(), q)
		err = storage.Each(rows, err, func(r storage.Scanner) error {
			var sys, org, n int64
			var sev, st string
			if err := r.Scan(&sys, &org, &sev, &st, &n); err != nil {
				return err
			}
			if n != 0 {
				out[fmt.Sprint(sys, org, sev, st)] = int(n)
			}
			return nil
		})
		must(t, err)
		return out
	}
	kept := read("SELECT system_id, org_id, severity, status, n FROM finding_counts")
	actual := read("SELECT COALESCE(system_id, 0), COALESCE(org_id, 0), severity, status, count(*) FROM findings GROUP BY 1, 2, 3, 4")
	if !reflect.DeepEqual(kept, actual) {
		t.Fatalf("finding_counts drifted:\nkept   %v\nactual %v", kept, actual)
	}
}
