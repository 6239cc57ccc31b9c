package scanning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/storage"
)

// Worker runs server-side scans as River jobs. A job works a scan for at
// most a slice, then queues itself again (a snooze, which is no attempt),
// so a crashed server's scan is rescued within a slice or so and resumes
// after the hosts it had finished; a closing window or an operator's pause
// ends a slice early.
type Worker struct {
	river.WorkerDefaults[ScanArgs]
	Store *storage.Store
	// Base is the scanner's configuration (resolver, trusted CAs,
	// vulnerability data, ports); limits and profile come from the scan.
	Base  scan.Config
	Max   Limits           // zero: DefaultLimits
	Vulns finding.Enricher // CVE enrichment of findings
	Slice time.Duration    // zero: DefaultSlice
	Poll  time.Duration    // how often a running scan looks for a pause or cancel; zero: 2 s

	// afterHost is the crash test's hook: called once a host is recorded.
	afterHost func()
}

// DefaultSlice is how long one job works a scan before queueing itself again.
const DefaultSlice = 20 * time.Minute

// pausedRecheck is how often a paused scan's job looks whether it was resumed.
const pausedRecheck = 30 * time.Second

func (w *Worker) slice() time.Duration {
	if w.Slice > 0 {
		return w.Slice
	}
	return DefaultSlice
}

// NextRetry retries a failed or rescued slice soon: what it had done is kept.
func (w *Worker) NextRetry(job *river.Job[ScanArgs]) time.Time {
	return time.Now().Add(time.Duration(min(job.Attempt, 12)) * 5 * time.Second)
}

// Timeout leaves the slice a margin to write its last results.
func (w *Worker) Timeout(*river.Job[ScanArgs]) time.Duration { return w.slice() * 6 / 5 }

// Why a slice ended before the scan did.
var (
	errSliceOver    = errors.New("slice over")
	errWindowClosed = errors.New("scan window closed")
	errControlled   = errors.New("paused or cancelled by an operator")
)

// Work runs one slice of a scan. It is safe to repeat: a finished scan is
// left alone, hosts already done are skipped, findings are matched by
// fingerprint, and the scan is completed by one conditional update.
func (w *Worker) Work(ctx context.Context, job *river.Job[ScanArgs]) error {
	s, err := getScan(ctx, w.Store, job.Args.ScanID)
	if errors.Is(err, access.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	switch {
	case s.Finished() || s.Runner != RunnerServer:
		return nil
	case s.Status == StatusPaused && s.reason.Key == "scan.paused.operator":
		return river.JobSnooze(pausedRecheck)
	}
	now := w.Store.Now()
	// The guard is asked again: a campaign may have closed, an
	// authorisation expired or an exclusion been added since the request.
	in, err := loadGuardInput(ctx, w.Store, s.SystemID, now)
	if err != nil {
		return err
	}
	plan, refusal := Decide(in)
	if refusal != nil {
		return w.end(ctx, s, StatusRefused, storedReason{refusal.Key, refusal.Args})
	}
	settings, err := settingsOf(ctx, w.Store, s.SystemID)
	if err != nil {
		return err
	}
	window, err := ParseWindow(settings.Window)
	if err != nil {
		return w.end(ctx, s, StatusFailed, storedReason{Key: "scan.failed.window", Args: []any{err.Error()}})
	}
	if !window.Open(now) {
		next := window.NextOpen(now)
		if err := w.setPaused(ctx, s.ID, next); err != nil {
			return err
		}
		return river.JobSnooze(max(time.Until(next), time.Second))
	}
	started, err := w.markRunning(ctx, s.ID, plan)
	if err != nil || started.IsZero() {
		return err // zero: the scan was paused or cancelled meanwhile
	}
	return w.runSlice(ctx, s, plan, settings, window, started)
}

// runSlice scans until the scan is complete, the slice is over, the window
// closes or an operator intervenes.
func (w *Worker) runSlice(ctx context.Context, s Scan, plan Plan, settings Settings, window Window, started time.Time) error {
	deadline, cause := time.Now().Add(w.slice()), errSliceOver
	if closes := window.ClosesAt(w.Store.Now()); !closes.IsZero() && closes.Before(deadline) {
		deadline, cause = closes, errWindowClosed
	}
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	runCtx, cancelDeadline := context.WithDeadlineCause(runCtx, deadline, cause)
	defer cancelDeadline()
	go w.watchControls(runCtx, s.ID, stop)

	done, err := storage.Collect[string](w.Store.Query(ctx, "SELECT host FROM scan_hosts WHERE scan_id = ?", s.ID))(scanHost)
	if err != nil {
		return err
	}
	cfg := w.Base
	cfg.Profile = s.Profile
	settings.Effective(w.max()).apply(&cfg)
	// Hosts already finished are left out as the exclusions are: by every
	// address a name resolves to.
	if cfg.Exclusions, err = scan.ParseExclusions(append(append([]string{}, plan.Exclusions...), done...)); err != nil {
		return w.end(ctx, s, StatusFailed, storedReason{Key: "scan.failed.plan", Args: []any{err.Error()}})
	}
	targets, err := scan.ParseTargets(plan.Targets, false)
	if err != nil {
		return w.end(ctx, s, StatusFailed, storedReason{Key: "scan.failed.plan", Args: []any{err.Error()}})
	}
	stream, err := finding.OpenStream(ctx, w.Store, access.SystemActor("scan"),
		finding.ImportRequest{Format: "khien", SystemID: s.SystemID, OrgID: s.OrgID, FileName: fmt.Sprintf("scan #%d", s.ID)}, started, w.Vulns)
	if err != nil {
		return err
	}
	rec := &recorder{store: w.Store, scan: s.ID, stream: stream, done: len(done), afterHost: w.afterHost}
	// The scanner's total is what is left of the scan: the hosts of this
	// slice, after those finished before it.
	cfg.Progress = func(_, total int) { rec.total = len(done) + total }
	cfg.HostDone = func(addr string, names []string) { rec.hostDone(ctx, addr, names, stop) }
	_, err = scan.Run(runCtx, cfg, targets, func(f scan.Finding) { rec.add(ctx, f, stop) })
	// What was found is written whatever ended the slice; a cancelled job
	// context (the server stopping) must not lose it.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if ferr := rec.finish(wctx); err == nil {
		err = ferr
	}
	why := context.Cause(runCtx)
	switch {
	case err != nil && !errors.Is(err, context.Canceled):
		slog.ErrorContext(ctx, "scan failed", "scan", s.ID, "err", err)
		return w.end(wctx, s, StatusFailed, storedReason{Key: "scan.failed.error", Args: []any{err.Error()}})
	case ctx.Err() != nil: // the server is stopping: back in the queue at once
		return river.JobSnooze(0)
	case errors.Is(why, errWindowClosed):
		next := window.NextOpen(w.Store.Now())
		if err := w.setPaused(wctx, s.ID, next); err != nil {
			return err
		}
		return river.JobSnooze(max(time.Until(next), time.Second))
	case errors.Is(why, errSliceOver):
		return river.JobSnooze(0)
	case errors.Is(why, errControlled):
		return river.JobSnooze(pausedRecheck) // a cancelled scan's next run sees it finished
	case why != nil:
		return why
	}
	return w.end(wctx, s, StatusDone, storedReason{})
}

func (w *Worker) max() Limits {
	if w.Max == (Limits{}) {
		return DefaultLimits
	}
	return w.Max
}

func scanHost(r storage.Scanner) (string, error) {
	var h string
	return h, r.Scan(&h)
}

// watchControls ends the slice when an operator pauses or cancels the scan.
func (w *Worker) watchControls(ctx context.Context, id int64, stop context.CancelCauseFunc) {
	t := time.NewTicker(cmpOr(w.Poll, 2*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			var status string
			if err := w.Store.QueryRow(ctx, "SELECT status FROM scans WHERE id = ?", id).Scan(&status); err == nil && status != StatusRunning {
				stop(errControlled)
				return
			}
		}
	}
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// markRunning starts (or continues) the scan and returns when it began;
// zero when it is no longer to be run.
func (w *Worker) markRunning(ctx context.Context, id int64, plan Plan) (time.Time, error) {
	var started time.Time
	err := w.Store.InTx(ctx, func(tx *storage.Tx) error {
		now := tx.Now()
		res, err := tx.Exec(ctx, `UPDATE scans SET status = ?, reason = '{}', plan = ?, started_at = COALESCE(started_at, ?), updated_at = ?
			WHERE id = ? AND (status IN (?, ?) OR status = ? AND reason LIKE '%scan.paused.window%')`,
			StatusRunning, storage.JSON{P: plan}, now, now, id, StatusQueued, StatusRunning, StatusPaused)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.QueryRow(ctx, "SELECT started_at FROM scans WHERE id = ?", id).Scan(storage.UTC{P: &started})
	})
	return started, err
}

// setPaused records that the scan waits for its window to open at next.
func (w *Worker) setPaused(ctx context.Context, id int64, next time.Time) error {
	return w.Store.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE scans SET status = ?, reason = ?, updated_at = ? WHERE id = ? AND status IN (?, ?)",
			StatusPaused, reasonJSON("scan.paused.window", next.In(i18n.Vietnam).Format("15:04 02/01/2006")), tx.Now(), id, StatusQueued, StatusRunning)
		return err
	})
}

// end finishes a scan once.
func (w *Worker) end(ctx context.Context, s Scan, status string, reason storedReason) error {
	return w.Store.InTx(ctx, func(tx *storage.Tx) error { return endIn(ctx, tx, s, status, reason) })
}

// endIn finishes a scan once: the update only takes a scan not yet
// finished, and only the process whose update took it audits the end.
func endIn(ctx context.Context, tx *storage.Tx, s Scan, status string, reason storedReason) error {
	now := tx.Now()
	res, err := tx.Exec(ctx, `UPDATE scans SET status = ?, reason = ?, finished_at = ?, lease_until = NULL, updated_at = ?
		WHERE id = ? AND status NOT IN (?, ?, ?, ?)`, status, storage.JSON{P: reason}, now, now, s.ID, StatusDone, StatusFailed, StatusRefused, StatusCancelled)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	final, err := getScan(ctx, tx, s.ID)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, access.SystemActor("scan"), audit.Change{Action: "scan." + status, ObjectType: "scan", ObjectID: s.ID, OrgID: s.OrgID,
		New: map[string]any{"status": status, "reason": reason.Key, "hosts": final.HostsDone, "findings": final.Findings, "new": final.NewFindings,
			"reopened": final.Reopened, "verified": final.Verified}})
}

// recorder writes what a scan finds as it goes: findings in batches, each
// finished host with the verification of what it no longer shows, and the
// scan's counts. The scanner calls it from one goroutine at a time.
type recorder struct {
	store     *storage.Store
	scan      int64
	stream    *finding.Stream
	pending   []source.Observation
	applied   finding.Summary // the part of the stream's summary already counted on the scan
	done      int
	total     int
	afterHost func()
	err       error
}

// batchSize is how many findings wait before they are written.
const batchSize = 50

func (r *recorder) add(ctx context.Context, f scan.Finding, stop context.CancelCauseFunc) {
	o, err := source.FromScan(&f)
	if err != nil {
		slog.WarnContext(ctx, "scan finding not recorded", "scan", r.scan, "check", f.CheckID, "err", err)
		return
	}
	r.pending = append(r.pending, o)
	if len(r.pending) >= batchSize {
		r.fail(r.flush(ctx), stop)
	}
}

func (r *recorder) hostDone(ctx context.Context, addr string, names []string, stop context.CancelCauseFunc) {
	if r.err != nil {
		return
	}
	err := r.flush(ctx)
	if err == nil {
		err = r.stream.HostDone(ctx, append([]string{addr}, names...))
	}
	if err == nil {
		r.done++
		err = r.store.InTx(ctx, func(tx *storage.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO scan_hosts (scan_id, host, done_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", r.scan, addr, tx.Now()); err != nil {
				return err
			}
			return r.count(ctx, tx)
		})
	}
	r.fail(err, stop)
	if err == nil && r.afterHost != nil {
		r.afterHost()
	}
}

func (r *recorder) fail(err error, stop context.CancelCauseFunc) {
	if err != nil && r.err == nil {
		r.err = err
		stop(err)
	}
}

func (r *recorder) flush(ctx context.Context) error {
	if len(r.pending) == 0 {
		return nil
	}
	err := r.stream.Add(ctx, r.pending)
	r.pending = r.pending[:0]
	return err
}

// count adds to the scan's counts what the stream did since last time.
func (r *recorder) count(ctx context.Context, tx *storage.Tx) error {
	sum := r.stream.Summary()
	_, err := tx.Exec(ctx, `UPDATE scans SET hosts_done = (SELECT COUNT(*) FROM scan_hosts WHERE scan_id = ?), hosts_total = ?,
		findings = findings + ?, new_findings = new_findings + ?, reopened = reopened + ?, verified = verified + ?, updated_at = ? WHERE id = ?`,
		r.scan, max(r.total, r.done), sum.Read-r.applied.Read, sum.Created-r.applied.Created, sum.Reopened-r.applied.Reopened, sum.Closed-r.applied.Closed, tx.Now(), r.scan)
	r.applied = sum
	return err
}

// finish writes what is pending and closes the stream.
func (r *recorder) finish(ctx context.Context) error {
	if r.err != nil {
		return r.err
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	if _, err := r.stream.Close(ctx); err != nil {
		return err
	}
	return r.store.InTx(ctx, func(tx *storage.Tx) error { return r.count(ctx, tx) })
}
