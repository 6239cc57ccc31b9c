package hunt

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// checklistColumn stores a checklist as JSON without its labels.
type checklistColumn struct{ p *[]Item }

func (c checklistColumn) Scan(src any) error {
	if err := (storage.JSON{P: c.p}).Scan(src); err != nil {
		return err
	}
	if *c.p == nil {
		*c.p = []Item{}
	}
	return nil
}

func (c checklistColumn) Value() (driver.Value, error) {
	items := make([]Item, len(*c.p))
	for i, it := range *c.p {
		it.Label = ""
		items[i] = it
	}
	return storage.JSON{P: items}.Value()
}

var huntTable = storage.Table[Hunt]{Name: "hunt_tasks", Columns: []storage.Column[Hunt]{
	{Name: "id", Field: func(h *Hunt) any { return &h.ID }, Fixed: true},
	{Name: "system_id", Field: func(h *Hunt) any { return &h.SystemID }, Fixed: true},
	// A hunt's organisation follows its system's (a trigger on systems).
	{Name: "org_id", Field: func(h *Hunt) any { return &h.OrgID }, Fixed: true},
	{Name: "finding_id", Field: func(h *Hunt) any { return storage.OptionalID{P: &h.FindingID} }, Fixed: true},
	{Name: "origin", Field: func(h *Hunt) any { return &h.Origin }, Fixed: true},
	{Name: "status", Field: func(h *Hunt) any { return &h.Status }},
	{Name: "checklist", Field: func(h *Hunt) any { return checklistColumn{&h.Checklist} }},
	{Name: "assignee_user_id", Field: func(h *Hunt) any { return storage.OptionalID{P: &h.AssigneeUserID} }},
	{Name: "result", Field: func(h *Hunt) any { return &h.Result }},
	{Name: "result_note", Field: func(h *Hunt) any { return &h.ResultNote }},
	{Name: "due_date", Field: func(h *Hunt) any { return &h.DueDate }},
	{Name: "created_by", Field: func(h *Hunt) any { return &h.CreatedBy }, Fixed: true},
	{Name: "started_at", Field: func(h *Hunt) any { return storage.OptionalUTC{P: &h.StartedAt} }},
	{Name: "finished_at", Field: func(h *Hunt) any { return storage.OptionalUTC{P: &h.FinishedAt} }},
	{Name: "created_at", Field: func(h *Hunt) any { return storage.UTC{P: &h.CreatedAt} }, Fixed: true},
	{Name: "updated_at", Field: func(h *Hunt) any { return storage.UTC{P: &h.UpdatedAt} }},
}}

var (
	huntSelect = "SELECT " + huntTable.Select("h") + ", s.name, s.kind, o.code, o.path, COALESCE(f.title, ''), COALESCE(NULLIF(u.name, ''), u.email, '')"
	huntFrom   = ` FROM hunt_tasks h JOIN systems s ON s.id = h.system_id JOIN orgs o ON o.id = h.org_id
		LEFT JOIN findings f ON f.id = h.finding_id LEFT JOIN users u ON u.id = h.assignee_user_id`
)

func scanHunt(r storage.Scanner) (Hunt, error) {
	var h Hunt
	err := r.Scan(huntTable.Dest(&h, &h.SystemName, &h.SystemKind, &h.OrgCode, &h.OrgPath, &h.FindingTitle, &h.AssigneeName)...)
	return h, err
}

// newHunt is a hunt of origin on a system, with its kind's checklist.
func newHunt(ctx context.Context, tx *storage.Tx, systemID int64, origin, by string, now time.Time) (Hunt, error) {
	h := Hunt{SystemID: systemID, Origin: origin, Status: StatusOpen, DueDate: DueFor(origin, now), CreatedBy: by, CreatedAt: now, UpdatedAt: now}
	var kind string
	if err := tx.QueryRow(ctx, "SELECT org_id, kind FROM systems WHERE id = ?", systemID).Scan(&h.OrgID, &kind); err != nil {
		return h, fmt.Errorf("system %d of a hunt: %w", systemID, err)
	}
	h.Checklist = Checklist(kind)
	return h, nil
}

func insert(ctx context.Context, tx *storage.Tx, actor access.Actor, h *Hunt) error {
	var err error
	if h.ID, err = huntTable.Insert(ctx, tx, h); err != nil {
		return fmt.Errorf("open hunt on system %d: %w", h.SystemID, err)
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "hunt.open", ObjectType: "hunt", ObjectID: h.ID, OrgID: h.OrgID, New: h})
}

// Open is called by a finding import, inside its transaction, for a finding
// that lets an attacker in: it opens a hunt on the system unless one is open
// already, which the finding then joins (and gives its reason, if it had
// none). It returns the hunt and whether it was opened now.
func Open(ctx context.Context, tx *storage.Tx, actor access.Actor, systemID, findingID int64, now time.Time) (int64, bool, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM hunt_tasks WHERE system_id = ? AND status = ? ORDER BY id LIMIT 1", systemID, StatusOpen).Scan(&id)
	if err == nil {
		_, err = tx.Exec(ctx, "UPDATE hunt_tasks SET finding_id = ? WHERE id = ? AND finding_id IS NULL", findingID, id)
		return id, false, err
	}
	if !storage.IsNoRows(err) {
		return 0, false, fmt.Errorf("open hunt of system %d: %w", systemID, err)
	}
	h, err := newHunt(ctx, tx, systemID, FromFinding, actor.Email, now)
	if err != nil {
		return 0, false, err
	}
	h.FindingID = findingID
	if err := insert(ctx, tx, actor, &h); err != nil {
		return 0, false, err
	}
	return h.ID, true, nil
}

// Input is a hunt opened by hand.
type Input struct {
	SystemID       int64  `json:"system_id"`
	AssigneeUserID int64  `json:"assignee_user_id,omitempty"`
	DueDate        string `json:"due_date,omitempty"` // YYYY-MM-DD; "" for a month from today
}

// Create opens a hunt by hand on a system the actor may work incidents on.
func Create(ctx context.Context, db *storage.Store, actor access.Actor, in Input) (Hunt, error) {
	var out Hunt
	if in.SystemID == 0 {
		return out, validation.Invalid("system_id", "hunt.err.system")
	}
	if err := checkDate("due_date", in.DueDate); err != nil {
		return out, err
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		var path string
		err := tx.QueryRow(ctx, "SELECT o.path FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ? AND s.archived_at IS NULL", in.SystemID).Scan(&path)
		if storage.IsNoRows(err) {
			return validation.Invalid("system_id", "hunt.err.system")
		}
		if err != nil {
			return err
		}
		// Another agency's system is not found, like its hunts.
		if err := actor.Check(access.HandleIncident, path); err != nil {
			return err
		}
		h, err := newHunt(ctx, tx, in.SystemID, Manual, actor.Email, tx.Now())
		if err != nil {
			return err
		}
		if in.DueDate != "" {
			h.DueDate = in.DueDate
		}
		if in.AssigneeUserID != 0 {
			if err := checkAssignee(ctx, tx, in.AssigneeUserID, path); err != nil {
				return err
			}
			h.AssigneeUserID, h.StartedAt = in.AssigneeUserID, &h.CreatedAt
		}
		if err := insert(ctx, tx, actor, &h); err != nil {
			return err
		}
		out, err = get(ctx, tx, h.ID)
		return err
	})
	return out, err
}

// Filter narrows the list of hunts.
type Filter struct {
	Status         string // open, done; "" for both
	Origin         string
	SystemID       int64
	AssigneeUserID int64
	Overdue        bool
}

// List returns the hunts in the actor's scope, soonest due first.
func List(ctx context.Context, q storage.Querier, actor access.Actor, f Filter, p storage.Page, now time.Time) (storage.Paged[Hunt], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if f.Status != "" {
		w.Add("h.status = ?", f.Status)
	}
	if f.Origin != "" {
		w.Add("h.origin = ?", f.Origin)
	}
	if f.SystemID != 0 {
		w.Add("h.system_id = ?", f.SystemID)
	}
	if f.AssigneeUserID != 0 {
		w.Add("h.assignee_user_id = ?", f.AssigneeUserID)
	}
	if f.Overdue {
		w.Add("h.status = ? AND h.due_date <> '' AND h.due_date < ?", StatusOpen, Today(now))
	}
	res, err := storage.List[Hunt]{Select: huntSelect, From: huntFrom, Where: w, Order: storage.Keyset{Text: []string{"h.due_date"}, ID: "h.id"}, Scan: scanHunt,
		Key: func(h Hunt) []any { return []any{h.DueDate, h.ID} }}.Read(ctx, q, p)
	if err != nil {
		return res, fmt.Errorf("list hunts: %w", err)
	}
	return res, nil
}

// CountOpen is the number of open hunts the actor sees (the badge that tells the coordinator).
func CountOpen(ctx context.Context, q storage.Querier, actor access.Actor) (int, error) {
	cond, args := actor.OrgFilter("o.path")
	var n int
	err := q.QueryRow(ctx, "SELECT count(*) FROM hunt_tasks h JOIN orgs o ON o.id = h.org_id WHERE h.status = ? AND "+cond, append([]any{StatusOpen}, args...)...).Scan(&n)
	return n, err
}

// get reads one hunt, whoever asks.
func get(ctx context.Context, q storage.Querier, id int64) (Hunt, error) {
	h, err := scanHunt(q.QueryRow(ctx, huntSelect+huntFrom+" WHERE h.id = ?", id))
	if storage.IsNoRows(err) {
		return h, access.ErrNotFound
	}
	return h, err
}

// load reads a hunt the actor sees, and checks they may do action to it.
func load(ctx context.Context, q storage.Querier, actor access.Actor, id int64, action access.Action) (Hunt, error) {
	h, err := get(ctx, q, id)
	if err != nil {
		return h, err
	}
	return h, actor.Check(action, h.OrgPath)
}

// Linked is a finding that opened or joined a hunt.
type Linked struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
}

// Detail is a hunt with its evidence and findings.
type Detail struct {
	Hunt
	Files    []File   `json:"files"`
	Findings []Linked `json:"findings"`
}

// Get returns a hunt the actor sees, with its files and findings.
func Get(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (Detail, error) {
	var d Detail
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		h, err := load(ctx, tx, actor, id, access.Read)
		if err != nil {
			return err
		}
		d.Hunt = h
		if d.Files, err = listFiles(ctx, tx, id); err != nil {
			return err
		}
		d.Findings, err = storage.Collect[Linked](tx.Query(ctx, "SELECT id, title, severity, status FROM findings WHERE hunt_id = ? OR id = ? ORDER BY severity_rank DESC, id", id, h.FindingID))(func(r storage.Scanner) (Linked, error) {
			var l Linked
			err := r.Scan(&l.ID, &l.Title, &l.Severity, &l.Status)
			return l, err
		})
		return err
	})
	return d, err
}

// Change is an edit of an open hunt; nil fields are left as they are.
type Change struct {
	AssigneeUserID *int64       `json:"assignee_user_id,omitempty"` // 0 to clear
	DueDate        *string      `json:"due_date,omitempty"`
	Checklist      []ItemChange `json:"checklist,omitempty"`
}

// Update assigns an open hunt, moves its due date or works its checklist.
// The first assignment or ticked item starts it.
func Update(ctx context.Context, db *storage.Store, actor access.Actor, id int64, c Change) (Hunt, error) {
	var out Hunt
	if c.DueDate != nil {
		if err := checkDate("due_date", *c.DueDate); err != nil || *c.DueDate == "" {
			return out, validation.Invalid("due_date", "hunt.err.date", *c.DueDate)
		}
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		h, err := load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		if h.Status != StatusOpen {
			return validation.Invalid("status", "hunt.err.done")
		}
		old := h
		old.Checklist = append([]Item(nil), h.Checklist...)
		now := tx.Now()
		started := false
		if c.AssigneeUserID != nil && *c.AssigneeUserID != h.AssigneeUserID {
			if *c.AssigneeUserID != 0 {
				if err := checkAssignee(ctx, tx, *c.AssigneeUserID, h.OrgPath); err != nil {
					return err
				}
				started = true
			}
			h.AssigneeUserID = *c.AssigneeUserID
		}
		if c.DueDate != nil {
			h.DueDate = *c.DueDate
		}
		var ticked bool
		if h.Checklist, ticked, err = applyChanges(h.Checklist, c.Checklist); err != nil {
			return err
		}
		if (started || ticked) && h.StartedAt == nil {
			h.StartedAt = &now
		}
		h.UpdatedAt = now
		if err := huntTable.Update(ctx, tx, &h, id); err != nil {
			return fmt.Errorf("update hunt %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "hunt.update", ObjectType: "hunt", ObjectID: id, OrgID: h.OrgID,
			Old: edited(old), New: edited(h)}); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

// edited is what an update may change, for the audit log.
func edited(h Hunt) map[string]any {
	return map[string]any{"assignee_user_id": h.AssigneeUserID, "due_date": h.DueDate, "checklist": h.Checklist}
}

// checkAssignee refuses an assignee who could not work the hunt: an active
// administrator or coordinator, a responder assigned to the hunt's
// organisation (or above it), or staff of the organisation (or above it).
func checkAssignee(ctx context.Context, tx *storage.Tx, userID int64, orgPath string) error {
	var n int
	err := tx.QueryRow(ctx, "SELECT count(*) FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ? AND "+candidate, userID, orgPath, orgPath).Scan(&n)
	if err != nil {
		return err
	}
	if n == 0 {
		return validation.Invalid("assignee_user_id", "hunt.err.assignee")
	}
	return nil
}

// candidate is the condition on a user u (of organisation o) who may work
// hunts of the organisation at the path given twice as arguments.
const candidate = `u.disabled_at IS NULL AND (u.role IN ('admin', 'coordinator')
	OR u.role IN ('agency_admin', 'agency_operator') AND CAST(? AS TEXT) LIKE o.path || '%'
	OR u.role = 'responder' AND EXISTS (SELECT 1 FROM org_assignments a JOIN orgs ao ON ao.id = a.org_id WHERE a.user_id = u.id AND CAST(? AS TEXT) LIKE ao.path || '%'))`

// Person is someone a hunt may be given to.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
}

// Candidates are the people who may be given a hunt the actor sees.
func Candidates(ctx context.Context, q storage.Querier, actor access.Actor, id int64) ([]Person, error) {
	h, err := load(ctx, q, actor, id, access.Read)
	if err != nil {
		return nil, err
	}
	return storage.Collect[Person](q.Query(ctx, "SELECT u.id, u.name, u.email, u.role FROM users u JOIN orgs o ON o.id = u.org_id WHERE "+candidate+" ORDER BY u.name, u.id", h.OrgPath, h.OrgPath))(func(r storage.Scanner) (Person, error) {
		var p Person
		err := r.Scan(&p.ID, &p.Name, &p.Email, &p.Role)
		return p, err
	})
}

// Finish records how a hunt ended: its result and what was looked at.
func Finish(ctx context.Context, db *storage.Store, actor access.Actor, id int64, o Outcome) (Hunt, error) {
	var out Hunt
	if err := o.Check(); err != nil {
		return out, err
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		h, err := load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		if h.Status != StatusOpen {
			return validation.Invalid("status", "hunt.err.done")
		}
		now := tx.Now()
		h.Status, h.Result, h.ResultNote, h.FinishedAt, h.UpdatedAt = StatusDone, o.Result, o.Note, &now, now
		if h.StartedAt == nil {
			h.StartedAt = &now
		}
		if err := huntTable.Update(ctx, tx, &h, id); err != nil {
			return fmt.Errorf("finish hunt %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "hunt.finish", ObjectType: "hunt", ObjectID: id, OrgID: h.OrgID, New: o}); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}
