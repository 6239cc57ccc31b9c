package finding

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/storage"
)

// The counts of findings by system, severity and status are kept in
// finding_counts, changed in the same transaction as the findings, so that
// the counts of a whole city and the totals of simple lists cost a few
// hundred rows instead of a million. System 0 is the unassigned queue.

// countKey is one cell of the counts.
type countKey struct {
	system, org int64
	sev         Severity
	st          Status
}

// tally is a change to the counts, applied with the change to the findings.
type tally map[countKey]int

func (t tally) add(system, org int64, sev Severity, st Status, n int) {
	t[countKey{system, org, sev, st}] += n
}

// move counts a finding out of one cell and into another.
func (t tally) move(system, org int64, fromSev Severity, from Status, toSev Severity, to Status) {
	t.add(system, org, fromSev, from, -1)
	t.add(system, org, toSev, to, 1)
}

// apply writes the change.
func (t tally) apply(ctx context.Context, tx *storage.Tx) error {
	for k, n := range t {
		if n == 0 {
			continue
		}
		_, err := tx.Exec(ctx, `INSERT INTO finding_counts (system_id, org_id, severity, status, n) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (system_id, severity, status) DO UPDATE SET n = finding_counts.n + excluded.n, org_id = excluded.org_id`,
			k.system, k.org, string(k.sev), string(k.st), n)
		if err != nil {
			return fmt.Errorf("finding counts: %w", err)
		}
	}
	clear(t)
	return nil
}

// simple reports whether the counts table alone answers a filter: only
// the organisation, the system, the queue, severities and statuses.
func (f Filter) simple() bool {
	return !f.Overdue && f.Tool == "" && f.CVE == "" && !f.KEV && f.Host == "" && f.AssigneeUser == 0 && f.Query == "" && f.Found == "" && f.Resolved == ""
}

// countsWhere are the filter's conditions on finding_counts (alias c).
func (f Filter) countsWhere(actor access.Actor) (*storage.Where, error) {
	cond, args := actor.OrgFilter("path")
	w := storage.NewWhere("c.n <> 0")
	if !actor.Global() {
		w.Add("c.org_id IN (SELECT id FROM orgs WHERE "+cond+")", args...)
	}
	if f.OrgID != 0 {
		w.Add("c.org_id IN (SELECT id FROM orgs WHERE path LIKE (SELECT path FROM orgs WHERE id = ?) || '%')", f.OrgID)
	}
	if f.SystemID != 0 {
		w.Add("c.system_id = ?", f.SystemID)
	}
	if f.Unassigned {
		w.Add("c.system_id = 0")
	}
	sevs, err := f.severityRanks()
	if err != nil {
		return nil, err
	}
	if len(sevs) > 0 {
		names := make([]any, len(sevs))
		for i, r := range sevs {
			names[i] = string(severityOfRank(r.(int)))
		}
		w.Add("c.severity IN ("+marks(len(names))+")", names...)
	}
	sts, err := f.statuses()
	if err != nil {
		return nil, err
	}
	if len(sts) > 0 {
		w.Add("c.status IN ("+marks(len(sts))+")", sts...)
	}
	return w, nil
}

// countTotal is the number of findings a simple filter matches.
func countTotal(ctx context.Context, q storage.Querier, actor access.Actor, f Filter) (int, error) {
	w, err := f.countsWhere(actor)
	if err != nil {
		return 0, err
	}
	var n int
	err = q.QueryRow(ctx, "SELECT COALESCE(sum(c.n), 0) FROM finding_counts c"+w.SQL(), w.Args()...).Scan(&n)
	return n, err
}
