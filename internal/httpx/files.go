package httpx

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/validation"
)

// Upload is one file of a multipart request, streamed: Body reads it and
// fails with ErrTooLarge past the limit. Fields are the form's other
// fields that came before the file.
type Upload struct {
	Name   string
	Body   io.Reader
	Fields map[string]string
}

// maxField bounds a form field sent with an upload.
const maxField = 4 << 10

// ReadUpload finds the multipart field named file, reading the short
// fields before it, with the whole request held to limit bytes.
func ReadUpload(w http.ResponseWriter, r *http.Request, file string, limit int64) (Upload, error) {
	u := Upload{Fields: map[string]string{}}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return u, validation.Invalid(file, "validation.multipart")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return u, tooLarge(err, limit, validation.Invalid(file, "validation.file_missing"))
		}
		if part.FormName() == file {
			u.Name, u.Body = part.FileName(), &limited{part, limit}
			return u, nil
		}
		v, err := io.ReadAll(io.LimitReader(part, maxField+1))
		if err != nil || len(v) > maxField {
			return u, tooLarge(err, limit, validation.Invalid(part.FormName(), "validation.field_too_long", maxField))
		}
		u.Fields[part.FormName()] = string(v)
	}
}

// UploadedFile reads the multipart file field of at most limit bytes whole.
func UploadedFile(w http.ResponseWriter, r *http.Request, field string, limit int64) (string, []byte, error) {
	u, err := ReadUpload(w, r, field, limit+64<<10)
	if err != nil {
		return "", nil, err
	}
	data, err := io.ReadAll(io.LimitReader(u.Body, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = &http.MaxBytesError{Limit: limit}
	}
	if err != nil {
		return "", nil, tooLarge(err, limit, err)
	}
	return u.Name, data, nil
}

// limited reports a body over its limit as ErrTooLarge.
type limited struct {
	r     io.Reader
	limit int64
}

func (l *limited) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = tooLarge(err, l.limit, err)
	}
	return n, err
}

// tooLarge turns a read past MaxBytesReader's limit into ErrTooLarge saying the limit.
func tooLarge(err error, limit int64, otherwise error) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return fmt.Errorf("%w: %w", ErrTooLarge, validation.Invalid("file", "validation.file_too_large", limit>>20))
	}
	return otherwise
}

// Attachment sets the headers of a download: saved under name, never
// sniffed or cached.
func Attachment(w http.ResponseWriter, name, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
}

// SendFile answers with a stored file (an attachment, evidence, a
// submission) as a download of unknown type: saved under name, never shown.
func SendFile(w http.ResponseWriter, name string, data []byte) {
	SendTyped(w, name, "application/octet-stream", data)
}

// SendTyped answers with data as a download of a known media type (a
// generated report), saved under name.
func SendTyped(w http.ResponseWriter, name, contentType string, data []byte) {
	Attachment(w, name, contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// Download is a response writer that sends a download's headers with its
// first byte, so that a download refused before it starts (an export the
// caller may not make) still gets the error page or envelope.
type Download struct {
	W           http.ResponseWriter
	Name        string
	ContentType string
	started     bool
}

func (d *Download) Write(b []byte) (int, error) {
	if !d.started {
		d.started = true
		Attachment(d.W, d.Name, d.ContentType)
	}
	return d.W.Write(b)
}

// Started reports whether anything was sent: an error after that can only be logged.
func (d *Download) Started() bool { return d.started }
