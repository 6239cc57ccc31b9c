// Package campaign holds review campaigns (kế hoạch): a plan with its
// document and legal basis, the organisations (and optionally systems) in
// scope, phases with deadlines, and for each organisation the checklist of
// what it owes, with the files it submitted and the coordinator's review.
// Scan operations ask it which systems an active campaign covers.
package campaign

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
)

// Status is where a campaign stands.
type Status string

// Campaign statuses: a draft is prepared by the coordinator and unseen by
// agencies; an active one runs (and lets its systems be scanned); a closed
// one is history.
const (
	Draft  Status = "draft"
	Active Status = "active"
	Closed Status = "closed"
)

// Statuses lists the campaign statuses.
var Statuses = []string{string(Draft), string(Active), string(Closed)}

// ObligationStatus is where one organisation's obligation stands.
type ObligationStatus string

// Obligation statuses. Late is computed (see EffectiveStatus), never stored.
const (
	NotStarted ObligationStatus = "not_started"
	Submitted  ObligationStatus = "submitted"
	Late       ObligationStatus = "late"
	Accepted   ObligationStatus = "accepted"
	Returned   ObligationStatus = "returned"
)

// ObligationStatuses lists the obligation statuses.
var ObligationStatuses = []string{string(NotStarted), string(Submitted), string(Late), string(Accepted), string(Returned)}

// Phase kinds. A template may add free kinds (a merger's account review).
const (
	KindInventory         = "inventory"
	KindScanning          = "scanning"
	KindRemediationReport = "remediation_report"
	KindFinalReport       = "final_report"
	KindOther             = "other"
)

// PhaseKinds lists the phase kinds.
var PhaseKinds = []string{KindInventory, KindScanning, KindRemediationReport, KindFinalReport, "account_review", KindOther}

// Campaign is a review plan.
type Campaign struct {
	ID           int64     `json:"id"`
	Title        string    `json:"title"`
	DocumentNo   string    `json:"document_no"`
	DocumentDate string    `json:"document_date"`
	IssuingBody  string    `json:"issuing_body"`
	LegalBasis   string    `json:"legal_basis"`
	Year         int       `json:"year"`
	Template     string    `json:"template"`
	Status       Status    `json:"status"`
	Actor        string    `json:"actor"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Phase is one step of a campaign with its deadline.
type Phase struct {
	ID         int64  `json:"id"`
	CampaignID int64  `json:"campaign_id"`
	Position   int    `json:"position"`
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	StartsOn   string `json:"starts_on"`
	DueOn      string `json:"due_on"`
}

// Obligation is what one organisation owes in one phase.
type Obligation struct {
	ID          int64            `json:"id"`
	CampaignID  int64            `json:"campaign_id"`
	OrgID       int64            `json:"org_id"`
	PhaseID     int64            `json:"phase_id"`
	Title       string           `json:"title"`
	Status      ObligationStatus `json:"status"`
	Comment     string           `json:"comment"`
	SubmittedAt *time.Time       `json:"submitted_at,omitempty"`
	ReviewedAt  *time.Time       `json:"reviewed_at,omitempty"`
	Actor       string           `json:"actor"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// File is a file an organisation submitted for an obligation.
type File struct {
	ID          int64     `json:"id"`
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"at"`
}

// Event is one change in a campaign.
type Event struct {
	ID           int64            `json:"id"`
	At           time.Time        `json:"at"`
	Actor        string           `json:"actor"`
	Kind         string           `json:"kind"`
	ObligationID int64            `json:"obligation_id,omitempty"`
	OrgID        int64            `json:"org_id,omitempty"`
	OrgCode      string           `json:"org_code,omitempty"`
	From         ObligationStatus `json:"from_status,omitempty"`
	To           ObligationStatus `json:"to_status,omitempty"`
	Note         string           `json:"note,omitempty"`
}

// MaxFile is the largest file an organisation may submit.
const MaxFile = 10 << 20

// Input is what creating a campaign takes.
type Input struct {
	Title        string  `json:"title"`
	Year         int     `json:"year"`
	OrgIDs       []int64 `json:"org_ids"`
	SystemIDs    []int64 `json:"system_ids,omitempty"`
	Template     string  `json:"template,omitempty"`
	DocumentNo   string  `json:"document_no,omitempty"`
	DocumentDate string  `json:"document_date,omitempty"`
	IssuingBody  string  `json:"issuing_body,omitempty"`
	LegalBasis   string  `json:"legal_basis,omitempty"`
	// Status is draft or active; active when absent, so that a campaign
	// made through the API covers its systems at once.
	Status Status `json:"status,omitempty"`
}

// Edit changes a campaign's document fields; nil fields stay.
type Edit struct {
	Title        *string `json:"title,omitempty"`
	DocumentNo   *string `json:"document_no,omitempty"`
	DocumentDate *string `json:"document_date,omitempty"`
	IssuingBody  *string `json:"issuing_body,omitempty"`
	LegalBasis   *string `json:"legal_basis,omitempty"`
}

// Apply returns c with the edit's fields.
func (e Edit) Apply(c Campaign) Campaign {
	for _, f := range []struct {
		from *string
		to   *string
	}{{e.Title, &c.Title}, {e.DocumentNo, &c.DocumentNo}, {e.DocumentDate, &c.DocumentDate}, {e.IssuingBody, &c.IssuingBody}, {e.LegalBasis, &c.LegalBasis}} {
		if f.from != nil {
			*f.to = strings.TrimSpace(*f.from)
		}
	}
	return c
}

// Text limits.
const (
	maxTitle = 300
	maxField = 2000
)

// Validate checks a campaign's fields (the document and the year).
func (c *Campaign) Validate() validation.Errors {
	var es validation.Errors
	c.Title = strings.TrimSpace(c.Title)
	if c.Title == "" || utf8.RuneCountInString(c.Title) > maxTitle {
		es.Add("title", "campaign.err.title", maxTitle)
	}
	es.CheckText("title", c.Title, false)
	if c.Year < 2000 || c.Year > 2100 {
		es.Add("year", "campaign.err.year")
	}
	if c.DocumentDate != "" {
		if _, err := time.Parse(time.DateOnly, c.DocumentDate); err != nil {
			es.Add("document_date", "campaign.err.date")
		}
	}
	for _, f := range []struct{ name, v string }{{"document_no", c.DocumentNo}, {"issuing_body", c.IssuingBody}, {"legal_basis", c.LegalBasis}} {
		if utf8.RuneCountInString(f.v) > maxField {
			es.Add(f.name, "campaign.err.long", maxField)
		}
		es.CheckText(f.name, f.v, true)
	}
	return es
}

// Normalise checks the input and returns the campaign it describes.
func (in Input) Normalise() (Campaign, validation.Errors) {
	c := Campaign{Title: in.Title, Year: in.Year, Template: in.Template, DocumentNo: strings.TrimSpace(in.DocumentNo),
		DocumentDate: strings.TrimSpace(in.DocumentDate), IssuingBody: strings.TrimSpace(in.IssuingBody), LegalBasis: strings.TrimSpace(in.LegalBasis), Status: in.Status}
	es := c.Validate()
	if c.Status == "" {
		c.Status = Active
	}
	if c.Status != Draft && c.Status != Active {
		es.Add("status", "campaign.err.initial_status")
	}
	if c.Template != "" {
		if _, ok := TemplateByKey(c.Template); !ok {
			es.Add("template", "campaign.err.template", strings.Join(TemplateKeys(), ", "))
		}
	}
	if len(in.OrgIDs) == 0 {
		es.Add("org_ids", "campaign.err.orgs")
	}
	for _, id := range in.OrgIDs {
		if id <= 0 {
			es.Add("org_ids", "campaign.err.orgs")
			break
		}
	}
	return c, es
}

// Day is the calendar day of t in Vietnam, as ISO text.
func Day(t time.Time) string { return t.In(i18n.Vietnam).Format(time.DateOnly) }

// EffectiveStatus is what an obligation's status means on day today (ISO):
// one not submitted (or returned and not yet submitted again) after its
// phase's due date is late.
func EffectiveStatus(stored ObligationStatus, dueOn, today string) ObligationStatus {
	if (stored == NotStarted || stored == Returned) && dueOn != "" && today > dueOn {
		return Late
	}
	return stored
}

// CanSubmit reports whether an obligation in stored status takes a
// submission: not yet accepted. A submitted one takes more files.
func CanSubmit(stored ObligationStatus) bool { return stored != Accepted }

// CanReview reports whether an obligation may be accepted or returned:
// only once submitted.
func CanReview(stored ObligationStatus) bool { return stored == Submitted }

// Running reports whether a campaign covers its systems on day today
// (ISO): it is active, and today falls in one of its scanning phases, or
// in its year when it has none.
func Running(status Status, year int, phases []Phase, today string) bool {
	if status != Active {
		return false
	}
	scanning := false
	for _, p := range phases {
		if p.Kind != KindScanning {
			continue
		}
		scanning = true
		if (p.StartsOn == "" || p.StartsOn <= today) && today <= p.DueOn {
			return true
		}
	}
	if scanning {
		return false
	}
	return strings.HasPrefix(today, fmt.Sprintf("%04d-", year))
}

// EventKinds are the kinds of change a campaign records.
var EventKinds = []string{"created", "updated", "activated", "closed", "submitted", "accepted", "returned"}
