package finding

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Filter narrows a list of findings. Empty fields do not filter.
type Filter struct {
	OrgID        int64 // the organisation and those below it
	SystemID     int64
	Unassigned   bool     // only findings that match no registered asset
	Severity     []string // any of
	Status       []string // any of; "open" stands for every open status
	Overdue      bool
	Tool         string // a source tool: "nuclei", "khien"…
	CVE          string
	KEV          bool
	Host         string
	AssigneeUser int64
	Query        string // in title, host, URL, rule, CVE; diacritics ignored
	Found        string // YYYY-MM: first seen in that month (Vietnam time)
	Resolved     string // YYYY-MM: verified or closed in that month (its last status change)
	Sort         string // priority (default), severity, due, newest
}

// Sorts are the orders a list can take.
var Sorts = []string{"priority", "severity", "due", "newest"}

// View is a finding with the names a page shows next to it.
type View struct {
	Finding
	SystemName string `json:"system_name,omitempty"`
	OrgCode    string `json:"org_code,omitempty"`
	OrgPath    string `json:"-"`
	Overdue    bool   `json:"overdue"`
}

var viewSelect = "SELECT " + findingTable.Select("f") + ", COALESCE(s.name, ''), COALESCE(o.code, ''), COALESCE(o.path, '')"

const viewFrom = " FROM findings f LEFT JOIN systems s ON s.id = f.system_id LEFT JOIN orgs o ON o.id = f.org_id"

func scanView(day string) func(storage.Scanner) (View, error) {
	return func(r storage.Scanner) (View, error) {
		var v View
		err := r.Scan(findingTable.Dest(&v.Finding, &v.SystemName, &v.OrgCode, &v.OrgPath)...)
		v.Overdue = v.Finding.Overdue(day)
		return v, err
	}
}

// orders are the keysets of Sorts, each served by an index.
var orders = map[string]storage.Keyset{
	"priority": {Int: []string{"f.priority"}, ID: "f.id", Desc: true},
	"severity": {Int: []string{"f.severity_rank", "f.priority"}, ID: "f.id", Desc: true},
	"due":      {Text: []string{"f.due_date"}, ID: "f.id"},
	"newest":   {ID: "f.id", Desc: true},
}

func orderKey(sort string) func(View) []any {
	switch sort {
	case "severity":
		return func(v View) []any { return []any{int64(v.Severity.Rank()), int64(v.Priority), v.ID} }
	case "due":
		return func(v View) []any { return []any{v.DueDate, v.ID} }
	case "newest":
		return func(v View) []any { return []any{v.ID} }
	}
	return func(v View) []any { return []any{int64(v.Priority), v.ID} }
}

// where turns a filter into conditions, inside the actor's scope: the
// unassigned queue (no organisation) is seen only by city-level roles.
//
// Conditions name only the findings table (organisations by subquery), so
// that a count reads the findings and their indexes alone, without joins.
func (f Filter) where(actor access.Actor, day string) (*storage.Where, error) {
	cond, args := actor.OrgFilter("path")
	w := storage.NewWhere("1=1")
	if !actor.Global() {
		w = storage.NewWhere("f.org_id IN (SELECT id FROM orgs WHERE "+cond+")", args...)
	}
	if f.OrgID != 0 {
		w.Add("f.org_id IN (SELECT id FROM orgs WHERE path LIKE (SELECT path FROM orgs WHERE id = ?) || '%')", f.OrgID)
	}
	if f.SystemID != 0 {
		w.Add("f.system_id = ?", f.SystemID)
	}
	if f.Unassigned {
		w.Add("f.system_id IS NULL")
	}
	ranks, err := f.severityRanks()
	if err != nil {
		return nil, err
	}
	if len(ranks) > 0 {
		w.Add("f.severity_rank IN ("+marks(len(ranks))+")", ranks...)
	}
	sts, err := f.statuses()
	if err != nil {
		return nil, err
	}
	if len(sts) > 0 {
		// One status: its index serves the order by priority. Several:
		// SQLite would read them all through it and sort; through the
		// priority index instead it stops at the first page (|| '' hides
		// the column from the index, on both databases).
		col := "f.status"
		if len(sts) > 1 {
			col = "f.status || ''"
		}
		w.Add(col+" IN ("+marks(len(sts))+")", sts...)
	}
	if f.Overdue {
		// As the partial index findings_open_due is written, so that it serves.
		w.Add("f.due_date <> '' AND f.due_date < ? AND f.status IN ('new', 'reopened', 'confirmed', 'in_remediation', 'fixed')", day)
	}
	if f.Tool != "" {
		w.Add("f.id IN (SELECT finding_id FROM finding_sources WHERE tool = ?)", f.Tool)
	}
	if f.CVE != "" {
		w.Add("f.id IN (SELECT finding_id FROM finding_cves WHERE cve = ?)", strings.ToUpper(strings.TrimSpace(f.CVE)))
	}
	if f.KEV {
		w.Add("f.kev") // written bare, so that the partial index findings_kev serves it
	}
	if f.Host != "" {
		w.Add("f.host = ?", normaliseHost(f.Host))
	}
	if f.AssigneeUser != 0 {
		w.Add("f.assignee_user_id = ?", f.AssigneeUser)
	}
	if q := i18n.Fold(f.Query); q != "" {
		w.Add("f.search LIKE ?", storage.Contains(q))
	}
	if f.Found != "" {
		from, to, ok := MonthBounds(f.Found)
		if !ok {
			return nil, validation.Invalid("found", "finding.err.month", f.Found)
		}
		w.Add("f.first_seen >= ? AND f.first_seen < ?", from, to)
	}
	if f.Resolved != "" {
		from, to, ok := MonthBounds(f.Resolved)
		if !ok {
			return nil, validation.Invalid("resolved", "finding.err.month", f.Resolved)
		}
		w.Add("f.status IN ('verified', 'closed') AND f.status_changed_at >= ? AND f.status_changed_at < ?", from, to)
	}
	return w, nil
}

// severityRanks are the ranks of the filter's severities.
func (f Filter) severityRanks() ([]any, error) {
	var ranks []any
	for _, s := range f.Severity {
		sev, err := check.ParseSeverity(s)
		if err != nil {
			return nil, validation.Invalid("severity", "finding.err.severity", s)
		}
		ranks = append(ranks, sev.Rank())
	}
	return ranks, nil
}

// statuses are the filter's statuses, "open" standing for the open ones.
func (f Filter) statuses() ([]any, error) {
	var sts []any
	for _, s := range f.Status {
		if s == "open" {
			for _, o := range OpenStatuses() {
				sts = append(sts, string(o))
			}
			continue
		}
		if !Status(s).Valid() {
			return nil, validation.Invalid("status", "finding.err.status", s)
		}
		sts = append(sts, s)
	}
	return sts, nil
}

// List returns page p of the findings in the actor's scope matching f.
func List(ctx context.Context, q storage.Querier, actor access.Actor, f Filter, p storage.Page) (storage.Paged[View], error) {
	sort := f.Sort
	if sort == "" {
		sort = "priority"
	}
	order, ok := orders[sort]
	if !ok {
		return storage.Paged[View]{}, validation.Invalid("sort", "finding.err.sort", sort, strings.Join(Sorts, ", "))
	}
	day := today(q.Now())
	w, err := f.where(actor, day)
	if err != nil {
		return storage.Paged[View]{}, err
	}
	l := storage.List[View]{Select: viewSelect, From: viewFrom, CountFrom: " FROM findings f", Where: w, Order: order, Scan: scanView(day), Key: orderKey(sort)}
	if f.simple() {
		l.Total = func() (int, error) { return countTotal(ctx, q, actor, f) }
	}
	res, err := l.Read(ctx, q, p)
	if err != nil {
		return res, fmt.Errorf("list findings: %w", err)
	}
	return res, nil
}

// Counts are the findings of a scope by severity and status.
type Counts struct {
	BySeverity map[string]int            `json:"by_severity"`
	ByStatus   map[string]int            `json:"by_status"`
	Matrix     map[string]map[string]int `json:"by_severity_status"`
	Open       int                       `json:"open"`
	Overdue    int                       `json:"overdue"`
	Total      int                       `json:"total"`
}

// Count counts the findings in the actor's scope matching f (an
// organisation, a system, or everything the actor sees). A simple filter
// is answered from the counts table, the overdue ones from the index of
// open findings by due date.
func Count(ctx context.Context, q storage.Querier, actor access.Actor, f Filter) (Counts, error) {
	c := Counts{BySeverity: map[string]int{}, ByStatus: map[string]int{}, Matrix: map[string]map[string]int{}}
	day := today(q.Now())
	add := func(sev, st string, n int) {
		c.BySeverity[sev] += n
		c.ByStatus[st] += n
		if c.Matrix[sev] == nil {
			c.Matrix[sev] = map[string]int{}
		}
		c.Matrix[sev][st] += n
		c.Total += n
		if Status(st).Open() {
			c.Open += n
		}
	}
	var rows *sql.Rows
	var err error
	if f.simple() {
		w, werr := f.countsWhere(actor)
		if werr != nil {
			return c, werr
		}
		rows, err = q.Query(ctx, "SELECT c.severity, c.status, sum(c.n) FROM finding_counts c"+w.SQL()+" GROUP BY c.severity, c.status", w.Args()...)
	} else {
		w, werr := f.where(actor, day)
		if werr != nil {
			return c, werr
		}
		rows, err = q.Query(ctx, "SELECT f.severity, f.status, count(*) FROM findings f"+w.SQL()+" GROUP BY f.severity, f.status", w.Args()...)
	}
	err = storage.Each(rows, err, func(r storage.Scanner) error {
		var sev, st string
		var n int
		if err := r.Scan(&sev, &st, &n); err != nil {
			return err
		}
		add(sev, st, n)
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("count findings: %w", err)
	}
	late := f
	late.Overdue, late.Status = true, nil
	w, err := late.where(actor, day)
	if err != nil {
		return c, err
	}
	if err := q.QueryRow(ctx, "SELECT count(*) FROM findings f"+w.SQL(), w.Args()...).Scan(&c.Overdue); err != nil {
		return c, fmt.Errorf("count overdue findings: %w", err)
	}
	return c, nil
}

// Source is one tool and rule that reported a finding.
type Source struct {
	Tool      string    `json:"tool"`
	RuleID    string    `json:"rule_id"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	TimesSeen int       `json:"times_seen"`
	ImportID  int64     `json:"import_id,omitempty"`
}

// Event is one entry of a finding's history.
type Event struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Kind     string    `json:"kind"` // status, assign, comment, import, file
	From     Status    `json:"from_status,omitempty"`
	To       Status    `json:"to_status,omitempty"`
	Note     string    `json:"note,omitempty"`
	ImportID int64     `json:"import_id,omitempty"`
}

// File is an attachment of a finding.
type File struct {
	ID          int64     `json:"id"`
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"created_at"`
}

// Detail is a finding with everything its page shows.
type Detail struct {
	View
	Factors []Factor `json:"priority_factors"`
	Sources []Source `json:"sources"`
	History []Event  `json:"history"`
	Files   []File   `json:"files"`
	Level   int      `json:"system_level,omitempty"`
}

// Get returns the finding with id if the actor sees it.
func Get(ctx context.Context, q storage.Querier, actor access.Actor, id int64) (View, error) {
	day := today(q.Now())
	w, _ := Filter{}.where(actor, day)
	w.Add("f.id = ?", id)
	v, err := scanView(day)(q.QueryRow(ctx, viewSelect+viewFrom+w.SQL(), w.Args()...))
	if storage.IsNoRows(err) {
		return v, access.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("finding %d: %w", id, err)
	}
	return v, nil
}

// GetDetail returns the finding with its priority explained, its sources,
// history and files.
func GetDetail(ctx context.Context, q storage.Querier, actor access.Actor, id int64) (Detail, error) {
	v, err := Get(ctx, q, actor, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{View: v}
	if v.SystemID != 0 {
		if err := q.QueryRow(ctx, "SELECT level FROM systems WHERE id = ?", v.SystemID).Scan(&d.Level); err != nil {
			return d, fmt.Errorf("system of finding %d: %w", id, err)
		}
	}
	_, d.Factors = Priority(v.Finding, d.Level)
	d.Sources, err = storage.Collect[Source](q.Query(ctx, "SELECT tool, rule_id, first_seen, last_seen, times_seen, last_import_id FROM finding_sources WHERE finding_id = ? ORDER BY first_seen, tool", id))(func(r storage.Scanner) (Source, error) {
		var s Source
		err := r.Scan(&s.Tool, &s.RuleID, storage.UTC{P: &s.FirstSeen}, storage.UTC{P: &s.LastSeen}, &s.TimesSeen, storage.OptionalID{P: &s.ImportID})
		return s, err
	})
	if err != nil {
		return d, fmt.Errorf("sources of finding %d: %w", id, err)
	}
	d.History, err = storage.Collect[Event](q.Query(ctx, "SELECT id, at, actor, kind, from_status, to_status, note, import_id FROM finding_events WHERE finding_id = ? ORDER BY id", id))(func(r storage.Scanner) (Event, error) {
		var e Event
		err := r.Scan(&e.ID, storage.UTC{P: &e.At}, &e.Actor, &e.Kind, (*string)(&e.From), (*string)(&e.To), &e.Note, storage.OptionalID{P: &e.ImportID})
		return e, err
	})
	if err != nil {
		return d, fmt.Errorf("history of finding %d: %w", id, err)
	}
	d.Files, err = listFiles(ctx, q, id)
	return d, err
}
