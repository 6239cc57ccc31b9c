package campaign_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type fixture struct {
	store        *storage.Store
	admin        access.Actor
	a, b, child  identity.Org
	opA, opB     access.Actor
	sysA, sysKid inventory.System
	sysB         inventory.System
}

func newFixture(t *testing.T, db *database.DB) fixture {
	ctx := context.Background()
	f := fixture{store: storage.New(db), admin: access.SystemActor("test")}
	// Mid-July 2025 in Vietnam: the yearly review's scanning phase.
	f.store.SetClock(func() time.Time { return time.Date(2025, 7, 15, 3, 0, 0, 0, time.UTC) })
	root, err := identity.RootOrg(ctx, f.store)
	must(t, err)
	f.a, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
	must(t, err)
	f.child, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: f.a.ID, Code: "TTCNTT", Name: "Trung tâm CNTT", Kind: identity.OrgUnit})
	must(t, err)
	f.b, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "NINHKIEU", Name: "UBND Quận Ninh Kiều", Kind: identity.OrgDistrict})
	must(t, err)
	f.opA = access.Actor{UserID: 7, Email: "op@a.vn", Role: access.AgencyOperator, OrgID: f.a.ID, OrgPath: f.a.Path}
	f.opB = access.Actor{UserID: 8, Email: "op@b.vn", Role: access.AgencyOperator, OrgID: f.b.ID, OrgPath: f.b.Path}
	f.sysA = inventory.System{OrgID: f.a.ID, Name: "Cổng thông tin", Kind: "web_portal"}
	f.sysKid = inventory.System{OrgID: f.child.ID, Name: "Một cửa", Kind: "internal_app"}
	f.sysB = inventory.System{OrgID: f.b.ID, Name: "Cổng quận", Kind: "web_portal"}
	for _, s := range []*inventory.System{&f.sysA, &f.sysKid, &f.sysB} {
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, s))
	}
	return f
}

func TestCampaignFromTemplate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// Only the city level creates campaigns.
		if _, err := campaign.Create(ctx, f.store, f.opA, campaign.CreateInput{Input: campaign.Input{Title: "x", Year: 2025, OrgIDs: []int64{f.a.ID}}}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("agency creates: %v", err)
		}
		if _, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: campaign.Input{Title: "x", Year: 2025, OrgIDs: []int64{99999}}}); err == nil {
			t.Fatal("unknown organisation accepted")
		}
		c, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: campaign.Input{Title: "Kế hoạch rà soát 2025", Year: 2025, Template: "yearly_review",
			OrgIDs: []int64{f.a.ID, f.b.ID}, DocumentNo: "104/KH-UBND", DocumentDate: "2025-05-09"}})
		must(t, err)
		if c.Status != campaign.Active {
			t.Fatalf("status %s", c.Status)
		}
		d, err := campaign.GetDetail(ctx, f.store, f.admin, c.ID)
		must(t, err)
		if len(d.Phases) != 4 || len(d.Progress) != 2 || d.Progress[0].Total != 4 || !d.Running {
			t.Fatalf("detail: %d phases, progress %+v, running %v", len(d.Phases), d.Progress, d.Running)
		}
		// 15 July: the May inventory is late for both agencies.
		if len(d.Overdue) != 2 || d.Overdue[0].PhaseKind != campaign.KindInventory {
			t.Fatalf("overdue: %+v", d.Overdue)
		}
		// An agency sees the campaign, only its own row and its own obligations.
		da, err := campaign.GetDetail(ctx, f.store, f.opA, c.ID)
		must(t, err)
		if len(da.Progress) != 1 || da.Progress[0].ID != f.a.ID || len(da.Orgs) != 1 {
			t.Fatalf("agency progress: %+v", da.Progress)
		}
		mine, err := campaign.ListObligations(ctx, f.store, f.opA, campaign.ObligationFilter{CampaignID: c.ID}, storage.Page{})
		must(t, err)
		if mine.Total != 4 {
			t.Fatalf("agency obligations: %d", mine.Total)
		}
		late, err := campaign.ListObligations(ctx, f.store, f.admin, campaign.ObligationFilter{CampaignID: c.ID, Status: "late"}, storage.Page{})
		must(t, err)
		if late.Total != 2 {
			t.Fatalf("late: %d", late.Total)
		}
		inv := mine.Items[0]
		if inv.Status != campaign.Late || inv.PhaseKind != campaign.KindInventory {
			t.Fatalf("first obligation %+v", inv)
		}
		// Another agency cannot see it, let alone submit it.
		if _, err := campaign.Submit(ctx, f.store, f.opB, inv.ID, "ds.xlsx", []byte("x"), ""); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("other agency submits: %v", err)
		}
		// A viewer of the agency sees it but may not submit.
		viewer := access.Actor{UserID: 9, Email: "v@a.vn", Role: access.Viewer, OrgID: f.a.ID, OrgPath: f.a.Path}
		if _, err := campaign.Submit(ctx, f.store, viewer, inv.ID, "ds.xlsx", []byte("x"), ""); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("viewer submits: %v", err)
		}
		if _, err := campaign.Submit(ctx, f.store, f.opA, inv.ID, "ds.xlsx", nil, ""); !isInvalid(err, "file") {
			t.Fatalf("empty file: %v", err)
		}
		v, err := campaign.Submit(ctx, f.store, f.opA, inv.ID, "danh-muc.xlsx", []byte("danh muc he thong"), "Gửi kèm danh mục")
		must(t, err)
		if v.Status != campaign.Submitted || v.Files != 1 || v.SubmittedAt == nil {
			t.Fatalf("submitted: %+v", v)
		}
		// The agency may not review; returning needs a comment.
		if _, err := campaign.ReviewObligation(ctx, f.store, f.opA, inv.ID, campaign.Review{Accept: true}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("agency reviews: %v", err)
		}
		if _, err := campaign.ReviewObligation(ctx, f.store, f.admin, inv.ID, campaign.Review{}); !isInvalid(err, "comment") {
			t.Fatalf("return without comment: %v", err)
		}
		v, err = campaign.ReviewObligation(ctx, f.store, f.admin, inv.ID, campaign.Review{Comment: "Thiếu địa chỉ IP máy chủ"})
		must(t, err)
		if v.Status != campaign.Late || v.Stored != campaign.Returned {
			t.Fatalf("returned after the due date: %+v", v)
		}
		_, err = campaign.Submit(ctx, f.store, f.opA, inv.ID, "danh-muc-2.xlsx", []byte("danh muc day du"), "")
		must(t, err)
		v, err = campaign.ReviewObligation(ctx, f.store, f.admin, inv.ID, campaign.Review{Accept: true})
		must(t, err)
		if v.Status != campaign.Accepted {
			t.Fatalf("accepted: %+v", v)
		}
		if _, err := campaign.Submit(ctx, f.store, f.opA, inv.ID, "lai.xlsx", []byte("x"), ""); !isInvalid(err, "status") {
			t.Fatalf("submit after acceptance: %v", err)
		}
		od, err := campaign.GetObligation(ctx, f.store, f.opA, inv.ID)
		must(t, err)
		if len(od.FileList) != 2 || len(od.History) != 4 {
			t.Fatalf("files %d, history %+v", len(od.FileList), od.History)
		}
		file, data, err := campaign.ReadFile(ctx, f.store, f.opA, inv.ID, od.FileList[0].ID)
		must(t, err)
		if file.Name != "danh-muc-2.xlsx" && file.Name != "danh-muc.xlsx" || len(data) == 0 {
			t.Fatalf("file %+v", file)
		}
		d, err = campaign.GetDetail(ctx, f.store, f.admin, c.ID)
		must(t, err)
		if len(d.Changes) < 5 || len(d.Overdue) != 1 {
			t.Fatalf("changes %d, overdue %d", len(d.Changes), len(d.Overdue))
		}
		list, err := campaign.List(ctx, f.store, f.admin, campaign.Filter{}, storage.Page{})
		must(t, err)
		if list.Total != 1 || list.Items[0].Obligations != 8 || list.Items[0].Accepted != 1 || list.Items[0].Late != 1 {
			t.Fatalf("list: %+v", list.Items)
		}
		// Closing ends submissions.
		_, err = campaign.Close(ctx, f.store, f.admin, c.ID)
		must(t, err)
		if _, err := campaign.Submit(ctx, f.store, f.opA, mine.Items[1].ID, "x.pdf", []byte("x"), ""); !isInvalid(err, "status") {
			t.Fatalf("submit to a closed campaign: %v", err)
		}
	})
}

func TestDraftsAreTheCoordinators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: campaign.Input{Title: "Nháp", Year: 2025, OrgIDs: []int64{f.a.ID}, Status: campaign.Draft}})
		must(t, err)
		if _, err := campaign.Get(ctx, f.store, f.opA, c.ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("agency sees a draft: %v", err)
		}
		if _, err := campaign.Activate(ctx, f.store, f.admin, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := campaign.Get(ctx, f.store, f.opA, c.ID); err != nil {
			t.Fatalf("agency after activation: %v", err)
		}
		if _, err := campaign.Activate(ctx, f.store, f.admin, c.ID); !isInvalid(err, "status") {
			t.Fatalf("activate twice: %v", err)
		}
		title := "Kế hoạch rà soát"
		e, err := campaign.Update(ctx, f.store, f.admin, c.ID, campaign.Edit{Title: &title})
		must(t, err)
		if e.Title != title {
			t.Fatalf("updated %+v", e)
		}
		if _, err := campaign.Update(ctx, f.store, f.opA, c.ID, campaign.Edit{Title: &title}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("agency updates: %v", err)
		}
	})
}

func TestCoveringSystems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		all := []int64{f.sysA.ID, f.sysKid.ID, f.sysB.ID}
		jul := time.Date(2025, 7, 15, 3, 0, 0, 0, time.UTC)
		got, err := campaign.CoveringSystems(ctx, f.store, all, jul)
		must(t, err)
		if len(got) != 0 {
			t.Fatalf("no campaign yet: %v", got)
		}
		// The yearly review of SKHCN covers its systems and its child's, from June.
		byOrg, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: campaign.Input{Title: "Rà soát", Year: 2025, Template: "yearly_review", OrgIDs: []int64{f.a.ID}}})
		must(t, err)
		// A campaign naming one system of Ninh Kiều, with no scanning phase: its year.
		named, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: campaign.Input{Title: "Cổng quận", Year: 2025, OrgIDs: []int64{f.b.ID}, SystemIDs: []int64{f.sysB.ID}}})
		must(t, err)
		draft, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: campaign.Input{Title: "Nháp", Year: 2025, OrgIDs: []int64{f.b.ID}, Status: campaign.Draft}})
		must(t, err)
		for _, c := range []struct {
			name  string
			today time.Time
			want  map[int64]int64
		}{
			{"scanning phase", jul, map[int64]int64{f.sysA.ID: byOrg.ID, f.sysKid.ID: byOrg.ID, f.sysB.ID: named.ID}},
			{"before the scanning phase", time.Date(2025, 5, 10, 3, 0, 0, 0, time.UTC), map[int64]int64{f.sysB.ID: named.ID}},
			{"next year", time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC), map[int64]int64{}},
		} {
			got, err := campaign.CoveringSystems(ctx, f.store, all, c.today)
			must(t, err)
			if len(got) != len(c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
				continue
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s: %v, want %v", c.name, got, c.want)
				}
			}
		}
		for _, c := range []struct {
			id   int64
			want []int64
		}{{byOrg.ID, []int64{f.sysA.ID, f.sysKid.ID}}, {named.ID, []int64{f.sysB.ID}}, {draft.ID, []int64{f.sysB.ID}}} {
			got, err := campaign.SystemsOf(ctx, f.store, c.id)
			must(t, err)
			if len(got) != len(c.want) || got[0] != c.want[0] {
				t.Errorf("SystemsOf(%d) = %v, want %v", c.id, got, c.want)
			}
		}
		// A closed campaign covers nothing.
		_, err = campaign.Close(ctx, f.store, f.admin, byOrg.ID)
		must(t, err)
		got, err = campaign.CoveringSystems(ctx, f.store, all, jul)
		must(t, err)
		if _, ok := got[f.sysA.ID]; ok || len(got) != 1 {
			t.Fatalf("after closing: %v", got)
		}
	})
}

func TestMergerReviewListsTheSystems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: campaign.Input{Title: "Hợp nhất", Year: 2025, Template: "merger_review", OrgIDs: []int64{f.a.ID, f.b.ID}}})
		must(t, err)
		d, err := campaign.GetDetail(ctx, f.store, f.admin, c.ID)
		must(t, err)
		if len(d.SystemIDs) != 3 || len(d.Phases) != 5 || d.Phases[2].Kind != "account_review" {
			t.Fatalf("merger review: systems %v, phases %+v", d.SystemIDs, d.Phases)
		}
	})
}

func isInvalid(err error, field string) bool {
	es, ok := validation.As(err)
	if !ok {
		return false
	}
	for _, e := range es {
		if e.Field == field {
			return true
		}
	}
	return false
}

// TestPhasesByHand: without a template the phases come from the input,
// checked field by field.
func TestPhasesByHand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		in := campaign.Input{Title: "Kiểm tra đột xuất", Year: 2025, OrgIDs: []int64{f.a.ID}}
		_, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: in, Phases: []campaign.PhaseInput{{Kind: "weekly", Title: "", DueOn: "31/07/2025"}}})
		for _, field := range []string{"phases[0].kind", "phases[0].title", "phases[0].due_on"} {
			if !isInvalid(err, field) {
				t.Errorf("bad phase: %v lacks %s", err, field)
			}
		}
		c, err := campaign.Create(ctx, f.store, f.admin, campaign.CreateInput{Input: in, Phases: []campaign.PhaseInput{
			{Kind: campaign.KindScanning, Title: "Rà quét đột xuất", StartsOn: "2025-07-10", DueOn: "2025-07-20"}}})
		must(t, err)
		d, err := campaign.GetDetail(ctx, f.store, f.admin, c.ID)
		must(t, err)
		if len(d.Phases) != 1 || len(d.Progress) != 1 || d.Progress[0].Cells[0].Status != campaign.NotStarted || !d.Running {
			t.Fatalf("by hand: %+v", d)
		}
	})
}
