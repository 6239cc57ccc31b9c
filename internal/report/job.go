package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/riverqueue/river"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// maxAttempts is how often a report's generation is tried: a report that fails for a
// reason of the moment (the database gone for a while) is tried again, but a reader waits.
const maxAttempts = 3

// InsertOpts gives the generation fewer attempts than River's default.
func (GenerateArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: maxAttempts} }

// GenerateWorker generates queued reports.
type GenerateWorker struct {
	river.WorkerDefaults[GenerateArgs]
	Store *storage.Store
}

// Work generates a queued report as the user who asked for it, with their rights as they
// are now, recording the stage it has reached. A run again (a retry, a rescue after a
// crash) starts over; the file is stored once. A report the user may no longer see, or a
// last attempt's error, fails it for good with the reason.
func (w *GenerateWorker) Work(ctx context.Context, job *river.Job[GenerateArgs]) error {
	f, err := scanFile(w.Store.QueryRow(ctx, fileSelect+fileFrom+" WHERE f.id = ?", job.Args.FileID))
	if storage.IsNoRows(err) {
		return river.JobCancel(fmt.Errorf("report %d: %w", job.Args.FileID, access.ErrNotFound))
	}
	if err != nil {
		return fmt.Errorf("report %d: %w", job.Args.FileID, err)
	}
	if f.Finished() {
		return nil
	}
	actor, err := requester(ctx, w.Store, f)
	if err == nil {
		err = w.generate(ctx, actor, &f)
	}
	if err == nil {
		return nil
	}
	if !permanent(err) && job.Attempt < job.MaxAttempts {
		return err
	}
	if !permanent(err) {
		slog.ErrorContext(ctx, "generate a report", "report", f.ID, "kind", f.Kind, "object", f.ObjectID, "err", err)
	}
	if ferr := fail(context.WithoutCancel(ctx), w.Store, f.ID, err); ferr != nil {
		return ferr
	}
	return river.JobCancel(err)
}

// generate builds the report, recording each stage, and stores it.
func (w *GenerateWorker) generate(ctx context.Context, actor access.Actor, f *StoredFile) error {
	now := w.Store.Now()
	f.DataAsOf = &now
	err := w.Store.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE report_files SET status = ?, stage = ?, progress = ?, started_at = ?, data_as_of = ? WHERE id = ?",
			Running, StageRead, stageProgress[StageRead], now, now, f.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("start report %d: %w", f.ID, err)
	}
	data, err := build(ctx, w.Store, actor, f.request(), now, func(stage string) error { return setStage(ctx, w.Store, f.ID, stage) })
	if err != nil {
		return err
	}
	if err := setStage(ctx, w.Store, f.ID, StageStore); err != nil {
		return err
	}
	return w.Store.InTx(ctx, func(tx *storage.Tx) error { return store(ctx, tx, actor, f, data) })
}

// setStage records the stage a generation has reached and its progress.
func setStage(ctx context.Context, db *storage.Store, id int64, stage string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE report_files SET stage = ?, progress = ? WHERE id = ?", stage, stageProgress[stage], id); err != nil {
			return fmt.Errorf("report %d stage: %w", id, err)
		}
		return nil
	})
}

// fail records that a generation failed with err, unless it is done.
func fail(ctx context.Context, db *storage.Store, id int64, err error) error {
	stored, jerr := json.Marshal(failureOf(err))
	if jerr != nil {
		return jerr
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE report_files SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status <> ?", Failed, string(stored), tx.Now(), id, Done); err != nil {
			return fmt.Errorf("report %d failed: %w", id, err)
		}
		return nil
	})
}

// requester is the actor a queued report is generated as: the user who asked, with the role
// and scope they have now (a disabled user's reports fail), or khien itself.
func requester(ctx context.Context, db *storage.Store, f StoredFile) (access.Actor, error) {
	if f.requesterID == 0 {
		return access.SystemActor(strings.TrimPrefix(f.RequestedBy, "system:")), nil
	}
	u, err := identity.GetUser(ctx, db, access.SystemActor("report-requester"), f.requesterID)
	if err != nil {
		return access.Actor{}, err
	}
	if u.DisabledAt != nil {
		return access.Actor{}, fmt.Errorf("user %s is disabled: %w", u.Email, access.ErrForbidden)
	}
	return identity.ActorFor(ctx, db, u)
}

// permanent reports whether generating again cannot help: the request or the requester's
// rights are the problem, not the moment.
func permanent(err error) bool {
	_, invalid := validation.As(err)
	return invalid || errors.Is(err, access.ErrNotFound) || errors.Is(err, access.ErrForbidden)
}
