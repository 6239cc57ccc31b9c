package responseplan

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/incident"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

func TestDrillDue(t *testing.T) {
	for _, tc := range []struct {
		level int
		last  string
		want  bool
	}{
		{3, "", true},
		{3, "2025-12-05", false},
		{3, "2025-12-03", true},
		{4, "2026-06-01", false},
		{2, "", false},
	} {
		if got := DrillDue(tc.level, tc.last, "2026-12-04"); got != tc.want {
			t.Errorf("level %d, last %q: %v", tc.level, tc.last, got)
		}
	}
}

func TestPlanValidate(t *testing.T) {
	good := PlanInput{Scenarios: []Scenario{{Category: incident.Ransomware, Summary: "Mã hóa dữ liệu", Steps: "Cô lập, khôi phục từ bản sao lưu"}},
		Contacts: []Contact{{Name: "Nguyễn Văn An", Role: "Trưởng nhóm", Phone: "0901 234 567"}}, RTOHours: 8, RPOHours: 24}
	for _, tc := range []struct {
		name  string
		edit  func(*PlanInput)
		field string
	}{
		{"good", func(*PlanInput) {}, ""},
		{"no scenario", func(p *PlanInput) { p.Scenarios = nil }, "scenarios"},
		{"unknown category", func(p *PlanInput) { p.Scenarios[0].Category = "aliens" }, "scenarios"},
		{"twice", func(p *PlanInput) { p.Scenarios = append(p.Scenarios, p.Scenarios[0]) }, "scenarios"},
		{"no contact", func(p *PlanInput) { p.Contacts = nil }, "contacts"},
		{"unreachable", func(p *PlanInput) { p.Contacts[0].Phone = "" }, "contacts"},
		{"negative", func(p *PlanInput) { p.RTOHours = -1 }, "rto_hours"},
	} {
		in := good
		in.Scenarios = append([]Scenario(nil), good.Scenarios...)
		in.Contacts = append([]Contact(nil), good.Contacts...)
		tc.edit(&in)
		in.Normalise()
		err := in.Validate()
		es, _ := validation.As(err)
		if tc.field == "" && err != nil || tc.field != "" && (len(es) == 0 || es[0].Field != tc.field) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestPlansAndDrills(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		clock := time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)
		store.SetClock(func() time.Time { return clock })
		admin := access.SystemActor("test")
		root, err := identity.RootOrg(ctx, store)
		must(t, err)
		a, err := identity.CreateOrg(ctx, store, admin, identity.OrgInput{ParentID: root.ID, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
		must(t, err)
		b, err := identity.CreateOrg(ctx, store, admin, identity.OrgInput{ParentID: root.ID, Code: "STC", Name: "Sở Tài chính", Kind: identity.OrgDepartment})
		must(t, err)
		opA := access.Actor{Email: "op@a.vn", Role: access.AgencyOperator, OrgID: a.ID, OrgPath: a.Path}
		opB := access.Actor{Email: "op@b.vn", Role: access.AgencyOperator, OrgID: b.ID, OrgPath: b.Path}
		portal := inventory.System{OrgID: a.ID, Name: "Cổng thông tin", Kind: "web_portal", Level: 3}
		must(t, inventory.CreateSystem(ctx, store, admin, &portal))
		lan := inventory.System{OrgID: a.ID, Name: "Mạng LAN", Kind: "network", Level: 1}
		must(t, inventory.CreateSystem(ctx, store, admin, &lan))

		readiness := func(f ReadinessFilter) map[string]Readiness {
			res, err := ListReadiness(ctx, store, opA, f, storage.First(50), clock)
			must(t, err)
			out := map[string]Readiness{}
			for _, x := range res.Items {
				out[x.SystemName] = x
			}
			return out
		}
		if r := readiness(ReadinessFilter{}); r["Cổng thông tin"].PlanStatus != PlanNone || !r["Cổng thông tin"].DrillDue || r["Mạng LAN"].DrillDue {
			t.Fatalf("before any plan: %+v", r)
		}
		clock = clock.Add(time.Hour)
		in := PlanInput{Scenarios: []Scenario{{Category: incident.Defacement, Summary: "Thay đổi giao diện", Steps: "Bật trang bảo trì"}},
			Contacts: []Contact{{Name: "Trần Thị Bình", Phone: "0292 3820 001"}}, RTOHours: 4}
		p1, err := SavePlan(ctx, store, opA, portal.ID, in)
		must(t, err)
		if p1.Version != 1 || p1.Status != PlanCurrent {
			t.Fatalf("first plan: %+v", p1)
		}
		if _, err := SavePlan(ctx, store, opB, portal.ID, in); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("B writes A's plan: %v", err)
		}
		// A change to the system in the inventory puts its plan up for review.
		clock = clock.Add(time.Hour)
		portal.Purpose = "Công khai thông tin và dịch vụ công trực tuyến"
		must(t, inventory.UpdateSystem(ctx, store, admin, &portal))
		if r := readiness(ReadinessFilter{PlanStatus: PlanToReview}); len(r) != 1 || r["Cổng thông tin"].PlanVersion != 1 {
			t.Fatalf("to review: %+v", r)
		}
		clock = clock.Add(time.Hour)
		in.Scenarios = append(in.Scenarios, Scenario{Category: incident.GamblingInjection, Summary: "Chèn liên kết cờ bạc"})
		p2, err := SavePlan(ctx, store, opA, portal.ID, in)
		must(t, err)
		vs, err := Versions(ctx, store, opA, portal.ID)
		must(t, err)
		if p2.Version != 2 || len(vs) != 2 || vs[0].Version != 2 || vs[1].Status != PlanToReview || vs[0].Status != PlanCurrent {
			t.Fatalf("versions: %+v", vs)
		}
		// A tabletop exercise is not a live-fire drill; a live one clears the flag.
		drill := DrillInput{Scenario: incident.Defacement, Kind: Tabletop, Title: "Diễn tập trên bàn", HeldOn: "2026-11-20", SystemIDs: []int64{portal.ID},
			Participants: "Tổ ứng cứu Sở", Worked: "Liên lạc nhanh", Failed: "Chưa có bản sao lưu ngoại tuyến", FollowUps: []string{"Lập bản sao lưu ngoại tuyến", " "}}
		_, err = RecordDrill(ctx, store, opA, drill)
		must(t, err)
		if r := readiness(ReadinessFilter{DrillDue: true}); len(r) != 1 {
			t.Errorf("after a tabletop: %+v", r)
		}
		drill.Kind = Live
		d, err := RecordDrill(ctx, store, opA, drill)
		must(t, err)
		if len(d.FollowUps) != 1 || d.OrgID != a.ID {
			t.Errorf("drill: %+v", d)
		}
		if r := readiness(ReadinessFilter{NeedsWork: true}); len(r) != 1 || r["Mạng LAN"].PlanStatus != PlanNone {
			t.Errorf("needs work after the drill: %+v", r)
		}
		if _, err := RecordDrill(ctx, store, opB, drill); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("B records a drill on A's system: %v", err)
		}
		drills, err := ListDrills(ctx, store, opB, DrillFilter{}, storage.First(10))
		must(t, err)
		if len(drills.Items) != 0 {
			t.Errorf("B sees A's drills: %+v", drills.Items)
		}
		drills, err = ListDrills(ctx, store, opA, DrillFilter{SystemID: portal.ID, Kind: Live}, storage.First(10))
		must(t, err)
		if len(drills.Items) != 1 || len(drills.Items[0].SystemIDs) != 1 {
			t.Errorf("A's live drills: %+v", drills.Items)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
