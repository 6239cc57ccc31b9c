package finding

import (
	"context"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/blob"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// scopePath is the organisation path a change to v is checked against; the
// unassigned queue belongs to the city ("/"), so only city-level roles
// change it.
func scopePath(v View) string {
	if v.OrgPath == "" {
		return "/"
	}
	return v.OrgPath
}

// loadForChange reads a finding the actor may change.
func loadForChange(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64) (View, error) {
	v, err := Get(ctx, tx, actor, id)
	if err != nil {
		return v, err
	}
	return v, actor.Check(access.Write, scopePath(v))
}

// ChangeStatus moves a finding through its lifecycle (CheckMove says which
// moves are allowed to whom), with a history entry and an audit entry.
func ChangeStatus(ctx context.Context, db *storage.Store, actor access.Actor, id int64, m Move) (View, error) {
	var out View
	if err := checkNote(m.Note); err != nil {
		return out, err
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		v, err := move(ctx, tx, actor, id, m)
		out = v
		return err
	})
	return out, err
}

// move is one status change inside a transaction (ChangeStatus, Bulk).
func move(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64, m Move) (View, error) {
	v, err := loadForChange(ctx, tx, actor, id)
	if err != nil {
		return v, err
	}
	if m.To == Fixed && m.Note == "" {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM finding_files WHERE finding_id = ?", id).Scan(&n); err != nil {
			return v, err
		}
		m.HasEvidence = n > 0
	}
	now := tx.Now()
	if err := CheckMove(v.Status, actor.Role, m, now.In(zone)); err != nil {
		return v, err
	}
	old := v.Status
	v.Status, v.StatusAt, v.UpdatedAt = m.To, now, now
	v.AcceptedUntil, v.AcceptedBy = "", ""
	if m.To == RiskAccepted {
		v.AcceptedUntil, v.AcceptedBy = m.Until, m.Approver
	}
	if m.To != Reopened {
		v.Regression = false
	}
	if _, err := tx.Exec(ctx, "UPDATE findings SET status = ?, regression = ?, accepted_until = ?, accepted_by = ?, status_changed_at = ?, updated_at = ? WHERE id = ?",
		string(v.Status), v.Regression, v.AcceptedUntil, v.AcceptedBy, now, now, id); err != nil {
		return v, fmt.Errorf("finding %d status: %w", id, err)
	}
	counts := tally{}
	counts.move(v.SystemID, v.OrgID, v.Severity, old, v.Severity, m.To)
	if err := counts.apply(ctx, tx); err != nil {
		return v, err
	}
	if err := addEvent(ctx, tx, id, actor, "status", old, m.To, m.Note, 0); err != nil {
		return v, err
	}
	return v, audit.Record(ctx, tx, actor, audit.Change{Action: "finding.status", ObjectType: "finding", ObjectID: id, OrgID: v.OrgID,
		Old: map[string]any{"status": old}, New: map[string]any{"status": m.To, "note": m.Note, "approver": m.Approver, "until": m.Until}})
}

// maxBulk is the most findings one bulk change takes.
const maxBulk = 1000

// Bulk makes the same status change to many findings, all or none: the
// first that cannot move names itself in the error.
func Bulk(ctx context.Context, db *storage.Store, actor access.Actor, ids []int64, m Move) (int, error) {
	if len(ids) == 0 || len(ids) > maxBulk {
		return 0, validation.Invalid("ids", "finding.err.bulk", maxBulk)
	}
	if err := checkNote(m.Note); err != nil {
		return 0, err
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		for _, id := range ids {
			if _, err := move(ctx, tx, actor, id, m); err != nil {
				return fmt.Errorf("finding %d: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

// Assignment says who fixes a finding and by when.
type Assignment struct {
	OrgID   int64  `json:"assignee_org_id"`
	UserID  int64  `json:"assignee_user_id"`
	DueDate string `json:"due_date"` // YYYY-MM-DD; "" keeps the policy's
}

// Assign gives a finding to an organisation or a person, and optionally a
// new due date. Assignees must be within the actor's scope.
func Assign(ctx context.Context, db *storage.Store, actor access.Actor, ids []int64, a Assignment) error {
	if len(ids) == 0 || len(ids) > maxBulk {
		return validation.Invalid("ids", "finding.err.bulk", maxBulk)
	}
	if a.DueDate != "" {
		if _, err := time.Parse(time.DateOnly, a.DueDate); err != nil {
			return validation.Invalid("due_date", "finding.err.date", a.DueDate)
		}
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		found := make([]View, len(ids))
		for i, id := range ids {
			v, err := loadForChange(ctx, tx, actor, id)
			if err != nil {
				return fmt.Errorf("finding %d: %w", id, err)
			}
			found[i] = v
		}
		if a.OrgID != 0 {
			var path string
			if err := tx.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", a.OrgID).Scan(&path); err != nil || !actor.InScope(path) {
				return validation.Invalid("assignee_org_id", "finding.err.assignee")
			}
		}
		if a.UserID != 0 {
			var path string
			if err := tx.QueryRow(ctx, "SELECT o.path FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ? AND u.disabled_at IS NULL", a.UserID).Scan(&path); err != nil || !actor.InScope(path) {
				return validation.Invalid("assignee_user_id", "finding.err.assignee")
			}
		}
		for _, v := range found {
			id := v.ID
			due := v.DueDate
			if a.DueDate != "" {
				due = a.DueDate
			}
			if _, err := tx.Exec(ctx, "UPDATE findings SET assignee_org_id = ?, assignee_user_id = ?, due_date = ?, updated_at = ? WHERE id = ?",
				storage.OptionalID{P: &a.OrgID}, storage.OptionalID{P: &a.UserID}, due, tx.Now(), id); err != nil {
				return fmt.Errorf("assign finding %d: %w", id, err)
			}
			note := fmt.Sprintf("org=%d user=%d due=%s", a.OrgID, a.UserID, due)
			if err := addEvent(ctx, tx, id, actor, "assign", "", "", note, 0); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, actor, audit.Change{Action: "finding.assign", ObjectType: "finding", ObjectID: id, OrgID: v.OrgID,
				Old: Assignment{OrgID: v.AssigneeOrg, UserID: v.AssigneeUser, DueDate: v.DueDate}, New: Assignment{OrgID: a.OrgID, UserID: a.UserID, DueDate: due}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// maxNote bounds comments and notes.
const maxNote = 16 << 10

func checkNote(s string) error {
	if len(s) > maxNote || !utf8.ValidString(s) {
		return validation.Invalid("note", "finding.err.note", maxNote)
	}
	var es validation.Errors
	es.CheckText("note", s, true)
	return es.Err()
}

// Comment adds a comment to a finding's history.
func Comment(ctx context.Context, db *storage.Store, actor access.Actor, id int64, text string) error {
	if text == "" {
		return validation.Invalid("note", "finding.err.comment")
	}
	if err := checkNote(text); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		v, err := loadForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, actor, "comment", "", "", text, 0); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "finding.comment", ObjectType: "finding", ObjectID: id, OrgID: v.OrgID, New: map[string]string{"note": text}})
	})
}

// MaxFile is the largest attachment.
const MaxFile = 10 << 20

// Attach stores a file as evidence of a finding, once by its SHA-256
// however often it is attached.
func Attach(ctx context.Context, db *storage.Store, actor access.Actor, id int64, name string, data []byte) (File, error) {
	f := File{Name: name, Size: int64(len(data)), Actor: actor.Email, ContentType: http.DetectContentType(data)}
	if len(data) == 0 || len(data) > MaxFile {
		return f, validation.Invalid("file", "finding.err.file_size", MaxFile>>20)
	}
	if name == "" || len(name) > 255 || !utf8.ValidString(name) {
		return f, validation.Invalid("file", "finding.err.file_name")
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		v, err := loadForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if f.SHA256, err = blob.Put(ctx, tx, data); err != nil {
			return err
		}
		now := tx.Now()
		f.At = now
		if f.ID, err = tx.InsertID(ctx, "INSERT INTO finding_files (finding_id, sha256, name, content_type, size, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, f.SHA256, f.Name, f.ContentType, f.Size, f.Actor, now); err != nil {
			return fmt.Errorf("attach file: %w", err)
		}
		if err := addEvent(ctx, tx, id, actor, "file", "", "", f.Name, 0); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "finding.attach", ObjectType: "finding", ObjectID: id, OrgID: v.OrgID, New: f})
	})
	return f, err
}

func listFiles(ctx context.Context, q storage.Querier, findingID int64) ([]File, error) {
	files, err := storage.Collect[File](q.Query(ctx, "SELECT id, sha256, name, content_type, size, actor, created_at FROM finding_files WHERE finding_id = ? ORDER BY id", findingID))(func(r storage.Scanner) (File, error) {
		var f File
		err := r.Scan(&f.ID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.Actor, storage.UTC{P: &f.At})
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("files of finding %d: %w", findingID, err)
	}
	return files, nil
}

// ReadFile returns an attachment of a finding the actor sees; the download
// is audited.
func ReadFile(ctx context.Context, db *storage.Store, actor access.Actor, findingID, fileID int64) (File, []byte, error) {
	var f File
	var data []byte
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		v, err := Get(ctx, tx, actor, findingID)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT ff.id, ff.sha256, ff.name, ff.content_type, ff.size, ff.actor, ff.created_at, b.data
			FROM finding_files ff JOIN blobs b ON b.sha256 = ff.sha256 WHERE ff.id = ? AND ff.finding_id = ?`, fileID, findingID).
			Scan(&f.ID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.Actor, storage.UTC{P: &f.At}, &data)
		if storage.IsNoRows(err) {
			return access.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("attachment %d: %w", fileID, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "finding.download", ObjectType: "finding_file", ObjectID: fileID, OrgID: v.OrgID, New: map[string]any{"finding_id": findingID, "name": f.Name}})
	})
	return f, data, err
}

// AssignHost moves the unassigned findings of a host to a system (the
// coordinator sorting the queue). Later imports keep them there: a
// finding's fingerprint does not depend on its system.
func AssignHost(ctx context.Context, db *storage.Store, actor access.Actor, host string, systemID int64) (int, error) {
	host = normaliseHost(host)
	if host == "" {
		return 0, validation.Invalid("host", "finding.err.host")
	}
	var n int
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		if err := actor.Check(access.Write, "/"); err != nil || !actor.Global() {
			return access.Denied(actor.Role, access.Write)
		}
		var orgID int64
		var level int
		if err := tx.QueryRow(ctx, "SELECT org_id, level FROM systems WHERE id = ? AND archived_at IS NULL", systemID).Scan(&orgID, &level); err != nil {
			if storage.IsNoRows(err) {
				return validation.Invalid("system_id", "finding.err.system")
			}
			return err
		}
		moved, err := storage.Collect[stored](tx.Query(ctx, "SELECT id, severity, status FROM findings WHERE system_id IS NULL AND host = ?", host))(func(r storage.Scanner) (stored, error) {
			var st stored
			err := r.Scan(&st.ID, &st.Severity, (*string)(&st.Status))
			return st, err
		})
		if err != nil {
			return err
		}
		counts := tally{}
		ids := make([]int64, len(moved))
		for i, st := range moved {
			ids[i] = st.ID
			counts.add(0, 0, Severity(st.Severity), st.Status, -1)
			counts.add(systemID, orgID, Severity(st.Severity), st.Status, 1)
		}
		if err := counts.apply(ctx, tx); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.Exec(ctx, "UPDATE findings SET system_id = ?, org_id = ?, assignee_org_id = ?, updated_at = ? WHERE id = ?", systemID, orgID, orgID, tx.Now(), id); err != nil {
				return fmt.Errorf("assign finding %d: %w", id, err)
			}
			if err := addEvent(ctx, tx, id, actor, "assign", "", "", fmt.Sprintf("system=%d", systemID), 0); err != nil {
				return err
			}
		}
		n = len(ids)
		return audit.Record(ctx, tx, actor, audit.Change{Action: "finding.assign_host", ObjectType: "system", ObjectID: systemID, OrgID: orgID,
			New: map[string]any{"host": host, "findings": capIDs(ids)}})
	})
	return n, err
}

// UnassignedHost is one host of the unassigned queue.
type UnassignedHost struct {
	Host     string `json:"host"`
	IP       string `json:"ip,omitempty"`
	Findings int    `json:"findings"`
	Worst    string `json:"worst_severity"`
}

// ListUnassigned groups the unassigned queue by host, most findings first.
func ListUnassigned(ctx context.Context, q storage.Querier, actor access.Actor, limit int) ([]UnassignedHost, error) {
	if !actor.Global() {
		return []UnassignedHost{}, nil
	}
	hosts, err := storage.Collect[UnassignedHost](q.Query(ctx, `SELECT host, MAX(ip), count(*), MAX(severity_rank) FROM findings
		WHERE system_id IS NULL AND status IN ('new', 'reopened', 'confirmed', 'in_remediation', 'fixed') GROUP BY host ORDER BY count(*) DESC, host LIMIT ?`, limit))(func(r storage.Scanner) (UnassignedHost, error) {
		var h UnassignedHost
		var rank int
		err := r.Scan(&h.Host, &h.IP, &h.Findings, &rank)
		h.Worst = string(severityOfRank(rank))
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("unassigned findings: %w", err)
	}
	return hosts, nil
}

// ExpireAcceptances reopens the findings whose accepted risk has expired:
// the acceptance was for a time, and that time is over.
func ExpireAcceptances(ctx context.Context, db *storage.Store) (int, error) {
	actor := access.SystemActor("risk-expiry")
	var n int
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		now := tx.Now()
		expired, err := storage.Collect[stored](tx.Query(ctx, "SELECT id, severity, system_id, org_id FROM findings WHERE status = 'risk_accepted' AND accepted_until <> '' AND accepted_until < ?", today(now)))(func(r storage.Scanner) (stored, error) {
			var st stored
			err := r.Scan(&st.ID, &st.Severity, storage.OptionalID{P: &st.SystemID}, storage.OptionalID{P: &st.OrgID})
			return st, err
		})
		if err != nil {
			return err
		}
		counts := tally{}
		ids := make([]int64, len(expired))
		for i, st := range expired {
			ids[i] = st.ID
			counts.move(st.SystemID, st.OrgID, Severity(st.Severity), RiskAccepted, Severity(st.Severity), Reopened)
		}
		if err := counts.apply(ctx, tx); err != nil {
			return err
		}
		for _, id := range ids {
			if err := setStatus(ctx, tx, id, Reopened, false, now); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, id, actor, "status", RiskAccepted, Reopened, "finding.note.acceptance_expired", 0); err != nil {
				return err
			}
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "finding.acceptance_expired", ObjectType: "finding", New: map[string]any{"findings": capIDs(ids)}})
	})
	return n, err
}

func severityOfRank(r int) Severity {
	for _, s := range []Severity{Critical, High, Medium, Low, Info} {
		if s.Rank() == r {
			return s
		}
	}
	return Info
}
