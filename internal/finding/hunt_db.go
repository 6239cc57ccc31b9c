package finding

import (
	"context"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Hunt is a threat-hunt task (Directive 18): look for signs that the way
// in a finding opened was already used, on its system, alongside the fix.
type Hunt struct {
	ID         int64     `json:"id"`
	SystemID   int64     `json:"system_id"`
	SystemName string    `json:"system_name"`
	OrgID      int64     `json:"org_id"`
	OrgCode    string    `json:"org_code"`
	FindingID  int64     `json:"finding_id"`
	Title      string    `json:"finding_title"`
	Status     string    `json:"status"` // open, done
	DueDate    string    `json:"due_date"`
	Note       string    `json:"note,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// huntDays is how long a hunt may take: as long as the fix of a critical finding.
const huntDays = 7

// openHunt opens a hunt on the system for the finding, unless one is open
// already (the finding then joins it); the caller links the findings.
func openHunt(ctx context.Context, tx *storage.Tx, systemID, findingID int64, now time.Time) (int64, bool, error) {
	var id int64
	err := tx.QueryRow(ctx, "SELECT id FROM hunt_tasks WHERE system_id = ? AND status = 'open' ORDER BY id LIMIT 1", systemID).Scan(&id)
	opened := storage.IsNoRows(err)
	if opened {
		id, err = tx.InsertID(ctx, `INSERT INTO hunt_tasks (system_id, org_id, finding_id, status, due_date, created_at, updated_at)
			SELECT id, org_id, ?, 'open', ?, ?, ? FROM systems WHERE id = ?`, findingID, now.In(zone).AddDate(0, 0, huntDays).Format(time.DateOnly), now, now, systemID)
	}
	if err != nil {
		return 0, false, fmt.Errorf("threat hunt for system %d: %w", systemID, err)
	}
	return id, opened, nil
}

const (
	huntSelect = "SELECT h.id, h.system_id, s.name, h.org_id, o.code, h.finding_id, f.title, h.status, h.due_date, h.note, h.created_at, h.updated_at"
	huntFrom   = " FROM hunt_tasks h JOIN systems s ON s.id = h.system_id JOIN orgs o ON o.id = h.org_id JOIN findings f ON f.id = h.finding_id"
)

func scanHunt(r storage.Scanner) (Hunt, error) {
	var h Hunt
	err := r.Scan(&h.ID, &h.SystemID, &h.SystemName, &h.OrgID, &h.OrgCode, &h.FindingID, &h.Title, &h.Status, &h.DueDate, &h.Note, storage.UTC{P: &h.CreatedAt}, storage.UTC{P: &h.UpdatedAt})
	return h, err
}

// HuntFilter narrows the list of hunts.
type HuntFilter struct {
	Status   string // open, done, "" for both
	SystemID int64
}

// ListHunts returns the hunts in the actor's scope, open and oldest first.
func ListHunts(ctx context.Context, q storage.Querier, actor access.Actor, f HuntFilter, p storage.Page) (storage.Paged[Hunt], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if f.Status != "" {
		w.Add("h.status = ?", f.Status)
	}
	if f.SystemID != 0 {
		w.Add("h.system_id = ?", f.SystemID)
	}
	res, err := storage.List[Hunt]{Select: huntSelect, From: huntFrom, Where: w, Order: storage.Keyset{Text: []string{"h.status"}, ID: "h.id"}, Scan: scanHunt,
		Key: func(h Hunt) []any { return []any{h.Status, h.ID} }}.Read(ctx, q, p)
	if err != nil {
		return res, fmt.Errorf("list hunts: %w", err)
	}
	return res, nil
}

// CountOpenHunts is the number of open hunts the actor sees (the badge that tells the coordinator).
func CountOpenHunts(ctx context.Context, q storage.Querier, actor access.Actor) (int, error) {
	cond, args := actor.OrgFilter("o.path")
	var n int
	err := q.QueryRow(ctx, "SELECT count(*) FROM hunt_tasks h JOIN orgs o ON o.id = h.org_id WHERE h.status = 'open' AND "+cond, args...).Scan(&n)
	return n, err
}

// FinishHunt records the outcome of a hunt: what was looked at and found.
func FinishHunt(ctx context.Context, db *storage.Store, actor access.Actor, id int64, note string) error {
	if note == "" {
		return validation.Invalid("note", "finding.err.hunt_note")
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		var path, status string
		var orgID int64
		err := tx.QueryRow(ctx, "SELECT o.path, h.status, h.org_id FROM hunt_tasks h JOIN orgs o ON o.id = h.org_id WHERE h.id = ?", id).Scan(&path, &status, &orgID)
		if storage.IsNoRows(err) || err == nil && !actor.InScope(path) {
			return access.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := actor.Check(access.HandleIncident, path); err != nil {
			return err
		}
		if status != "open" {
			return validation.Invalid("status", "finding.err.hunt_done")
		}
		if _, err := tx.Exec(ctx, "UPDATE hunt_tasks SET status = 'done', note = ?, updated_at = ? WHERE id = ?", note, tx.Now(), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "hunt.finish", ObjectType: "hunt", ObjectID: id, OrgID: orgID, New: map[string]string{"note": note}})
	})
}
