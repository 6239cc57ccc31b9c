package incident

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

func TestCaseThroughEveryPhase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.defacement(t)
		if c.Phase != Reception || c.OrgID != f.a.ID || !c.Serious || c.Ref != "SC-2026-"+pad(c.ID) || len(c.Systems) != 1 {
			t.Fatalf("opened case = %+v", c)
		}
		d, err := Get(ctx, f.store, f.operatorA, c.ID)
		must(t, err)
		if len(d.Tasks) != len(Playbook(Defacement)) || d.Tasks[0].Code != "triage" || len(d.Events) != 1 || d.Events[0].Kind != EventOpened {
			t.Fatalf("tasks %d, events %+v", len(d.Tasks), d.Events)
		}
		// A task of the library added to the running case goes after its phase's tasks.
		added, err := AddTask(ctx, f.store, f.operatorA, c.ID, TaskInput{Code: "memory_image", AssigneeUserID: f.responder.UserID})
		must(t, err)
		if added.Phase != Evidence || added.AssigneeName == "" {
			t.Fatalf("added task = %+v", added)
		}
		done := TaskDone
		for _, phase := range Phases[1:] {
			f.tick(2 * time.Hour)
			if _, err := Move(ctx, f.store, f.operatorA, c.ID, phase, "sang "+phase); err != nil {
				t.Fatalf("move to %s: %v", phase, err)
			}
			d, err = Get(ctx, f.store, f.operatorA, c.ID)
			must(t, err)
			for _, task := range d.Tasks {
				if task.Phase == phase || PhaseIndex(task.Phase) < PhaseIndex(phase) && task.Status == TaskOpen {
					_, err := UpdateTask(ctx, f.store, f.operatorA, c.ID, task.ID, TaskChange{Status: &done})
					must(t, err)
				}
			}
		}
		d, err = Get(ctx, f.store, f.operatorA, c.ID)
		must(t, err)
		if d.Phase != Closed || len(d.Phases) != len(Phases) || d.ClosedAt == nil {
			t.Fatalf("closed case: phase %s, %d phases", d.Phase, len(d.Phases))
		}
		// Contained on leaving containment (the third move), recovered on leaving recovery (the sixth).
		if got := *d.Durations.ToContain; got != 6*time.Hour {
			t.Errorf("to contain = %v", got)
		}
		if got := *d.Durations.ToRecover; got != 12*time.Hour {
			t.Errorf("to recover = %v", got)
		}
		for _, task := range d.Tasks {
			if task.Status != TaskDone || task.DoneAt == nil {
				t.Errorf("task %s is %s", task.Code, task.Status)
			}
		}
		// Opened, seven moves, every task finished.
		if want := 1 + 7 + len(d.Tasks); len(d.Events) != want {
			t.Errorf("timeline has %d events, want %d", len(d.Events), want)
		}
		// A closed case reopens into analysis only.
		if _, err := Move(ctx, f.store, f.operatorA, c.ID, Containment, ""); !isInvalid(err, "phase") {
			t.Errorf("reopen into containment: %v", err)
		}
		re, err := Move(ctx, f.store, f.operatorA, c.ID, Analysis, "tái diễn")
		must(t, err)
		if re.ClosedAt != nil || re.ContainedAt == nil {
			t.Errorf("reopened: closed %v contained %v", re.ClosedAt, re.ContainedAt)
		}
	})
}

func pad(id int64) string {
	return Ref(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), id)[len("SC-2026-"):]
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

func TestCaseScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.defacement(t)
		// B's operator neither sees A's case nor may open one on A's system.
		if _, err := Get(ctx, f.store, f.operatorB, c.ID); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("B reads A's case: %v", err)
		}
		if _, err := Create(ctx, f.store, f.operatorB, Input{Title: "x", Category: Malware, Severity: "low", SystemIDs: []int64{f.portal.ID}}); !isInvalid(err, "system_ids") {
			t.Errorf("B opens a case on A's system: %v", err)
		}
		// A's viewer reads it but may not work it.
		if _, err := Get(ctx, f.store, f.viewerA, c.ID); err != nil {
			t.Errorf("viewer reads: %v", err)
		}
		if _, err := Move(ctx, f.store, f.viewerA, c.ID, Analysis, ""); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("viewer moves: %v", err)
		}
		// The responder sees only the cases it is on, even in its assigned organisation.
		list := func(a access.Actor) int {
			res, err := List(ctx, f.store, a, Filter{}, storage.First(50))
			must(t, err)
			return len(res.Items)
		}
		if n := list(f.responder); n != 0 {
			t.Errorf("responder lists %d cases before being put on one", n)
		}
		if _, err := Get(ctx, f.store, f.responder, c.ID); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("responder reads a case it is not on: %v", err)
		}
		_, err := AddResponder(ctx, f.store, f.operatorA, c.ID, f.responder.UserID)
		must(t, err)
		if n := list(f.responder); n != 1 {
			t.Errorf("responder lists %d cases", n)
		}
		if _, err := Move(ctx, f.store, f.responder, c.ID, Analysis, ""); err != nil {
			t.Errorf("responder works its case: %v", err)
		}
		// B's operator may not be put on A's case.
		if _, err := AddResponder(ctx, f.store, f.operatorA, c.ID, f.operatorB.UserID); !isInvalid(err, "user_id") {
			t.Errorf("B's operator on A's case: %v", err)
		}
		// A case across both agencies is seen by both.
		both, err := Create(ctx, f.store, f.admin, Input{Title: "Mã độc lây lan", Category: Malware, Severity: "medium", SystemIDs: []int64{f.portal.ID, f.mail.ID}})
		must(t, err)
		if _, err := Get(ctx, f.store, f.operatorB, both.ID); err != nil {
			t.Errorf("B reads the shared case: %v", err)
		}
		if n := list(f.operatorB); n != 1 {
			t.Errorf("B lists %d cases", n)
		}
		res, err := List(ctx, f.store, f.admin, Filter{Query: "ma doc"}, storage.First(10))
		must(t, err)
		if len(res.Items) != 1 || res.Items[0].ID != both.ID {
			t.Errorf("search without diacritics: %+v", res.Items)
		}
	})
}

func TestTimelineByHand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c := f.defacement(t)
		at := time.Date(2026, 3, 1, 23, 15, 0, 0, time.FixedZone("+07", 7*3600))
		e, err := AddEvent(ctx, f.store, f.operatorA, c.ID, EventInput{OccurredAt: at, Zone: "Asia/Ho_Chi_Minh", Source: "nhật ký web", Description: "Tải lên webshell qua lỗ hổng", SystemIDs: []int64{f.portal.ID}})
		must(t, err)
		if !e.OccurredAt.Equal(at) || e.Local().Hour() != 23 || e.ID == 0 {
			t.Errorf("event = %+v", e)
		}
		if _, err := AddEvent(ctx, f.store, f.operatorA, c.ID, EventInput{OccurredAt: at, Description: "x", SystemIDs: []int64{f.mail.ID}}); !isInvalid(err, "system_ids") {
			t.Errorf("a system of another case: %v", err)
		}
		if _, err := AddEvent(ctx, f.store, f.operatorA, c.ID, EventInput{OccurredAt: at, Zone: "Mars/Olympus", Description: "x"}); !isInvalid(err, "zone") {
			t.Errorf("unknown zone: %v", err)
		}
		d, err := Get(ctx, f.store, f.operatorA, c.ID)
		must(t, err)
		// The event before the detection comes first.
		if d.Events[0].ID != e.ID {
			t.Errorf("timeline order: %+v", d.Events)
		}
	})
}
