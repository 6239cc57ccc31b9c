package report

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/blob"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/jobs"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// The states of a stored report.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// Statuses are the states of a stored report, in order.
var Statuses = []string{Queued, Running, Done, Failed}

// The stages of a generation, with the progress (of 100) each starts at.
const (
	StageRead  = "read"  // reading the data and laying out the document
	StageWrite = "write" // writing the file
	StageStore = "store" // storing the file
	StageDone  = "done"
)

// Stages are the stages of a generation, in order.
var Stages = []string{StageRead, StageWrite, StageStore, StageDone}

var stageProgress = map[string]int{StageRead: 10, StageWrite: 60, StageStore: 90, StageDone: 100}

// StoredFile is one generation of a report, kept with its file: every generation (the API,
// the CLI, the web, a background job) stores a version, and none replaces another.
type StoredFile struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	ObjectID   int64  `json:"object_id"`
	ObjectName string `json:"object_name"`
	OrgID      int64  `json:"org_id"`
	Format     string `json:"format"`
	Lang       string `json:"lang"`
	Status     string `json:"status"`
	Progress   int    `json:"progress"` // of 100
	Stage      string `json:"stage,omitempty"`
	// Error is why it failed, in the reader's language.
	Error    string `json:"error,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Size     int64  `json:"size"`
	FileName string `json:"file_name"`
	// DataAsOf is the time of the data the report shows: when it was generated.
	DataAsOf    *time.Time `json:"data_as_of,omitempty"`
	RequestedBy string     `json:"requested_by"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`

	requesterID int64  // the user a background job acts as; 0 for khien's own work
	failure     string // stored: a catalogue key and arguments as JSON
	orgPath     string
}

// Finished reports whether the generation is over, done or failed.
func (f StoredFile) Finished() bool { return f.Status == Done || f.Status == Failed }

// OrgPath is the path of the organisation the report is about, for the pages' can.
func (f StoredFile) OrgPath() string { return f.orgPath }

func (f StoredFile) request() Request {
	return Request{Kind: f.Kind, ID: f.ObjectID, Format: f.Format, Lang: f.Lang}
}

var fileTable = storage.Table[StoredFile]{Name: "report_files", Columns: []storage.Column[StoredFile]{
	{Name: "id", Field: func(f *StoredFile) any { return &f.ID }, Fixed: true},
	{Name: "kind", Field: func(f *StoredFile) any { return &f.Kind }, Fixed: true},
	{Name: "object_id", Field: func(f *StoredFile) any { return &f.ObjectID }, Fixed: true},
	{Name: "object_name", Field: func(f *StoredFile) any { return &f.ObjectName }, Fixed: true},
	{Name: "org_id", Field: func(f *StoredFile) any { return &f.OrgID }, Fixed: true},
	{Name: "format", Field: func(f *StoredFile) any { return &f.Format }, Fixed: true},
	{Name: "lang", Field: func(f *StoredFile) any { return &f.Lang }, Fixed: true},
	{Name: "status", Field: func(f *StoredFile) any { return &f.Status }},
	{Name: "progress", Field: func(f *StoredFile) any { return &f.Progress }},
	{Name: "stage", Field: func(f *StoredFile) any { return &f.Stage }},
	{Name: "error", Field: func(f *StoredFile) any { return &f.failure }},
	{Name: "sha256", Field: func(f *StoredFile) any { return optionalText{&f.SHA256} }},
	{Name: "size", Field: func(f *StoredFile) any { return &f.Size }},
	{Name: "file_name", Field: func(f *StoredFile) any { return &f.FileName }},
	{Name: "data_as_of", Field: func(f *StoredFile) any { return storage.OptionalUTC{P: &f.DataAsOf} }},
	{Name: "requested_by", Field: func(f *StoredFile) any { return &f.RequestedBy }, Fixed: true},
	{Name: "requested_by_id", Field: func(f *StoredFile) any { return storage.OptionalID{P: &f.requesterID} }, Fixed: true},
	{Name: "created_at", Field: func(f *StoredFile) any { return storage.UTC{P: &f.CreatedAt} }, Fixed: true},
	{Name: "started_at", Field: func(f *StoredFile) any { return storage.OptionalUTC{P: &f.StartedAt} }},
	{Name: "finished_at", Field: func(f *StoredFile) any { return storage.OptionalUTC{P: &f.FinishedAt} }},
}}

// fileSelect and fileFrom read a stored report with the path of its organisation.
var (
	fileSelect = "SELECT " + fileTable.Select("f") + ", o.path"
	fileFrom   = " FROM report_files f JOIN orgs o ON o.id = f.org_id"
)

func scanFile(r storage.Scanner) (StoredFile, error) {
	var f StoredFile
	return f, r.Scan(fileTable.Dest(&f, &f.orgPath)...)
}

// optionalText is a text column that is NULL when empty (a reference not made yet).
type optionalText struct{ p *string }

func (o optionalText) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*o.p = ""
	case string:
		*o.p = v
	case []byte:
		*o.p = string(v)
	default:
		return fmt.Errorf("text column: %T", src)
	}
	return nil
}

func (o optionalText) Value() (driver.Value, error) {
	if *o.p == "" {
		return nil, nil
	}
	return *o.p, nil
}

// newFile is the row of a request by actor about subj, queued at now.
func newFile(actor access.Actor, r Request, subj subject, now time.Time) StoredFile {
	return StoredFile{Kind: r.Kind, ObjectID: r.ID, ObjectName: subj.name, OrgID: subj.orgID, Format: r.Format, Lang: i18n.Negotiate(r.Lang),
		Status: Queued, FileName: fileName(r), RequestedBy: actor.Email, requesterID: actor.UserID, CreatedAt: now}
}

func fileName(r Request) string { return fmt.Sprintf("bao-cao-%s-%d.%s", r.Kind, r.ID, r.Format) }

// check validates a request and reads its subject in the actor's scope, now.
func check(ctx context.Context, db *storage.Store, actor access.Actor, r Request) (subject, error) {
	if err := r.Check(); err != nil {
		return subject{}, err
	}
	read, ok := subjects[r.Kind]
	if !ok {
		return subject{}, fmt.Errorf("report kind %s names no subject (internal/report/subject.go)", r.Kind)
	}
	return read(ctx, db, actor, r.ID)
}

// GenerateArgs is the job that generates a queued report.
type GenerateArgs struct {
	FileID int64 `json:"file_id"`
}

// Kind names the job for River.
func (GenerateArgs) Kind() string { return "report_generate" }

// Enqueue checks the request and the actor's right to see its object now, records the
// report as queued and queues its generation, in one transaction; GenerateWorker builds it
// as the actor. The stored report is returned at once, for its page to follow.
func Enqueue(ctx context.Context, db *storage.Store, actor access.Actor, r Request) (StoredFile, error) {
	if actor.UserID == 0 && !actor.System {
		return StoredFile{}, fmt.Errorf("queue a report without a user: %w", access.ErrForbidden)
	}
	subj, err := check(ctx, db, actor, r)
	if err != nil {
		return StoredFile{}, err
	}
	var f StoredFile
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		f = newFile(actor, r, subj, tx.Now())
		if f.ID, err = fileTable.Insert(ctx, tx, &f); err != nil {
			return fmt.Errorf("record the report: %w", err)
		}
		_, err = jobs.Insert(ctx, tx, GenerateArgs{FileID: f.ID}, nil)
		return err
	})
	return f, err
}

// Filter narrows the list of stored reports.
type Filter struct {
	Kind     string
	ObjectID int64
}

// fileOrder is newest first.
var fileOrder = storage.Keyset{ID: "f.id", Desc: true}

// List returns page p of the stored reports about organisations in the actor's scope,
// newest first, with their errors in lang.
func List(ctx context.Context, db storage.Querier, actor access.Actor, flt Filter, lang string, p storage.Page) (storage.Paged[StoredFile], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if flt.Kind != "" {
		w.Add("f.kind = ?", flt.Kind)
	}
	if flt.ObjectID != 0 {
		w.Add("f.object_id = ?", flt.ObjectID)
	}
	res, err := storage.List[StoredFile]{Select: fileSelect, From: fileFrom, Where: w, Order: fileOrder, Scan: scanFile,
		Key: func(f StoredFile) []any { return []any{f.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list reports: %w", err)
	}
	for i := range res.Items {
		res.Items[i].localize(lang)
	}
	return res, nil
}

// Get returns a stored report about an organisation in the actor's scope, with its error
// in lang; another is access.ErrNotFound.
func Get(ctx context.Context, db storage.Querier, actor access.Actor, id int64, lang string) (StoredFile, error) {
	f, err := scanFile(db.QueryRow(ctx, fileSelect+fileFrom+" WHERE f.id = ?", id))
	if storage.IsNoRows(err) || (err == nil && !actor.InScope(f.orgPath)) {
		return StoredFile{}, fmt.Errorf("report %d: %w", id, access.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("report %d: %w", id, err)
	}
	f.localize(lang)
	return f, nil
}

// Download returns a generated report's file and records the download in the audit log
// (the file's id and SHA-256), in one transaction. A report outside the actor's scope is
// access.ErrNotFound; one not done yet is a validation error.
func Download(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (File, error) {
	var out File
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		f, err := Get(ctx, tx, actor, id, i18n.VI)
		if err != nil {
			return err
		}
		if f.Status != Done {
			return validation.Invalid("id", "report_files.err.not_ready", f.ID)
		}
		out = File{ID: f.ID, Name: f.FileName, ContentType: ContentType(f.Format)}
		if err := tx.QueryRow(ctx, "SELECT data FROM blobs WHERE sha256 = ?", f.SHA256).Scan(&out.Data); err != nil {
			return fmt.Errorf("file of report %d: %w", id, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "report.download", ObjectType: "report_file", ObjectID: f.ID, OrgID: f.OrgID,
			New: map[string]any{"kind": f.Kind, "object_id": f.ObjectID, "format": f.Format, "sha256": f.SHA256, "bytes": f.Size}})
	})
	return out, err
}

// store records data as the file of f, done, and audits the generation, in tx: the
// conditional update makes a job run twice store it once.
func store(ctx context.Context, tx *storage.Tx, actor access.Actor, f *StoredFile, data []byte) error {
	sum, err := blob.Put(ctx, tx, data)
	if err != nil {
		return err
	}
	now := tx.Now()
	n, err := tx.ExecCount(ctx, `UPDATE report_files SET status = ?, progress = 100, stage = ?, sha256 = ?, size = ?, data_as_of = ?, finished_at = ?
		WHERE id = ? AND status <> ?`, Done, StageDone, sum, len(data), *f.DataAsOf, now, f.ID, Done)
	if err != nil || n == 0 {
		return err // none: done already, by an earlier run of the job
	}
	f.Status, f.Progress, f.Stage, f.SHA256, f.Size, f.FinishedAt = Done, 100, StageDone, sum, int64(len(data)), &now
	return audit.Record(ctx, tx, actor, audit.Change{Action: "report.generate", ObjectType: f.Kind, ObjectID: f.ObjectID, OrgID: f.OrgID,
		New: map[string]any{"file_id": f.ID, "kind": f.Kind, "format": f.Format, "lang": f.Lang, "data_as_of": f.DataAsOf.UTC(), "bytes": len(data), "sha256": sum}})
}

// failure is a generation's error as stored: a catalogue key and its arguments, so each
// reader sees it in their language.
type failure struct {
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
}

// failureOf is how err is told to the reader: bad input says what, a lost right says so,
// anything else is "could not be generated" (the cause is in the server's log).
func failureOf(err error) failure {
	if es, ok := validation.As(err); ok && len(es) > 0 && es[0].Key != "" {
		return failure{Key: es[0].Key, Args: es[0].Args}
	}
	switch {
	case errors.Is(err, access.ErrNotFound):
		return failure{Key: "report_files.err.not_found"}
	case errors.Is(err, access.ErrForbidden):
		return failure{Key: "report_files.err.forbidden"}
	}
	return failure{Key: "report_files.err.internal"}
}

func (f *StoredFile) localize(lang string) {
	var e failure
	if f.failure == "" || json.Unmarshal([]byte(f.failure), &e) != nil {
		return
	}
	f.Error = validation.Say(e.Key, e.Args...).Localize(lang)
}
