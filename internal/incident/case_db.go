package incident

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

var caseTable = storage.Table[Case]{Name: "incident_cases", Columns: []storage.Column[Case]{
	{Name: "id", Field: func(c *Case) any { return &c.ID }, Fixed: true},
	{Name: "ref", Field: func(c *Case) any { return &c.Ref }},
	{Name: "org_id", Field: func(c *Case) any { return &c.OrgID }},
	{Name: "title", Field: func(c *Case) any { return &c.Title }},
	{Name: "title_search", Field: func(c *Case) any { return i18n.Fold(c.Title) }, Derived: true},
	{Name: "description", Field: func(c *Case) any { return &c.Description }},
	{Name: "category", Field: func(c *Case) any { return &c.Category }},
	{Name: "severity", Field: func(c *Case) any { return &c.Severity }},
	{Name: "tlp", Field: func(c *Case) any { return &c.TLP }},
	{Name: "serious", Field: func(c *Case) any { return &c.Serious }},
	{Name: "phase", Field: func(c *Case) any { return &c.Phase }},
	{Name: "detection_method", Field: func(c *Case) any { return &c.DetectionMethod }},
	{Name: "detected_at", Field: func(c *Case) any { return storage.UTC{P: &c.DetectedAt} }},
	{Name: "notified_at", Field: func(c *Case) any { return storage.OptionalUTC{P: &c.NotifiedAt} }},
	{Name: "contained_at", Field: func(c *Case) any { return storage.OptionalUTC{P: &c.ContainedAt} }},
	{Name: "recovered_at", Field: func(c *Case) any { return storage.OptionalUTC{P: &c.RecoveredAt} }},
	{Name: "closed_at", Field: func(c *Case) any { return storage.OptionalUTC{P: &c.ClosedAt} }},
	{Name: "created_by", Field: func(c *Case) any { return &c.CreatedBy }, Fixed: true},
	{Name: "created_at", Field: func(c *Case) any { return storage.UTC{P: &c.CreatedAt} }, Fixed: true},
	{Name: "updated_at", Field: func(c *Case) any { return storage.UTC{P: &c.UpdatedAt} }},
}}

var (
	caseSelect = "SELECT " + caseTable.Select("c") + ", o.code, o.name, o.path"
	caseFrom   = " FROM incident_cases c JOIN orgs o ON o.id = c.org_id"
)

func scanCase(r storage.Scanner) (Case, error) {
	var c Case
	err := r.Scan(caseTable.Dest(&c, &c.OrgCode, &c.OrgName, &c.OrgPath)...)
	c.Systems = []CaseSystem{}
	return c, err
}

// Visible is the condition on a case c that the actor sees it: everyone in
// scope of its lead organisation or of one of its systems' organisations; a
// responder, only the cases it is on.
func Visible(actor access.Actor) (string, []any) {
	if actor.Global() {
		return "1=1", nil
	}
	if actor.Role == access.Responder {
		return "EXISTS (SELECT 1 FROM incident_responders r WHERE r.incident_id = c.id AND r.user_id = ?)", []any{actor.UserID}
	}
	lead, args := actor.OrgFilter("o.path")
	other, more := actor.OrgFilter("xo.path")
	return "(" + lead + " OR EXISTS (SELECT 1 FROM incident_systems x JOIN orgs xo ON xo.id = x.org_id WHERE x.incident_id = c.id AND " + other + "))",
		append(args, more...)
}

// get reads one case with its systems, whoever asks.
func get(ctx context.Context, q storage.Querier, id int64) (Case, error) {
	c, err := scanCase(q.QueryRow(ctx, caseSelect+caseFrom+" WHERE c.id = ?", id))
	if storage.IsNoRows(err) {
		return c, access.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("read case %d: %w", id, err)
	}
	c.Systems, err = storage.Collect[CaseSystem](q.Query(ctx, `SELECT s.id, s.name, s.level, o.id, o.code, o.path FROM incident_systems x
		JOIN systems s ON s.id = x.system_id JOIN orgs o ON o.id = x.org_id WHERE x.incident_id = ? ORDER BY s.name, s.id`, id))(func(r storage.Scanner) (CaseSystem, error) {
		var s CaseSystem
		err := r.Scan(&s.ID, &s.Name, &s.Level, &s.OrgID, &s.OrgCode, &s.OrgPath)
		return s, err
	})
	return c, err
}

// Load reads a case the actor sees and checks they may do action on it:
// ErrNotFound outside their view, ErrForbidden when they may only read it.
// Other packages (alerts, evidence forms, notifications) load cases with it.
func Load(ctx context.Context, q storage.Querier, actor access.Actor, id int64, action access.Action) (Case, error) {
	cond, args := Visible(actor)
	var n int
	if err := q.QueryRow(ctx, "SELECT count(*)"+caseFrom+" WHERE c.id = ? AND "+cond, append([]any{id}, args...)...).Scan(&n); err != nil {
		return Case{}, fmt.Errorf("case %d: %w", id, err)
	}
	if n == 0 {
		return Case{}, access.ErrNotFound
	}
	c, err := get(ctx, q, id)
	if err != nil {
		return c, err
	}
	if action == access.Read || actor.Global() || actor.Role == access.Responder {
		if action != access.Read && !actor.CanSomewhere(access.HandleIncident) {
			return c, access.Denied(actor.Role, action)
		}
		return c, nil
	}
	return c, actor.Check(action, c.OrgPath)
}

// Create opens a case on systems the actor may handle incidents on, with
// its category's playbook, its first phase and its first timeline event.
func Create(ctx context.Context, db *storage.Store, actor access.Actor, in Input) (Case, error) {
	in.Normalise()
	now := db.Now()
	if err := in.Validate(now); err != nil {
		return Case{}, err
	}
	var out Case
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		c, err := open(ctx, tx, actor, in, tx.Now())
		if err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// Open is Create inside a transaction the caller holds (an alert promoted
// to a case opens it in the alert's transaction). The input is normalised
// and validated here.
func Open(ctx context.Context, tx *storage.Tx, actor access.Actor, in Input) (Case, error) {
	in.Normalise()
	now := tx.Now()
	if err := in.Validate(now); err != nil {
		return Case{}, err
	}
	return open(ctx, tx, actor, in, now)
}

func open(ctx context.Context, tx *storage.Tx, actor access.Actor, in Input, now time.Time) (Case, error) {
	systems, err := checkSystems(ctx, tx, actor, in.SystemIDs)
	if err != nil {
		return Case{}, err
	}
	orgID := in.OrgID
	if orgID == 0 {
		orgID = systems[0].OrgID
	}
	var orgPath string
	if err := tx.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", orgID).Scan(&orgPath); err != nil {
		if storage.IsNoRows(err) {
			return Case{}, validation.Invalid("org_id", "incident.err.org")
		}
		return Case{}, err
	}
	if err := actor.Check(access.HandleIncident, orgPath); err != nil {
		if err == access.ErrNotFound {
			return Case{}, validation.Invalid("org_id", "incident.err.org")
		}
		return Case{}, err
	}
	c := Case{OrgID: orgID, Title: in.Title, Description: in.Description, Category: in.Category, Severity: in.Severity, TLP: in.TLP,
		Phase: Reception, DetectionMethod: in.DetectionMethod, DetectedAt: now, CreatedBy: actor.Email, CreatedAt: now, UpdatedAt: now,
		Ref: fmt.Sprintf("new-%d-%d", now.UnixNano(), orgID)}
	if in.DetectedAt != nil {
		c.DetectedAt = in.DetectedAt.UTC()
	}
	c.Systems = systems
	if in.Serious != nil {
		c.Serious = *in.Serious
	} else {
		c.Serious, _ = SeriousHint(c.Severity, c.MaxLevel())
	}
	if c.ID, err = caseTable.Insert(ctx, tx, &c); err != nil {
		return Case{}, fmt.Errorf("open case: %w", err)
	}
	c.Ref = Ref(c.CreatedAt, c.ID)
	if _, err := tx.Exec(ctx, "UPDATE incident_cases SET ref = ? WHERE id = ?", c.Ref, c.ID); err != nil {
		return Case{}, fmt.Errorf("number case %d: %w", c.ID, err)
	}
	for _, s := range systems {
		if _, err := tx.Exec(ctx, "INSERT INTO incident_systems (incident_id, system_id, org_id) VALUES (?, ?, ?)", c.ID, s.ID, s.OrgID); err != nil {
			return Case{}, fmt.Errorf("case %d system %d: %w", c.ID, s.ID, err)
		}
	}
	if _, err := tx.Exec(ctx, "INSERT INTO incident_phases (incident_id, phase, started_at, started_by) VALUES (?, ?, ?, ?)", c.ID, Reception, now, actor.Email); err != nil {
		return Case{}, fmt.Errorf("case %d phase: %w", c.ID, err)
	}
	for i, s := range Playbook(c.Category) {
		if _, err := insertTask(ctx, tx, Task{IncidentID: c.ID, Phase: s.Phase, Code: s.Code, Position: (i + 1) * 10, Status: TaskOpen, CreatedAt: now}); err != nil {
			return Case{}, err
		}
	}
	for _, uid := range in.ResponderIDs {
		if err := addResponder(ctx, tx, c, uid, now); err != nil {
			return Case{}, err
		}
	}
	if err := AddEventTx(ctx, tx, Event{IncidentID: c.ID, OccurredAt: c.DetectedAt, Kind: EventOpened, Description: c.Title, CreatedBy: actor.Email, CreatedAt: now}); err != nil {
		return Case{}, err
	}
	if err := audit.Record(ctx, tx, actor, audit.Change{Action: "incident.create", ObjectType: "incident", ObjectID: c.ID, OrgID: c.OrgID, New: c}); err != nil {
		return Case{}, err
	}
	for _, h := range openedHooks {
		if err := h(ctx, tx, c); err != nil {
			return Case{}, err
		}
	}
	return get(ctx, tx, c.ID)
}

// Ref is a case's number: its year (Vietnam time) and its id.
func Ref(created time.Time, id int64) string {
	return fmt.Sprintf("SC-%d-%04d", created.In(zone).Year(), id)
}

// checkSystems reads the systems a case touches: each must be in the
// inventory, not archived, and in the actor's scope (another agency's system
// is refused as unknown).
func checkSystems(ctx context.Context, tx *storage.Tx, actor access.Actor, ids []int64) ([]CaseSystem, error) {
	out := make([]CaseSystem, 0, len(ids))
	for _, id := range ids {
		var s CaseSystem
		err := tx.QueryRow(ctx, "SELECT s.id, s.name, s.level, o.id, o.code, o.path FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ? AND s.archived_at IS NULL", id).
			Scan(&s.ID, &s.Name, &s.Level, &s.OrgID, &s.OrgCode, &s.OrgPath)
		if storage.IsNoRows(err) || err == nil && !actor.InScope(s.OrgPath) {
			return nil, validation.Invalid("system_ids", "incident.err.system", id)
		}
		if err != nil {
			return nil, fmt.Errorf("system %d of a case: %w", id, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Hook is work another package does when a case is opened or changes phase,
// inside the same transaction (notifications queue their jobs with it).
type Hook func(ctx context.Context, tx *storage.Tx, c Case) error

var openedHooks, movedHooks []Hook

// OnOpened registers a hook run after a case is opened. Call it at start-up only.
func OnOpened(h Hook) { openedHooks = append(openedHooks, h) }

// OnMoved registers a hook run after a case changes phase. Call it at start-up only.
func OnMoved(h Hook) { movedHooks = append(movedHooks, h) }

// Filter narrows the list of cases.
type Filter struct {
	Phase    string // a phase, "open" for every phase but closed, "" for all
	Category string
	Severity string
	OrgID    int64
	SystemID int64
	Query    string
}

// List returns the cases the actor sees, newest first.
func List(ctx context.Context, q storage.Querier, actor access.Actor, f Filter, p storage.Page) (storage.Paged[Case], error) {
	w := storage.Scoped(Visible(actor))
	switch f.Phase {
	case "":
	case "open":
		w.Add("c.phase <> ?", Closed)
	default:
		w.Add("c.phase = ?", f.Phase)
	}
	if f.Category != "" {
		w.Add("c.category = ?", f.Category)
	}
	if f.Severity != "" {
		w.Add("c.severity = ?", f.Severity)
	}
	if f.OrgID != 0 {
		w.Add("(c.org_id = ? OR EXISTS (SELECT 1 FROM incident_systems y WHERE y.incident_id = c.id AND y.org_id = ?))", f.OrgID, f.OrgID)
	}
	if f.SystemID != 0 {
		w.Add("EXISTS (SELECT 1 FROM incident_systems y WHERE y.incident_id = c.id AND y.system_id = ?)", f.SystemID)
	}
	if f.Query != "" {
		w.Add("(c.title_search LIKE ? OR c.ref LIKE ?)", storage.Contains(i18n.Fold(f.Query)), storage.Contains(strings.ToUpper(f.Query)))
	}
	res, err := storage.List[Case]{Select: caseSelect, From: caseFrom, Where: w, Order: storage.Keyset{ID: "c.id", Desc: true}, Scan: scanCase,
		Key: func(c Case) []any { return []any{c.ID} }}.Read(ctx, q, p)
	if err != nil {
		return res, fmt.Errorf("list cases: %w", err)
	}
	return res, nil
}

// Change edits a case; nil fields stay as they are.
type Change struct {
	Title           *string    `json:"title,omitempty"`
	Description     *string    `json:"description,omitempty"`
	Category        *string    `json:"category,omitempty"`
	Severity        *string    `json:"severity,omitempty"`
	TLP             *string    `json:"tlp,omitempty"`
	Serious         *bool      `json:"serious,omitempty"`
	DetectionMethod *string    `json:"detection_method,omitempty"`
	DetectedAt      *time.Time `json:"detected_at,omitempty"`
	NotifiedAt      *time.Time `json:"notified_at,omitempty"`
	ContainedAt     *time.Time `json:"contained_at,omitempty"`
	RecoveredAt     *time.Time `json:"recovered_at,omitempty"`
}

// apply returns the case with the change made, validated as a new case would be.
func (ch Change) apply(c Case, now time.Time) (Case, error) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Title, ch.Title)
	set(&c.Description, ch.Description)
	set(&c.Category, ch.Category)
	set(&c.Severity, ch.Severity)
	set(&c.TLP, ch.TLP)
	set(&c.DetectionMethod, ch.DetectionMethod)
	if ch.Serious != nil {
		c.Serious = *ch.Serious
	}
	if ch.DetectedAt != nil {
		c.DetectedAt = ch.DetectedAt.UTC()
	}
	var es validation.Errors
	for _, m := range []struct {
		field string
		dst   **time.Time
		v     *time.Time
	}{{"notified_at", &c.NotifiedAt, ch.NotifiedAt}, {"contained_at", &c.ContainedAt, ch.ContainedAt}, {"recovered_at", &c.RecoveredAt, ch.RecoveredAt}} {
		if m.v == nil {
			continue
		}
		t := m.v.UTC()
		if t.Before(c.DetectedAt) {
			es.Add(m.field, "incident.err.before_detection")
		}
		*m.dst = &t
	}
	in := Input{Title: c.Title, Description: c.Description, Category: c.Category, Severity: c.Severity, TLP: c.TLP, DetectedAt: &c.DetectedAt,
		DetectionMethod: c.DetectionMethod, OrgID: c.OrgID}
	in.Normalise()
	if err := in.Validate(now); err != nil {
		es = append(es, err.(validation.Errors)...)
	}
	c.Title, c.Description, c.DetectionMethod = in.Title, in.Description, in.DetectionMethod
	return c, es.Err()
}

// Update edits a case the actor may handle.
func Update(ctx context.Context, db *storage.Store, actor access.Actor, id int64, ch Change) (Case, error) {
	var out Case
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		old, err := Load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		now := tx.Now()
		c, err := ch.apply(old, now)
		if err != nil {
			return err
		}
		c.UpdatedAt = now
		if err := caseTable.Update(ctx, tx, &c, id); err != nil {
			return fmt.Errorf("update case %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "incident.update", ObjectType: "incident", ObjectID: id, OrgID: c.OrgID, Old: old, New: c}); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

// Move puts a case into another phase, records when it began, reaches the
// milestones the move implies and writes the move on the timeline.
func Move(ctx context.Context, db *storage.Store, actor access.Actor, id int64, phase, note string) (Case, error) {
	var out Case
	if len(note) > maxText {
		return out, validation.Invalid("note", "incident.err.too_long", maxText)
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		c, err := Load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		if err := CheckMove(c.Phase, phase); err != nil {
			return err
		}
		now := tx.Now()
		from := c.Phase
		c.Phase, c.UpdatedAt = phase, now
		c.Milestones(phase, now)
		if err := caseTable.Update(ctx, tx, &c, id); err != nil {
			return fmt.Errorf("move case %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO incident_phases (incident_id, phase, started_at, started_by, note) VALUES (?, ?, ?, ?, ?)", id, phase, now, actor.Email, note); err != nil {
			return fmt.Errorf("case %d phase: %w", id, err)
		}
		if err := AddEventTx(ctx, tx, Event{IncidentID: id, OccurredAt: now, Kind: EventPhase, Source: phase, Description: note, CreatedBy: actor.Email, CreatedAt: now}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "incident.move", ObjectType: "incident", ObjectID: id, OrgID: c.OrgID,
			Old: map[string]string{"phase": from}, New: map[string]string{"phase": phase, "note": note}}); err != nil {
			return err
		}
		for _, h := range movedHooks {
			if err := h(ctx, tx, c); err != nil {
				return err
			}
		}
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

// PhaseEntry is when a case entered a phase.
type PhaseEntry struct {
	Phase     string    `json:"phase"`
	StartedAt time.Time `json:"started_at"`
	StartedBy string    `json:"started_by"`
	Note      string    `json:"note,omitempty"`
}

// Responder is a user working a case.
type Responder struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   string `json:"role"`
}

// Detail is a case with everything worked on it.
type Detail struct {
	Case
	Durations  Durations    `json:"durations"`
	Phases     []PhaseEntry `json:"phases"`
	Tasks      []Task       `json:"tasks"`
	Events     []Event      `json:"events"`
	Responders []Responder  `json:"responders"`
}

// Get returns a case the actor sees with its phases, tasks, timeline and responders.
func Get(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (Detail, error) {
	var d Detail
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		c, err := Load(ctx, tx, actor, id, access.Read)
		if err != nil {
			return err
		}
		d.Case, d.Durations = c, c.Durations()
		if d.Phases, err = storage.Collect[PhaseEntry](tx.Query(ctx, "SELECT phase, started_at, started_by, note FROM incident_phases WHERE incident_id = ? ORDER BY id", id))(func(r storage.Scanner) (PhaseEntry, error) {
			var p PhaseEntry
			err := r.Scan(&p.Phase, storage.UTC{P: &p.StartedAt}, &p.StartedBy, &p.Note)
			return p, err
		}); err != nil {
			return err
		}
		if d.Tasks, err = listTasks(ctx, tx, id); err != nil {
			return err
		}
		if d.Events, err = listEvents(ctx, tx, id); err != nil {
			return err
		}
		d.Responders, err = listResponders(ctx, tx, id)
		return err
	})
	return d, err
}

func listResponders(ctx context.Context, q storage.Querier, id int64) ([]Responder, error) {
	return storage.Collect[Responder](q.Query(ctx, `SELECT u.id, u.name, u.email, u.role FROM incident_responders r JOIN users u ON u.id = r.user_id
		WHERE r.incident_id = ? ORDER BY u.name, u.id`, id))(func(r storage.Scanner) (Responder, error) {
		var p Responder
		err := r.Scan(&p.UserID, &p.Name, &p.Email, &p.Role)
		return p, err
	})
}

// addResponder puts an active user on a case: a coordinator or
// administrator, staff of one of the case's organisations, or a responder.
func addResponder(ctx context.Context, tx *storage.Tx, c Case, userID int64, now time.Time) error {
	var role, path string
	err := tx.QueryRow(ctx, "SELECT u.role, o.path FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ? AND u.disabled_at IS NULL", userID).Scan(&role, &path)
	if storage.IsNoRows(err) {
		return validation.Invalid("user_id", "incident.err.responder", userID)
	}
	if err != nil {
		return err
	}
	if !canWork(c, access.Role(role), path) {
		return validation.Invalid("user_id", "incident.err.responder", userID)
	}
	_, err = tx.Exec(ctx, "INSERT INTO incident_responders (incident_id, user_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", c.ID, userID, now)
	return err
}

// canWork reports whether a user of role and organisation path may work the case.
func canWork(c Case, role access.Role, path string) bool {
	switch role {
	case access.Admin, access.Coordinator, access.Responder:
		return true
	case access.AgencyAdmin, access.AgencyOperator:
		if len(c.OrgPath) >= len(path) && c.OrgPath[:len(path)] == path {
			return true
		}
		for _, s := range c.Systems {
			if len(s.OrgPath) >= len(path) && s.OrgPath[:len(path)] == path {
				return true
			}
		}
	}
	return false
}

// AddResponder puts a user on a case the actor may handle.
func AddResponder(ctx context.Context, db *storage.Store, actor access.Actor, id, userID int64) ([]Responder, error) {
	var out []Responder
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		c, err := Load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		if err := addResponder(ctx, tx, c, userID, tx.Now()); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "incident.responder", ObjectType: "incident", ObjectID: id, OrgID: c.OrgID, New: map[string]int64{"user_id": userID}}); err != nil {
			return err
		}
		out, err = listResponders(ctx, tx, id)
		return err
	})
	return out, err
}
