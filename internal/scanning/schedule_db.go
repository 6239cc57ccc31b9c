package scanning

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Schedule repeats scans of a system (or of every system a campaign
// covers) by an iCalendar RRULE, in Vietnam time.
type Schedule struct {
	ID         int64      `json:"id"`
	SystemID   int64      `json:"system_id,omitempty"`
	CampaignID int64      `json:"campaign_id,omitempty"`
	RRule      string     `json:"rrule"`
	Profile    string     `json:"profile"`
	StartsAt   time.Time  `json:"starts_at"`
	NextRunAt  *time.Time `json:"next_run_at,omitempty"` // none once the rule has ended
	LastRunAt  *time.Time `json:"last_run_at,omitempty"`
	Enabled    bool       `json:"enabled"`
	Actor      string     `json:"actor"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

var scheduleTable = storage.Table[Schedule]{Name: "scan_schedules", Columns: []storage.Column[Schedule]{
	{Name: "id", Field: func(s *Schedule) any { return &s.ID }, Fixed: true},
	{Name: "system_id", Field: func(s *Schedule) any { return storage.OptionalID{P: &s.SystemID} }, Fixed: true},
	{Name: "campaign_id", Field: func(s *Schedule) any { return storage.OptionalID{P: &s.CampaignID} }, Fixed: true},
	{Name: "rrule", Field: func(s *Schedule) any { return &s.RRule }},
	{Name: "profile", Field: func(s *Schedule) any { return &s.Profile }},
	{Name: "starts_at", Field: func(s *Schedule) any { return storage.UTC{P: &s.StartsAt} }},
	{Name: "next_run_at", Field: func(s *Schedule) any { return storage.OptionalUTC{P: &s.NextRunAt} }},
	{Name: "last_run_at", Field: func(s *Schedule) any { return storage.OptionalUTC{P: &s.LastRunAt} }},
	{Name: "enabled", Field: func(s *Schedule) any { return &s.Enabled }},
	{Name: "actor", Field: func(s *Schedule) any { return &s.Actor }, Fixed: true},
	{Name: "created_at", Field: func(s *Schedule) any { return storage.UTC{P: &s.CreatedAt} }, Fixed: true},
	{Name: "updated_at", Field: func(s *Schedule) any { return storage.UTC{P: &s.UpdatedAt} }},
}}

func scanSchedule(sc storage.Scanner) (Schedule, error) {
	var s Schedule
	return s, sc.Scan(scheduleTable.Dest(&s)...)
}

// CreateSchedule adds a schedule for a system the actor may scan. The
// first run is the rule's first occurrence after now (or its start).
func CreateSchedule(ctx context.Context, db *storage.Store, actor access.Actor, s Schedule) (Schedule, error) {
	s.RRule = strings.TrimPrefix(strings.TrimSpace(s.RRule), "RRULE:")
	if s.RRule == "" {
		s.RRule = DefaultRule
	}
	if s.Profile == "" {
		s.Profile = scan.ProfileSafe
	}
	if !slices.Contains(Profiles, s.Profile) {
		return s, validation.Invalid("profile", "scan.err.profile", s.Profile)
	}
	if (s.SystemID == 0) == (s.CampaignID == 0) {
		return s, validation.Invalid("system_id", "scan.err.schedule_target")
	}
	now := db.Now()
	if s.StartsAt.IsZero() {
		s.StartsAt = now
	}
	next, err := NextRun(s.RRule, s.StartsAt, now)
	if err != nil {
		return s, err
	}
	if next.IsZero() {
		return s, validation.Invalid("rrule", "scan.schedule.rrule", s.RRule, "no run after today")
	}
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		orgID, err := scheduleOwner(ctx, tx, actor, s)
		if err != nil {
			return err
		}
		s.NextRunAt, s.LastRunAt, s.Enabled, s.Actor, s.CreatedAt, s.UpdatedAt = &next, nil, true, actor.Email, tx.Now(), tx.Now()
		if s.ID, err = scheduleTable.Insert(ctx, tx, &s); err != nil {
			return fmt.Errorf("record the schedule: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "scan.schedule", ObjectType: "scan_schedule", ObjectID: s.ID, OrgID: orgID, New: s})
	})
	return s, err
}

// scheduleOwner is the organisation a schedule belongs to (0 for a
// campaign's), once the actor is allowed to change it: a system's, by whoever
// may scan the system; a campaign's, which spans agencies, by the
// coordinator.
func scheduleOwner(ctx context.Context, q storage.Querier, actor access.Actor, s Schedule) (int64, error) {
	if s.CampaignID != 0 {
		if _, err := campaign.Get(ctx, q, actor, s.CampaignID); err != nil {
			return 0, err
		}
		if !MayAuthorize(actor) {
			return 0, access.Denied(actor.Role, access.Scan)
		}
		return 0, nil
	}
	orgID, path, err := systemPath(ctx, q, actor, s.SystemID)
	if err == nil && !actor.Can(access.Scan, path) {
		err = access.Denied(actor.Role, access.Scan)
	}
	return orgID, err
}

// CampaignSchedules lists a campaign's schedules.
func CampaignSchedules(ctx context.Context, q storage.Querier, actor access.Actor, campaignID int64) ([]Schedule, error) {
	if _, err := campaign.Get(ctx, q, actor, campaignID); err != nil {
		return nil, err
	}
	return storage.Collect[Schedule](q.Query(ctx, "SELECT "+scheduleTable.Select("t")+" FROM scan_schedules t WHERE t.campaign_id = ? ORDER BY t.id", campaignID))(scanSchedule)
}

// Schedules lists a system's schedules.
func Schedules(ctx context.Context, q storage.Querier, actor access.Actor, systemID int64) ([]Schedule, error) {
	if _, _, err := systemPath(ctx, q, actor, systemID); err != nil {
		return nil, err
	}
	return storage.Collect[Schedule](q.Query(ctx, "SELECT "+scheduleTable.Select("t")+" FROM scan_schedules t WHERE t.system_id = ? ORDER BY t.id", systemID))(scanSchedule)
}

// SetScheduleEnabled turns a schedule on or off. Turned on again, it runs
// next at its rule's next occurrence, not for the runs it missed.
func SetScheduleEnabled(ctx context.Context, db *storage.Store, actor access.Actor, id int64, enabled bool) (Schedule, error) {
	var s Schedule
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		var err error
		s, err = scanSchedule(tx.QueryRow(ctx, "SELECT "+scheduleTable.Select("t")+" FROM scan_schedules t WHERE t.id = ?", id))
		if storage.IsNoRows(err) {
			return access.ErrNotFound
		}
		if err != nil {
			return err
		}
		orgID, err := scheduleOwner(ctx, tx, actor, s)
		if err != nil {
			return err
		}
		old := s.Enabled
		s.Enabled, s.UpdatedAt = enabled, tx.Now()
		if enabled {
			next, err := NextRun(s.RRule, s.StartsAt, tx.Now())
			if err != nil {
				return err
			}
			s.NextRunAt = &next
			if next.IsZero() {
				s.NextRunAt = nil
			}
		}
		if err := scheduleTable.Update(ctx, tx, &s, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "scan.schedule_enable", ObjectType: "scan_schedule", ObjectID: id, OrgID: orgID,
			Old: map[string]bool{"enabled": old}, New: map[string]bool{"enabled": enabled}})
	})
	return s, err
}

// TickArgs is the periodic job that starts the scans schedules have due.
type TickArgs struct{}

// Kind names the job for River.
func (TickArgs) Kind() string { return "scan_schedule_tick" }

// InsertOpts keeps one tick queued at a time, whichever server inserted it.
func (TickArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Minute}}
}

// TickWorker works the tick job.
type TickWorker struct {
	river.WorkerDefaults[TickArgs]
	Store *storage.Store
}

// Work takes back the scans of remote runners that stopped reporting and
// starts every due scan.
func (w *TickWorker) Work(ctx context.Context, job *river.Job[TickArgs]) error {
	var reclaimed int
	if err := w.Store.InTx(ctx, func(tx *storage.Tx) (err error) { reclaimed, err = reclaim(ctx, tx); return err }); err != nil {
		return err
	}
	if reclaimed > 0 {
		slog.WarnContext(ctx, "scans taken back from runners that stopped reporting", "scans", reclaimed)
	}
	n, err := Tick(ctx, w.Store)
	if n > 0 {
		slog.InfoContext(ctx, "scheduled scans queued", "scans", n)
	}
	return err
}

// tickBatch is how many schedules one transaction advances.
const tickBatch = 100

// Tick queues the scans of every schedule that is due and moves each to its
// next run. Missed runs (the server was down) give one scan, not one per
// missed run. A schedule's run is one scan per system whichever server
// ticks: the scan's (schedule, system, run) is unique. It returns how many
// scans it queued.
func Tick(ctx context.Context, db *storage.Store) (int, error) {
	queued := 0
	for {
		n, more, err := tickOnce(ctx, db)
		queued += n
		if err != nil || !more {
			return queued, err
		}
	}
}

func tickOnce(ctx context.Context, db *storage.Store) (queued int, more bool, err error) {
	actor := access.SystemActor("schedule")
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		now := tx.Now()
		// Servers ticking together on PostgreSQL share the due schedules
		// (each locks its batch and skips the others'); SQLite has one writer.
		lock := ""
		if tx.Dialect().Name() == "postgres" {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		due, err := storage.Collect[Schedule](tx.Query(ctx, "SELECT "+scheduleTable.Select("t")+
			" FROM scan_schedules t WHERE t.enabled = ? AND t.next_run_at <= ? ORDER BY t.next_run_at, t.id LIMIT ?"+lock, true, now, tickBatch))(scanSchedule)
		if err != nil {
			return fmt.Errorf("due schedules: %w", err)
		}
		more = len(due) == tickBatch
		for _, s := range due {
			systems := []int64{s.SystemID}
			if s.SystemID == 0 {
				if systems, err = campaignSystems(ctx, tx, s.CampaignID); err != nil {
					return err
				}
			}
			for _, sys := range systems {
				var exists int
				if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM scans WHERE schedule_id = ? AND system_id = ? AND scheduled_for = ?", s.ID, sys, *s.NextRunAt).Scan(&exists); err != nil {
					return err
				}
				if exists > 0 {
					continue
				}
				if _, err := queueScan(ctx, tx, actor, sys, s.Profile, queueOpts{ScheduleID: s.ID, ScheduledFor: s.NextRunAt}); err != nil {
					return fmt.Errorf("schedule %d, system %d: %w", s.ID, sys, err)
				}
				queued++
			}
			next, err := NextRun(s.RRule, s.StartsAt, now)
			if err != nil {
				return fmt.Errorf("schedule %d: %w", s.ID, err)
			}
			var nextAt any = next
			if next.IsZero() {
				nextAt = nil
			}
			if _, err := tx.Exec(ctx, "UPDATE scan_schedules SET next_run_at = ?, last_run_at = ?, updated_at = ? WHERE id = ?", nextAt, now, now, s.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return queued, more, err
}

// campaignSystems are the systems a campaign's schedule scans.
func campaignSystems(ctx context.Context, q storage.Querier, campaignID int64) ([]int64, error) {
	return campaign.SystemsOf(ctx, q, campaignID)
}

// LastComplete is when each system's last scan completed (absent: never).
func LastComplete(ctx context.Context, q storage.Querier, systemIDs []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(systemIDs) == 0 {
		return out, nil
	}
	ids := make([]string, len(systemIDs))
	for i, id := range systemIDs {
		ids[i] = fmt.Sprint(id)
	}
	// ids are integers formatted here, not user input. The latest done scan
	// by id, whose column keeps its type (an aggregate's would not on SQLite).
	rows, err := q.Query(ctx, "SELECT system_id, finished_at FROM scans WHERE id IN (SELECT MAX(id) FROM scans WHERE status = ? AND system_id IN ("+
		strings.Join(ids, ",")+") GROUP BY system_id)", StatusDone)
	if err != nil {
		return nil, fmt.Errorf("last scans: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, storage.UTC{P: &at}); err != nil {
			return nil, err
		}
		out[id] = at
	}
	return out, rows.Err()
}
