package hunt

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

// File is evidence of a hunt (a log extract, a report, a screenshot).
type File struct {
	ID          int64     `json:"id"`
	SHA256      string    `json:"sha256"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"created_at"`
}

// MaxFile is the largest evidence file, as for findings.
const MaxFile = 10 << 20

// checkFile validates an uploaded file's name and size.
func checkFile(name string, size int) error {
	if size == 0 || size > MaxFile {
		return validation.Invalid("file", "hunt.err.file_size", MaxFile>>20)
	}
	if name == "" || len(name) > 255 || !utf8.ValidString(name) {
		return validation.Invalid("file", "hunt.err.file_name")
	}
	return nil
}

// Attach stores a file as evidence of a hunt the actor works, once by its
// SHA-256 in the blobs findings share. A finished hunt still takes
// evidence: reports often come after the result.
func Attach(ctx context.Context, db *storage.Store, actor access.Actor, id int64, name string, data []byte) (File, error) {
	f := File{Name: name, Size: int64(len(data)), Actor: actor.Email, ContentType: http.DetectContentType(data)}
	if err := checkFile(name, len(data)); err != nil {
		return f, err
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		h, err := load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		if f.SHA256, err = blob.Put(ctx, tx, data); err != nil {
			return err
		}
		now := tx.Now()
		f.At = now
		if f.ID, err = tx.InsertID(ctx, "INSERT INTO hunt_files (hunt_id, sha256, name, content_type, size, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			id, f.SHA256, f.Name, f.ContentType, f.Size, f.Actor, now); err != nil {
			return fmt.Errorf("attach evidence: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE hunt_tasks SET updated_at = ?, started_at = COALESCE(started_at, ?) WHERE id = ?", now, now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "hunt.attach", ObjectType: "hunt", ObjectID: id, OrgID: h.OrgID, New: f})
	})
	return f, err
}

func listFiles(ctx context.Context, q storage.Querier, huntID int64) ([]File, error) {
	files, err := storage.Collect[File](q.Query(ctx, "SELECT id, sha256, name, content_type, size, actor, created_at FROM hunt_files WHERE hunt_id = ? ORDER BY id", huntID))(func(r storage.Scanner) (File, error) {
		var f File
		err := r.Scan(&f.ID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.Actor, storage.UTC{P: &f.At})
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("files of hunt %d: %w", huntID, err)
	}
	return files, nil
}

// ReadFile returns evidence of a hunt the actor sees; the download is audited.
func ReadFile(ctx context.Context, db *storage.Store, actor access.Actor, huntID, fileID int64) (File, []byte, error) {
	var f File
	var data []byte
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		h, err := load(ctx, tx, actor, huntID, access.Read)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT hf.id, hf.sha256, hf.name, hf.content_type, hf.size, hf.actor, hf.created_at, b.data
			FROM hunt_files hf JOIN blobs b ON b.sha256 = hf.sha256 WHERE hf.id = ? AND hf.hunt_id = ?`, fileID, huntID).
			Scan(&f.ID, &f.SHA256, &f.Name, &f.ContentType, &f.Size, &f.Actor, storage.UTC{P: &f.At}, &data)
		if storage.IsNoRows(err) {
			return access.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("evidence %d: %w", fileID, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "hunt.download", ObjectType: "hunt_file", ObjectID: fileID, OrgID: h.OrgID, New: map[string]any{"hunt_id": huntID, "name": f.Name}})
	})
	return f, data, err
}
