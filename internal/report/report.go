// Package report builds the official reports of issue 14 from the capabilities' data and
// writes them as documents (internal/report/document): one file per kind (system.go, the
// system assessment report, org.go the organisation report, followup.go the remediation
// follow-up list, campaign.go the campaign's consolidated report), listed in builders. Every
// generation is kept as a version (StoredFile, files.go): Generate builds one while its
// caller waits (the CLI, the API's GET), Enqueue queues one for GenerateWorker (job.go) to
// build in the background (the web, the API's POST); both check the request and the
// caller's scope first and audit it.
package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// A builder builds one kind of report on the object id as of now in lang, in the actor's
// scope, and returns it with the organisation it is about (the versions are scoped by the
// kind's subject instead, read before the build: subject.go).
type builder func(ctx context.Context, db *storage.Store, actor access.Actor, id int64, lang string, now time.Time) (*document.Document, error)

// builders are the report kinds by name; each lives in the file of its name.
var builders = map[string]builder{
	"campaign": campaignReport,
	"followup": Followup,
	"org":      Org,
	"system":   System,
}

// Kinds are the report kinds Generate builds, sorted.
var Kinds = slices.Sorted(maps.Keys(builders))

// Formats are the file formats of a report.
var Formats = []string{"docx", "pdf", "xlsx"}

// Request asks for one report.
type Request struct {
	Kind   string `json:"kind"`           // one of Kinds
	ID     int64  `json:"id"`             // the system (system), the organisation (org, followup), the campaign (campaign)
	Format string `json:"format"`         // one of Formats
	Lang   string `json:"lang,omitempty"` // i18n.VI (default) or i18n.EN
}

// File is a generated report.
type File struct {
	ID          int64  // the stored version (StoredFile)
	Name        string // the file name to save it under ("bao-cao-system-12.docx")
	ContentType string
	Data        []byte
}

// ContentType is the media type of a format.
func ContentType(format string) string {
	switch format {
	case "pdf":
		return "application/pdf"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
}

// Check validates the request's kind and format.
func (r Request) Check() error {
	var es validation.Errors
	if !slices.Contains(Kinds, r.Kind) {
		es.Add("kind", "report.err.kind", r.Kind, strings.Join(Kinds, ", "))
	}
	if !slices.Contains(Formats, r.Format) {
		es.Add("format", "report.err.format", r.Format, strings.Join(Formats, ", "))
	}
	if len(es) > 0 {
		return es
	}
	return nil
}

// Generate builds the report asked for, as of now, in the actor's scope, stores it as a new
// version (StoredFile), records it in the audit log (before any byte leaves) and returns the
// file. An object outside the scope is access.ErrNotFound. Reports over large scopes are
// better queued (Enqueue): Generate holds its caller until the file is written.
func Generate(ctx context.Context, db *storage.Store, actor access.Actor, r Request, now time.Time) (File, error) {
	subj, err := check(ctx, db, actor, r)
	if err != nil {
		return File{}, err
	}
	data, err := build(ctx, db, actor, r, now, nil)
	if err != nil {
		return File{}, err
	}
	f := newFile(actor, r, subj, now)
	f.Status, f.StartedAt, f.DataAsOf = Running, &now, &now
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		var err error
		if f.ID, err = fileTable.Insert(ctx, tx, &f); err != nil {
			return fmt.Errorf("record the report: %w", err)
		}
		return store(ctx, tx, actor, &f, data)
	})
	if err != nil {
		return File{}, err
	}
	return File{ID: f.ID, Name: f.FileName, ContentType: ContentType(r.Format), Data: data}, nil
}

// build builds the report and writes it in its format, calling stage (when not nil) as it
// starts writing.
func build(ctx context.Context, db *storage.Store, actor access.Actor, r Request, now time.Time, stage func(string) error) ([]byte, error) {
	d, err := builders[r.Kind](ctx, db, actor, r.ID, i18n.Negotiate(r.Lang), now)
	if err != nil {
		return nil, err
	}
	if stage != nil {
		if err := stage(StageWrite); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := write(&buf, d, r.Format); err != nil {
		return nil, fmt.Errorf("write the %s report %d as %s: %w", r.Kind, r.ID, r.Format, err)
	}
	return buf.Bytes(), nil
}

// write writes d in format, one of Formats.
func write(w io.Writer, d *document.Document, format string) error {
	switch format {
	case "pdf":
		return document.WritePDF(w, d)
	case "xlsx":
		return document.WriteXLSX(w, d)
	}
	return document.WriteDOCX(w, d)
}
