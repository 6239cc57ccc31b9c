package finding

import (
	"time"
)

// Summary is what an import did. The first six fields are the contract of
// `khien import` and the imports API.
type Summary struct {
	Created    int    `json:"created"`
	Updated    int    `json:"updated"`
	Closed     int    `json:"closed"` // verified: no longer seen by a scan that reached the host
	Reopened   int    `json:"reopened"`
	Unassigned int    `json:"unassigned"`
	Skipped    int    `json:"skipped"`
	Unchanged  int    `json:"unchanged"`
	Skips      []Skip `json:"skipped_reasons"`
	Format     string `json:"format"`
	Read       int    `json:"observations"`
	Hunts      int    `json:"hunts_opened"`
}

// Skip says why one observation was not imported.
type Skip struct {
	Record int    `json:"record"` // 1-based position in the file
	Host   string `json:"host,omitempty"`
	Reason string `json:"reason"` // catalogue key
}

// maxSkips bounds the reasons kept; the count goes on.
const maxSkips = 100

func (s *Summary) skip(record int, host, reason string) {
	s.Skipped++
	if len(s.Skips) < maxSkips {
		s.Skips = append(s.Skips, Skip{Record: record, Host: host, Reason: reason})
	}
}

// add adds the counts of a chunk.
func (s *Summary) add(c Summary) {
	s.Created += c.Created
	s.Updated += c.Updated
	s.Reopened += c.Reopened
	s.Unassigned += c.Unassigned
	s.Unchanged += c.Unchanged
	s.Hunts += c.Hunts
}

// stored is what an import needs of a finding already in the database.
type stored struct {
	ID       int64
	SystemID int64
	OrgID    int64
	Status   Status
	LastSeen time.Time
	Severity string
	Title    string
	Evidence string
	Priority int
	HuntID   int64
}

// outcome is what one observation does to the stored finding.
type outcome int

const (
	created outcome = iota
	updated
	reopened
	unchanged
)

// observe decides what an observation seen at seen does to a stored
// finding: a settled finding (verified, closed) or a claimed fix that comes
// back is reopened; a false positive or an accepted risk stays as it is
// (that is what they mean) but is seen; anything else is seen again. A
// file imported twice changes nothing the second time: the same sighting
// (not later than the last) is unchanged.
func observe(old stored, f Finding, seen time.Time) (Status, outcome) {
	switch old.Status {
	case Verified, Closed, Fixed:
		return Reopened, reopened
	}
	if !seen.After(old.LastSeen) && old.Severity == string(f.Severity) && old.Title == f.Title && old.Evidence == f.Evidence && old.Priority == f.Priority {
		return old.Status, unchanged
	}
	return old.Status, updated
}
