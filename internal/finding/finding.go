// Package finding is where every vulnerability of every agency lives: the
// findings of Khiên's own scanner, of the scanners auditors already use and
// of manual penetration tests, one row per issue on one asset whatever tools
// reported it, with their lifecycle from new to verified, deadlines,
// priority and the threat hunts of Directive 18.
//
// The decisions are plain functions without a database: the lifecycle
// (lifecycle.go), priority and deadlines (priority.go), the fingerprint and
// normalisation of an observation (normalise.go) and the mapping of a host to
// a system (match.go). The SQL is in the *_db.go files; the file formats are
// in the source subpackage.
package finding

import (
	"database/sql/driver"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/storage"
)

// Status is where a finding is in its lifecycle.
type Status string

// The statuses. Open ones still need work; the others are settled.
const (
	New           Status = "new"
	Confirmed     Status = "confirmed"
	InRemediation Status = "in_remediation"
	Fixed         Status = "fixed"    // claimed fixed by the agency, with evidence
	Verified      Status = "verified" // a later scan that reached the host no longer sees it
	Closed        Status = "closed"
	FalsePositive Status = "false_positive"
	RiskAccepted  Status = "risk_accepted"
	Reopened      Status = "reopened" // seen again after it was fixed, verified or closed
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{New, Reopened, Confirmed, InRemediation, Fixed, Verified, Closed, FalsePositive, RiskAccepted}

// Open reports whether the finding still needs fixing (fixed is open until verified).
func (s Status) Open() bool {
	switch s {
	case New, Reopened, Confirmed, InRemediation, Fixed:
		return true
	}
	return false
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// OpenStatuses are the statuses for which Open is true.
func OpenStatuses() []Status {
	var out []Status
	for _, s := range Statuses {
		if s.Open() {
			out = append(out, s)
		}
	}
	return out
}

// Finding is one issue on one asset.
type Finding struct {
	ID          int64  `json:"id"`
	Fingerprint string `json:"fingerprint"`
	SystemID    int64  `json:"system_id,omitempty"` // 0: unassigned
	OrgID       int64  `json:"org_id,omitempty"`
	AssetID     int64  `json:"asset_id,omitempty"`
	// RuleKey is what the fingerprint is computed from: "cve:CVE-…" when the
	// finding has CVEs, so that two tools reporting one CVE meet, else
	// "<tool>:<rule>" (Khiên's check IDs are tool-independent: "port.open").
	RuleKey       string         `json:"rule_key"`
	CheckID       string         `json:"check_id"` // the rule of the first tool that reported it
	Tool          string         `json:"tool"`
	Title         string         `json:"title"`
	Description   string         `json:"description,omitempty"`
	Severity      check.Severity `json:"severity"`
	CVSS3         string         `json:"cvss3_vector,omitempty"`
	CVSS3Score    float64        `json:"cvss3_score,omitempty"`
	CVSS4         string         `json:"cvss4_vector,omitempty"`
	CVSS4Score    float64        `json:"cvss4_score,omitempty"`
	CWE           string         `json:"cwe,omitempty"`
	CVEs          []string       `json:"cves"`
	KEV           bool           `json:"kev"`
	EPSS          float64        `json:"epss"`
	Tags          []string       `json:"tags"`
	Host          string         `json:"host,omitempty"`
	IP            string         `json:"ip,omitempty"`
	Port          int            `json:"port,omitempty"`
	Protocol      string         `json:"protocol,omitempty"`
	URL           string         `json:"url,omitempty"`
	Parameter     string         `json:"parameter,omitempty"`
	Location      string         `json:"location,omitempty"`
	Evidence      string         `json:"evidence,omitempty"`
	Request       string         `json:"request,omitempty"`
	Response      string         `json:"response,omitempty"`
	Remediation   string         `json:"remediation,omitempty"`
	References    []string       `json:"references"`
	Exposed       bool           `json:"exposed"`
	Priority      int            `json:"priority"`
	Status        Status         `json:"status"`
	Regression    bool           `json:"regression"`
	AssigneeOrg   int64          `json:"assignee_org_id,omitempty"`
	AssigneeUser  int64          `json:"assignee_user_id,omitempty"`
	DueDate       string         `json:"due_date,omitempty"` // YYYY-MM-DD, Vietnam time
	AcceptedUntil string         `json:"accepted_until,omitempty"`
	AcceptedBy    string         `json:"accepted_by,omitempty"`
	HuntID        int64          `json:"hunt_id,omitempty"`
	FirstSeen     time.Time      `json:"first_seen"`
	LastSeen      time.Time      `json:"last_seen"`
	TimesSeen     int            `json:"times_seen"`
	LastImport    int64          `json:"last_import_id,omitempty"`
	StatusAt      time.Time      `json:"status_changed_at"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// Overdue reports whether an open finding is past its due date on day today
// ("YYYY-MM-DD").
func (f Finding) Overdue(today string) bool {
	return f.Status.Open() && f.DueDate != "" && f.DueDate < today
}

// listColumn holds a list as text, one item per line: CVE ids, tags and
// URLs never contain a newline.
type listColumn struct{ p *[]string }

func (l listColumn) Scan(v any) error {
	switch v := v.(type) {
	case string:
		*l.p = splitList(v)
	case []byte:
		*l.p = splitList(string(v))
	default:
		*l.p = []string{}
	}
	return nil
}

func (l listColumn) Value() (driver.Value, error) { return joinList(*l.p), nil }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

func joinList(items []string) string { return strings.Join(items, "\n") }

// findingTable is the one list of the findings table's columns.
var findingTable = storage.Table[Finding]{Name: "findings", Columns: []storage.Column[Finding]{
	{Name: "id", Field: func(f *Finding) any { return &f.ID }, Fixed: true},
	{Name: "fingerprint", Field: func(f *Finding) any { return &f.Fingerprint }, Fixed: true},
	{Name: "system_id", Field: func(f *Finding) any { return storage.OptionalID{P: &f.SystemID} }},
	{Name: "org_id", Field: func(f *Finding) any { return storage.OptionalID{P: &f.OrgID} }},
	{Name: "asset_id", Field: func(f *Finding) any { return storage.OptionalID{P: &f.AssetID} }},
	{Name: "rule_key", Field: func(f *Finding) any { return &f.RuleKey }, Fixed: true},
	{Name: "check_id", Field: func(f *Finding) any { return &f.CheckID }},
	{Name: "tool", Field: func(f *Finding) any { return &f.Tool }},
	{Name: "title", Field: func(f *Finding) any { return &f.Title }},
	{Name: "description", Field: func(f *Finding) any { return &f.Description }},
	{Name: "severity", Field: func(f *Finding) any { return (*string)(&f.Severity) }},
	{Name: "severity_rank", Field: func(f *Finding) any { return f.Severity.Rank() }, Derived: true},
	{Name: "cvss3", Field: func(f *Finding) any { return &f.CVSS3 }},
	{Name: "cvss3_score", Field: func(f *Finding) any { return &f.CVSS3Score }},
	{Name: "cvss4", Field: func(f *Finding) any { return &f.CVSS4 }},
	{Name: "cvss4_score", Field: func(f *Finding) any { return &f.CVSS4Score }},
	{Name: "cwe", Field: func(f *Finding) any { return &f.CWE }},
	{Name: "cves", Field: func(f *Finding) any { return listColumn{&f.CVEs} }},
	{Name: "kev", Field: func(f *Finding) any { return &f.KEV }},
	{Name: "epss", Field: func(f *Finding) any { return &f.EPSS }},
	{Name: "tags", Field: func(f *Finding) any { return listColumn{&f.Tags} }},
	{Name: "host", Field: func(f *Finding) any { return &f.Host }},
	{Name: "ip", Field: func(f *Finding) any { return &f.IP }},
	{Name: "port", Field: func(f *Finding) any { return &f.Port }},
	{Name: "protocol", Field: func(f *Finding) any { return &f.Protocol }},
	{Name: "url", Field: func(f *Finding) any { return &f.URL }},
	{Name: "parameter", Field: func(f *Finding) any { return &f.Parameter }},
	{Name: "location", Field: func(f *Finding) any { return &f.Location }},
	{Name: "evidence", Field: func(f *Finding) any { return &f.Evidence }},
	{Name: "request", Field: func(f *Finding) any { return &f.Request }},
	{Name: "response", Field: func(f *Finding) any { return &f.Response }},
	{Name: "remediation", Field: func(f *Finding) any { return &f.Remediation }},
	{Name: "refs", Field: func(f *Finding) any { return listColumn{&f.References} }},
	{Name: "exposed", Field: func(f *Finding) any { return &f.Exposed }},
	{Name: "priority", Field: func(f *Finding) any { return &f.Priority }},
	{Name: "status", Field: func(f *Finding) any { return (*string)(&f.Status) }},
	{Name: "regression", Field: func(f *Finding) any { return &f.Regression }},
	{Name: "assignee_org_id", Field: func(f *Finding) any { return storage.OptionalID{P: &f.AssigneeOrg} }},
	{Name: "assignee_user_id", Field: func(f *Finding) any { return storage.OptionalID{P: &f.AssigneeUser} }},
	{Name: "due_date", Field: func(f *Finding) any { return &f.DueDate }},
	{Name: "accepted_until", Field: func(f *Finding) any { return &f.AcceptedUntil }},
	{Name: "accepted_by", Field: func(f *Finding) any { return &f.AcceptedBy }},
	{Name: "hunt_id", Field: func(f *Finding) any { return storage.OptionalID{P: &f.HuntID} }},
	{Name: "search", Field: func(f *Finding) any { return searchKey(*f) }, Derived: true},
	{Name: "first_seen", Field: func(f *Finding) any { return storage.UTC{P: &f.FirstSeen} }},
	{Name: "last_seen", Field: func(f *Finding) any { return storage.UTC{P: &f.LastSeen} }},
	{Name: "times_seen", Field: func(f *Finding) any { return &f.TimesSeen }},
	{Name: "last_import_id", Field: func(f *Finding) any { return storage.OptionalID{P: &f.LastImport} }},
	{Name: "status_changed_at", Field: func(f *Finding) any { return storage.UTC{P: &f.StatusAt} }},
	{Name: "created_at", Field: func(f *Finding) any { return storage.UTC{P: &f.CreatedAt} }, Fixed: true},
	{Name: "updated_at", Field: func(f *Finding) any { return storage.UTC{P: &f.UpdatedAt} }},
}}

// Severity is the scanner's severity scale, the one every finding uses.
type Severity = check.Severity

// The severities, from most to least serious.
const (
	Critical = check.Critical
	High     = check.High
	Medium   = check.Medium
	Low      = check.Low
	Info     = check.Info
)
