// Package hunt is the threat hunts of Directive 18 (Chỉ thị 18/CT-TTg):
// looking on a system for signs that an attacker is, or was, already in.
// A hunt is opened by a finding that lets an attacker in (alongside its
// fix), by the schedule that hunts every system in use at least once in six
// months, or by hand. It is a task with a checklist from its system kind's
// template, an assignee, a result and evidence files.
package hunt

import (
	"slices"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
)

// Where a hunt comes from.
const (
	FromFinding  = "finding"  // a finding that lets an attacker in opened it
	FromSchedule = "schedule" // the six-monthly schedule of its system
	Manual       = "manual"   // someone opened it by hand
)

// Origins, Statuses and Results are the codes of the enumerated fields (the API contract).
var (
	Origins  = []string{FromFinding, FromSchedule, Manual}
	Statuses = []string{StatusOpen, StatusDone}
	Results  = []string{NoneFound, CompromiseFound, Inconclusive}
)

// A hunt's status.
const (
	StatusOpen = "open"
	StatusDone = "done"
)

// A finished hunt's result.
const (
	NoneFound       = "none_found"       // no sign of compromise
	CompromiseFound = "compromise_found" // signs of compromise: an incident follows
	Inconclusive    = "inconclusive"     // not enough to tell (missing logs, …)
)

// Interval is the longest a system in use goes between hunts (Directive 18:
// "tối thiểu 6 tháng 01 lần").
const intervalMonths = 6

// How long a hunt may take: one opened by a finding, as long as the fix of
// a critical finding; a scheduled or manual one, a month.
const (
	findingDays  = 7
	scheduleDays = 30
)

var zone = i18n.Vietnam

// Hunt is one threat hunt, with its system and organisation.
type Hunt struct {
	ID             int64      `json:"id"`
	SystemID       int64      `json:"system_id"`
	SystemName     string     `json:"system_name"`
	SystemKind     string     `json:"system_kind"`
	OrgID          int64      `json:"org_id"`
	OrgCode        string     `json:"org_code"`
	OrgPath        string     `json:"-"`
	FindingID      int64      `json:"finding_id,omitempty"`
	FindingTitle   string     `json:"finding_title,omitempty"`
	Origin         string     `json:"origin"`
	Status         string     `json:"status"`
	Checklist      []Item     `json:"checklist"`
	AssigneeUserID int64      `json:"assignee_user_id,omitempty"`
	AssigneeName   string     `json:"assignee_name,omitempty"`
	Result         string     `json:"result,omitempty"`
	ResultNote     string     `json:"result_note,omitempty"`
	DueDate        string     `json:"due_date"` // YYYY-MM-DD, Vietnam time
	CreatedBy      string     `json:"created_by"`
	StartedAt      *time.Time `json:"started_at,omitempty"`
	FinishedAt     *time.Time `json:"finished_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Item is one line of a hunt's checklist. Item is the template's code; the
// label, in the reader's language, is filled on reading and never stored.
type Item struct {
	Item  string `json:"item"`
	Label string `json:"label,omitempty"`
	Done  bool   `json:"done"`
	Note  string `json:"note"`
}

// Overdue reports whether an open hunt is past its due date on day today (YYYY-MM-DD).
func (h Hunt) Overdue(today string) bool {
	return h.Status == StatusOpen && h.DueDate != "" && h.DueDate < today
}

// Progress is how many checklist items are done, of how many.
func (h Hunt) Progress() (done, total int) {
	for _, it := range h.Checklist {
		if it.Done {
			done++
		}
	}
	return done, len(h.Checklist)
}

// Localize fills the checklist's labels in lang.
func (h *Hunt) Localize(lang string) {
	for i := range h.Checklist {
		h.Checklist[i].Label = Label(h.Checklist[i].Item, lang)
	}
}

// Today is the calendar day in Vietnam at now, as due dates are written.
func Today(now time.Time) string { return now.In(zone).Format(time.DateOnly) }

// DueFor is the due date of a hunt of origin opened at now.
func DueFor(origin string, now time.Time) string {
	days := scheduleDays
	if origin == FromFinding {
		days = findingDays
	}
	return now.In(zone).AddDate(0, 0, days).Format(time.DateOnly)
}

// ScheduleCutoff is the moment before which a system's last hunt started
// too long ago at now: six calendar months earlier, in Vietnam time.
func ScheduleCutoff(now time.Time) time.Time {
	return now.In(zone).AddDate(0, -intervalMonths, 0).UTC()
}

// ItemChange ticks, unticks or annotates one checklist item (by code);
// a nil field is left as it is.
type ItemChange struct {
	Item string  `json:"item"`
	Done *bool   `json:"done,omitempty"`
	Note *string `json:"note,omitempty"`
}

// maxNote bounds notes and results.
const maxNote = 16 << 10

func checkNote(field, s string) error {
	if len(s) > maxNote || !utf8.ValidString(s) {
		return validation.Invalid(field, "hunt.err.note_long", maxNote)
	}
	var es validation.Errors
	es.CheckText(field, s, true)
	return es.Err()
}

// applyChanges returns the checklist with the changes made, and whether any
// item was newly ticked; an unknown item is refused.
func applyChanges(items []Item, changes []ItemChange) ([]Item, bool, error) {
	out := slices.Clone(items)
	ticked := false
	for _, c := range changes {
		i := slices.IndexFunc(out, func(it Item) bool { return it.Item == c.Item })
		if i < 0 {
			return items, false, validation.Invalid("checklist", "hunt.err.item", c.Item)
		}
		if c.Note != nil {
			if err := checkNote("checklist", *c.Note); err != nil {
				return items, false, err
			}
			out[i].Note = *c.Note
		}
		if c.Done != nil {
			ticked = ticked || *c.Done && !out[i].Done
			out[i].Done = *c.Done
		}
	}
	return out, ticked, nil
}

// Outcome is how a hunt ended.
type Outcome struct {
	Result string `json:"result"`
	Note   string `json:"note"`
}

// Check validates an outcome: a known result and a note saying what was
// looked at and found.
func (o Outcome) Check() error {
	if !slices.Contains(Results, o.Result) {
		return validation.Invalid("result", "hunt.err.result")
	}
	if o.Note == "" {
		return validation.Invalid("note", "hunt.err.note")
	}
	return checkNote("note", o.Note)
}

// checkDate validates an optional YYYY-MM-DD due date.
func checkDate(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return validation.Invalid(field, "hunt.err.date", s)
	}
	return nil
}
