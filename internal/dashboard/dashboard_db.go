package dashboard

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// Get reads the dashboard of scope as the actor sees it at now. The reads
// run in one snapshot so the figures agree with each other. An organisation
// or system outside the actor's scope is access.ErrNotFound.
func Get(ctx context.Context, db *storage.Store, actor access.Actor, scope Scope, now time.Time) (Dashboard, error) {
	d := Dashboard{Scope: scope, Level: scope.Level(), Day: campaign.Day(now)}
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		if err := d.name(ctx, tx, actor); err != nil {
			return err
		}
		for _, read := range []func(context.Context, *storage.Tx, access.Actor, time.Time) error{
			d.readSeverities, d.readOverdue, d.readTrend, d.readMTTR, d.readCoverage, d.readCampaigns, d.readLevels,
		} {
			if err := read(ctx, tx, actor, now); err != nil {
				return err
			}
		}
		return nil
	})
	return d, err
}

// name checks the organisation or system is in the actor's scope and names it.
func (d *Dashboard) name(ctx context.Context, tx *storage.Tx, actor access.Actor) error {
	switch {
	case d.Scope.SystemID != 0:
		var path string
		err := tx.QueryRow(ctx, "SELECT s.name, s.org_id, o.path FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?", d.Scope.SystemID).
			Scan(&d.Name, &d.Scope.OrgID, &path)
		if storage.IsNoRows(err) {
			return access.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("dashboard system: %w", err)
		}
		return actor.Check(access.Read, path)
	case d.Scope.OrgID != 0:
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Read, d.Scope.OrgID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT name FROM orgs WHERE id = ?", d.Scope.OrgID).Scan(&d.Name)
	}
	return nil
}

// orgIn is the condition that column (an organisation id) is in the actor's
// scope and in the dashboard's organisation subtree. For a city-level reader
// with no organisation chosen it is empty: the unassigned findings count, as
// the findings list shows them.
func (d *Dashboard) orgIn(w *storage.Where, actor access.Actor, column string) {
	if !actor.Global() {
		cond, args := actor.OrgFilter("path")
		w.Add(column+" IN (SELECT id FROM orgs WHERE "+cond+")", args...)
	}
	if d.Scope.OrgID != 0 {
		w.Add(column+" IN (SELECT id FROM orgs WHERE path LIKE (SELECT path FROM orgs WHERE id = ?) || '%')", d.Scope.OrgID)
	}
}

// findingsWhere scopes findings (alias f).
func (d *Dashboard) findingsWhere(actor access.Actor) *storage.Where {
	w := storage.NewWhere("1=1")
	d.orgIn(w, actor, "f.org_id")
	if d.Scope.SystemID != 0 {
		w.Add("f.system_id = ?", d.Scope.SystemID)
	}
	return w
}

// systemsWhere scopes the systems in use (alias s), as the systems list shows them.
func (d *Dashboard) systemsWhere(actor access.Actor) *storage.Where {
	w := storage.NewWhere("s.archived_at IS NULL")
	d.orgIn(w, actor, "s.org_id")
	if d.Scope.SystemID != 0 {
		w.Add("s.id = ?", d.Scope.SystemID)
	}
	return w
}

func (d *Dashboard) severityRow(sev finding.Severity) *SeverityRow {
	for i := range d.Severities {
		if d.Severities[i].Severity == sev {
			return &d.Severities[i]
		}
	}
	return nil
}

// readSeverities reads the counts kept by the findings capability
// (finding_counts), a few hundred rows however many findings there are.
func (d *Dashboard) readSeverities(ctx context.Context, tx *storage.Tx, actor access.Actor, _ time.Time) error {
	for _, sev := range Severities {
		d.Severities = append(d.Severities, SeverityRow{Severity: sev, ByStatus: map[finding.Status]int{}})
	}
	w := storage.NewWhere("c.n <> 0")
	d.orgIn(w, actor, "c.org_id")
	if d.Scope.SystemID != 0 {
		w.Add("c.system_id = ?", d.Scope.SystemID)
	}
	return each(tx.Query(ctx, "SELECT c.severity, c.status, sum(c.n) FROM finding_counts c"+w.SQL()+" GROUP BY c.severity, c.status", w.Args()...))(func(r storage.Scanner) error {
		var sev, st string
		var n int
		if err := r.Scan(&sev, &st, &n); err != nil {
			return err
		}
		row := d.severityRow(finding.Severity(sev))
		if row == nil {
			return nil
		}
		row.ByStatus[finding.Status(st)] += n
		row.Total += n
		d.Total += n
		if finding.Status(st).Open() {
			row.Open += n
			d.Open += n
		}
		return nil
	})
}

// readOverdue counts the open findings past their due date by severity:
// the open ones (from the counts) less those not yet due or without a due
// date. The findings list's overdue filter is this condition's complement;
// counted this way, the index ranges read (findings_due_severity) are the
// findings still in time, few in a city that is behind, where the overdue
// ones would be most.
func (d *Dashboard) readOverdue(ctx context.Context, tx *storage.Tx, actor access.Actor, _ time.Time) error {
	query, args := union(2*len(Severities), func(i int) (string, []any) {
		w := d.findingsWhere(actor)
		w.Add("f.status IN ('new', 'reopened', 'confirmed', 'in_remediation', 'fixed') AND f.severity_rank = ?", Severities[i/2].Rank())
		if i%2 == 0 {
			w.Add("f.due_date = ''")
		} else {
			w.Add("f.due_date >= ?", d.Day)
		}
		return fmt.Sprintf("SELECT %d, count(*), 0 FROM findings f%s", i/2, w.SQL()), w.Args()
	})
	for i := range d.Severities {
		d.Severities[i].Overdue = d.Severities[i].Open
	}
	err := bySeverity(tx.Query(ctx, query, args...))(func(i, n int, _ float64) { d.Severities[i].Overdue -= n })
	for _, row := range d.Severities {
		d.Overdue += row.Overdue
	}
	return err
}

// union is the statements part(0) … part(n-1) as one, with their arguments:
// one index range each, where a GROUP BY or a CASE would sort or read every row.
func union(n int, part func(i int) (string, []any)) (string, []any) {
	parts := make([]string, n)
	var args []any
	for i := range parts {
		var a []any
		parts[i], a = part(i)
		args = append(args, a...)
	}
	return strings.Join(parts, " UNION ALL "), args
}

// bySeverity calls fn with each row of a union over Severities: the
// index, a count and a sum.
func bySeverity(rows *sql.Rows, err error) func(fn func(i, n int, sum float64)) error {
	return func(fn func(i, n int, sum float64)) error {
		return each(rows, err)(func(r storage.Scanner) error {
			var i, n int
			var sum float64
			if err := r.Scan(&i, &n, &sum); err != nil {
				return err
			}
			fn(i, n, sum)
			return nil
		})
	}
}

// monthCounts counts, for each month between the bounds starts, the
// findings matching w whose column falls in it, with union.
func monthCounts(column string, starts []time.Time, w *storage.Where) (string, []any) {
	return union(len(starts)-1, func(i int) (string, []any) {
		return fmt.Sprintf("SELECT %d, count(*), 0 FROM findings f%s AND %s >= ? AND %s < ?", i, w.SQL(), column, column), w.Args(starts[i], starts[i+1])
	})
}

// readTrend counts by month the findings first seen and those resolved.
func (d *Dashboard) readTrend(ctx context.Context, tx *storage.Tx, actor access.Actor, now time.Time) error {
	starts := MonthStarts(now, Months)
	for _, s := range starts[:Months] {
		d.Trend = append(d.Trend, Month{Month: MonthLabel(s)})
	}
	resolved := d.findingsWhere(actor)
	resolved.Add(resolvedIn)
	for _, c := range []struct {
		column string
		w      *storage.Where
		into   func(*Month, int)
	}{
		{"f.first_seen", d.findingsWhere(actor), func(m *Month, n int) { m.Found = n }},
		{"f.status_changed_at", resolved, func(m *Month, n int) { m.Resolved = n }},
	} {
		query, args := monthCounts(c.column, starts, c.w)
		if err := bySeverity(tx.Query(ctx, query, args...))(func(i, n int, _ float64) { c.into(&d.Trend[i], n) }); err != nil {
			return fmt.Errorf("dashboard trend: %w", err)
		}
	}
	return nil
}

// resolvedIn is the condition that a finding (alias f) is resolved.
const resolvedIn = "f.status IN ('verified', 'closed')"

// days is the duration from first seen to the last status change in days,
// written for the dialect (on SQLite as the index findings_resolution holds it).
func days(dialect string) string {
	if dialect == "postgres" {
		return "EXTRACT(EPOCH FROM (f.status_changed_at - f.first_seen)) / 86400.0"
	}
	return "julianday(f.status_changed_at) - julianday(f.first_seen)"
}

// readMTTR reads the mean time to remediate by severity, over every
// resolved finding in scope (on SQLite from the index findings_resolution).
func (d *Dashboard) readMTTR(ctx context.Context, tx *storage.Tx, actor access.Actor, _ time.Time) error {
	for _, sev := range Severities {
		d.MTTR = append(d.MTTR, Remediation{Severity: sev})
	}
	w := d.findingsWhere(actor)
	w.Add(resolvedIn)
	query, args := union(len(Severities), func(i int) (string, []any) {
		return fmt.Sprintf("SELECT %d, count(*), COALESCE(sum(%s), 0) FROM findings f%s AND f.severity_rank = ?", i, days(tx.Dialect().Name()), w.SQL()), w.Args(Severities[i].Rank())
	})
	return bySeverity(tx.Query(ctx, query, args...))(func(i, n int, total float64) {
		d.MTTR[i].Resolved, d.MTTR[i].MeanDays = n, MeanDays(total, n)
	})
}

// readCoverage counts the systems in use (not retired) and those with a
// complete scan in each window.
func (d *Dashboard) readCoverage(ctx context.Context, tx *storage.Tx, actor access.Actor, now time.Time) error {
	w := d.systemsWhere(actor)
	w.Add("s.status <> 'retired'")
	cols := "count(*)"
	var args []any
	for _, m := range CoverageMonths {
		cols += ", COALESCE(sum(CASE WHEN EXISTS (SELECT 1 FROM scans sc WHERE sc.system_id = s.id AND sc.status = 'done' AND sc.finished_at >= ?) THEN 1 ELSE 0 END), 0)"
		args = append(args, CoverageSince(now, m))
	}
	counts := make([]int, 1+len(CoverageMonths))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := tx.QueryRow(ctx, "SELECT "+cols+" FROM systems s"+w.SQL(), append(args, w.Args()...)...).Scan(dest...); err != nil {
		return fmt.Errorf("dashboard coverage: %w", err)
	}
	d.Coverage.Systems = counts[0]
	for i, m := range CoverageMonths {
		d.Coverage.Windows = append(d.Coverage.Windows, WindowCount{Months: m, Scanned: counts[i+1]})
	}
	if d.Scope.SystemID == 0 {
		return nil
	}
	err := tx.QueryRow(ctx, "SELECT finished_at FROM scans WHERE system_id = ? AND status = 'done' ORDER BY finished_at DESC LIMIT 1", d.Scope.SystemID).
		Scan(storage.OptionalUTC{P: &d.Coverage.LastScan})
	if err != nil && !storage.IsNoRows(err) {
		return fmt.Errorf("dashboard last scan: %w", err)
	}
	return nil
}

// readCampaigns reads the active campaigns' obligations of the
// organisations in scope, by stored status and phase due date, and reads
// them as campaign.EffectiveStatus does. A system has no obligations of
// its own: its dashboard shows its organisation's.
func (d *Dashboard) readCampaigns(ctx context.Context, tx *storage.Tx, actor access.Actor, _ time.Time) error {
	w := storage.NewWhere("c.status = ?", string(campaign.Active))
	d.orgIn(w, actor, "ob.org_id")
	if d.Scope.SystemID != 0 {
		w.Add("ob.org_id = ?", d.Scope.OrgID)
	}
	byID := map[int64]int{}
	return each(tx.Query(ctx, `SELECT c.id, c.title, ob.status, p.due_on, count(*) FROM campaign_obligations ob
		JOIN campaigns c ON c.id = ob.campaign_id JOIN campaign_phases p ON p.id = ob.phase_id`+w.SQL()+`
		GROUP BY c.id, c.title, ob.status, p.due_on ORDER BY c.id`, w.Args()...))(func(r storage.Scanner) error {
		var id int64
		var title, st, due string
		var n int
		if err := r.Scan(&id, &title, &st, &due, &n); err != nil {
			return err
		}
		i, ok := byID[id]
		if !ok {
			i = len(d.Campaigns)
			byID[id] = i
			d.Campaigns = append(d.Campaigns, CampaignProgress{ID: id, Title: title})
		}
		d.Campaigns[i].add(campaign.ObligationStatus(st), due, d.Day, n)
		return nil
	})
}

// readLevels counts the systems in use by security level, as the systems list filters them.
func (d *Dashboard) readLevels(ctx context.Context, tx *storage.Tx, actor access.Actor, _ time.Time) error {
	w := d.systemsWhere(actor)
	return each(tx.Query(ctx, "SELECT s.level, count(*) FROM systems s"+w.SQL()+" GROUP BY s.level ORDER BY s.level", w.Args()...))(func(r storage.Scanner) error {
		var l LevelCount
		if err := r.Scan(&l.Level, &l.Systems); err != nil {
			return err
		}
		d.Levels = append(d.Levels, l)
		return nil
	})
}

// each calls fn on every row.
func each(rows *sql.Rows, err error) func(fn func(storage.Scanner) error) error {
	return func(fn func(storage.Scanner) error) error {
		if err != nil {
			return fmt.Errorf("dashboard: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return fmt.Errorf("dashboard: %w", err)
			}
		}
		return rows.Err()
	}
}
