package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
)

// maxFollowup bounds the follow-up list: the most urgent open findings are listed, the rest
// are counted and left to the findings list and its export.
const maxFollowup = 5000

// followupItem is one open finding of the follow-up list.
type followupItem struct {
	finding.View
	assignee string // the user it is assigned to, or another organisation
}

// followupData is what the follow-up list shows, read in one snapshot.
type followupData struct {
	scope  orgScope
	header orgHeader
	counts tally
	items  []followupItem // grouped by system, then by urgency
}

// Followup is the remediation follow-up list of an organisation and those below it as of
// now, in lang: a summary by severity, then every open finding (at most maxFollowup, the
// most urgent) grouped by system, by due date and priority, with an empty column for the
// agency to write what it did. An organisation outside the actor's scope is
// access.ErrNotFound.
func Followup(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, lang string, now time.Time) (*document.Document, error) {
	lang = i18n.Negotiate(lang)
	var d followupData
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		var err error
		d, err = readFollowup(ctx, tx, actor, orgID, campaign.Day(now), maxFollowup)
		return err
	})
	if err != nil {
		return nil, err
	}
	return followupDocument(d, lang, now), nil
}

// readFollowup reads the counts and the limit most urgent open findings in the actor's scope.
func readFollowup(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64, today string, limit int) (followupData, error) {
	var d followupData
	var err error
	if d.scope, d.header, err = readScope(ctx, tx, actor, id); err != nil {
		return d, err
	}
	counts := orgData{scope: d.scope, total: newTally()} // the whole scope's tally, no units or systems
	if err := counts.readCounts(ctx, tx, today); err != nil {
		return d, err
	}
	d.counts = counts.total
	w := storage.NewWhere(openIn)
	d.scope.in(w, "f.org_id")
	// Urgency: a due date before none, the earliest first, then severity and priority.
	rows, err := tx.Query(ctx, `SELECT f.id, COALESCE(f.system_id, 0), COALESCE(s.name, ''), f.org_id, f.severity, f.title, f.host, f.port, f.url, f.parameter, f.location,
		f.first_seen, f.due_date, f.status, f.priority, COALESCE(u.name, ''), COALESCE(u.email, ''), COALESCE(ao.id, 0), COALESCE(ao.name, '')
		FROM findings f LEFT JOIN systems s ON s.id = f.system_id LEFT JOIN users u ON u.id = f.assignee_user_id LEFT JOIN orgs ao ON ao.id = f.assignee_org_id`+w.SQL()+`
		ORDER BY CASE WHEN f.due_date = '' THEN 1 ELSE 0 END, f.due_date, f.severity_rank DESC, f.priority DESC, f.id LIMIT ?`, w.Args(limit)...)
	err = storage.Each(rows, err, func(r storage.Scanner) error {
		var it followupItem
		var user, email, assigneeOrg string
		var assigneeOrgID int64
		v := &it.View
		if err := r.Scan(&v.ID, &v.SystemID, &v.SystemName, &v.OrgID, (*string)(&v.Severity), &v.Title, &v.Host, &v.Port, &v.URL, &v.Parameter, &v.Location,
			storage.UTC{P: &v.FirstSeen}, &v.DueDate, (*string)(&v.Status), &v.Priority, &user, &email, &assigneeOrgID, &assigneeOrg); err != nil {
			return err
		}
		v.Overdue = v.Finding.Overdue(today)
		// An assignment to the finding's own organisation is the default one: no name to print.
		it.assignee = cmp.Or(user, email)
		if it.assignee == "" && assigneeOrgID != v.OrgID {
			it.assignee = assigneeOrg
		}
		d.items = append(d.items, it)
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("follow-up list of organisation %d: %w", id, err)
	}
	// Grouped by system (by name; findings on no system last), urgency kept within each.
	slices.SortStableFunc(d.items, func(a, b followupItem) int {
		if (a.SystemID == 0) != (b.SystemID == 0) {
			if a.SystemID == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(i18n.Fold(a.SystemName), i18n.Fold(b.SystemName)), cmp.Compare(a.SystemID, b.SystemID))
	})
	return d, nil
}

// followupDocument lays the list out.
func followupDocument(d followupData, lang string, now time.Time) *document.Document {
	t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	org := d.scope.org
	doc := &document.Document{
		Lang:        lang,
		Date:        now,
		DataAsOf:    now,
		Title:       t("report.title"),
		Subtitle:    t("report.fu.subtitle", org.Name),
		Description: t("report.fu.subtitle", org.Name),
	}
	d.header.apply(doc, lang)
	b := &bodyBuilder{lang: lang}
	today := campaign.Day(now)
	open := sum(d.counts.open)

	b.heading(1, t("report.fu.h.summary"))
	b.para(t("report.fu.summary", open, sum(d.counts.overdue)))
	b.openOverdueTable(d.counts.open, d.counts.overdue, t("report.fu.t.summary"))

	b.heading(1, t("report.fu.h.list"))
	if len(d.items) == 0 {
		b.para(t("report.fu.none"))
		doc.Body = b.blocks
		return doc
	}
	b.para(t("report.fu.order"))
	rows := make([][]document.Cell, len(d.items))
	for i, it := range d.items {
		late := document.Text("")
		if n := daysLate(it.DueDate, today); n > 0 {
			late = num(n)
		}
		rows[i] = []document.Cell{num(i + 1), document.Text(cmp.Or(it.SystemName, t("report.fu.no_system"))), document.Text(t("finding.severity." + string(it.Severity))),
			document.Text(it.Title), document.Text(location(it.View)), document.Date(it.FirstSeen), dueCell(it.DueDate), late,
			document.Text(t("finding.status." + string(it.Status))), document.Text(it.assignee), document.Text("")}
	}
	b.table(t("report.fu.t.list"), []document.Column{{Header: "report.col.no", Width: wideNoWidth}, {Header: "report.org.col.system", Width: 16}, {Header: "report.col.severity", Width: severityWidths[finding.Critical]},
		{Header: "report.col.finding", Width: 22}, {Header: "report.col.location", Width: 17}, {Header: "report.fu.col.first_seen", Width: wideDateWidth}, {Header: "report.col.due", Width: wideDateWidth},
		{Header: "report.org.col.days_late", Width: 10.5}, {Header: "report.col.status", Width: 13}, {Header: "report.fu.col.assignee", Width: 12.5}, {Header: "report.fu.col.result", Width: 11}}, rows)
	if rest := open - len(d.items); rest > 0 {
		b.para(t("report.fu.more", rest, len(d.items)))
	}
	b.para(t("report.fu.fill"))
	doc.Body = b.blocks
	return doc
}
