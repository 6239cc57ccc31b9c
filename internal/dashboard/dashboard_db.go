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

// readOverdue counts the open findings past their due date, written as the
// findings list's overdue filter so that the partial index findings_open_due serves.
func (d *Dashboard) readOverdue(ctx context.Context, tx *storage.Tx, actor access.Actor, now time.Time) error {
	w := d.findingsWhere(actor)
	w.Add("f.due_date <> '' AND f.due_date < ? AND f.status IN ('new', 'reopened', 'confirmed', 'in_remediation', 'fixed')", d.Day)
	return each(tx.Query(ctx, "SELECT f.severity, count(*) FROM findings f"+w.SQL()+" GROUP BY f.severity", w.Args()...))(func(r storage.Scanner) error {
		var sev string
		var n int
		if err := r.Scan(&sev, &n); err != nil {
			return err
		}
		if row := d.severityRow(finding.Severity(sev)); row != nil {
			row.Overdue += n
		}
		d.Overdue += n
		return nil
	})
}

// bucket is a CASE giving the index of the month of column among starts
// (the bounds MonthStarts returns), with its arguments.
func bucket(column string, starts []time.Time) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(starts)-1)
	b.WriteString("CASE")
	for i, end := range starts[1:] {
		fmt.Fprintf(&b, " WHEN %s < ? THEN %d", column, i)
		args = append(args, end)
	}
	b.WriteString(" END")
	return b.String(), args
}

// readTrend counts by month the findings first seen and those resolved.
func (d *Dashboard) readTrend(ctx context.Context, tx *storage.Tx, actor access.Actor, now time.Time) error {
	starts := MonthStarts(now, Months)
	for _, s := range starts[:Months] {
		d.Trend = append(d.Trend, Month{Month: MonthLabel(s)})
	}
	count := func(column string, extra string, extraArgs []any, into func(*Month, int)) error {
		w := d.findingsWhere(actor)
		w.Add(column+" >= ? AND "+column+" < ?", starts[0], starts[Months])
		if extra != "" {
			w.Add(extra, extraArgs...)
		}
		expr, args := bucket(column, starts)
		return each(tx.Query(ctx, "SELECT "+expr+" AS m, count(*) FROM findings f"+w.SQL()+" GROUP BY m", append(args, w.Args()...)...))(func(r storage.Scanner) error {
			var i, n int
			if err := r.Scan(&i, &n); err != nil {
				return err
			}
			if i >= 0 && i < Months {
				into(&d.Trend[i], n)
			}
			return nil
		})
	}
	if err := count("f.first_seen", "", nil, func(m *Month, n int) { m.Found = n }); err != nil {
		return fmt.Errorf("dashboard trend: %w", err)
	}
	cond, args := resolvedIn()
	if err := count("f.status_changed_at", cond, args, func(m *Month, n int) { m.Resolved = n }); err != nil {
		return fmt.Errorf("dashboard trend: %w", err)
	}
	return nil
}

// resolvedIn is the condition that a finding (alias f) is resolved.
func resolvedIn() (string, []any) {
	args := make([]any, len(Resolved))
	for i, s := range Resolved {
		args[i] = string(s)
	}
	return "f.status IN (?" + strings.Repeat(", ?", len(args)-1) + ")", args
}

// days is the duration from first seen to the last status change in days,
// written for the dialect.
func days(dialect string) string {
	if dialect == "postgres" {
		return "EXTRACT(EPOCH FROM (f.status_changed_at - f.first_seen)) / 86400.0"
	}
	return "julianday(f.status_changed_at) - julianday(f.first_seen)"
}

// readMTTR reads the mean time to remediate by severity, over every
// resolved finding in scope.
func (d *Dashboard) readMTTR(ctx context.Context, tx *storage.Tx, actor access.Actor, _ time.Time) error {
	byRank := map[int]*Remediation{}
	for _, sev := range Severities {
		d.MTTR = append(d.MTTR, Remediation{Severity: sev})
	}
	for i := range d.MTTR {
		byRank[d.MTTR[i].Severity.Rank()] = &d.MTTR[i]
	}
	w := d.findingsWhere(actor)
	cond, args := resolvedIn()
	w.Add(cond, args...)
	return each(tx.Query(ctx, "SELECT f.severity_rank, count(*), COALESCE(sum("+days(tx.Dialect().Name())+"), 0) FROM findings f"+w.SQL()+" GROUP BY f.severity_rank", w.Args()...))(func(r storage.Scanner) error {
		var rank, n int
		var total float64
		if err := r.Scan(&rank, &n, &total); err != nil {
			return err
		}
		if m := byRank[rank]; m != nil {
			m.Resolved, m.MeanDays = n, MeanDays(total, n)
		}
		return nil
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
