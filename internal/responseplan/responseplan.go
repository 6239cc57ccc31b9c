// Package responseplan is what is prepared before an incident (seed 004):
// a response plan per system — scenarios taken from the incident
// categories, contacts and escalation, recovery objectives — kept as
// versions and marked "to review" when its system changes in the
// inventory; and the drills, with the level-3-and-up systems that have not
// had a live-fire drill in the last twelve months.
package responseplan

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/incident"
	"github.com/khien/khien/internal/validation"
)

// A system's plan status.
const (
	PlanNone     = "none"      // no plan yet
	PlanCurrent  = "current"   // saved after the system last changed
	PlanToReview = "to_review" // the system changed after the plan was saved
)

// PlanStatuses are the codes of a system's plan status (the API contract).
var PlanStatuses = []string{PlanNone, PlanCurrent, PlanToReview}

// Kinds of drill.
const (
	Tabletop = "tabletop" // a discussion of the scenario
	Live     = "live"     // a live-fire exercise on the system (thực chiến)
)

// DrillKinds are the codes of a drill's kind.
var DrillKinds = []string{Tabletop, Live}

// DrillLevel is the security level from which a system needs a live-fire
// drill every DrillMonths months (seed 004).
const (
	DrillLevel  = 3
	DrillMonths = 12
)

// Scenario is one incident the plan prepares for: a category of the
// incident playbooks, and what to do.
type Scenario struct {
	Category string `json:"category"`
	Summary  string `json:"summary"`
	Steps    string `json:"steps"`
}

// Contact is one person to call, in escalation order.
type Contact struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// Plan is one version of a system's response plan.
type Plan struct {
	ID         int64      `json:"id"`
	SystemID   int64      `json:"system_id"`
	SystemName string     `json:"system_name"`
	OrgID      int64      `json:"org_id"`
	OrgPath    string     `json:"-"`
	Version    int        `json:"version"`
	Scenarios  []Scenario `json:"scenarios"`
	Contacts   []Contact  `json:"contacts"`
	Escalation string     `json:"escalation"`
	RTOHours   int        `json:"rto_hours"`
	RPOHours   int        `json:"rpo_hours"`
	Note       string     `json:"note"`
	Status     string     `json:"status"` // current or to_review, against the system's last change
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
}

// PlanInput is a new version of a plan.
type PlanInput struct {
	Scenarios  []Scenario `json:"scenarios"`
	Contacts   []Contact  `json:"contacts"`
	Escalation string     `json:"escalation"`
	RTOHours   int        `json:"rto_hours"`
	RPOHours   int        `json:"rpo_hours"`
	Note       string     `json:"note,omitempty"`
}

const (
	maxLine  = 300
	maxText  = 16 << 10
	maxItems = 50
)

// Normalise trims the input.
func (in *PlanInput) Normalise() {
	in.Escalation, in.Note = strings.TrimSpace(in.Escalation), strings.TrimSpace(in.Note)
	for i := range in.Scenarios {
		s := &in.Scenarios[i]
		s.Category, s.Summary, s.Steps = strings.TrimSpace(s.Category), strings.TrimSpace(s.Summary), strings.TrimSpace(s.Steps)
	}
	for i := range in.Contacts {
		c := &in.Contacts[i]
		c.Name, c.Role, c.Phone, c.Email = strings.TrimSpace(c.Name), strings.TrimSpace(c.Role), strings.TrimSpace(c.Phone), strings.TrimSpace(c.Email)
	}
}

// Validate checks a normalised plan: at least one scenario, each of a known
// category and once; at least one contact with a name and a way to reach
// them; objectives not negative.
func (in PlanInput) Validate() error {
	var es validation.Errors
	if len(in.Scenarios) == 0 {
		es.Add("scenarios", "responseplan.err.scenarios")
	}
	if len(in.Scenarios) > maxItems || len(in.Contacts) > maxItems {
		es.Add("scenarios", "responseplan.err.too_many", maxItems)
	}
	seen := map[string]bool{}
	for _, s := range in.Scenarios {
		switch {
		case !slices.Contains(incident.Categories, s.Category):
			es.Add("scenarios", "responseplan.err.category", s.Category)
		case seen[s.Category]:
			es.Add("scenarios", "responseplan.err.category_twice", s.Category)
		}
		seen[s.Category] = true
		checkLine(&es, "scenarios", s.Summary)
		checkText(&es, "scenarios", s.Steps)
	}
	if len(in.Contacts) == 0 {
		es.Add("contacts", "responseplan.err.contacts")
	}
	for _, c := range in.Contacts {
		if c.Name == "" || c.Phone == "" && c.Email == "" {
			es.Add("contacts", "responseplan.err.contact")
		}
		for _, v := range []string{c.Name, c.Role, c.Phone, c.Email} {
			checkLine(&es, "contacts", v)
		}
	}
	checkText(&es, "escalation", in.Escalation)
	checkText(&es, "note", in.Note)
	if in.RTOHours < 0 || in.RTOHours > 24*365 {
		es.Add("rto_hours", "responseplan.err.hours")
	}
	if in.RPOHours < 0 || in.RPOHours > 24*365 {
		es.Add("rpo_hours", "responseplan.err.hours")
	}
	return es.Err()
}

func checkLine(es *validation.Errors, field, s string) {
	if utf8.RuneCountInString(s) > maxLine {
		es.Add(field, "responseplan.err.too_long", maxLine)
	}
	es.CheckText(field, s, false)
}

func checkText(es *validation.Errors, field, s string) {
	if len(s) > maxText {
		es.Add(field, "responseplan.err.too_long", maxText)
	}
	es.CheckText(field, s, true)
}

// PlanStatus is a plan's status against its system's last change in the inventory.
func PlanStatus(planSaved, systemChanged time.Time, hasPlan bool) string {
	switch {
	case !hasPlan:
		return PlanNone
	case systemChanged.After(planSaved):
		return PlanToReview
	default:
		return PlanCurrent
	}
}

// DrillDue reports whether a system of level needs a live-fire drill on day
// today (YYYY-MM-DD), its last one held on last ("" for never).
func DrillDue(level int, last, today string) bool {
	if level < DrillLevel {
		return false
	}
	return last == "" || last < DrillCutoff(today)
}

// DrillCutoff is the day DrillMonths months before today (both YYYY-MM-DD):
// a drill held before it is too old.
func DrillCutoff(today string) string {
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return today
	}
	return t.AddDate(0, -DrillMonths, 0).Format(time.DateOnly)
}

// Today is the calendar day in Vietnam at now.
func Today(now time.Time) string { return now.In(i18n.Vietnam).Format(time.DateOnly) }

// Drill is one exercise.
type Drill struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	OrgCode      string    `json:"org_code"`
	OrgPath      string    `json:"-"`
	Scenario     string    `json:"scenario"`
	Kind         string    `json:"kind"`
	Title        string    `json:"title"`
	HeldOn       string    `json:"held_on"` // YYYY-MM-DD
	SystemIDs    []int64   `json:"system_ids"`
	Participants string    `json:"participants"`
	Worked       string    `json:"worked"`
	Failed       string    `json:"failed"`
	FollowUps    []string  `json:"follow_ups"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// DrillInput records a drill.
type DrillInput struct {
	Scenario     string   `json:"scenario"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title"`
	HeldOn       string   `json:"held_on"`
	SystemIDs    []int64  `json:"system_ids"`
	Participants string   `json:"participants"`
	Worked       string   `json:"worked"`
	Failed       string   `json:"failed"`
	FollowUps    []string `json:"follow_ups,omitempty"`
}

// Normalise trims the input and drops empty follow-ups.
func (in *DrillInput) Normalise() {
	in.Title, in.HeldOn = strings.TrimSpace(in.Title), strings.TrimSpace(in.HeldOn)
	in.Participants, in.Worked, in.Failed = strings.TrimSpace(in.Participants), strings.TrimSpace(in.Worked), strings.TrimSpace(in.Failed)
	var ups []string
	for _, f := range in.FollowUps {
		if f = strings.TrimSpace(f); f != "" {
			ups = append(ups, f)
		}
	}
	in.FollowUps = ups
	slices.Sort(in.SystemIDs)
	in.SystemIDs = slices.Compact(in.SystemIDs)
}

// Validate checks a normalised drill on day today: a known scenario and
// kind, a title, a date not in the future, at least one system.
func (in DrillInput) Validate(today string) error {
	var es validation.Errors
	if !slices.Contains(incident.Categories, in.Scenario) {
		es.Add("scenario", "responseplan.err.category", in.Scenario)
	}
	if !slices.Contains(DrillKinds, in.Kind) {
		es.Add("kind", "responseplan.err.kind", in.Kind)
	}
	if in.Title == "" {
		es.Add("title", "responseplan.err.title")
	}
	checkLine(&es, "title", in.Title)
	if _, err := time.Parse(time.DateOnly, in.HeldOn); err != nil {
		es.Add("held_on", "responseplan.err.date", in.HeldOn)
	} else if in.HeldOn > today {
		es.Add("held_on", "responseplan.err.future")
	}
	if len(in.SystemIDs) == 0 || len(in.SystemIDs) > maxItems {
		es.Add("system_ids", "responseplan.err.systems", maxItems)
	}
	checkText(&es, "participants", in.Participants)
	checkText(&es, "worked", in.Worked)
	checkText(&es, "failed", in.Failed)
	if len(in.FollowUps) > maxItems {
		es.Add("follow_ups", "responseplan.err.too_many", maxItems)
	}
	for _, f := range in.FollowUps {
		checkLine(&es, "follow_ups", f)
	}
	return es.Err()
}
