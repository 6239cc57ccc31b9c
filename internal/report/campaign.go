package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/dashboard"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
)

// Bounds of the campaign report, so that a city of hundreds of systems still gives a
// document people read.
const (
	topRisks     = 15 // rows of the top risks table
	namesInline  = 10 // organisations or systems named in one recommendation
	commonInline = 3  // weaknesses named in the recommendation on them
)

// campaignData is what the campaign report shows, read in one snapshot.
type campaignData struct {
	detail   campaign.Detail // the organisations, phases and obligations the reader sees
	issuerID int64
	header   orgHeader
	from, to string   // the days of the campaign's scanning period
	orgs     []orgRow // one per organisation taking part, in code order
	total    orgRow   // their sum
	notSeen  []string // names of the systems not reviewed in the period
	risks    []risk   // the top risks
	dash     dashboard.Dashboard
	partial  bool // the reader sees only some of the organisations
}

// orgRow is one organisation's figures over the campaign's systems.
type orgRow struct {
	campaign.OrgRef
	path               string
	systems, reviewed  int
	bySeverity         map[finding.Severity]int
	findings, resolved int
	overdue            int
}

// risk is one check or CVE open on the campaign's systems.
type risk struct {
	key, title              string
	severity                finding.Severity
	kev                     bool
	systems, orgs, findings int
}

// campaignReport is the consolidated report of a campaign (seed 000 III.4: the city's report
// due before 10 October) as of now, in lang: the campaign and its phases, scope and method,
// the figures of each organisation taking part (systems in use and reviewed, findings by
// severity, share fixed, overdue), obligations by organisation, the risks open on the most
// systems, the dashboard's trends and recommendations drawn from these figures. The reader
// is whoever sees the campaign (campaign.Get); an agency sees only its own organisations
// and systems, and its report is issued by its own organisation. The audit entry names the
// issuing organisation.
func campaignReport(ctx context.Context, db *storage.Store, actor access.Actor, id int64, lang string, now time.Time) (*document.Document, error) {
	lang = i18n.Negotiate(lang)
	var d campaignData
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		var err error
		d, err = readCampaign(ctx, tx, actor, id, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.dash, err = dashboard.Get(ctx, db, actor, dashboard.Scope{}, now); err != nil {
		return nil, err
	}
	doc, err := campaignDocument(d, lang, now)
	return doc, err
}

// readCampaign reads the report's data in the actor's scope. Every figure is an aggregate
// over the campaign's systems (campaignSystems), grouped by system or by check.
func readCampaign(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64, now time.Time) (campaignData, error) {
	var d campaignData
	var err error
	if d.detail, err = campaign.GetDetail(ctx, tx, actor, id); err != nil {
		return d, err
	}
	if d.issuerID, err = issuerOf(ctx, tx, actor, d.detail.Campaign); err != nil {
		return d, err
	}
	if d.header, err = readHeader(ctx, tx, d.issuerID); err != nil {
		return d, err
	}
	if !actor.Global() {
		var all int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM campaign_orgs WHERE campaign_id = ?", id).Scan(&all); err != nil {
			return d, fmt.Errorf("organisations of campaign %d: %w", id, err)
		}
		d.partial = all > len(d.detail.Orgs)
	}
	d.from, d.to = scanningPeriod(d.detail.Campaign, d.detail.Phases)
	systems, args, err := campaignSystems(ctx, tx, actor, id)
	if err != nil {
		return d, err
	}
	r := campaignReader{tx: tx, systems: systems, args: args, today: campaign.Day(now)}
	if err := r.readOrgs(ctx, &d); err != nil {
		return d, err
	}
	d.risks, err = r.readRisks(ctx)
	return d, err
}

// issuerOf is the organisation that issues the report. An agency reports its own part (what
// it sends up to the city); the city level issues the campaign's report from the
// organisation of the coordinator who created the campaign, usually the city's department,
// or from the root of the tree when that user is gone.
func issuerOf(ctx context.Context, tx *storage.Tx, actor access.Actor, c campaign.Campaign) (int64, error) {
	if !actor.Global() && actor.OrgID != 0 {
		return actor.OrgID, nil
	}
	var org int64
	err := tx.QueryRow(ctx, "SELECT org_id FROM users WHERE email = ?", c.Actor).Scan(&org)
	if storage.IsNoRows(err) {
		err = tx.QueryRow(ctx, "SELECT id FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1").Scan(&org)
	}
	if err != nil {
		return 0, fmt.Errorf("issuer of campaign %d: %w", c.ID, err)
	}
	return org, nil
}

// scanningPeriod is the first and last day of the campaign's scanning phases, or its year
// when it has none: a system counts as reviewed when a complete scan finished in it.
func scanningPeriod(c campaign.Campaign, phases []campaign.Phase) (from, to string) {
	for _, p := range phases {
		if p.Kind != campaign.KindScanning {
			continue
		}
		start := cmp.Or(p.StartsOn, fmt.Sprintf("%04d-01-01", c.Year))
		if from == "" || start < from {
			from = start
		}
		to = max(to, p.DueOn)
	}
	if from == "" {
		return fmt.Sprintf("%04d-01-01", c.Year), fmt.Sprintf("%04d-12-31", c.Year)
	}
	return from, to
}

// campaignSystems is the query of the ids of the campaign's systems in the actor's scope,
// with its arguments: the systems in use the campaign lists or, when it lists none, those
// of its organisations' subtrees (the rule of campaign.SystemsOf, as a subquery so that the
// findings of a city are counted in the database).
func campaignSystems(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64) (string, []any, error) {
	var listed int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM campaign_systems WHERE campaign_id = ?", id).Scan(&listed); err != nil {
		return "", nil, fmt.Errorf("systems of campaign %d: %w", id, err)
	}
	in := "EXISTS (SELECT 1 FROM campaign_orgs co JOIN orgs o ON o.id = co.org_id WHERE co.campaign_id = ? AND so.path LIKE o.path || '%')"
	if listed > 0 {
		in = "s.id IN (SELECT system_id FROM campaign_systems WHERE campaign_id = ?)"
	}
	scope, args := actor.OrgFilter("so.path")
	return "SELECT s.id FROM systems s JOIN orgs so ON so.id = s.org_id WHERE s.archived_at IS NULL AND " + in + " AND " + scope, append([]any{id}, args...), nil
}

// campaignReader reads aggregates over the campaign's systems.
type campaignReader struct {
	tx      *storage.Tx
	systems string // campaignSystems
	args    []any
	today   string
}

// where is " WHERE <column> IN (the campaign's systems) AND cond", with the arguments of
// both (cond's after the systems').
func (r campaignReader) where(column, cond string, args ...any) (string, []any) {
	return " WHERE " + column + " IN (" + r.systems + ") AND " + cond, append(slices.Clone(r.args), args...)
}

// readOrgs reads the organisations' rows: the systems with their organisation, those with
// a complete scan in the period, the findings by system, severity and status (the counts
// the findings capability keeps) and the overdue ones by system.
func (r campaignReader) readOrgs(ctx context.Context, d *campaignData) error {
	orgs := make([]orgRow, len(d.detail.Orgs))
	for i, o := range d.detail.Orgs {
		orgs[i] = orgRow{OrgRef: o, bySeverity: map[finding.Severity]int{}}
	}
	paths, err := orgPaths(ctx, r.tx, d.detail.ID)
	if err != nil {
		return err
	}
	for i := range orgs {
		orgs[i].path = paths[orgs[i].ID]
	}
	type system struct {
		row      int
		name     string
		reviewed bool
	}
	systems := map[int64]*system{}
	var order []int64
	query, args := r.where("s.id", "1=1")
	cur, err := r.tx.Query(ctx, "SELECT s.id, s.name, so.id, so.code, so.name, so.path FROM systems s JOIN orgs so ON so.id = s.org_id"+query+" ORDER BY s.name, s.id", args...)
	err = storage.Each(cur, err, func(sc storage.Scanner) error {
		var id int64
		var name, path string
		var own campaign.OrgRef
		if err := sc.Scan(&id, &name, &own.ID, &own.Code, &own.Name, &path); err != nil {
			return err
		}
		i := participant(orgs, path)
		if i < 0 { // a listed system outside every organisation taking part: its own row
			orgs = append(orgs, orgRow{OrgRef: own, path: path, bySeverity: map[finding.Severity]int{}})
			i = len(orgs) - 1
		}
		orgs[i].systems++
		systems[id] = &system{row: i, name: name}
		order = append(order, id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("systems of the campaign: %w", err)
	}
	from, to := dayStart(d.from), dayStart(d.to).AddDate(0, 0, 1)
	query, args = r.where("sc.system_id", "sc.status = 'done' AND sc.finished_at >= ? AND sc.finished_at < ?", from, to)
	cur, err = r.tx.Query(ctx, "SELECT DISTINCT sc.system_id FROM scans sc"+query, args...)
	err = storage.Each(cur, err, func(sc storage.Scanner) error {
		var id int64
		if err := sc.Scan(&id); err != nil {
			return err
		}
		if s := systems[id]; s != nil && !s.reviewed {
			s.reviewed = true
			orgs[s.row].reviewed++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scans of the campaign: %w", err)
	}
	query, args = r.where("c.system_id", "c.n <> 0")
	cur, err = r.tx.Query(ctx, "SELECT c.system_id, c.severity, c.status, c.n FROM finding_counts c"+query, args...)
	err = storage.Each(cur, err, func(sc storage.Scanner) error {
		var id int64
		var sev, st string
		var n int
		if err := sc.Scan(&id, &sev, &st, &n); err != nil {
			return err
		}
		s := systems[id]
		if s == nil {
			return nil
		}
		row := &orgs[s.row]
		row.bySeverity[finding.Severity(sev)] += n
		row.findings += n
		if slices.Contains(dashboard.Resolved, finding.Status(st)) {
			row.resolved += n
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("findings of the campaign: %w", err)
	}
	query, args = r.where("f.system_id", openIn+" AND f.due_date <> '' AND f.due_date < ?", r.today)
	cur, err = r.tx.Query(ctx, "SELECT f.system_id, count(*) FROM findings f"+query+" GROUP BY f.system_id", args...)
	err = storage.Each(cur, err, func(sc storage.Scanner) error {
		var id int64
		var n int
		if err := sc.Scan(&id, &n); err != nil {
			return err
		}
		if s := systems[id]; s != nil {
			orgs[s.row].overdue += n
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("overdue findings of the campaign: %w", err)
	}
	d.orgs = orgs
	d.total = orgRow{bySeverity: map[finding.Severity]int{}}
	for _, row := range orgs {
		d.total.add(row)
	}
	for _, id := range order {
		if !systems[id].reviewed {
			d.notSeen = append(d.notSeen, systems[id].name)
		}
	}
	return nil
}

func (t *orgRow) add(r orgRow) {
	t.systems += r.systems
	t.reviewed += r.reviewed
	t.findings += r.findings
	t.resolved += r.resolved
	t.overdue += r.overdue
	for s, n := range r.bySeverity {
		t.bySeverity[s] += n
	}
}

// orgPaths are the materialised paths of the campaign's organisations, by id.
func orgPaths(ctx context.Context, tx *storage.Tx, id int64) (map[int64]string, error) {
	out := map[int64]string{}
	rows, err := tx.Query(ctx, "SELECT o.id, o.path FROM campaign_orgs co JOIN orgs o ON o.id = co.org_id WHERE co.campaign_id = ?", id)
	err = storage.Each(rows, err, func(sc storage.Scanner) error {
		var org int64
		var path string
		err := sc.Scan(&org, &path)
		out[org] = path
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("organisations of campaign %d: %w", id, err)
	}
	return out, nil
}

// participant is the row of the organisation taking part whose subtree holds the
// organisation at path (the deepest when they nest), or -1.
func participant(rows []orgRow, path string) int {
	best := -1
	for i, r := range rows {
		if r.path != "" && strings.HasPrefix(path, r.path) && (best < 0 || len(r.path) > len(rows[best].path)) {
			best = i
		}
	}
	return best
}

// dayStart is the first instant of an ISO day in Vietnam.
func dayStart(day string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, day, i18n.Vietnam)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// readRisks reads the checks and CVEs open on the most of the campaign's systems: those on
// the KEV list first, then critical and high ones, then by the number of systems.
func (r campaignReader) readRisks(ctx context.Context) ([]risk, error) {
	kev := "max(CASE WHEN f.kev THEN 1 ELSE 0 END)"
	query, args := r.where("f.system_id", openIn)
	query = "SELECT f.rule_key, min(f.title), max(f.severity_rank), " + kev + ", count(DISTINCT f.system_id), count(DISTINCT f.org_id), count(*) FROM findings f" + query +
		" GROUP BY f.rule_key ORDER BY " + kev + fmt.Sprintf(" DESC, CASE WHEN max(f.severity_rank) >= %d THEN 1 ELSE 0 END DESC", finding.High.Rank()) +
		fmt.Sprintf(", count(DISTINCT f.system_id) DESC, max(f.severity_rank) DESC, f.rule_key LIMIT %d", topRisks)
	out, err := storage.Collect[risk](r.tx.Query(ctx, query, args...))(func(sc storage.Scanner) (risk, error) {
		var k risk
		var rank, kev int
		err := sc.Scan(&k.key, &k.title, &rank, &kev, &k.systems, &k.orgs, &k.findings)
		k.severity, k.kev = severityOfRank(rank), kev != 0
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("top risks of the campaign: %w", err)
	}
	return out, nil
}

func severityOfRank(rank int) finding.Severity {
	for _, s := range severities {
		if s.Rank() == rank {
			return s
		}
	}
	return finding.Info
}

// ruleName is what a rule key shows: the CVE or the check, without its kind.
func ruleName(key string) string {
	for _, p := range []string{"cve:", "check:"} {
		if strings.HasPrefix(key, p) {
			return key[len(p):]
		}
	}
	return key
}

// campaignDocument lays the data out as the report.
func campaignDocument(d campaignData, lang string, now time.Time) (*document.Document, error) {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	c := d.detail.Campaign
	doc := &document.Document{
		Lang:        lang,
		Date:        now,
		DataAsOf:    now,
		Title:       t("report.title"),
		Subtitle:    t("report.camp.subtitle", c.Title),
		Description: t("report.camp.subtitle", c.Title),
	}
	d.header.apply(doc, lang)
	b := &bodyBuilder{lang: lang}

	b.heading(1, t("report.camp.h.campaign"))
	b.campaignTable(c)
	b.heading(2, t("report.camp.h.phases"))
	b.phases(d.detail)

	b.heading(1, t("report.camp.h.scope"))
	b.para(t("report.camp.scope", len(d.orgs), d.total.systems))
	if d.partial {
		b.para(t("report.camp.partial"))
	}
	b.para(t("report.camp.method", dayText(d.from, lang), dayText(d.to, lang)))

	b.heading(1, t("report.camp.h.orgs"))
	b.orgTables(d)

	b.heading(1, t("report.camp.h.progress"))
	b.progress(d.detail)

	b.heading(1, t("report.camp.h.risks"))
	b.risks(d.risks)

	b.heading(1, t("report.camp.h.trends"))
	b.para(t("report.camp.trends"))
	if err := b.figures(d.dash, "severity", "trend", "coverage", "campaigns"); err != nil {
		return nil, err
	}

	b.heading(1, t("report.camp.h.recommendations"))
	b.blocks = append(b.blocks, &document.List{Items: recommendations(d, lang)})
	doc.Body = b.blocks
	return doc, nil
}

// dayText is an ISO day as the documents write it (dd/mm/yyyy), or "—".
func dayText(day, lang string) string {
	t, err := time.ParseInLocation(time.DateOnly, day, i18n.Vietnam)
	if err != nil {
		return "—"
	}
	return document.Date(t).Format(lang)
}

func (b *bodyBuilder) campaignTable(c campaign.Campaign) {
	txt := document.Text
	doc := "—"
	if c.DocumentNo != "" {
		doc = c.DocumentNo
		if c.DocumentDate != "" {
			doc = b.t("report.camp.document", c.DocumentNo, dayText(c.DocumentDate, b.lang))
		}
	}
	rows := [][]document.Cell{
		{txt(b.t("report.camp.f.title")), txt(c.Title)},
		{txt(b.t("report.camp.f.year")), document.Text(fmt.Sprint(c.Year))},
		{txt(b.t("report.camp.f.document")), txt(doc)},
		{txt(b.t("report.camp.f.issuing_body")), txt(cmp.Or(c.IssuingBody, "—"))},
		{txt(b.t("report.camp.f.status")), txt(b.t("campaign.status." + string(c.Status)))},
	}
	if c.LegalBasis != "" {
		rows = append(rows, []document.Cell{txt(b.t("report.camp.f.legal_basis")), txt(c.LegalBasis)})
	}
	b.table(b.t("report.camp.t.campaign"), []document.Column{{Header: "report.col.item", Width: 2}, {Header: "report.col.value", Width: 5}}, rows)
}

// phases lists the phases with their deadlines and how many organisations completed each.
func (b *bodyBuilder) phases(d campaign.Detail) {
	if len(d.Phases) == 0 {
		b.para(b.t("report.camp.no_phases"))
		return
	}
	rows := make([][]document.Cell, len(d.Phases))
	for i, p := range d.Phases {
		done, total := 0, 0
		for _, o := range d.Progress {
			switch st := o.Cells[i].Status; st {
			case "":
			case campaign.Submitted, campaign.Accepted:
				done++
				total++
			default:
				total++
			}
		}
		rows[i] = []document.Cell{document.Number(float64(i + 1)), document.Text(p.Title), document.Text(b.t("campaign.kind." + p.Kind)),
			document.Text(dayText(p.StartsOn, b.lang)), document.Text(dayText(p.DueOn, b.lang)), document.Text(fmt.Sprintf("%d/%d", done, total))}
	}
	b.table(b.t("report.camp.t.phases"), []document.Column{{Header: "report.col.no", Width: 1.3}, {Header: "report.camp.col.phase", Width: 6}, {Header: "report.camp.col.kind", Width: 2.8},
		{Header: "report.col.started", Width: 2.4}, {Header: "report.camp.col.due", Width: 2.4}, {Header: "report.camp.col.done", Width: 2.2}}, rows)
}

// orgTables are the organisations' figures with their total: systems reviewed, the share
// fixed and the overdue findings, then the findings by severity (two tables, so that each
// column is wide enough to read on A4).
func (b *bodyBuilder) orgTables(d campaignData) {
	t := d.total
	n := func(v int) string { return document.FormatNumber(float64(v), b.lang) }
	b.para(b.t("report.camp.totals", n(t.reviewed), n(t.systems), dashboard.Percent(t.reviewed, t.systems), n(t.findings), dashboard.Percent(t.resolved, t.findings), n(t.overdue)))
	num := func(n int) document.Cell { return document.Number(float64(n)) }
	rows := append(slices.Clone(d.orgs), t)
	names := func(i int) document.Cell {
		if i == len(d.orgs) {
			return document.Text(b.t("report.col.total"))
		}
		return document.Text(rows[i].Name)
	}
	review := make([][]document.Cell, len(rows))
	bySeverity := make([][]document.Cell, len(rows))
	for i, r := range rows {
		review[i] = []document.Cell{names(i), num(r.systems), num(r.reviewed), num(dashboard.Percent(r.reviewed, r.systems)), num(r.findings),
			num(dashboard.Percent(r.resolved, r.findings)), num(r.overdue)}
		bySeverity[i] = []document.Cell{names(i)}
		for _, s := range severities {
			bySeverity[i] = append(bySeverity[i], num(r.bySeverity[s]))
		}
		bySeverity[i] = append(bySeverity[i], num(r.findings))
	}
	b.table(b.t("report.camp.t.orgs"), []document.Column{{Header: "report.camp.col.org", Width: 4}, {Header: "report.camp.col.systems", Width: 1.7},
		{Header: "report.camp.col.reviewed", Width: 1.7}, {Header: "report.camp.col.reviewed_share", Width: 1.7}, {Header: "report.col.findings", Width: 1.7},
		{Header: "report.camp.col.fixed", Width: 1.7}, {Header: "report.col.overdue", Width: 1.7}}, review)
	cols := []document.Column{{Header: "report.camp.col.org", Width: 4}}
	for _, s := range severities {
		cols = append(cols, document.Column{Header: "finding.severity." + string(s), Width: 1.7})
	}
	b.table(b.t("report.camp.t.severity"), append(cols, document.Column{Header: "report.col.all", Width: 1.7}), bySeverity)
}

// progress is the table of each organisation's obligations, one column per phase.
func (b *bodyBuilder) progress(d campaign.Detail) {
	if len(d.Progress) == 0 {
		b.para(b.t("report.camp.no_obligations"))
		return
	}
	late := 0
	var rows [][]document.Cell
	for _, o := range d.Progress {
		cells := []document.Cell{document.Text(o.Name)}
		for _, c := range o.Cells {
			label := "—"
			if c.Status != "" {
				label = b.t("campaign.ob." + string(c.Status))
			}
			cells = append(cells, document.Text(label))
		}
		rows = append(rows, append(cells, document.Text(fmt.Sprintf("%d/%d", o.Done, o.Total)), document.Number(float64(o.Late))))
		late += o.Late
	}
	b.para(b.t("report.camp.progress", len(d.Progress), b.tables+1, late))
	cols := []document.Column{{Header: "report.camp.col.org", Width: 4}}
	for i := range d.Phases {
		cols = append(cols, document.Column{Header: b.t("report.camp.col.phase_n", i+1), Width: 2})
	}
	cols = append(cols, document.Column{Header: "report.camp.col.done", Width: 1.8}, document.Column{Header: "report.camp.col.late", Width: 1.5})
	b.table(b.t("report.camp.t.progress"), cols, rows)
}

func (b *bodyBuilder) risks(risks []risk) {
	if len(risks) == 0 {
		b.para(b.t("report.camp.no_risks"))
		return
	}
	b.para(b.t("report.camp.risks", topRisks))
	rows := make([][]document.Cell, len(risks))
	for i, k := range risks {
		title := k.title
		if k.kev {
			title = b.t("report.camp.kev", title)
		}
		rows[i] = []document.Cell{document.Number(float64(i + 1)), document.Text(title), document.Text(ruleName(k.key)), document.Text(b.t("finding.severity." + string(k.severity))),
			document.Number(float64(k.systems)), document.Number(float64(k.orgs)), document.Number(float64(k.findings))}
	}
	b.table(b.t("report.camp.t.risks"), []document.Column{{Header: "report.col.no", Width: 1.3}, {Header: "report.col.finding", Width: 5}, {Header: "report.camp.col.rule", Width: 3.8},
		{Header: "report.col.severity", Width: 2.2}, {Header: "report.camp.col.systems", Width: 1.8}, {Header: "report.camp.col.orgs", Width: 1.8}, {Header: "report.col.findings", Width: 1.9}}, rows)
}

// recommendations are drawn from the figures: the organisations with overdue findings or
// late obligations, the systems not reviewed, the most common weaknesses; then what seed 000
// II.3 asks of every campaign.
func recommendations(d campaignData, lang string) []string {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	var out []string
	var overdue, late []string
	for _, r := range d.orgs {
		if r.overdue > 0 {
			overdue = append(overdue, t("report.camp.named_count", r.Name, document.FormatNumber(float64(r.overdue), lang)))
		}
	}
	for _, o := range d.detail.Progress {
		if o.Late > 0 {
			late = append(late, o.Name)
		}
	}
	if len(overdue) > 0 {
		out = append(out, t("report.camp.rec.overdue", document.FormatNumber(float64(d.total.overdue), lang), inline(overdue, t)))
	}
	if len(d.notSeen) > 0 {
		out = append(out, t("report.camp.rec.not_reviewed", len(d.notSeen), inline(d.notSeen, t)))
	}
	if len(d.risks) > 0 {
		var names []string
		for _, k := range d.risks[:min(commonInline, len(d.risks))] {
			names = append(names, t("report.camp.named_systems", k.title, k.systems))
		}
		out = append(out, t("report.camp.rec.common", strings.Join(names, "; ")))
	}
	if len(late) > 0 {
		out = append(out, t("report.camp.rec.late", inline(late, t)))
	}
	return append(out, t("report.camp.rec.keep"))
}

// inline names the first namesInline of names, and how many more there are.
func inline(names []string, t func(string, ...any) string) string {
	if len(names) <= namesInline {
		return strings.Join(names, ", ")
	}
	return t("report.camp.and_more", strings.Join(names[:namesInline], ", "), len(names)-namesInline)
}
