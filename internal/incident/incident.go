// Package incident is incident response (seeds 001 §2, 002, 003, 004): a
// case from the first alert to the final report. A case is led by one
// organisation, touches systems of the inventory, has a category (which
// gives it its playbook's tasks), a severity, a TLP 2.0 marking, and moves
// through the phases of the response with the time each began. The four
// milestones the statutory forms ask for (detected, notified, contained,
// recovered) and the durations between them are kept on the case.
package incident

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/validation"
)

// Categories of incident (the API contract).
const (
	Defacement         = "defacement"
	GamblingInjection  = "gambling_injection"
	Malware            = "malware"
	Ransomware         = "ransomware"
	DDoS               = "ddos"
	UnauthorizedAccess = "unauthorized_access"
	DataLeak           = "data_leak"
	Phishing           = "phishing"
	Exploitation       = "exploitation"
	Other              = "other"
)

// Categories lists the categories in the order the forms offer them.
var Categories = []string{Defacement, GamblingInjection, Malware, Ransomware, DDoS, UnauthorizedAccess, DataLeak, Phishing, Exploitation, Other}

// Severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low"}

// TLPs are the Traffic Light Protocol 2.0 markings, most open first.
var TLPs = []string{"clear", "green", "amber", "amber_strict", "red"}

// Phases of the response, in order (seed 002: reception, analysis and
// verification, containment, evidence and scope, eradication, recovery,
// post-incident review).
const (
	Reception   = "reception"
	Analysis    = "analysis"
	Containment = "containment"
	Evidence    = "evidence"
	Eradication = "eradication"
	Recovery    = "recovery"
	Review      = "review"
	Closed      = "closed"
)

// Phases lists the phases in order.
var Phases = []string{Reception, Analysis, Containment, Evidence, Eradication, Recovery, Review, Closed}

// PhaseIndex is the position of a phase in Phases, -1 for an unknown one.
func PhaseIndex(p string) int { return slices.Index(Phases, p) }

// Case is one incident case.
type Case struct {
	ID              int64        `json:"id"`
	Ref             string       `json:"ref"`
	OrgID           int64        `json:"org_id"`
	OrgCode         string       `json:"org_code"`
	OrgName         string       `json:"org_name"`
	OrgPath         string       `json:"-"`
	Title           string       `json:"title"`
	Description     string       `json:"description"`
	Category        string       `json:"category"`
	Severity        string       `json:"severity"`
	TLP             string       `json:"tlp"`
	Serious         bool         `json:"serious"`
	Phase           string       `json:"phase"`
	DetectionMethod string       `json:"detection_method"`
	DetectedAt      time.Time    `json:"detected_at"`
	NotifiedAt      *time.Time   `json:"notified_at,omitempty"`
	ContainedAt     *time.Time   `json:"contained_at,omitempty"`
	RecoveredAt     *time.Time   `json:"recovered_at,omitempty"`
	ClosedAt        *time.Time   `json:"closed_at,omitempty"`
	Systems         []CaseSystem `json:"systems"`
	CreatedBy       string       `json:"created_by"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
}

// CaseSystem is a system a case touches, with its organisation and level.
type CaseSystem struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Level   int    `json:"level"`
	OrgID   int64  `json:"org_id"`
	OrgCode string `json:"org_code"`
	OrgPath string `json:"-"`
}

// Input opens a case.
type Input struct {
	Title           string     `json:"title"`
	Description     string     `json:"description,omitempty"`
	Category        string     `json:"category"`
	Severity        string     `json:"severity"`
	TLP             string     `json:"tlp,omitempty"` // amber when empty
	Serious         *bool      `json:"serious,omitempty"`
	SystemIDs       []int64    `json:"system_ids"`
	OrgID           int64      `json:"org_id,omitempty"` // the lead organisation; the first system's when 0
	DetectedAt      *time.Time `json:"detected_at,omitempty"`
	DetectionMethod string     `json:"detection_method,omitempty"`
	ResponderIDs    []int64    `json:"responder_ids,omitempty"`
}

// Limits on what a case holds.
const (
	maxTitle   = 300
	maxText    = 32 << 10
	maxSystems = 200
)

// Normalise trims the input and fills the defaults.
func (in *Input) Normalise() {
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.DetectionMethod = strings.TrimSpace(in.DetectionMethod)
	if in.TLP == "" {
		in.TLP = "amber"
	}
	slices.Sort(in.SystemIDs)
	in.SystemIDs = slices.Compact(in.SystemIDs)
}

// Validate checks a normalised input, naming every field at fault.
func (in Input) Validate(now time.Time) error {
	var es validation.Errors
	switch {
	case in.Title == "":
		es.Add("title", "incident.err.title")
	case utf8.RuneCountInString(in.Title) > maxTitle:
		es.Add("title", "incident.err.too_long", maxTitle)
	}
	es.CheckText("title", in.Title, false)
	checkLong(&es, "description", in.Description)
	checkLong(&es, "detection_method", in.DetectionMethod)
	if !slices.Contains(Categories, in.Category) {
		es.Add("category", "incident.err.category", in.Category)
	}
	if !slices.Contains(Severities, in.Severity) {
		es.Add("severity", "incident.err.severity", in.Severity)
	}
	if !slices.Contains(TLPs, in.TLP) {
		es.Add("tlp", "incident.err.tlp", in.TLP)
	}
	switch {
	case len(in.SystemIDs) == 0 && in.OrgID == 0:
		es.Add("system_ids", "incident.err.systems")
	case len(in.SystemIDs) > maxSystems:
		es.Add("system_ids", "incident.err.systems_many", maxSystems)
	}
	if in.DetectedAt != nil && in.DetectedAt.After(now.Add(5*time.Minute)) {
		es.Add("detected_at", "incident.err.future")
	}
	return es.Err()
}

func checkLong(es *validation.Errors, field, s string) {
	if len(s) > maxText {
		es.Add(field, "incident.err.too_long", maxText)
	}
	es.CheckText(field, s, true)
}

// SeriousHint proposes whether a case is serious (Decision 05/2017/QĐ-TTg,
// Art. 3: an incident on a system of level 3 or higher that disrupts it or
// threatens national security; Circular 20/2017 handles the rest as
// ordinary incidents), with the catalogue key of the reason. The responder
// decides; this is the default offered.
func SeriousHint(severity string, maxLevel int) (bool, string) {
	switch {
	case maxLevel >= 3 && (severity == "critical" || severity == "high"):
		return true, "incident.serious.level"
	case severity == "critical":
		return true, "incident.serious.critical"
	default:
		return false, "incident.serious.ordinary"
	}
}

// CheckMove validates a move of a case from one phase to another. Any phase
// may follow any other (a response goes back when the attacker returns), but
// a case closes only from its post-incident review, and a closed case
// reopens into analysis.
func CheckMove(from, to string) error {
	switch {
	case PhaseIndex(to) < 0:
		return validation.Invalid("phase", "incident.err.phase", to)
	case to == from:
		return validation.Invalid("phase", "incident.err.phase_same")
	case to == Closed && from != Review:
		return validation.Invalid("phase", "incident.err.close_from_review")
	case from == Closed && to != Analysis:
		return validation.Invalid("phase", "incident.err.reopen")
	}
	return nil
}

// Milestones sets the milestones a move into phase at now reaches: leaving
// containment for a later phase contains the incident, leaving recovery for
// the review recovers it, closing closes it; reopening clears the closing.
// A milestone already set stays (the first time counts).
func (c *Case) Milestones(phase string, now time.Time) {
	i := PhaseIndex(phase)
	set := func(p **time.Time) {
		if *p == nil {
			t := now
			*p = &t
		}
	}
	if i > PhaseIndex(Containment) {
		set(&c.ContainedAt)
	}
	if i > PhaseIndex(Recovery) {
		set(&c.RecoveredAt)
	}
	if phase == Closed {
		set(&c.ClosedAt)
	} else {
		c.ClosedAt = nil
	}
}

// Durations are the times between a case's milestones; nil where a
// milestone is not reached yet.
type Durations struct {
	ToNotify  *time.Duration `json:"to_notify,omitempty"`  // detection → notification
	ToContain *time.Duration `json:"to_contain,omitempty"` // detection → containment
	ToRecover *time.Duration `json:"to_recover,omitempty"` // detection → recovery
	Contained *time.Duration `json:"contained,omitempty"`  // containment → recovery
}

// Durations computes the case's durations.
func (c Case) Durations() Durations {
	between := func(a time.Time, b *time.Time) *time.Duration {
		if b == nil {
			return nil
		}
		d := max(b.Sub(a), 0)
		return &d
	}
	d := Durations{ToNotify: between(c.DetectedAt, c.NotifiedAt), ToContain: between(c.DetectedAt, c.ContainedAt), ToRecover: between(c.DetectedAt, c.RecoveredAt)}
	if c.ContainedAt != nil {
		d.Contained = between(*c.ContainedAt, c.RecoveredAt)
	}
	return d
}

// MaxLevel is the highest security level of the case's systems (0: none known).
func (c Case) MaxLevel() int {
	m := 0
	for _, s := range c.Systems {
		m = max(m, s.Level)
	}
	return m
}

// Open reports whether the case is still being worked.
func (c Case) Open() bool { return c.Phase != Closed }
