package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/dashboard"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
)

// Bounds of the organisation report: a city with 500 systems and 200,000 findings still gets
// a document people read. The tables by system and by unit are whole (one row each, from SQL
// aggregates); the lists of findings are the most serious and the longest overdue.
const (
	orgTopRisks    = 20 // open critical and high findings listed as the top risks
	longestOverdue = 20 // overdue findings listed, the longest overdue first
	criticalNames  = 10 // systems named in the conclusion as still having critical findings
)

// reviewMonths is the window in which a system counts as reviewed: Directive 18 asks for a
// scan at least every six months (the dashboard's coverage window).
const reviewMonths = 6

// orgScope is the organisation a report covers, with those below it, as the actor sees it.
type orgScope struct {
	actor access.Actor
	org   identity.Org
}

// readScope reads the organisation id in the actor's scope (access.ErrNotFound outside it)
// and the header of the documents it issues.
func readScope(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64) (orgScope, orgHeader, error) {
	org, err := identity.GetOrg(ctx, tx, actor, id)
	if err != nil {
		return orgScope{}, orgHeader{}, err
	}
	h, err := readHeader(ctx, tx, id)
	return orgScope{actor: actor, org: org}, h, err
}

// in adds the condition that column (an organisation id) is in the report's subtree and in
// the actor's scope, as the dashboard scopes its figures.
func (s orgScope) in(w *storage.Where, column string) {
	if !s.actor.Global() {
		cond, args := s.actor.OrgFilter("path")
		w.Add(column+" IN (SELECT id FROM orgs WHERE "+cond+")", args...)
	}
	w.Add(column+" IN (SELECT id FROM orgs WHERE path LIKE ?)", s.org.Path+"%")
}

// tally is the findings of a system or an organisation: all and open ones by severity, the
// overdue ones by severity, and the resolved ones (dashboard.Resolved).
type tally struct {
	all, open, overdue map[finding.Severity]int
	total, resolved    int
}

func newTally() tally {
	return tally{all: map[finding.Severity]int{}, open: map[finding.Severity]int{}, overdue: map[finding.Severity]int{}}
}

// count adds n findings of severity and status.
func (t *tally) count(sev finding.Severity, st finding.Status, n int) {
	t.all[sev] += n
	t.total += n
	if st.Open() {
		t.open[sev] += n
	}
	if slices.Contains(dashboard.Resolved, st) {
		t.resolved += n
	}
}

func sum(m map[finding.Severity]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// systemRow is one system in use with its findings and last complete scan.
type systemRow struct {
	id, orgID int64
	name      string
	level     int
	status    string
	lastScan  *time.Time
	tally
}

// unitRow is one organisation directly under the report's, with everything below it, or
// the report's organisation itself (own) with only its own systems and findings.
type unitRow struct {
	org               identity.Org
	own               bool
	systems, reviewed int
	tally
}

// orgData is what the organisation report shows, read in one snapshot.
type orgData struct {
	scope       orgScope
	header      orgHeader
	orgs        map[int64]identity.Org // the subtree
	systems     []systemRow            // by name
	systemAt    map[int64]int          // index in systems by id
	units       []unitRow              // empty when the organisation has no units below it
	total       tally
	reviewed    int // systems scanned within reviewMonths
	risks       []finding.View
	overdue     []finding.View // the longest overdue first
	obligations []campaign.ObligationView
	dash        dashboard.Dashboard
}

// Org is the report of an organisation and those below it as of now, in lang: the
// organisation, its systems in use (level, status, last scan, open findings by severity,
// overdue, rating), a row per unit below it (systems reviewed, findings by severity, share
// fixed, overdue), the dashboard's charts, the top risks, the overdue findings, its campaign
// obligations and a conclusion drawn from the figures. An organisation outside the actor's
// scope is access.ErrNotFound.
func Org(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, lang string, now time.Time) (*document.Document, error) {
	lang = i18n.Negotiate(lang)
	var d orgData
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		var err error
		d, err = readOrg(ctx, tx, actor, orgID, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.dash, err = dashboard.Get(ctx, db, actor, dashboard.Scope{OrgID: orgID}, now); err != nil {
		return nil, err
	}
	return orgDocument(d, lang, now)
}

// readOrg reads the report's data in the actor's scope: aggregates by system and
// organisation, never every finding.
func readOrg(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64, now time.Time) (orgData, error) {
	d := orgData{total: newTally(), orgs: map[int64]identity.Org{}, systemAt: map[int64]int{}}
	var err error
	if d.scope, d.header, err = readScope(ctx, tx, actor, id); err != nil {
		return d, err
	}
	subtree, err := identity.Subtree(ctx, tx, actor, id)
	if err != nil {
		return d, err
	}
	for _, o := range subtree {
		d.orgs[o.ID] = o
		if o.ParentID == id {
			d.units = append(d.units, unitRow{org: o, tally: newTally()})
		}
	}
	if len(d.units) > 0 {
		slices.SortFunc(d.units, func(a, b unitRow) int { return cmp.Compare(i18n.Fold(a.org.Name), i18n.Fold(b.org.Name)) })
		d.units = append(d.units, unitRow{org: d.scope.org, own: true, tally: newTally()})
	}
	if err := d.readSystems(ctx, tx); err != nil {
		return d, err
	}
	if err := d.readCounts(ctx, tx, campaign.Day(now)); err != nil {
		return d, err
	}
	if err := d.readLastScans(ctx, tx, dashboard.CoverageSince(now, reviewMonths)); err != nil {
		return d, err
	}
	d.dropIdleUnits()
	open := []string{"open"}
	risks, err := finding.List(ctx, tx, actor, finding.Filter{OrgID: id, Status: open, Severity: []string{"critical", "high"}, Sort: "priority"}, storage.First(orgTopRisks))
	if err != nil {
		return d, err
	}
	late, err := finding.List(ctx, tx, actor, finding.Filter{OrgID: id, Overdue: true, Sort: "due"}, storage.First(longestOverdue))
	if err != nil {
		return d, err
	}
	d.risks, d.overdue = risks.Items, late.Items
	d.obligations, err = storage.All(func(p storage.Page) (storage.Paged[campaign.ObligationView], error) {
		return campaign.ListObligations(ctx, tx, actor, campaign.ObligationFilter{OrgID: id}, p)
	})
	return d, err
}

// unit is the row of the units table an organisation of the subtree counts in, or nil.
func (d *orgData) unit(orgID int64) *unitRow {
	if len(d.units) == 0 {
		return nil
	}
	if orgID == d.scope.org.ID {
		return &d.units[len(d.units)-1]
	}
	// The unit is the first organisation on the path below the report's ("/1/4/" + "9/12/").
	rest := strings.TrimPrefix(d.orgs[orgID].Path, d.scope.org.Path)
	first, _, _ := strings.Cut(rest, "/")
	unitID, err := strconv.ParseInt(first, 10, 64)
	if err != nil {
		return nil
	}
	for i := range d.units {
		if d.units[i].org.ID == unitID && !d.units[i].own {
			return &d.units[i]
		}
	}
	return nil
}

// system is the row of the systems table of the system id, or nil (retired, archived, none).
func (d *orgData) system(id int64) *systemRow {
	if i, ok := d.systemAt[id]; ok {
		return &d.systems[i]
	}
	return nil
}

// readSystems reads the systems in use in scope (not archived, not retired: those the
// dashboard's coverage counts).
func (d *orgData) readSystems(ctx context.Context, tx *storage.Tx) error {
	w := storage.NewWhere("s.archived_at IS NULL AND s.status <> 'retired'")
	d.scope.in(w, "s.org_id")
	rows, err := tx.Query(ctx, "SELECT s.id, s.org_id, s.name, s.level, s.status FROM systems s"+w.SQL(), w.Args()...)
	err = storage.Each(rows, err, func(r storage.Scanner) error {
		s := systemRow{tally: newTally()}
		if err := r.Scan(&s.id, &s.orgID, &s.name, &s.level, &s.status); err != nil {
			return err
		}
		d.systems = append(d.systems, s)
		return nil
	})
	if err != nil {
		return fmt.Errorf("organisation report systems: %w", err)
	}
	// By name in Go, not by the database's collation, so that both databases agree.
	slices.SortFunc(d.systems, func(a, b systemRow) int {
		return cmp.Or(cmp.Compare(i18n.Fold(a.name), i18n.Fold(b.name)), cmp.Compare(a.id, b.id))
	})
	for i, s := range d.systems {
		d.systemAt[s.id] = i
		if u := d.unit(s.orgID); u != nil {
			u.systems++
		}
	}
	return nil
}

// readCounts reads the findings by system, organisation, severity and status from the
// counts the findings capability keeps (finding_counts), and the overdue ones from the
// index of open findings by due date (today is the day in Vietnam).
func (d *orgData) readCounts(ctx context.Context, tx *storage.Tx, today string) error {
	w := storage.NewWhere("c.n <> 0")
	d.scope.in(w, "c.org_id")
	rows, err := tx.Query(ctx, "SELECT c.system_id, c.org_id, c.severity, c.status, c.n FROM finding_counts c"+w.SQL(), w.Args()...)
	err = storage.Each(rows, err, func(r storage.Scanner) error {
		var systemID, orgID int64
		var sev, st string
		var n int
		if err := r.Scan(&systemID, &orgID, &sev, &st, &n); err != nil {
			return err
		}
		for _, t := range d.tallies(systemID, orgID) {
			t.count(finding.Severity(sev), finding.Status(st), n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("organisation report counts: %w", err)
	}
	w = storage.NewWhere("f.due_date <> '' AND f.due_date < ? AND "+openIn, today)
	d.scope.in(w, "f.org_id")
	rows, err = tx.Query(ctx, "SELECT COALESCE(f.system_id, 0), f.org_id, f.severity, count(*) FROM findings f"+w.SQL()+" GROUP BY f.system_id, f.org_id, f.severity", w.Args()...)
	err = storage.Each(rows, err, func(r storage.Scanner) error {
		var systemID, orgID int64
		var sev string
		var n int
		if err := r.Scan(&systemID, &orgID, &sev, &n); err != nil {
			return err
		}
		for _, t := range d.tallies(systemID, orgID) {
			t.overdue[finding.Severity(sev)] += n
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("organisation report overdue findings: %w", err)
	}
	return nil
}

// tallies are the tallies a count of the system and organisation adds to: the whole
// scope's, its unit's and its system's.
func (d *orgData) tallies(systemID, orgID int64) []*tally {
	out := []*tally{&d.total}
	if u := d.unit(orgID); u != nil {
		out = append(out, &u.tally)
	}
	if s := d.system(systemID); s != nil {
		out = append(out, &s.tally)
	}
	return out
}

// readLastScans reads each system's last complete scan and counts those since reviewed.
// The scan's own column is read (not max()), so that both drivers return a time.
func (d *orgData) readLastScans(ctx context.Context, tx *storage.Tx, reviewed time.Time) error {
	w := storage.NewWhere("s.archived_at IS NULL AND s.status <> 'retired' AND sc.status = 'done'")
	d.scope.in(w, "s.org_id")
	w.Add("sc.finished_at = (SELECT max(x.finished_at) FROM scans x WHERE x.system_id = sc.system_id AND x.status = 'done')")
	rows, err := tx.Query(ctx, "SELECT sc.system_id, sc.finished_at FROM scans sc JOIN systems s ON s.id = sc.system_id"+w.SQL(), w.Args()...)
	err = storage.Each(rows, err, func(r storage.Scanner) error {
		var id int64
		var at time.Time
		if err := r.Scan(&id, storage.UTC{P: &at}); err != nil {
			return err
		}
		s := d.system(id)
		if s == nil || s.lastScan != nil {
			return nil
		}
		s.lastScan = &at
		if !at.Before(reviewed) {
			d.reviewed++
			if u := d.unit(s.orgID); u != nil {
				u.reviewed++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("organisation report scans: %w", err)
	}
	return nil
}

// dropIdleUnits leaves out of the units table the rows with nothing to show: an archived
// unit (merged away), or the organisation's own row when it has no systems or findings.
func (d *orgData) dropIdleUnits() {
	d.units = slices.DeleteFunc(d.units, func(u unitRow) bool {
		return (u.own || u.org.ArchivedAt != nil) && u.systems == 0 && u.total == 0
	})
	if len(d.units) == 1 && d.units[0].own {
		d.units = nil
	}
}

// orgDocument lays the data out as the report.
func orgDocument(d orgData, lang string, now time.Time) (*document.Document, error) {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	org := d.scope.org
	doc := &document.Document{
		Lang:        lang,
		Date:        now,
		DataAsOf:    now,
		Title:       t("report.title"),
		Subtitle:    t("report.org.subtitle", org.Name),
		Description: t("report.org.subtitle", org.Name),
	}
	d.header.apply(doc, lang)
	b := &bodyBuilder{lang: lang}
	today := campaign.Day(now)

	b.heading(1, t("report.org.h.org"))
	b.orgTable(d)

	b.heading(1, t("report.org.h.systems"))
	b.para(t("report.org.systems", len(d.systems), d.reviewed, reviewMonths))
	b.systemsTable(d)

	if len(d.units) > 0 {
		b.heading(1, t("report.org.h.units"))
		b.para(t("report.org.units", reviewMonths))
		b.unitsTable(d)
	}

	b.heading(1, t("report.org.h.figures"))
	b.para(t("report.org.totals", d.total.total, sum(d.total.open), sum(d.total.overdue), dashboard.Percent(d.total.resolved, d.total.total)))
	if err := b.figures(d.dash); err != nil {
		return nil, err
	}

	b.heading(1, t("report.org.h.risks"))
	b.orgRisks(d)

	b.heading(1, t("report.org.h.overdue"))
	b.overdueSummary(d, today)

	if len(d.obligations) > 0 {
		b.heading(1, t("report.org.h.campaigns"))
		b.obligations(d.obligations)
	}

	b.heading(1, t("report.org.h.conclusion"))
	b.orgConclusion(d)
	doc.Body = b.blocks
	return doc, nil
}

func (b *bodyBuilder) orgTable(d orgData) {
	txt := document.Text
	org := d.scope.org
	parent := cmp.Or(governingBody(d.header.parent), "—")
	units := 0
	for _, o := range d.orgs {
		if o.ParentID == org.ID && o.ArchivedAt == nil {
			units++
		}
	}
	rows := [][]document.Cell{
		{txt(b.t("report.org.f.name")), txt(org.Name)},
		{txt(b.t("report.org.f.code")), txt(org.Code)},
		{txt(b.t("report.org.f.parent")), txt(parent)},
		{txt(b.t("report.org.f.units")), document.Number(float64(units))},
		{txt(b.t("report.org.f.systems")), document.Number(float64(len(d.systems)))},
	}
	b.table(b.t("report.org.t.org"), []document.Column{{Header: "report.col.item", Width: 2}, {Header: "report.col.value", Width: 5}}, rows)
}

// ratedColumns are the severities of the tables by system and by unit.
var ratedColumns = []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low}

// Column widths of the organisation report and the follow-up list, in millimetres of the
// 165 mm of text (the document scales them to it), so that "STT", a date and the longest
// word of each severity's name fit on one line: at 12 pt, and at 10 pt in tables of more
// than eight columns (the document sets those smaller).
const (
	noWidth, dateWidth         = 11, 22.5
	wideNoWidth, wideDateWidth = 10, 19.5
)

var severityWidths = map[finding.Severity]float64{finding.Critical: 15, finding.High: 10, finding.Medium: 12.5, finding.Low: 11}

// severityColumns are ratedColumns as table columns, after cols.
func severityColumns(cols []document.Column) []document.Column {
	for _, s := range ratedColumns {
		cols = append(cols, document.Column{Header: "finding.severity." + string(s), Width: severityWidths[s]})
	}
	return cols
}

func num(n int) document.Cell { return document.Number(float64(n)) }

// bySeverity are the cells of counts in the order of ratedColumns.
func bySeverity(counts map[finding.Severity]int) []document.Cell {
	cells := make([]document.Cell, len(ratedColumns))
	for i, s := range ratedColumns {
		cells[i] = num(counts[s])
	}
	return cells
}

// systemsTable lists the systems in use with their open findings; the owner is a column
// when the organisation has units below it.
func (b *bodyBuilder) systemsTable(d orgData) {
	if len(d.systems) == 0 {
		return
	}
	withOwner := len(d.units) > 0
	cols := []document.Column{{Header: "report.col.no", Width: wideNoWidth}, {Header: "report.org.col.system", Width: 20}}
	if withOwner {
		cols = append(cols, document.Column{Header: "report.org.col.org", Width: 16})
	}
	cols = append(cols, document.Column{Header: "report.org.col.level", Width: 11}, document.Column{Header: "report.org.col.sys_status", Width: 13}, document.Column{Header: "report.org.col.last_scan", Width: wideDateWidth})
	cols = append(severityColumns(cols), document.Column{Header: "report.col.overdue", Width: 10}, document.Column{Header: "report.org.col.rating", Width: 15})
	rows := make([][]document.Cell, len(d.systems))
	for i, s := range d.systems {
		row := []document.Cell{num(i + 1), document.Text(s.name)}
		if withOwner {
			row = append(row, document.Text(d.orgs[s.orgID].Name))
		}
		scan := document.Text(b.t("report.org.never_scanned"))
		if s.lastScan != nil {
			scan = document.Date(*s.lastScan)
		}
		row = append(row, document.Text(b.t("inv.level."+strconv.Itoa(s.level))), document.Text(b.t("inv.status."+s.status)), scan)
		row = append(append(row, bySeverity(s.open)...), num(sum(s.overdue)), document.Text(b.t("report.rating."+string(Rate(s.open)))))
		rows[i] = row
	}
	b.table(b.t("report.org.t.systems"), cols, rows)
}

// unitsTable is a row per unit below the organisation: systems reviewed, every finding by
// severity, the share resolved and the overdue ones; then the total.
func (b *bodyBuilder) unitsTable(d orgData) {
	cols := severityColumns([]document.Column{{Header: "report.col.no", Width: wideNoWidth}, {Header: "report.org.col.org", Width: 27},
		{Header: "report.org.col.systems", Width: 14}, {Header: "report.org.col.reviewed", Width: 12}})
	cols = append(cols, document.Column{Header: "report.col.all", Width: 12}, document.Column{Header: "report.org.col.fixed_pct", Width: 15}, document.Column{Header: "report.col.overdue", Width: 10})
	row := func(no document.Cell, name string, systems, reviewed int, t tally) []document.Cell {
		cells := append([]document.Cell{no, document.Text(name), num(systems), num(reviewed)}, bySeverity(t.all)...)
		return append(cells, num(t.total), num(dashboard.Percent(t.resolved, t.total)), num(sum(t.overdue)))
	}
	var rows [][]document.Cell
	for i, u := range d.units {
		name := u.org.Name
		if u.own {
			name = b.t("report.org.own_unit", name)
		}
		rows = append(rows, row(num(i+1), name, u.systems, u.reviewed, u.tally))
	}
	rows = append(rows, row(document.Text(""), b.t("report.col.total"), len(d.systems), d.reviewed, d.total))
	b.table(b.t("report.org.t.units"), cols, rows)
}

// orgName is the name of the organisation of a finding in the report's subtree.
func (d orgData) orgName(id int64) string { return cmp.Or(d.orgs[id].Name, "—") }

// dueCell is a due date as a date cell, "—" without one.
func dueCell(due string) document.Cell {
	if d, err := time.ParseInLocation(time.DateOnly, due, i18n.Vietnam); err == nil {
		return document.Date(d)
	}
	return document.Text("—")
}

// daysLate is the number of days from the due date to today, both "YYYY-MM-DD"; 0 when not late.
func daysLate(due, today string) int {
	d, err1 := time.Parse(time.DateOnly, due)
	t, err2 := time.Parse(time.DateOnly, today)
	if err1 != nil || err2 != nil || !d.Before(t) {
		return 0
	}
	return int(t.Sub(d).Hours() / 24)
}

func (b *bodyBuilder) orgRisks(d orgData) {
	serious := d.total.open[finding.Critical] + d.total.open[finding.High]
	if len(d.risks) == 0 {
		b.para(b.t("report.org.no_risks"))
		return
	}
	b.para(b.t("report.org.risks", serious, len(d.risks)))
	rows := make([][]document.Cell, len(d.risks))
	for i, v := range d.risks {
		kev := ""
		if v.KEV {
			kev = b.t("report.yes")
		}
		rows[i] = []document.Cell{num(i + 1), document.Text(v.Title), document.Text(b.t("finding.severity." + string(v.Severity))), document.Text(kev),
			document.Text(cmp.Or(v.SystemName, "—")), document.Text(d.orgName(v.OrgID)), dueCell(v.DueDate), document.Text(b.t("finding.status." + string(v.Status)))}
	}
	b.table(b.t("report.org.t.risks"), []document.Column{{Header: "report.col.no", Width: noWidth}, {Header: "report.col.finding", Width: 32}, {Header: "report.col.severity", Width: 17},
		{Header: "report.org.col.kev", Width: 14}, {Header: "report.org.col.system", Width: 28}, {Header: "report.org.col.org", Width: 24}, {Header: "report.col.due", Width: dateWidth}, {Header: "report.col.status", Width: 17}}, rows)
}

// overdueSummary counts the open and overdue findings by severity and lists the longest overdue.
func (b *bodyBuilder) overdueSummary(d orgData, today string) {
	b.openOverdueTable(d.total.open, d.total.overdue, b.t("report.org.t.overdue"))
	if len(d.overdue) == 0 {
		b.para(b.t("report.org.no_overdue"))
		return
	}
	b.para(b.t("report.org.overdue", sum(d.total.overdue), len(d.overdue)))
	rows := make([][]document.Cell, len(d.overdue))
	for i, v := range d.overdue {
		rows[i] = []document.Cell{num(i + 1), document.Text(v.Title), document.Text(b.t("finding.severity." + string(v.Severity))),
			document.Text(cmp.Or(v.SystemName, "—")), document.Text(d.orgName(v.OrgID)), dueCell(v.DueDate), num(daysLate(v.DueDate, today))}
	}
	b.table(b.t("report.org.t.longest_overdue"), []document.Column{{Header: "report.col.no", Width: noWidth}, {Header: "report.col.finding", Width: 38}, {Header: "report.col.severity", Width: 17},
		{Header: "report.org.col.system", Width: 28}, {Header: "report.org.col.org", Width: 26}, {Header: "report.col.due", Width: dateWidth}, {Header: "report.org.col.days_late", Width: 16}}, rows)
	b.para(b.t("report.org.followup"))
}

// openOverdueTable is the open and overdue findings by severity, with the total.
func (b *bodyBuilder) openOverdueTable(open, overdue map[finding.Severity]int, title string) {
	var rows [][]document.Cell
	for _, s := range severities {
		rows = append(rows, []document.Cell{document.Text(b.t("finding.severity." + string(s))), num(open[s]), num(overdue[s])})
	}
	rows = append(rows, []document.Cell{document.Text(b.t("report.col.total")), num(sum(open)), num(sum(overdue))})
	b.table(title, []document.Column{{Header: "report.col.severity", Width: 3}, {Header: "report.col.open", Width: 2}, {Header: "report.col.overdue", Width: 2}}, rows)
}

func (b *bodyBuilder) obligations(obs []campaign.ObligationView) {
	rows := make([][]document.Cell, len(obs))
	for i, o := range obs {
		rows[i] = []document.Cell{num(i + 1), document.Text(o.CampaignTitle), document.Text(cmp.Or(o.Title, o.PhaseTitle)), dueCell(o.DueOn), document.Text(b.t("campaign.ob." + string(o.Status)))}
	}
	b.table(b.t("report.org.t.obligations"), []document.Column{{Header: "report.col.no", Width: noWidth}, {Header: "report.org.col.campaign", Width: 40}, {Header: "report.org.col.obligation", Width: 60},
		{Header: "report.col.due", Width: dateWidth}, {Header: "report.col.status", Width: 25}}, rows)
}

// orgConclusion draws the conclusion and the recommendations from the figures: the rating of
// the whole scope, the systems with critical findings, those not reviewed, the overdue
// findings, the share fixed and the late campaign obligations.
func (b *bodyBuilder) orgConclusion(d orgData) {
	name := d.scope.org.Name
	if len(d.systems) == 0 && d.total.total == 0 {
		b.para(b.t("report.org.conclusion.empty", name))
		return
	}
	rating := Rate(d.total.open)
	b.para(b.t("report.org.conclusion."+string(rating), name))
	var critical []string
	for _, s := range d.systems {
		if s.open[finding.Critical] > 0 {
			critical = append(critical, s.name)
		}
	}
	var recs []string
	if n := len(critical); n > 0 {
		names := strings.Join(critical[:min(n, criticalNames)], "; ")
		if n > criticalNames {
			names = b.t("report.org.rec.more", names, n-criticalNames)
		}
		recs = append(recs, b.t("report.org.rec.critical", n, names))
	}
	if n := len(d.systems) - d.reviewed; n > 0 {
		recs = append(recs, b.t("report.org.rec.unreviewed", n, len(d.systems), reviewMonths))
	}
	if n := sum(d.total.overdue); n > 0 {
		recs = append(recs, b.t("report.org.rec.overdue", n))
	}
	if d.total.total > 0 {
		recs = append(recs, b.t("report.org.rec.fixed", dashboard.Percent(d.total.resolved, d.total.total), d.total.resolved, d.total.total))
	}
	late := 0
	for _, o := range d.obligations {
		if o.Status == campaign.Late {
			late++
		}
	}
	if late > 0 {
		recs = append(recs, b.t("report.org.rec.late_obligations", late))
	}
	recs = append(recs, b.t("report.org.rec.keep"))
	b.para(b.t("report.org.recommendations"))
	b.blocks = append(b.blocks, &document.List{Items: recs})
}
