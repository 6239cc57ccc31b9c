package hunt

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
)

// scheduleBatch is how many systems one transaction of the schedule opens
// hunts for.
var scheduleBatch = 500

// scheduler is who opens scheduled hunts, in the audit log.
var scheduler = access.SystemActor("hunt-schedule")

// dueSystems are the systems in use whose last hunt, of any origin, started
// before the cutoff (or that were never hunted) and that have no open
// scheduled hunt.
const dueSystems = `SELECT s.id FROM systems s WHERE s.status = 'operating' AND s.archived_at IS NULL
	AND NOT EXISTS (SELECT 1 FROM hunt_tasks h WHERE h.system_id = s.id AND (COALESCE(h.started_at, h.created_at) >= ? OR h.origin = 'schedule' AND h.status = 'open'))
	ORDER BY s.id LIMIT ?`

// Schedule opens a scheduled hunt for every system in use that has gone six
// months without one (Directive 18), in batches of one transaction each.
// Running it again opens nothing more: the systems it opened hunts for have
// a recent one, and the unique index on open scheduled hunts stops a
// second even when two servers run it at once.
func Schedule(ctx context.Context, db *storage.Store, now time.Time) (int, error) {
	cutoff := ScheduleCutoff(now)
	opened := 0
	for {
		n, more := 0, false
		err := db.InTx(ctx, func(tx *storage.Tx) error {
			ids, err := storage.IDs(tx.Query(ctx, dueSystems, cutoff, scheduleBatch))
			if err != nil {
				return err
			}
			more = len(ids) == scheduleBatch
			for _, id := range ids {
				h, err := newHunt(ctx, tx, id, FromSchedule, scheduler.Email, now)
				if err != nil {
					return err
				}
				ok, err := insertScheduled(ctx, tx, &h)
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return opened, fmt.Errorf("schedule hunts: %w", err)
		}
		opened += n
		if !more {
			return opened, nil
		}
	}
}

// insertScheduled inserts a scheduled hunt unless its system has an open
// one already (another server got there first), and audits it.
func insertScheduled(ctx context.Context, tx *storage.Tx, h *Hunt) (bool, error) {
	names := huntTable.Names()
	n, err := tx.ExecCount(ctx, "INSERT INTO hunt_tasks ("+strings.Join(names, ", ")+") VALUES ("+strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")+") ON CONFLICT DO NOTHING", huntTable.Values(h)...)
	if err != nil || n == 0 {
		return false, err
	}
	if err := tx.QueryRow(ctx, "SELECT id FROM hunt_tasks WHERE system_id = ? AND origin = ? AND status = ?", h.SystemID, FromSchedule, StatusOpen).Scan(&h.ID); err != nil {
		return false, err
	}
	return true, audit.Record(ctx, tx, scheduler, audit.Change{Action: "hunt.open", ObjectType: "hunt", ObjectID: h.ID, OrgID: h.OrgID, New: h})
}

// ScheduleArgs is the periodic job that opens the six-monthly hunts.
type ScheduleArgs struct{}

// Kind names the job for River.
func (ScheduleArgs) Kind() string { return "hunt_schedule" }

// ScheduleWorker runs Schedule.
type ScheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	Store *storage.Store
}

// Work opens the hunts that are due.
func (w *ScheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	_, err := Schedule(ctx, w.Store, w.Store.Now())
	return err
}
