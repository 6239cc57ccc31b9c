package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/incident"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
)

// TestDemoAccountsSeeTheirPartOfTheCity loads the demo and signs in as each
// demo account: every role gets in, and an agency's operator sees only its
// own agency's systems while the coordinator sees the whole city.
func TestDemoAccountsSeeTheirPartOfTheCity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		sum, err := demo.Load(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Agencies < 40 || sum.Merged < 10 || sum.Systems < 120 || len(sum.Users) != len(access.Roles) {
			t.Fatalf("demo too small: %+v", sum)
		}
		checkTodaysCity(t, store, sum)
		checkFindings(t, store, sum.Findings)
		checkAgent(t, store, sum.Agent)
		checkScans(t, store, sum.Scans)
		checkHunts(t, store)
		checkReports(t, store, sum.Reports)
		checkIncidents(t, store, sum.Incidents)
		authn := auth.NewAuthenticator(store)
		seen, findings := map[access.Role]int{}, map[access.Role]int{}
		for _, u := range sum.Users {
			login, err := authn.Login(ctx, u.Email, demo.Password, "", "127.0.0.1")
			if err != nil {
				t.Fatalf("sign in as %s: %v", u.Email, err)
			}
			if login.NeedsEnrolment != u.Role.RequiresMFA() {
				t.Errorf("%s: enrolment required = %v", u.Email, login.NeedsEnrolment)
			}
			res, err := inventory.ListSystems(ctx, store, login.Actor, inventory.SystemFilter{Level: -1}, storage.First(1))
			n := res.Total
			if err != nil {
				t.Fatal(err)
			}
			seen[u.Role] = n
			f, err := finding.Count(ctx, store, login.Actor, finding.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			findings[u.Role] = f.Total
		}
		if seen[access.Coordinator] != sum.Systems {
			t.Errorf("coordinator sees %d of %d systems", seen[access.Coordinator], sum.Systems)
		}
		if op := seen[access.AgencyOperator]; op == 0 || op >= sum.Systems {
			t.Errorf("agency operator sees %d systems; want its agency's only", op)
		}
		if aud := seen[access.Auditor]; aud == 0 || aud >= sum.Systems {
			t.Errorf("auditor sees %d systems; want its assigned agencies' only", aud)
		}
		if findings[access.Coordinator] != sum.Findings.Total {
			t.Errorf("coordinator sees %d of %d findings", findings[access.Coordinator], sum.Findings.Total)
		}
		for _, r := range []access.Role{access.AgencyOperator, access.Auditor, access.Viewer} {
			if n := findings[r]; n == 0 || n >= sum.Findings.Total-sum.Findings.Unassigned {
				t.Errorf("%s sees %d of %d findings; want its agencies' only", r, n, sum.Findings.Total)
			}
		}
	})
}

// checkTodaysCity: since 1 July 2025 the city has two levels (no active
// district), wards and communes from the former Hậu Giang and Sóc Trăng
// areas, and every organisation of before is merged, archived, with its
// systems in today's organisation.
func checkTodaysCity(t *testing.T, store *storage.Store, sum demo.Summary) {
	t.Helper()
	ctx := context.Background()
	actor := access.SystemActor("test")
	root, err := identity.RootOrg(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := identity.Subtree(ctx, store, actor, root.ID)
	if err != nil {
		t.Fatal(err)
	}
	active, archived := 0, 0
	for _, o := range orgs {
		switch {
		case o.ArchivedAt != nil:
			archived++
		case o.Kind == identity.OrgDistrict:
			t.Errorf("%s (%s) is an active district", o.Code, o.Name)
		case o.Depth() > 1 && o.Kind == identity.OrgCommune:
			t.Errorf("%s (%s) is a commune below the city's level", o.Code, o.Name)
		default:
			active++
		}
	}
	if active != sum.Agencies+1 || archived != sum.Merged {
		t.Errorf("%d active and %d archived organisations; summary %+v", active, archived, sum)
	}
	mergesPage, err := inventory.ListMerges(ctx, store, actor, storage.First(500))
	merges := mergesPage.Items
	if err != nil {
		t.Fatal(err)
	}
	into := map[string]bool{}
	for _, m := range merges {
		into[m.FromCode+">"+m.IntoCode] = true
	}
	for _, want := range []string{"HG-SKHCN>SKHCN", "ST-SKHCN>SKHCN", "Q-NINHKIEU>P-NINHKIEU", "TP-SOCTRANG>P-SOCTRANG", "TP-VITHANH>P-VITHANH"} {
		if !into[want] {
			t.Errorf("no merge %s among %v", want, into)
		}
	}
	skhcn, err := identity.OrgByCode(ctx, store, actor, "SKHCN")
	if err != nil {
		t.Fatal(err)
	}
	systemsPage, err := inventory.ListSystems(ctx, store, actor, inventory.SystemFilter{Level: -1, OrgID: skhcn.ID, Query: "Hậu Giang"}, storage.First(500))
	systems := systemsPage.Items
	if err != nil || len(systems) == 0 {
		t.Errorf("SKHCN holds no system of the former Hậu Giang department (%v)", err)
	}
}

// checkFindings: the demo's findings show the whole capability — every
// status, every kind of source, overdue and unassigned findings, a
// regression, findings two tools reported, comments, files, accepted
// risks with their approver and expiry, and threat hunts open and done.
func checkFindings(t *testing.T, store *storage.Store, sum demo.FindingsSummary) {
	t.Helper()
	ctx := context.Background()
	actor := access.SystemActor("test")
	if sum.Total < 300 || sum.Total > 1500 {
		t.Errorf("%d findings; want a few hundred to 1,500", sum.Total)
	}
	for _, st := range finding.Statuses {
		if sum.ByStatus[string(st)] == 0 {
			t.Errorf("no finding is %s: %v", st, sum.ByStatus)
		}
	}
	for _, sev := range []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info} {
		if sum.BySeverity[string(sev)] == 0 {
			t.Errorf("no %s finding: %v", sev, sum.BySeverity)
		}
	}
	if sum.Overdue == 0 || sum.Overdue >= sum.Open {
		t.Errorf("%d of %d open findings overdue; want some", sum.Overdue, sum.Open)
	}
	if sum.HuntsOpen == 0 || sum.HuntsDone == 0 {
		t.Errorf("threat hunts: %d open, %d done", sum.HuntsOpen, sum.HuntsDone)
	}
	queue, err := finding.ListUnassigned(ctx, store, actor, 100)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unassigned == 0 || len(queue) < 3 {
		t.Errorf("%d unassigned findings on %d hosts", sum.Unassigned, len(queue))
	}
	list := func(f finding.Filter) []finding.View {
		t.Helper()
		res, err := finding.List(ctx, store, actor, f, storage.First(storage.MaxLimit))
		if err != nil {
			t.Fatal(err)
		}
		return res.Items
	}
	for _, tool := range []string{"khien", "nuclei", "nessus", "openvas", "zap", "burp", "manual"} {
		if len(list(finding.Filter{Tool: tool})) == 0 {
			t.Errorf("no finding from %s", tool)
		}
	}
	if len(list(finding.Filter{KEV: true, Severity: []string{"critical"}})) == 0 {
		t.Error("no critical finding of a CVE under active exploitation (KEV)")
	}
	if r := list(finding.Filter{Status: []string{"reopened"}}); len(r) == 0 || !r[0].Regression {
		t.Errorf("no regression among the reopened findings %+v", r)
	}
	today := store.Now().Format(time.DateOnly)
	for _, f := range list(finding.Filter{Status: []string{"risk_accepted"}}) {
		if f.AcceptedBy == "" || f.AcceptedUntil <= today {
			t.Errorf("finding %d: risk accepted by %q until %q", f.ID, f.AcceptedBy, f.AcceptedUntil)
		}
	}
	details := func(f finding.Filter) []finding.Detail {
		var out []finding.Detail
		for _, v := range list(f) {
			d, err := finding.GetDetail(ctx, store, actor, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
		return out
	}
	twoTools, comments, files := 0, 0, 0
	for _, d := range details(finding.Filter{Tool: "nuclei", Query: "CVE-"}) {
		if len(d.Sources) > 1 {
			twoTools++
		}
	}
	for _, d := range details(finding.Filter{Severity: []string{"critical"}}) {
		for _, e := range d.History {
			if e.Kind == "comment" {
				comments++
			}
		}
	}
	for _, d := range details(finding.Filter{Tool: "manual"}) {
		files += len(d.Files)
	}
	if twoTools == 0 || comments == 0 || files == 0 {
		t.Errorf("%d findings from two tools, %d comments on critical findings, %d files on the pentest's", twoTools, comments, files)
	}
	// The history is dated: what the agencies did happened over the months, not at load time.
	fixed := details(finding.Filter{Status: []string{"closed"}})
	if len(fixed) == 0 {
		t.Fatal("no closed finding")
	}
	if h := fixed[0].History; len(h) < 2 || !h[0].At.Before(store.Now().AddDate(0, 0, -7)) {
		t.Errorf("history of a closed finding: %+v", h)
	}
}

// TestDemoCampaign: the demo's yearly review is in progress, with
// submissions waiting, one accepted and agencies late, and an agency
// operator sees only its own obligations.
func TestDemoCampaign(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		sum, err := demo.Load(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		c := sum.Campaign
		if c.ID == 0 || c.Orgs < 20 || c.Submitted == 0 || c.Accepted == 0 || c.Late == 0 {
			t.Fatalf("demo campaign: %+v", c)
		}
		u, err := identity.UserByEmail(ctx, store, "canbo.skhcn@demo.khien.vn")
		if err != nil {
			t.Fatal(err)
		}
		op, err := identity.ActorFor(ctx, store, u)
		if err != nil {
			t.Fatal(err)
		}
		d, err := campaign.GetDetail(ctx, store, op, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Progress) != 1 || d.Progress[0].Code != "SKHCN" || d.Progress[0].Cells[0].Status != campaign.Accepted {
			t.Fatalf("SKHCN's view: %+v", d.Progress)
		}
	})
}

// checkScans: the demo has a scan history with stale systems, quarterly
// schedules, and nothing a scan from the demo could touch.
func checkScans(t *testing.T, store *storage.Store, s demo.ScansSummary) {
	t.Helper()
	if s.Done < 100 || s.Stale == 0 || s.Schedules == 0 || s.NextRun.Before(store.Now()) || s.Refused != 1 {
		t.Errorf("demo scans: %+v", s)
	}
	list, err := scanning.ListScans(context.Background(), store, access.SystemActor("test"), scanning.ScanFilter{Status: scanning.StatusRefused}, storage.Page{Limit: 5})
	if err != nil || len(list.Items) != 1 || list.Items[0].Plan.Basis != "campaign" || len(list.Items[0].Plan.Targets) != 0 {
		t.Errorf("the demo's refused scan: %+v %v", list.Items, err)
	}
}

// checkHunts: the demo shows a scheduled hunt under way (assigned, part of
// its checklist ticked) and a finished hunt with its result and evidence.
func checkHunts(t *testing.T, store *storage.Store) {
	t.Helper()
	ctx := context.Background()
	actor := access.SystemActor("test")
	list := func(f hunt.Filter) []hunt.Hunt {
		t.Helper()
		res, err := hunt.List(ctx, store, actor, f, storage.First(storage.MaxLimit), store.Now())
		if err != nil {
			t.Fatal(err)
		}
		return res.Items
	}
	underway := false
	for _, h := range list(hunt.Filter{Status: hunt.StatusOpen, Origin: hunt.FromSchedule}) {
		if done, n := h.Progress(); done > 0 && done < n && h.AssigneeUserID != 0 {
			underway = true
		}
	}
	if !underway {
		t.Error("no open scheduled hunt with a partly done checklist")
	}
	withEvidence := false
	for _, h := range list(hunt.Filter{Status: hunt.StatusDone}) {
		d, err := hunt.Get(ctx, store, actor, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Result == hunt.NoneFound && len(d.Files) > 0 {
			withEvidence = true
		}
	}
	if !withEvidence {
		t.Error("no finished hunt with evidence")
	}
}

// checkReports: the four kinds are on /reports, done, each asked by its demo account; the
// agency sees its own two, not the city's.
func checkReports(t *testing.T, store *storage.Store, sum demo.ReportsSummary) {
	t.Helper()
	ctx := context.Background()
	all, err := report.List(ctx, store, access.SystemActor("test"), report.Filter{}, i18n.VI, storage.Page{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, f := range all.Items {
		if f.Status != "done" {
			t.Errorf("report %d (%s): %s", f.ID, f.Kind, f.Status)
		}
		kinds[f.Kind] = f.RequestedBy
	}
	if sum.Versions != 4 || all.Total != 4 || kinds["campaign"] != "dieuphoi@demo.khien.vn" || kinds["followup"] != "quantri.skhcn@demo.khien.vn" {
		t.Fatalf("demo reports: %+v, listed %v", sum, kinds)
	}
}

// checkIncidents: three cases, two being worked; the gambling injection came
// back after it was closed; the responder is on the defacement only.
func checkIncidents(t *testing.T, store *storage.Store, sum demo.IncidentsSummary) {
	t.Helper()
	ctx := context.Background()
	all, err := incident.List(ctx, store, access.SystemActor("test"), incident.Filter{}, storage.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Cases != 3 || sum.Open != 3 || all.Total != 3 {
		t.Fatalf("demo incidents: %+v, listed %d", sum, all.Total)
	}
	phases := map[string]string{}
	for _, c := range all.Items {
		phases[c.Category] = c.Phase
	}
	if phases[incident.Defacement] != incident.Recovery || phases[incident.GamblingInjection] != incident.Analysis || phases[incident.Ransomware] != incident.Containment {
		t.Errorf("demo incident phases: %v", phases)
	}
	for _, c := range all.Items {
		if c.Category != incident.GamblingInjection {
			continue
		}
		d, err := incident.Get(ctx, store, access.SystemActor("test"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.ClosedAt != nil || d.RecoveredAt == nil || len(d.Phases) != 8 {
			t.Errorf("the injection that came back: closed %v, recovered %v, %d phases", d.ClosedAt, d.RecoveredAt, len(d.Phases))
		}
	}
	u, err := identity.UserByEmail(ctx, store, "ungcuu@demo.khien.vn")
	if err != nil {
		t.Fatal(err)
	}
	responder, err := identity.ActorFor(ctx, store, u)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := incident.List(ctx, store, responder, incident.Filter{}, storage.Page{})
	if err != nil || mine.Total != 1 || mine.Items[0].Category != incident.Defacement {
		t.Errorf("the responder's cases: %+v, %v", mine.Items, err)
	}
}
