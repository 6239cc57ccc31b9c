package dashboard

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// now is mid-July 2026 in Vietnam.
var now = time.Date(2026, 7, 15, 3, 0, 0, 0, time.UTC)

type fixture struct {
	store      *storage.Store
	admin      access.Actor
	a, kid, b  identity.Org
	opA, opB   access.Actor
	sysA, sysB inventory.System
	sysKid     inventory.System
}

// newFixture is agency A (with a unit below it) and agency B, a system
// each, findings in several states, scans and an active campaign.
func newFixture(t *testing.T, db *database.DB) fixture {
	ctx := context.Background()
	f := fixture{store: storage.New(db), admin: access.SystemActor("test")}
	f.store.SetClock(func() time.Time { return now })
	root, err := identity.RootOrg(ctx, f.store)
	must(t, err)
	f.a, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
	must(t, err)
	f.kid, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: f.a.ID, Code: "TTCNTT", Name: "Trung tâm CNTT", Kind: identity.OrgUnit})
	must(t, err)
	f.b, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "NINHKIEU", Name: "UBND Quận Ninh Kiều", Kind: identity.OrgDistrict})
	must(t, err)
	f.opA = access.Actor{UserID: 7, Email: "op@a.vn", Role: access.AgencyOperator, OrgID: f.a.ID, OrgPath: f.a.Path}
	f.opB = access.Actor{UserID: 8, Email: "op@b.vn", Role: access.AgencyOperator, OrgID: f.b.ID, OrgPath: f.b.Path}
	f.sysA = inventory.System{OrgID: f.a.ID, Name: "Cổng thông tin", Kind: "web_portal", Level: 2}
	f.sysKid = inventory.System{OrgID: f.kid.ID, Name: "Một cửa", Kind: "internal_app", Level: 3}
	f.sysB = inventory.System{OrgID: f.b.ID, Name: "Cổng quận", Kind: "web_portal", Level: 2}
	for _, s := range []*inventory.System{&f.sysA, &f.sysKid, &f.sysB} {
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, s))
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 2, 0, 0, 0, time.UTC) }
	seed(t, f.store, list(
		// A: a critical found in May, fixed and verified 10 days later.
		row{f.sysA.ID, f.a.ID, finding.Critical, finding.Verified, "2026-05-20", day(5, 1), day(5, 11)},
		// A: a critical open and overdue, found in June.
		row{f.sysA.ID, f.a.ID, finding.Critical, finding.New, "2026-07-01", day(6, 3), day(6, 3)},
		// A's unit: a high closed 20 days after it was found in June, and one in remediation, not yet due.
		row{f.sysKid.ID, f.kid.ID, finding.High, finding.Closed, "", day(6, 1), day(6, 21)},
		row{f.sysKid.ID, f.kid.ID, finding.High, finding.InRemediation, "2026-08-01", day(7, 2), day(7, 5)},
		// B: two mediums, one overdue; one false positive.
		row{f.sysB.ID, f.b.ID, finding.Medium, finding.Confirmed, "2026-07-10", day(7, 1), day(7, 1)},
		row{f.sysB.ID, f.b.ID, finding.Medium, finding.FalsePositive, "", day(7, 1), day(7, 3)},
		// Unassigned: seen only by city-level roles. Found a year and a half ago: outside the trend.
		row{0, 0, finding.Low, finding.New, "2025-01-01", time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)},
	))
	must(t, f.store.InTx(ctx, func(tx *storage.Tx) error {
		// A complete scan of A's system two months ago, of B's five months ago, a failed one of A's unit.
		for _, s := range []struct {
			system int64
			status string
			at     time.Time
		}{{f.sysA.ID, "done", now.AddDate(0, -2, 0)}, {f.sysB.ID, "done", now.AddDate(0, -5, 0)}, {f.sysKid.ID, "failed", now.AddDate(0, 0, -1)}} {
			if _, err := tx.Exec(ctx, "INSERT INTO scans (system_id, profile, status, actor, created_at, finished_at, updated_at) VALUES (?, 'standard', ?, 'test', ?, ?, ?)",
				s.system, s.status, s.at, s.at, s.at); err != nil {
				return err
			}
		}
		cid, err := tx.InsertID(ctx, "INSERT INTO campaigns (title, year, status, actor, created_at, updated_at) VALUES ('Rà soát 2026', 2026, 'active', 'test', ?, ?)", now, now)
		if err != nil {
			return err
		}
		pid, err := tx.InsertID(ctx, "INSERT INTO campaign_phases (campaign_id, position, kind, title, starts_on, due_on) VALUES (?, 1, 'scan', 'Quét', '2026-06-01', '2026-07-01')", cid)
		if err != nil {
			return err
		}
		for org, st := range map[int64]string{f.a.ID: "accepted", f.kid.ID: "submitted", f.b.ID: "not_started"} {
			if _, err := tx.Exec(ctx, "INSERT INTO campaign_obligations (campaign_id, org_id, phase_id, title, status, updated_at) VALUES (?, ?, ?, 'Báo cáo', ?, ?)", cid, org, pid, st, now); err != nil {
				return err
			}
		}
		return nil
	}))
	return f
}

func TestGet(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		city, err := Get(ctx, f.store, f.admin, Scope{}, now)
		must(t, err)
		if city.Level != "city" || city.Total != 7 || city.Open != 4 || city.Overdue != 3 || city.Day != "2026-07-15" {
			t.Errorf("city: level %s total %d open %d overdue %d day %s", city.Level, city.Total, city.Open, city.Overdue, city.Day)
		}
		if r := city.Severities[0]; r.Severity != finding.Critical || r.Total != 2 || r.Open != 1 || r.Overdue != 1 || r.ByStatus[finding.Verified] != 1 {
			t.Errorf("critical row %+v", r)
		}
		trend := map[string]Month{}
		for _, m := range city.Trend {
			trend[m.Month] = m
		}
		if len(city.Trend) != Months || city.Trend[Months-1].Month != "2026-07" || city.Trend[0].Month != "2025-08" {
			t.Errorf("trend months %v", city.Trend)
		}
		for month, want := range map[string]Month{"2026-05": {"2026-05", 1, 1}, "2026-06": {"2026-06", 2, 1}, "2026-07": {"2026-07", 3, 0}} {
			if trend[month] != want {
				t.Errorf("trend %s: %+v, want %+v", month, trend[month], want)
			}
		}
		mttr := map[finding.Severity]Remediation{}
		for _, m := range city.MTTR {
			mttr[m.Severity] = m
		}
		if mttr[finding.Critical].MeanDays != 10 || mttr[finding.Critical].Resolved != 1 || mttr[finding.High].MeanDays != 20 || mttr[finding.Medium].Resolved != 0 {
			t.Errorf("mttr %+v", city.MTTR)
		}
		if c := city.Coverage; c.Systems != 3 || c.Windows[0] != (WindowCount{3, 1}) || c.Windows[1] != (WindowCount{6, 2}) {
			t.Errorf("coverage %+v", c)
		}
		if len(city.Campaigns) != 1 || city.Campaigns[0].Obligations != 3 || city.Campaigns[0].Accepted != 1 ||
			city.Campaigns[0].ByStatus[campaign.Late] != 1 || city.Campaigns[0].ByStatus[campaign.Submitted] != 1 {
			t.Errorf("campaigns %+v", city.Campaigns)
		}
		if len(city.Levels) != 2 || city.Levels[0] != (LevelCount{2, 2}) || city.Levels[1] != (LevelCount{3, 1}) {
			t.Errorf("levels %+v", city.Levels)
		}

		// A's organisation level holds its unit.
		org, err := Get(ctx, f.store, f.admin, Scope{OrgID: f.a.ID}, now)
		must(t, err)
		if org.Name != f.a.Name || org.Total != 4 || org.Open != 2 || org.Overdue != 1 || org.Coverage.Systems != 2 || org.Coverage.Windows[1].Scanned != 1 {
			t.Errorf("org A: %+v", org)
		}

		// The system level.
		sys, err := Get(ctx, f.store, f.admin, Scope{SystemID: f.sysA.ID}, now)
		must(t, err)
		if sys.Level != "system" || sys.Name != f.sysA.Name || sys.Scope.OrgID != f.a.ID || sys.Total != 2 || sys.Coverage.Systems != 1 ||
			sys.Coverage.LastScan == nil || !sys.Coverage.LastScan.Equal(now.AddDate(0, -2, 0)) || len(sys.Campaigns) != 1 || sys.Campaigns[0].Obligations != 1 {
			t.Errorf("system: %+v", sys)
		}
	})
}

// TestFiguresMatchTheirLists: each figure counts what the list it links to
// shows, for the city and for an agency reading its own.
func TestFiguresMatchTheirLists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for _, actor := range []access.Actor{f.admin, f.opA} {
			d, err := Get(ctx, f.store, actor, Scope{}, now)
			must(t, err)
			findings := func(flt finding.Filter) int {
				res, err := finding.List(ctx, f.store, actor, flt, storage.First(1))
				must(t, err)
				return res.Total
			}
			systems := func(flt inventory.SystemFilter) int {
				res, err := inventory.ListSystems(ctx, f.store, actor, flt, storage.First(1))
				must(t, err)
				return res.Total
			}
			check := func(what string, figure, list int) {
				t.Helper()
				if figure != list {
					t.Errorf("%s as %s: figure %d, list %d", what, actor.Role, figure, list)
				}
			}
			check("overdue", d.Overdue, findings(finding.Filter{Overdue: true}))
			check("open", d.Open, findings(finding.Filter{Status: []string{"open"}}))
			for _, row := range d.Severities {
				sev := []string{string(row.Severity)}
				check("open "+sev[0], row.Open, findings(finding.Filter{Severity: sev, Status: []string{"open"}}))
				check("overdue "+sev[0], row.Overdue, findings(finding.Filter{Severity: sev, Overdue: true}))
			}
			for _, m := range d.Trend {
				check("found in "+m.Month, m.Found, findings(finding.Filter{Found: m.Month}))
				check("resolved in "+m.Month, m.Resolved, findings(finding.Filter{Resolved: m.Month}))
			}
			for _, m := range d.MTTR {
				check("resolved "+string(m.Severity), m.Resolved, findings(finding.Filter{Severity: []string{string(m.Severity)}, Status: []string{"verified", "closed"}}))
			}
			check("systems in use", d.Coverage.Systems, systems(inventory.SystemFilter{Level: -1, InUse: true}))
			for _, w := range d.Coverage.Windows {
				check(fmt.Sprintf("scanned in %d months", w.Months), w.Scanned, systems(inventory.SystemFilter{Level: -1, InUse: true, ScannedSince: CoverageSince(now, w.Months)}))
			}
			for _, l := range d.Levels {
				check(fmt.Sprintf("level %d", l.Level), l.Systems, systems(inventory.SystemFilter{Level: l.Level}))
			}
		}
	})
}

// TestScope: an agency sees its own figures only, never another's or the unassigned queue.
func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		own, err := Get(ctx, f.store, f.opA, Scope{}, now)
		must(t, err)
		if own.Total != 4 || own.Overdue != 1 || own.Coverage.Systems != 2 || len(own.Levels) != 2 || own.Campaigns[0].Obligations != 2 {
			t.Errorf("A's whole scope: %+v", own)
		}
		b, err := Get(ctx, f.store, f.opB, Scope{}, now)
		must(t, err)
		if b.Total != 2 || b.Open != 1 || b.Overdue != 1 || b.Coverage.Systems != 1 {
			t.Errorf("B's whole scope: %+v", b)
		}
		for _, s := range []Scope{{OrgID: f.b.ID}, {SystemID: f.sysB.ID}} {
			if _, err := Get(ctx, f.store, f.opA, s, now); !errors.Is(err, access.ErrNotFound) {
				t.Errorf("A reading %+v: %v, want not found", s, err)
			}
		}
		if _, err := Get(ctx, f.store, f.opA, Scope{OrgID: f.kid.ID}, now); err != nil {
			t.Errorf("A reading its unit: %v", err)
		}
	})
}
