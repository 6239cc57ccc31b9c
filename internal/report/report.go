// Package report builds the official reports of issue 14 from the capabilities' data and
// writes them as documents (internal/report/document): one file per kind (system.go, the
// system assessment report, org.go the organisation report, followup.go the remediation
// follow-up list, …), listed in builders. Generate is the one entry the CLI, the
// API and the web use: it checks the request, builds the report in the caller's scope,
// audits it and writes the file.
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
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// A builder builds one kind of report on the object id as of now in lang, in the actor's
// scope, and returns it with the organisation it is about (the audit entry names it).
type builder func(ctx context.Context, db *storage.Store, actor access.Actor, id int64, lang string, now time.Time) (*document.Document, int64, error)

// builders are the report kinds by name; each lives in the file of its name.
var builders = map[string]builder{
	"campaign": campaignReport,
	"followup": followupReport,
	"org":      orgReport,
	"system":   systemReport,
}

// Kinds are the report kinds Generate builds, sorted.
var Kinds = slices.Sorted(maps.Keys(builders))

// Formats are the file formats of a report.
var Formats = []string{"docx", "pdf", "xlsx"}

// Request asks for one report.
type Request struct {
	Kind   string // one of Kinds
	ID     int64  // the object reported on: the system (system), the organisation (org, followup), the campaign (campaign)
	Format string // one of Formats
	Lang   string // i18n.VI (default) or i18n.EN
}

// File is a generated report.
type File struct {
	Name        string // the file name to save it under ("bao-cao-he-thong-12.docx")
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

// Generate builds the report asked for, as of now, in the actor's scope, records it in the
// audit log (before any byte leaves) and returns the file. An object outside the scope is
// access.ErrNotFound.
func Generate(ctx context.Context, db *storage.Store, actor access.Actor, r Request, now time.Time) (File, error) {
	if err := r.Check(); err != nil {
		return File{}, err
	}
	lang := i18n.Negotiate(r.Lang)
	d, orgID, err := builders[r.Kind](ctx, db, actor, r.ID, lang, now)
	if err != nil {
		return File{}, err
	}
	var buf bytes.Buffer
	if err := write(&buf, d, r.Format); err != nil {
		return File{}, fmt.Errorf("write the %s report %d as %s: %w", r.Kind, r.ID, r.Format, err)
	}
	err = audit.Write(ctx, db, actor, audit.Change{Action: "report.generate", ObjectType: r.Kind, ObjectID: r.ID, OrgID: orgID,
		New: map[string]any{"kind": r.Kind, "format": r.Format, "lang": lang, "data_as_of": now.UTC(), "bytes": buf.Len()}})
	if err != nil {
		return File{}, fmt.Errorf("audit the report: %w", err)
	}
	return File{Name: fmt.Sprintf("bao-cao-%s-%d.%s", r.Kind, r.ID, r.Format), ContentType: ContentType(r.Format), Data: buf.Bytes()}, nil
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
