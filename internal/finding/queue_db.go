package finding

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/riverqueue/river"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/jobs"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// The states of a queued import.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// MaxUpload is the largest file an import takes through the server.
const MaxUpload = 1 << 30

// partSize is how much of an uploaded file one stored part holds.
const partSize = 4 << 20

// ImportJob is an import run in the background, with its summary once done.
type ImportJob struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	FileName string `json:"file_name"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	SystemID int64  `json:"system_id,omitempty"`
	OrgID    int64  `json:"org_id,omitempty"`
	Actor    string `json:"actor"`
	// Progress is how many findings of the file have been written.
	Progress int    `json:"progress"`
	Error    string `json:"error,omitempty"`
	Summary
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`

	scope actorScope
	err   string // stored: a catalogue message or plain text
}

// actorScope is what the import job needs of who queued it, to act as them.
type actorScope struct {
	Role     access.Role `json:"role"`
	OrgID    int64       `json:"org_id"`
	OrgPath  string      `json:"org_path"`
	Assigned []string    `json:"assigned,omitempty"`
	System   bool        `json:"system,omitempty"`
}

func (j ImportJob) actor() access.Actor {
	return access.Actor{Email: j.Actor, Role: j.scope.Role, OrgID: j.scope.OrgID, OrgPath: j.scope.OrgPath, AssignedPaths: j.scope.Assigned, System: j.scope.System}
}

// ImportArgs is the job that runs a queued import.
type ImportArgs struct {
	ImportID int64 `json:"import_id"`
}

// Kind names the job for River.
func (ImportArgs) Kind() string { return "finding_import" }

// QueueImport stores an uploaded file and queues its import, in one
// transaction: the job never runs without its file, nor the file waits
// without its job. The caller's right to import there is checked now and
// again when the job runs.
func QueueImport(ctx context.Context, db *storage.Store, actor access.Actor, req ImportRequest, name string, file io.Reader) (ImportJob, error) {
	j := ImportJob{Status: ImportQueued, FileName: name, SystemID: req.SystemID, OrgID: req.OrgID, Actor: actor.Email, Summary: Summary{Skips: []Skip{}},
		scope: actorScope{Role: actor.Role, OrgID: actor.OrgID, OrgPath: actor.OrgPath, Assigned: actor.AssignedPaths, System: actor.System}}
	if req.Format != "" && req.Format != "auto" {
		if _, err := source.Lookup(req.Format); err != nil {
			return j, validation.Invalid("format", "finding.err.format", err.Error())
		}
	}
	scope, err := json.Marshal(j.scope)
	if err != nil {
		return j, err
	}
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := loadScope(ctx, tx, actor, req); err != nil {
			return err
		}
		j.CreatedAt = tx.Now()
		j.ID, err = tx.InsertID(ctx, `INSERT INTO finding_imports (actor, actor_scope, user_id, org_id, system_id, file_name, format, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, actor.Email, string(scope), storage.OptionalID{P: &actor.UserID}, storage.OptionalID{P: &req.OrgID},
			storage.OptionalID{P: &req.SystemID}, name, req.Format, ImportQueued, j.CreatedAt)
		if err != nil {
			return fmt.Errorf("record the import: %w", err)
		}
		h := sha256.New()
		buf := make([]byte, partSize)
		for seq := 0; ; seq++ {
			n, rerr := io.ReadFull(file, buf)
			if n > 0 {
				h.Write(buf[:n])
				j.Size += int64(n)
				if j.Size > MaxUpload {
					return validation.Invalid("file", "validation.file_too_large", MaxUpload>>20)
				}
				if _, err := tx.Exec(ctx, "INSERT INTO finding_import_parts (import_id, seq, data) VALUES (?, ?, ?)", j.ID, seq, buf[:n]); err != nil {
					return fmt.Errorf("store the file: %w", err)
				}
			}
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				break
			}
			if rerr != nil {
				return rerr
			}
		}
		if j.Size == 0 {
			return validation.Invalid("file", "validation.file_missing")
		}
		j.SHA256 = hex.EncodeToString(h.Sum(nil))
		if _, err := tx.Exec(ctx, "UPDATE finding_imports SET size = ?, sha256 = ? WHERE id = ?", j.Size, j.SHA256, j.ID); err != nil {
			return err
		}
		_, err := jobs.Insert(ctx, tx, ImportArgs{ImportID: j.ID}, nil)
		return err
	})
	return j, err
}

const importSelect = `SELECT i.id, i.status, i.file_name, i.size, i.sha256, i.system_id, i.org_id, i.actor, i.actor_scope, i.format, i.progress, i.error, i.summary,
	i.created_at, i.started_at, i.finished_at FROM finding_imports i`

func scanImport(r storage.Scanner) (ImportJob, error) {
	var j ImportJob
	var scope, summary string
	err := r.Scan(&j.ID, &j.Status, &j.FileName, &j.Size, &j.SHA256, storage.OptionalID{P: &j.SystemID}, storage.OptionalID{P: &j.OrgID}, &j.Actor, &scope,
		&j.Format, &j.Progress, &j.err, &summary, storage.UTC{P: &j.CreatedAt}, storage.OptionalUTC{P: &j.StartedAt}, storage.OptionalUTC{P: &j.FinishedAt})
	if err != nil {
		return j, err
	}
	if summary != "" {
		if err := json.Unmarshal([]byte(summary), &j.Summary); err != nil {
			return j, fmt.Errorf("import %d summary: %w", j.ID, err)
		}
	}
	return j, json.Unmarshal([]byte(scope), &j.scope)
}

// GetImport returns an import the actor may see: their own, or any in an
// organisation they may scan (city-level roles see all), with its error in lang.
func GetImport(ctx context.Context, q storage.Querier, actor access.Actor, id int64, lang string) (ImportJob, error) {
	j, err := scanImport(q.QueryRow(ctx, importSelect+" WHERE i.id = ?", id))
	if storage.IsNoRows(err) {
		return j, access.ErrNotFound
	}
	if err != nil {
		return j, fmt.Errorf("import %d: %w", id, err)
	}
	if j.Actor != actor.Email && !actor.Global() {
		return j, access.ErrNotFound
	}
	j.Error = localiseStored(j.err, lang)
	if j.Skips == nil {
		j.Skips = []Skip{}
	}
	return j, nil
}

// storedError keeps an import's failure so that each reader sees it in
// their language: the catalogue keys of a validation error, or plain text.
type storedError struct {
	Key  string `json:"key,omitempty"`
	Args []any  `json:"args,omitempty"`
	Text string `json:"text,omitempty"`
}

func storeError(err error) string {
	var e storedError
	if es, ok := validation.As(err); ok && len(es) > 0 && es[0].Key != "" {
		e.Key, e.Args = es[0].Key, es[0].Args
	} else {
		e.Text = err.Error()
	}
	b, _ := json.Marshal(e)
	return string(b)
}

func localiseStored(s, lang string) string {
	if s == "" {
		return ""
	}
	var e storedError
	if json.Unmarshal([]byte(s), &e) != nil || e.Key == "" {
		return e.Text
	}
	return validation.Invalid("", e.Key, e.Args...).Localize(lang).Message
}

// ImportWorker runs queued imports.
type ImportWorker struct {
	river.WorkerDefaults[ImportArgs]
	Store *storage.Store
	Vulns Enricher
}

// Work imports the file of a queued import. A file that cannot be imported
// fails the import for good; anything else (the database gone for a
// moment, a killed server) is retried by River, and the import resumes
// after the last chunk it wrote.
func (w *ImportWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	id := job.Args.ImportID
	j, err := scanImport(w.Store.QueryRow(ctx, importSelect+" WHERE i.id = ?", id))
	if err != nil {
		return fmt.Errorf("import %d: %w", id, err)
	}
	if j.Status == ImportDone || j.Status == ImportFailed {
		return nil
	}
	if err := setImportStatus(ctx, w.Store, id, ImportRunning, ""); err != nil {
		return err
	}
	req := ImportRequest{Format: j.Format, SystemID: j.SystemID, OrgID: j.OrgID, FileName: j.FileName, ImportID: id}
	open := func() (io.ReadCloser, error) {
		return io.NopCloser(&partReader{ctx: ctx, db: w.Store, importID: id}), nil
	}
	_, err = Import(ctx, w.Store, j.actor(), req, open, w.Vulns, nil)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil || !permanent(err) {
		return err
	}
	if ferr := setImportStatus(context.WithoutCancel(ctx), w.Store, id, ImportFailed, storeError(err)); ferr != nil {
		return ferr
	}
	return river.JobCancel(err)
}

// setImportStatus records that an import started, or failed with stored.
func setImportStatus(ctx context.Context, db *storage.Store, id int64, status, stored string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		var err error
		if status == ImportRunning {
			_, err = tx.Exec(ctx, "UPDATE finding_imports SET status = ?, started_at = ? WHERE id = ?", status, tx.Now(), id)
		} else {
			_, err = tx.Exec(ctx, "UPDATE finding_imports SET status = ?, error = ?, finished_at = ? WHERE id = ?", status, stored, tx.Now(), id)
		}
		if err != nil {
			return fmt.Errorf("import %d status: %w", id, err)
		}
		return nil
	})
}

// WaitImport waits until an import has finished (or ctx ends) and returns it.
func WaitImport(ctx context.Context, q storage.Querier, actor access.Actor, id int64, lang string) (ImportJob, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		j, err := GetImport(ctx, q, actor, id, lang)
		if err != nil || j.Status == ImportDone || j.Status == ImportFailed {
			return j, err
		}
		select {
		case <-ctx.Done():
			return j, nil
		case <-tick.C:
		}
	}
}

// permanent reports whether running an import again cannot help: the file
// or the caller's rights are the problem, not the moment.
func permanent(err error) bool {
	_, invalid := validation.As(err)
	return invalid || errors.Is(err, access.ErrNotFound) || errors.Is(err, access.ErrForbidden)
}

// partReader reads a stored upload part by part.
type partReader struct {
	ctx      context.Context
	db       *storage.Store
	importID int64
	seq      int
	buf      *bytes.Reader
	done     bool
}

func (p *partReader) Read(b []byte) (int, error) {
	for p.buf == nil || p.buf.Len() == 0 {
		if p.done {
			return 0, io.EOF
		}
		var data []byte
		err := p.db.QueryRow(p.ctx, "SELECT data FROM finding_import_parts WHERE import_id = ? AND seq = ?", p.importID, p.seq).Scan(&data)
		if storage.IsNoRows(err) {
			p.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("read part %d of import %d: %w", p.seq, p.importID, err)
		}
		p.seq++
		p.buf = bytes.NewReader(data)
	}
	return p.buf.Read(b)
}

// ExpiryArgs is the daily job that reopens findings whose accepted risk expired.
type ExpiryArgs struct{}

// Kind names the job for River.
func (ExpiryArgs) Kind() string { return "finding_risk_expiry" }

// ExpiryWorker runs ExpireAcceptances.
type ExpiryWorker struct {
	river.WorkerDefaults[ExpiryArgs]
	Store *storage.Store
}

// Work reopens the expired acceptances.
func (w *ExpiryWorker) Work(ctx context.Context, _ *river.Job[ExpiryArgs]) error {
	_, err := ExpireAcceptances(ctx, w.Store)
	return err
}
