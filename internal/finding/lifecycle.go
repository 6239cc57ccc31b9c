package finding

import (
	"slices"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/validation"
)

// Move is a status change someone asks for.
type Move struct {
	To   Status `json:"status"`
	Note string `json:"note"`
	// Risk acceptance: who approved it and until when (YYYY-MM-DD).
	Approver string `json:"approver,omitempty"`
	Until    string `json:"until,omitempty"`
	// HasEvidence: a file is attached to the finding (a fix may be claimed
	// with a file instead of a note).
	HasEvidence bool `json:"-"`
}

// transition is one allowed manual move and who may make it.
type transition struct {
	from  []Status
	roles []access.Role
}

var (
	workers  = []access.Role{access.Admin, access.Coordinator, access.Auditor, access.AgencyAdmin, access.AgencyOperator}
	auditors = []access.Role{access.Admin, access.Coordinator, access.Auditor}
	leaders  = []access.Role{access.Admin, access.Coordinator, access.AgencyAdmin}
	notFixed = []Status{New, Reopened, Confirmed, InRemediation}
)

// transitions are the manual moves. Imports make the others: reopening a
// finding seen again and verifying one no longer seen.
var transitions = map[Status]transition{
	Confirmed:     {from: []Status{New, Reopened}, roles: workers},
	InRemediation: {from: []Status{New, Reopened, Confirmed, Fixed}, roles: workers},
	Fixed:         {from: notFixed, roles: workers},
	Verified:      {from: []Status{Fixed}, roles: auditors},
	Closed:        {from: []Status{Fixed, Verified}, roles: auditors},
	FalsePositive: {from: OpenStatuses(), roles: auditors},
	RiskAccepted:  {from: OpenStatuses(), roles: leaders},
	Reopened:      {from: []Status{Verified, Closed, FalsePositive, RiskAccepted}, roles: leaders},
}

// maxAcceptance is the longest a risk may be accepted before it is looked at again.
const maxAcceptance = 366 * 24 * time.Hour

// CheckMove decides whether role may move a finding from status from with m,
// on day today (YYYY-MM-DD). A finding claimed fixed needs evidence; a false
// positive, a rejected claim and a reopening need a reason; an accepted risk
// needs a reason, an approver and an expiry within a year.
func CheckMove(from Status, role access.Role, m Move, today time.Time) error {
	t, ok := transitions[m.To]
	if !ok {
		return validation.Invalid("status", "finding.err.status", string(m.To))
	}
	if !slices.Contains(t.from, from) {
		return validation.Invalid("status", "finding.err.move", string(from), string(m.To))
	}
	if !slices.Contains(t.roles, role) {
		return access.Denied(role, access.Write)
	}
	var errs validation.Errors
	switch {
	case m.To == Fixed && m.Note == "" && !m.HasEvidence:
		errs.Add("note", "finding.err.evidence")
	case m.To == FalsePositive || m.To == Reopened || m.To == RiskAccepted || (m.To == InRemediation && from == Fixed):
		if m.Note == "" {
			errs.Add("note", "finding.err.reason")
		}
	}
	if m.To == RiskAccepted {
		if m.Approver == "" {
			errs.Add("approver", "finding.err.approver")
		}
		until, err := time.ParseInLocation(time.DateOnly, m.Until, today.Location())
		switch {
		case err != nil:
			errs.Add("until", "finding.err.until")
		case !until.After(today) || until.Sub(today) > maxAcceptance:
			errs.Add("until", "finding.err.until_range")
		}
	}
	return errs.Err()
}
