package hunt

import (
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/validation"
)

func TestChecklistTemplates(t *testing.T) {
	for _, k := range inventory.SystemKinds {
		t.Run(k.Code, func(t *testing.T) {
			if _, ok := templates[k.Code]; !ok {
				t.Fatalf("system kind %s has no checklist template", k.Code)
			}
			items := Checklist(k.Code)
			if len(items) < 4 {
				t.Fatalf("%d items", len(items))
			}
			seen := map[string]bool{}
			for _, it := range items {
				if seen[it.Item] || it.Done || it.Note != "" {
					t.Errorf("item %+v: repeated or not fresh", it)
				}
				seen[it.Item] = true
				vi, en := Label(it.Item, "vi"), Label(it.Item, "en")
				if vi == it.Item || en == it.Item || vi == en {
					t.Errorf("item %s: labels %q / %q", it.Item, vi, en)
				}
			}
		})
	}
	// A kind without a template of its own gets the general one; each
	// checklist is a copy, so ticking one leaves the template as it was.
	a := Checklist("not-a-kind")
	a[0].Done = true
	if b := Checklist("other"); len(a) != len(b) || b[0].Done {
		t.Fatalf("fallback %+v, other %+v", a, b)
	}
	if Label("unknown", "en") != "unknown" {
		t.Fatal("an unknown code shows as itself")
	}
}

func TestDates(t *testing.T) {
	// 17:30 UTC is already the next day in Vietnam.
	now := time.Date(2026, 8, 31, 17, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"today", Today(now), "2026-09-01"},
		{"finding", DueFor(FromFinding, now), "2026-09-08"},
		{"schedule", DueFor(FromSchedule, now), "2026-10-01"},
		{"manual", DueFor(Manual, now), "2026-10-01"},
		// Six months back from 1 September (Vietnam) is 1 March.
		{"cutoff", ScheduleCutoff(now).In(i18n.Vietnam).Format(time.DateTime), "2026-03-01 00:30:00"},
		// From 31 August six months back lands past the end of February: Go normalises to 3 March.
		{"cutoff month end", ScheduleCutoff(time.Date(2026, 8, 31, 3, 0, 0, 0, time.UTC)).In(i18n.Vietnam).Format(time.DateOnly), "2026-03-03"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
}

func TestOverdueAndProgress(t *testing.T) {
	h := Hunt{Status: StatusOpen, DueDate: "2026-03-09", Checklist: []Item{{Item: "a", Done: true}, {Item: "b"}, {Item: "c", Done: true}}}
	cases := []struct {
		today  string
		status string
		want   bool
	}{
		{"2026-03-09", StatusOpen, false},
		{"2026-03-10", StatusOpen, true},
		{"2026-03-10", StatusDone, false},
	}
	for _, c := range cases {
		h.Status = c.status
		if got := h.Overdue(c.today); got != c.want {
			t.Errorf("%s %s: overdue %v", c.status, c.today, got)
		}
	}
	if d, n := h.Progress(); d != 2 || n != 3 {
		t.Fatalf("progress %d/%d", d, n)
	}
}

func ptr[T any](v T) *T { return &v }

func TestApplyChanges(t *testing.T) {
	base := []Item{{Item: "web_logs"}, {Item: "webshell", Done: true, Note: "sạch"}}
	cases := []struct {
		name    string
		changes []ItemChange
		want    []Item
		ticked  bool
		errKey  string
	}{
		{"tick", []ItemChange{{Item: "web_logs", Done: ptr(true), Note: ptr("90 ngày, không thấy")}},
			[]Item{{Item: "web_logs", Done: true, Note: "90 ngày, không thấy"}, base[1]}, true, ""},
		{"untick keeps the note", []ItemChange{{Item: "webshell", Done: ptr(false)}},
			[]Item{base[0], {Item: "webshell", Note: "sạch"}}, false, ""},
		{"tick again is no new tick", []ItemChange{{Item: "webshell", Done: ptr(true)}}, base, false, ""},
		{"unknown item", []ItemChange{{Item: "nope", Done: ptr(true)}}, base, false, "hunt.err.item"},
		{"note too long", []ItemChange{{Item: "web_logs", Note: ptr(strings.Repeat("x", maxNote+1))}}, base, false, "hunt.err.note_long"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ticked, err := applyChanges(base, c.changes)
			if key := errKey(err); key != c.errKey {
				t.Fatalf("error %v, want %q", err, c.errKey)
			}
			if ticked != c.ticked || len(got) != len(c.want) {
				t.Fatalf("ticked %v, %+v", ticked, got)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("%+v, want %+v", got, c.want)
				}
			}
			if base[0].Done || !base[1].Done {
				t.Fatal("the original checklist changed")
			}
		})
	}
}

func TestOutcomeCheck(t *testing.T) {
	cases := []struct {
		o    Outcome
		want string
	}{
		{Outcome{NoneFound, "Đã rà nhật ký 90 ngày"}, ""},
		{Outcome{CompromiseFound, "Webshell trong /uploads"}, ""},
		{Outcome{Inconclusive, "Không còn nhật ký trước tháng 3"}, ""},
		{Outcome{"", "ghi chú"}, "hunt.err.result"},
		{Outcome{"clean", "ghi chú"}, "hunt.err.result"},
		{Outcome{NoneFound, ""}, "hunt.err.note"},
	}
	for _, c := range cases {
		if got := errKey(c.o.Check()); got != c.want {
			t.Errorf("%+v: %q, want %q", c.o, got, c.want)
		}
	}
}

// errKey is the catalogue key of a validation error, "" for none.
func errKey(err error) string {
	if err == nil {
		return ""
	}
	if es, ok := validation.As(err); ok {
		return es[0].Key
	}
	return err.Error()
}
