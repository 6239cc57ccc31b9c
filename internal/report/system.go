package report

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/dashboard"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/advice"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
)

// Bounds of the system report, so that a system with thousands of findings still gives a
// document people read: every open finding is in the table, the first detailed ones (low
// and above, in priority order) get their evidence and remediation.
const (
	recentScans  = 10  // scans listed in the method
	maxDetailed  = 100 // findings described one by one
	maxEvidence  = 600 // characters of evidence quoted per finding
	maxAdviceLen = 1500
)

// systemData is what the system report shows, read in one snapshot.
type systemData struct {
	sys    inventory.SystemView
	assets []inventory.Asset
	header orgHeader
	scans  storage.Paged[scanning.Scan]
	counts finding.Counts
	open   []finding.View // in report order (byPriority)
	advice map[int64]string
	dash   dashboard.Dashboard // the system's dashboard: its charts
}

// System is the assessment report of one system as of now, in lang: the system and its
// scope, the method (Khiên's scans and the tools that reported findings), the overall
// rating (Rate), counts by severity and status, overdue findings, and the open findings in
// priority order with their evidence and remediation. A system outside the actor's scope is
// access.ErrNotFound.
func System(ctx context.Context, db *storage.Store, actor access.Actor, systemID int64, lang string, now time.Time) (*document.Document, error) {
	lang = i18n.Negotiate(lang)
	var d systemData
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		var err error
		d, err = readSystem(ctx, tx, actor, systemID, lang)
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.dash, err = dashboard.Get(ctx, db, actor, dashboard.Scope{SystemID: systemID}, now); err != nil {
		return nil, err
	}
	return systemDocument(d, lang, now)
}

// readSystem reads the report's data in the actor's scope.
func readSystem(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64, lang string) (systemData, error) {
	var d systemData
	var err error
	if d.sys, err = inventory.GetSystem(ctx, tx, actor, id); err != nil {
		return d, err
	}
	if d.assets, err = inventory.AssetsOfSystem(ctx, tx, id); err != nil {
		return d, err
	}
	if d.header, err = readHeader(ctx, tx, d.sys.OrgID); err != nil {
		return d, err
	}
	if d.scans, err = scanning.ListScans(ctx, tx, actor, scanning.ScanFilter{SystemID: id, Lang: lang}, storage.First(recentScans)); err != nil {
		return d, err
	}
	if d.counts, err = finding.Count(ctx, tx, actor, finding.Filter{SystemID: id}); err != nil {
		return d, err
	}
	d.open, err = storage.All(func(p storage.Page) (storage.Paged[finding.View], error) {
		return finding.List(ctx, tx, actor, finding.Filter{SystemID: id, Status: []string{"open"}, Sort: "severity"}, p)
	})
	if err != nil {
		return d, err
	}
	slices.SortStableFunc(d.open, byPriority)
	d.advice = map[int64]string{}
	entries := map[string]entry{} // findings of one check share its entry: read it once
	for _, v := range detailed(d.open) {
		text, err := adviceText(ctx, tx, v, lang, entries)
		if err != nil {
			return d, err
		}
		d.advice[v.ID] = text
	}
	return d, nil
}

// detailed are the findings the report describes one by one: low and above, at most
// maxDetailed, in the order given.
func detailed(open []finding.View) []finding.View {
	var out []finding.View
	for _, v := range open {
		if v.Severity.Rank() >= finding.Low.Rank() && len(out) < maxDetailed {
			out = append(out, v)
		}
	}
	return out
}

// entry is a knowledge-base entry's text as the report prints it, or none.
type entry struct {
	text  string
	found bool
}

// adviceText is the remediation of a finding in lang: the knowledge-base entry (with the
// coordinator's edits) its remediation key, check or CWE names, else the tool's own text.
// entries holds the entries already read, by key.
func adviceText(ctx context.Context, q storage.Querier, v finding.View, lang string, entries map[string]entry) (string, error) {
	for _, key := range []string{v.Remediation, v.CheckID, v.CWE} {
		if key == "" {
			continue
		}
		e, read := entries[key]
		if !read {
			t, _, err := advice.Get(ctx, q, key, lang)
			switch {
			case errors.Is(err, access.ErrNotFound):
			case err != nil:
				return "", err
			default:
				e = entry{text: strings.TrimSpace(t.Summary + " " + t.Fix), found: true}
			}
			entries[key] = e
		}
		if e.found {
			return e.text, nil
		}
	}
	return strings.TrimSpace(v.Remediation), nil
}

// systemDocument lays the data out as the report.
func systemDocument(d systemData, lang string, now time.Time) (*document.Document, error) {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	doc := &document.Document{
		Lang:        lang,
		Date:        now,
		DataAsOf:    now,
		Title:       t("report.title"),
		Subtitle:    t("report.sys.subtitle", d.sys.Name),
		Description: t("report.sys.subtitle", d.sys.Name),
	}
	d.header.apply(doc, lang)
	b := &bodyBuilder{lang: lang}
	today := now.In(i18n.Vietnam).Format(time.DateOnly)

	b.heading(1, t("report.sys.h.system"))
	b.systemTable(d.sys)
	b.heading(2, t("report.sys.h.scope"))
	b.scope(d.assets)

	b.heading(1, t("report.sys.h.method"))
	b.method(d.scans, d.open)

	open, overdue := tallyOpen(d.open, today)
	rating := Rate(open)
	b.heading(1, t("report.sys.h.results"))
	b.heading(2, t("report.sys.h.rating"))
	b.para(t("report.sys.rating", t("report.rating."+string(rating))))
	b.para(t("report.sys.rating_rule"))
	b.heading(2, t("report.sys.h.counts"))
	b.counts(d.counts, open, overdue, len(d.open))
	if err := b.figures(d.dash, "severity", "trend"); err != nil {
		return nil, err
	}

	b.heading(1, t("report.sys.h.findings"))
	b.findings(d.open, d.advice, today)

	b.heading(1, t("report.sys.h.conclusion"))
	b.para(t("report.sys.conclusion."+string(rating), d.sys.Name))
	if n := totalOverdue(overdue); n > 0 {
		b.para(t("report.sys.conclusion_overdue", n))
	}
	doc.Body = b.blocks
	return doc, nil
}

// tallyOpen counts open findings by severity, and those past their due date on day today.
func tallyOpen(open []finding.View, today string) (bySeverity, overdue map[finding.Severity]int) {
	bySeverity, overdue = map[finding.Severity]int{}, map[finding.Severity]int{}
	for _, v := range open {
		bySeverity[v.Severity]++
		if v.Finding.Overdue(today) {
			overdue[v.Severity]++
		}
	}
	return bySeverity, overdue
}

func totalOverdue(overdue map[finding.Severity]int) int {
	n := 0
	for _, c := range overdue {
		n += c
	}
	return n
}

// severities are the rows of the counts table, worst first.
var severities = []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info}

func (b *bodyBuilder) systemTable(s inventory.SystemView) {
	txt := document.Text
	level := b.t("inv.level." + strconv.Itoa(s.Level))
	if s.LevelDecision != "" {
		level += " (" + b.t("report.sys.level_decision", s.LevelDecision) + ")"
	}
	operator := cmp.Or(s.OperatorOrgName, s.OperatorName, "—")
	contact := "—"
	if s.ContactName != "" || s.ContactEmail != "" {
		contact = strings.TrimSpace(s.ContactName + " " + angle(s.ContactEmail))
	}
	rows := [][]document.Cell{
		{txt(b.t("report.sys.f.name")), txt(s.Name)},
		{txt(b.t("report.sys.f.kind")), txt(b.t("inv.kind." + s.Kind))},
		{txt(b.t("report.sys.f.owner")), txt(s.OrgName)},
		{txt(b.t("report.sys.f.level")), txt(level)},
		{txt(b.t("report.sys.f.operator")), txt(operator)},
		{txt(b.t("report.sys.f.contact")), txt(contact)},
		{txt(b.t("report.sys.f.status")), txt(b.t("inv.status." + s.Status))},
	}
	if s.Purpose != "" {
		rows = append(rows, []document.Cell{txt(b.t("report.sys.f.purpose")), txt(s.Purpose)})
	}
	b.table(b.t("report.sys.t.system"), []document.Column{{Header: "report.col.item", Width: 2}, {Header: "report.col.value", Width: 5}}, rows)
}

func angle(email string) string {
	if email == "" {
		return ""
	}
	return "<" + email + ">"
}

func (b *bodyBuilder) scope(assets []inventory.Asset) {
	if len(assets) == 0 {
		b.para(b.t("report.sys.no_assets"))
		return
	}
	b.para(b.t("report.sys.scope", len(assets)))
	rows := make([][]document.Cell, len(assets))
	for i, a := range assets {
		rows[i] = []document.Cell{document.Number(float64(i + 1)), document.Text(b.t("inv.asset." + a.Kind)), document.Text(a.Value), document.Text(assetNote(a))}
	}
	b.table(b.t("report.sys.t.assets"), []document.Column{{Header: "report.col.no", Width: 1}, {Header: "report.col.asset_kind", Width: 3}, {Header: "report.col.asset", Width: 5}, {Header: "report.col.note", Width: 4}}, rows)
}

// assetNote is what a server or device adds to its name: addresses, system, model.
func assetNote(a inventory.Asset) string {
	var parts []string
	for _, s := range []string{a.IPs, strings.TrimSpace(a.OS + " " + a.OSVersion), strings.TrimSpace(a.Vendor + " " + a.Model), a.Role} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

func (b *bodyBuilder) method(scans storage.Paged[scanning.Scan], open []finding.View) {
	b.para(b.t("report.sys.method"))
	if len(scans.Items) == 0 {
		b.para(b.t("report.sys.no_scans"))
	} else {
		b.para(b.t("report.sys.scans", scans.Total, len(scans.Items)))
		rows := make([][]document.Cell, len(scans.Items))
		for i, s := range scans.Items {
			started := s.CreatedAt
			if s.StartedAt != nil {
				started = *s.StartedAt
			}
			finished := document.Text("—")
			if s.FinishedAt != nil {
				finished = document.Date(*s.FinishedAt)
			}
			rows[i] = []document.Cell{document.Number(float64(i + 1)), document.Date(started), finished,
				document.Text(b.t("scans.profile." + s.Profile)), document.Text(b.t("scans.status." + s.Status)), document.Number(float64(s.Findings))}
		}
		b.table(b.t("report.sys.t.scans"), []document.Column{{Header: "report.col.no", Width: 1}, {Header: "report.col.started", Width: 2}, {Header: "report.col.finished", Width: 2},
			{Header: "report.col.profile", Width: 2}, {Header: "report.col.scan_status", Width: 2}, {Header: "report.col.findings", Width: 2}}, rows)
	}
	tools := map[string]int{}
	for _, v := range open {
		tools[v.Tool]++
	}
	if len(tools) == 0 {
		return
	}
	names := slices.SortedFunc(maps.Keys(tools), func(a, c string) int { return cmp.Or(cmp.Compare(tools[c], tools[a]), cmp.Compare(a, c)) })
	items := make([]string, len(names))
	for i, n := range names {
		items[i] = b.t("report.sys.tool", n, tools[n])
	}
	b.para(b.t("report.sys.tools"))
	b.blocks = append(b.blocks, &document.List{Items: items})
}

func (b *bodyBuilder) counts(c finding.Counts, open, overdue map[finding.Severity]int, openTotal int) {
	b.para(b.t("report.sys.totals", c.Total, openTotal, totalOverdue(overdue)))
	num := func(n int) document.Cell { return document.Number(float64(n)) }
	var rows [][]document.Cell
	for _, s := range severities {
		rows = append(rows, []document.Cell{document.Text(b.t("finding.severity." + string(s))), num(c.BySeverity[string(s)]), num(open[s]), num(overdue[s])})
	}
	rows = append(rows, []document.Cell{document.Text(b.t("report.col.total")), num(c.Total), num(openTotal), num(totalOverdue(overdue))})
	b.table(b.t("report.sys.t.severity"), []document.Column{{Header: "report.col.severity", Width: 3}, {Header: "report.col.all", Width: 2}, {Header: "report.col.open", Width: 2}, {Header: "report.col.overdue", Width: 2}}, rows)

	rows = nil
	for _, s := range finding.Statuses {
		if n := c.ByStatus[string(s)]; n > 0 {
			rows = append(rows, []document.Cell{document.Text(b.t("finding.status." + string(s))), num(n)})
		}
	}
	rows = append(rows, []document.Cell{document.Text(b.t("report.col.total")), num(c.Total)})
	b.table(b.t("report.sys.t.status"), []document.Column{{Header: "report.col.status", Width: 4}, {Header: "report.col.count", Width: 2}}, rows)
}

func (b *bodyBuilder) findings(open []finding.View, advice map[int64]string, today string) {
	if len(open) == 0 {
		b.para(b.t("report.sys.no_findings"))
		return
	}
	b.para(b.t("report.sys.findings", len(open)))
	rows := make([][]document.Cell, len(open))
	for i, v := range open {
		due := document.Text("—")
		if d, err := time.ParseInLocation(time.DateOnly, v.DueDate, i18n.Vietnam); err == nil {
			due = document.Date(d)
		}
		late := ""
		if v.Finding.Overdue(today) {
			late = b.t("report.yes")
		}
		rows[i] = []document.Cell{document.Number(float64(i + 1)), document.Text(v.Title), document.Text(b.t("finding.severity." + string(v.Severity))),
			document.Text(location(v)), document.Text(b.t("finding.status." + string(v.Status))), due, document.Text(late)}
	}
	b.table(b.t("report.sys.t.findings"), []document.Column{{Header: "report.col.no", Width: 1}, {Header: "report.col.finding", Width: 5}, {Header: "report.col.severity", Width: 2},
		{Header: "report.col.location", Width: 4}, {Header: "report.col.status", Width: 2}, {Header: "report.col.due", Width: 2}, {Header: "report.col.overdue", Width: 1.5}}, rows)

	shown := detailed(open)
	for _, v := range shown {
		b.heading(2, v.Title)
		lines := []string{b.t("report.sys.d.severity", b.t("finding.severity."+string(v.Severity)), b.t("finding.status."+string(v.Status)))}
		if v.DueDate != "" {
			key := "report.sys.d.due"
			if v.Finding.Overdue(today) {
				key = "report.sys.d.due_late"
			}
			d, _ := time.ParseInLocation(time.DateOnly, v.DueDate, i18n.Vietnam)
			lines = append(lines, b.t(key, document.Date(d).Format(b.lang)))
		}
		if loc := location(v); loc != "" {
			lines = append(lines, b.t("report.sys.d.location", loc))
		}
		if len(v.CVEs) > 0 {
			lines = append(lines, b.t("report.sys.d.cve", strings.Join(v.CVEs, ", ")))
		}
		b.para(strings.Join(lines, "\n"))
		if ev := strings.TrimSpace(v.Evidence); ev != "" {
			b.para(b.t("report.sys.d.evidence", shorten(ev, maxEvidence)))
		}
		if fix := advice[v.ID]; fix != "" {
			b.para(b.t("report.sys.d.fix", shorten(fix, maxAdviceLen)))
		} else {
			b.para(b.t("report.sys.d.no_fix"))
		}
	}
	if rest := len(open) - len(shown); rest > 0 {
		b.para(b.t("report.sys.more", rest, b.tables))
	}
}

// location is where a finding was seen: host and port, URL, parameter, place in a file.
func location(v finding.View) string {
	var parts []string
	if v.Host != "" {
		h := v.Host
		if v.Port != 0 {
			h += ":" + strconv.Itoa(v.Port)
		}
		parts = append(parts, h)
	}
	for _, s := range []string{v.URL, v.Parameter, v.Location} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// shorten cuts s to at most n characters, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
