package hunt

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

type fixture struct {
	store      *storage.Store
	admin      access.Actor
	a, b       identity.Org
	responderA access.Actor // assigned to A
	viewerA    access.Actor
	operatorB  access.Actor
	portal     inventory.System // A's web portal
	mail       inventory.System // B's mail
	clock      time.Time
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: storage.New(db), admin: access.SystemActor("test"), clock: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	f.store.SetClock(func() time.Time { return f.clock })
	root, err := identity.RootOrg(ctx, f.store)
	must(t, err)
	f.a, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
	must(t, err)
	f.b, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "NINHKIEU", Name: "UBND phường Ninh Kiều", Kind: identity.OrgDistrict})
	must(t, err)
	resp, err := identity.CreateUser(ctx, f.store, f.admin, identity.UserInput{Email: "ungcuu@a.vn", Name: "Ứng cứu", Role: access.Responder, OrgID: root.ID, PasswordHash: "x"})
	must(t, err)
	must(t, identity.SetAssignments(ctx, f.store, f.admin, resp.ID, []int64{f.a.ID}))
	f.responderA = access.Actor{UserID: resp.ID, Email: resp.Email, Role: access.Responder, AssignedPaths: []string{f.a.Path}}
	f.viewerA = access.Actor{Email: "xem@a.vn", Role: access.Viewer, OrgID: f.a.ID, OrgPath: f.a.Path}
	f.operatorB = access.Actor{Email: "op@b.vn", Role: access.AgencyOperator, OrgID: f.b.ID, OrgPath: f.b.Path}
	f.portal = inventory.System{OrgID: f.a.ID, Name: "Cổng thông tin", Kind: "web_portal", Level: 3}
	must(t, inventory.CreateSystem(ctx, f.store, f.admin, &f.portal))
	f.mail = inventory.System{OrgID: f.b.ID, Name: "Thư điện tử", Kind: "email", Level: 2}
	must(t, inventory.CreateSystem(ctx, f.store, f.admin, &f.mail))
	return f
}

func TestHuntLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// Scope: B's operator cannot open a hunt on A's system; a viewer may not at all.
		if _, err := Create(ctx, f.store, f.operatorB, Input{SystemID: f.portal.ID}); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("B on A's system: %v", err)
		}
		if _, err := Create(ctx, f.store, f.viewerA, Input{SystemID: f.portal.ID}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("viewer: %v", err)
		}
		if _, err := Create(ctx, f.store, f.responderA, Input{SystemID: 999999}); errKey(err) != "hunt.err.system" {
			t.Fatalf("no such system: %v", err)
		}
		h, err := Create(ctx, f.store, f.responderA, Input{SystemID: f.portal.ID})
		must(t, err)
		if h.Origin != Manual || h.Status != StatusOpen || h.DueDate != "2026-04-01" || h.StartedAt != nil || len(h.Checklist) != len(Checklist("web_portal")) || h.OrgCode != "SKHCN" {
			t.Fatalf("created %+v", h)
		}
		// Only someone who could work it may be given it.
		if _, err := Update(ctx, f.store, f.responderA, h.ID, Change{AssigneeUserID: ptr(int64(999999))}); errKey(err) != "hunt.err.assignee" {
			t.Fatalf("stranger assignee: %v", err)
		}
		people, err := Candidates(ctx, f.store, f.responderA, h.ID)
		must(t, err)
		if len(people) != 1 || people[0].ID != f.responderA.UserID {
			t.Fatalf("candidates %+v", people)
		}
		if _, err := Update(ctx, f.store, f.operatorB, h.ID, Change{AssigneeUserID: ptr(f.responderA.UserID)}); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("B updates A's hunt: %v", err)
		}
		f.clock = f.clock.Add(time.Hour)
		h, err = Update(ctx, f.store, f.responderA, h.ID, Change{AssigneeUserID: ptr(f.responderA.UserID),
			Checklist: []ItemChange{{Item: "web_logs", Done: ptr(true), Note: ptr("Không thấy yêu cầu bất thường")}, {Item: "webshell", Done: ptr(true)}}})
		must(t, err)
		if d, _ := h.Progress(); d != 2 || h.AssigneeName != "Ứng cứu" || h.StartedAt == nil || !h.StartedAt.Equal(f.clock) {
			t.Fatalf("updated %+v", h)
		}
		file, err := Attach(ctx, f.store, f.responderA, h.ID, "nhat-ky.txt", []byte("GET / 200"))
		must(t, err)
		if _, err := Attach(ctx, f.store, f.viewerA, h.ID, "x.txt", []byte("x")); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("viewer attaches: %v", err)
		}
		if _, err := Attach(ctx, f.store, f.responderA, h.ID, "trong.txt", nil); errKey(err) != "hunt.err.file_size" {
			t.Fatalf("empty file: %v", err)
		}
		if _, err := Finish(ctx, f.store, f.responderA, h.ID, Outcome{Result: "clean", Note: "x"}); errKey(err) != "hunt.err.result" {
			t.Fatalf("bad result: %v", err)
		}
		h, err = Finish(ctx, f.store, f.responderA, h.ID, Outcome{Result: NoneFound, Note: "Đã rà nhật ký 90 ngày"})
		must(t, err)
		if h.Status != StatusDone || h.Result != NoneFound || h.FinishedAt == nil {
			t.Fatalf("finished %+v", h)
		}
		if _, err := Finish(ctx, f.store, f.responderA, h.ID, Outcome{Result: NoneFound, Note: "lần nữa"}); errKey(err) != "hunt.err.done" {
			t.Fatalf("finished twice: %v", err)
		}
		if _, err := Update(ctx, f.store, f.responderA, h.ID, Change{Checklist: []ItemChange{{Item: "ioc", Done: ptr(true)}}}); errKey(err) != "hunt.err.done" {
			t.Fatalf("changed when done: %v", err)
		}
		d, err := Get(ctx, f.store, f.viewerA, h.ID)
		must(t, err)
		if len(d.Files) != 1 || d.Files[0].ID != file.ID || d.Checklist[0].Note != "Không thấy yêu cầu bất thường" {
			t.Fatalf("detail %+v", d)
		}
		if _, data, err := ReadFile(ctx, f.store, f.viewerA, h.ID, file.ID); err != nil || string(data) != "GET / 200" {
			t.Fatalf("read %q %v", data, err)
		}
		if _, err := Get(ctx, f.store, f.operatorB, h.ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("B reads A's hunt: %v", err)
		}
	})
}

func TestHuntList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		a, err := Create(ctx, f.store, f.admin, Input{SystemID: f.portal.ID, DueDate: "2026-03-05", AssigneeUserID: f.responderA.UserID})
		must(t, err)
		b, err := Create(ctx, f.store, f.admin, Input{SystemID: f.mail.ID})
		must(t, err)
		f.clock = f.clock.AddDate(0, 0, 10)
		cases := []struct {
			name  string
			actor access.Actor
			f     Filter
			want  []int64
		}{
			{"all, soonest due first", f.admin, Filter{}, []int64{a.ID, b.ID}},
			{"scope", f.operatorB, Filter{}, []int64{b.ID}},
			{"system", f.admin, Filter{SystemID: f.mail.ID}, []int64{b.ID}},
			{"assignee", f.admin, Filter{AssigneeUserID: f.responderA.UserID}, []int64{a.ID}},
			{"overdue", f.admin, Filter{Overdue: true}, []int64{a.ID}},
			{"origin", f.admin, Filter{Origin: FromSchedule}, nil},
			{"status", f.admin, Filter{Status: StatusDone}, nil},
		}
		for _, c := range cases {
			res, err := List(ctx, f.store, c.actor, c.f, storage.Page{}, f.clock)
			must(t, err)
			var got []int64
			for _, h := range res.Items {
				got = append(got, h.ID)
			}
			if len(got) != len(c.want) || res.Total != len(c.want) || len(got) > 0 && got[0] != c.want[0] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
		if n, err := CountOpen(ctx, f.store, f.responderA); err != nil || n != 1 {
			t.Fatalf("responder counts %d open (%v)", n, err)
		}
	})
}

func TestSchedule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		old := scheduleBatch
		scheduleBatch = 2 // several batches with a few systems
		t.Cleanup(func() { scheduleBatch = old })
		retired := inventory.System{OrgID: f.a.ID, Name: "Phần mềm cũ", Kind: "internal_app", Status: "retired"}
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &retired))
		archived := inventory.System{OrgID: f.a.ID, Name: "Đã lưu trữ", Kind: "internal_app"}
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &archived))
		if _, err := inventory.ArchiveSystem(ctx, f.store, f.admin, archived.ID); err != nil {
			t.Fatal(err)
		}
		var more []inventory.System
		for _, name := range []string{"CSDL", "Mạng LAN", "Một cửa"} {
			s := inventory.System{OrgID: f.b.ID, Name: name, Kind: "data_store"}
			must(t, inventory.CreateSystem(ctx, f.store, f.admin, &s))
			more = append(more, s)
		}
		// The portal was hunted (by hand) a month ago: not due.
		f.clock = f.clock.AddDate(0, -1, 0)
		recent, err := Create(ctx, f.store, f.admin, Input{SystemID: f.portal.ID})
		must(t, err)
		f.clock = f.clock.AddDate(0, 1, 0)

		n, err := Schedule(ctx, f.store, f.clock)
		must(t, err)
		if n != 4 { // mail and the three data stores
			t.Fatalf("opened %d", n)
		}
		res, err := List(ctx, f.store, f.admin, Filter{Origin: FromSchedule}, storage.First(100), f.clock)
		must(t, err)
		for _, h := range res.Items {
			if h.SystemID == f.portal.ID || h.SystemID == retired.ID || h.SystemID == archived.ID || h.DueDate != "2026-04-01" || h.CreatedBy != scheduler.Email {
				t.Errorf("scheduled %+v", h)
			}
			if h.SystemID == more[0].ID && h.Checklist[0].Item != "db_audit" {
				t.Errorf("data store checklist %+v", h.Checklist)
			}
		}
		// Again: nothing more. Seven months on, the portal is due, the
		// others still have their open scheduled hunt and get no second.
		if n, err := Schedule(ctx, f.store, f.clock); err != nil || n != 0 {
			t.Fatalf("again: %d %v", n, err)
		}
		f.clock = f.clock.AddDate(0, 7, 0)
		if n, err := Schedule(ctx, f.store, f.clock); err != nil || n != 1 {
			t.Fatalf("seven months on: %d %v", n, err)
		}
		// The portal's manual hunt is still open: a scheduled one opens beside it.
		if d, err := Get(ctx, f.store, f.admin, recent.ID); err != nil || d.Status != StatusOpen {
			t.Fatalf("manual hunt %+v %v", d, err)
		}
		// Two servers at once open each hunt once, when the four hunts
		// finished now are six months old.
		for _, h := range res.Items {
			_, err := Finish(ctx, f.store, f.admin, h.ID, Outcome{Result: Inconclusive, Note: "Thiếu nhật ký"})
			must(t, err)
		}
		f.clock = f.clock.AddDate(0, 7, 0)
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				counts[i], err = Schedule(ctx, f.store, f.clock)
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 4 {
			t.Fatalf("two at once opened %v", counts)
		}
		open, err := List(ctx, f.store, f.admin, Filter{Origin: FromSchedule, Status: StatusOpen}, storage.First(100), f.clock)
		must(t, err)
		if open.Total != 5 {
			t.Fatalf("%d open scheduled hunts", open.Total)
		}
	})
}

// TestDeleteSystem: a system deleted as a mistaken entry takes its hunts
// and their evidence with it (the schedule opens one on every system).
func TestDeleteSystem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if _, err := Schedule(ctx, f.store, f.clock); err != nil {
			t.Fatal(err)
		}
		res, err := List(ctx, f.store, f.admin, Filter{SystemID: f.mail.ID}, storage.Page{}, f.clock)
		must(t, err)
		if len(res.Items) != 1 {
			t.Fatalf("hunts of the mail system: %+v", res.Items)
		}
		_, err = Attach(ctx, f.store, f.admin, res.Items[0].ID, "log.txt", []byte("x"))
		must(t, err)
		must(t, inventory.DeleteSystem(ctx, f.store, f.admin, f.mail.ID))
		if _, err := Get(ctx, f.store, f.admin, res.Items[0].ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("hunt of the deleted system: %v", err)
		}
	})
}
