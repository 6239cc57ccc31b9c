package incident

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

var zone = i18n.Vietnam

// A task's status.
const (
	TaskOpen    = "open"
	TaskDone    = "done"
	TaskSkipped = "skipped" // not applicable to this case, with a note saying why
)

// TaskStatuses are the codes of a task's status (the API contract).
var TaskStatuses = []string{TaskOpen, TaskDone, TaskSkipped}

// Task is one task of a case: from the library (Code set, Title filled in
// the reader's language on reading) or written by hand (Title only).
type Task struct {
	ID             int64      `json:"id"`
	IncidentID     int64      `json:"incident_id"`
	Phase          string     `json:"phase"`
	Code           string     `json:"code,omitempty"`
	Title          string     `json:"title"`
	Position       int        `json:"position"`
	Status         string     `json:"status"`
	AssigneeUserID int64      `json:"assignee_user_id,omitempty"`
	AssigneeName   string     `json:"assignee_name,omitempty"`
	DueAt          *time.Time `json:"due_at,omitempty"`
	Note           string     `json:"note,omitempty"`
	DoneAt         *time.Time `json:"done_at,omitempty"`
	DoneBy         string     `json:"done_by,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Localize fills a library task's title in lang.
func (t *Task) Localize(lang string) {
	if s, ok := LibraryStep(t.Code); ok {
		t.Title = s.Title(lang)
	}
}

// Overdue reports whether an open task is past its due time at now.
func (t Task) Overdue(now time.Time) bool {
	return t.Status == TaskOpen && t.DueAt != nil && t.DueAt.Before(now)
}

var taskTable = storage.Table[Task]{Name: "incident_tasks", Columns: []storage.Column[Task]{
	{Name: "id", Field: func(t *Task) any { return &t.ID }, Fixed: true},
	{Name: "incident_id", Field: func(t *Task) any { return &t.IncidentID }, Fixed: true},
	{Name: "phase", Field: func(t *Task) any { return &t.Phase }},
	{Name: "code", Field: func(t *Task) any { return &t.Code }, Fixed: true},
	{Name: "title", Field: func(t *Task) any { return &t.Title }},
	{Name: "position", Field: func(t *Task) any { return &t.Position }},
	{Name: "status", Field: func(t *Task) any { return &t.Status }},
	{Name: "assignee_user_id", Field: func(t *Task) any { return storage.OptionalID{P: &t.AssigneeUserID} }},
	{Name: "due_at", Field: func(t *Task) any { return storage.OptionalUTC{P: &t.DueAt} }},
	{Name: "note", Field: func(t *Task) any { return &t.Note }},
	{Name: "done_at", Field: func(t *Task) any { return storage.OptionalUTC{P: &t.DoneAt} }},
	{Name: "done_by", Field: func(t *Task) any { return &t.DoneBy }},
	{Name: "created_at", Field: func(t *Task) any { return storage.UTC{P: &t.CreatedAt} }, Fixed: true},
}}

const taskSelect = " FROM incident_tasks t LEFT JOIN users u ON u.id = t.assignee_user_id"

func scanTask(r storage.Scanner) (Task, error) {
	var t Task
	err := r.Scan(taskTable.Dest(&t, &t.AssigneeName)...)
	return t, err
}

func insertTask(ctx context.Context, tx *storage.Tx, t Task) (int64, error) {
	id, err := taskTable.Insert(ctx, tx, &t)
	if err != nil {
		return 0, fmt.Errorf("case %d task: %w", t.IncidentID, err)
	}
	return id, nil
}

func listTasks(ctx context.Context, q storage.Querier, id int64) ([]Task, error) {
	return storage.Collect[Task](q.Query(ctx, "SELECT "+taskTable.Select("t")+", COALESCE(NULLIF(u.name, ''), u.email, '')"+taskSelect+
		" WHERE t.incident_id = ? ORDER BY t.position, t.id", id))(scanTask)
}

func getTask(ctx context.Context, q storage.Querier, caseID, taskID int64) (Task, error) {
	t, err := scanTask(q.QueryRow(ctx, "SELECT "+taskTable.Select("t")+", COALESCE(NULLIF(u.name, ''), u.email, '')"+taskSelect+
		" WHERE t.incident_id = ? AND t.id = ?", caseID, taskID))
	if storage.IsNoRows(err) {
		return t, access.ErrNotFound
	}
	return t, err
}

// TaskInput adds a task to a running case: a library step by code, or one
// written by hand (title and phase).
type TaskInput struct {
	Code           string     `json:"code,omitempty"`
	Title          string     `json:"title,omitempty"`
	Phase          string     `json:"phase,omitempty"`
	AssigneeUserID int64      `json:"assignee_user_id,omitempty"`
	DueAt          *time.Time `json:"due_at,omitempty"`
}

// task returns the task the input describes, or what is wrong with it.
func (in TaskInput) task() (Task, error) {
	t := Task{Code: strings.TrimSpace(in.Code), Title: strings.TrimSpace(in.Title), Phase: in.Phase, Status: TaskOpen, AssigneeUserID: in.AssigneeUserID}
	if in.DueAt != nil {
		d := in.DueAt.UTC()
		t.DueAt = &d
	}
	if t.Code != "" {
		s, ok := LibraryStep(t.Code)
		if !ok {
			return t, validation.Invalid("code", "incident.err.task_code", t.Code)
		}
		t.Phase, t.Title = s.Phase, ""
		return t, nil
	}
	var es validation.Errors
	switch {
	case t.Title == "":
		es.Add("title", "incident.err.task_title")
	case utf8.RuneCountInString(t.Title) > maxTitle:
		es.Add("title", "incident.err.too_long", maxTitle)
	}
	es.CheckText("title", t.Title, false)
	if !slices.Contains(Phases[:len(Phases)-1], t.Phase) {
		es.Add("phase", "incident.err.phase", t.Phase)
	}
	return t, es.Err()
}

// AddTask adds a task to a case the actor may handle, after the tasks of its phase.
func AddTask(ctx context.Context, db *storage.Store, actor access.Actor, id int64, in TaskInput) (Task, error) {
	t, err := in.task()
	if err != nil {
		return t, err
	}
	var out Task
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		c, err := Load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		if err := checkTaskAssignee(ctx, tx, c, t.AssigneeUserID); err != nil {
			return err
		}
		// After the last task of its phase or of an earlier one.
		earlier := Phases[:PhaseIndex(t.Phase)+1]
		args := []any{id}
		for _, p := range earlier {
			args = append(args, p)
		}
		var pos int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(position), 0) FROM incident_tasks WHERE incident_id = ? AND phase IN (?"+strings.Repeat(", ?", len(earlier)-1)+")", args...).Scan(&pos); err != nil {
			return fmt.Errorf("case %d tasks: %w", id, err)
		}
		t.IncidentID, t.Position, t.CreatedAt = id, pos+1, tx.Now()
		if t.ID, err = insertTask(ctx, tx, t); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "incident.task.add", ObjectType: "incident", ObjectID: id, OrgID: c.OrgID, New: t}); err != nil {
			return err
		}
		out, err = getTask(ctx, tx, id, t.ID)
		return err
	})
	return out, err
}

// TaskChange works a task; nil fields stay as they are.
type TaskChange struct {
	Status         *string    `json:"status,omitempty"`
	AssigneeUserID *int64     `json:"assignee_user_id,omitempty"` // 0 to clear
	DueAt          *time.Time `json:"due_at,omitempty"`
	Note           *string    `json:"note,omitempty"`
}

// UpdateTask assigns, reschedules, finishes or skips a task; finishing or
// skipping one writes it on the timeline. Skipping needs a note saying why.
func UpdateTask(ctx context.Context, db *storage.Store, actor access.Actor, id, taskID int64, ch TaskChange) (Task, error) {
	var out Task
	if ch.Status != nil && !slices.Contains(TaskStatuses, *ch.Status) {
		return out, validation.Invalid("status", "incident.err.task_status", *ch.Status)
	}
	if ch.Note != nil && len(*ch.Note) > maxText {
		return out, validation.Invalid("note", "incident.err.too_long", maxText)
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		c, err := Load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		t, err := getTask(ctx, tx, id, taskID)
		if err != nil {
			return err
		}
		old := t
		now := tx.Now()
		if ch.AssigneeUserID != nil {
			if err := checkTaskAssignee(ctx, tx, c, *ch.AssigneeUserID); err != nil {
				return err
			}
			t.AssigneeUserID = *ch.AssigneeUserID
		}
		if ch.DueAt != nil {
			d := ch.DueAt.UTC()
			t.DueAt = &d
		}
		if ch.Note != nil {
			t.Note = strings.TrimSpace(*ch.Note)
		}
		finished := false
		if ch.Status != nil && *ch.Status != t.Status {
			t.Status = *ch.Status
			switch t.Status {
			case TaskOpen:
				t.DoneAt, t.DoneBy = nil, ""
			default:
				t.DoneAt, t.DoneBy, finished = &now, actor.Email, true
			}
		}
		if t.Status == TaskSkipped && t.Note == "" {
			return validation.Invalid("note", "incident.err.skip_note")
		}
		if err := taskTable.Update(ctx, tx, &t, taskID); err != nil {
			return fmt.Errorf("update task %d: %w", taskID, err)
		}
		if finished {
			t.Localize(i18n.VI)
			if err := AddEventTx(ctx, tx, Event{IncidentID: id, OccurredAt: now, Kind: EventTask, Source: t.Status, Description: t.Title,
				CreatedBy: actor.Email, CreatedAt: now}); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "incident.task.update", ObjectType: "incident", ObjectID: id, OrgID: c.OrgID, Old: old, New: t}); err != nil {
			return err
		}
		out, err = getTask(ctx, tx, id, taskID)
		return err
	})
	return out, err
}

// checkTaskAssignee refuses an assignee who could not work the case.
func checkTaskAssignee(ctx context.Context, tx *storage.Tx, c Case, userID int64) error {
	if userID == 0 {
		return nil
	}
	var role, path string
	err := tx.QueryRow(ctx, "SELECT u.role, o.path FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ? AND u.disabled_at IS NULL", userID).Scan(&role, &path)
	if storage.IsNoRows(err) || err == nil && !canWork(c, access.Role(role), path) {
		return validation.Invalid("assignee_user_id", "incident.err.responder", userID)
	}
	return err
}
