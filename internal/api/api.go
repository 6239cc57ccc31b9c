// Package api is the JSON REST API under /api/v1: request decoding, the error
// and list envelopes, and the OpenAPI document. Handlers are thin: they decode,
// call one capability function with the caller, and encode.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// ErrorBody is the error envelope: {"error":{"code":"…","message":"…"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong; Fields lists bad input field by field.
type ErrorDetail struct {
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Fields  []validation.Error `json:"fields,omitempty"`
}

// List is the envelope of every collection: {"items":[…],"total":N,"next":"…"}.
type List[T any] struct {
	Items []T    `json:"items"`
	Total int    `json:"total"`
	Next  string `json:"next"`
}

// NewList wraps items, never encoding a nil slice as null.
func NewList[T any](items []T, total int, next string) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Total: total, Next: next}
}

// writePage answers with the page of a list that the request's ?limit= and
// ?cursor= ask for (see httpx.ParsePage), or the error.
func writePage[T any](w http.ResponseWriter, r *http.Request, read func(storage.Page) (storage.Paged[T], error)) {
	p, err := httpx.ParsePage(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	res, err := read(p)
	respond(w, r, http.StatusOK, NewList(res.Items, res.Total, res.Next), err)
}

// idAndFile reads the {id} path parameter and the multipart field file of
// at most limit bytes: a file attached to the object id names.
func idAndFile(w http.ResponseWriter, r *http.Request, limit int64) (id int64, name string, data []byte, err error) {
	if id, err = httpx.PathID(r, "id"); err == nil {
		name, data, err = httpx.UploadedFile(w, r, "file", limit)
	}
	return id, name, data, err
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write JSON response", "err", err)
	}
}

// WriteError writes the error envelope.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, ErrorBody{ErrorDetail{Code: code, Message: message}})
}

// Fail answers with the status and envelope that httpx.ProblemOf gives err,
// in the request's language: input errors and conflicts field by field, a
// refusal with what it refused when it says, anything unexpected as a logged
// 500 that shows nothing of the internals.
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpx.ProblemOf(err)
	lang := httpx.Lang(r)
	if p.Status >= 500 {
		httpx.LogFailure(r, "API request failed", err)
	}
	var th httpx.Throttled
	if errors.As(err, &th) {
		httpx.RetryAfter(w, th.RetryAt(), time.Now())
	}
	d := ErrorDetail{Code: p.Code, Message: i18n.T(lang, "api.err."+p.Code)}
	if msg, fields := httpx.Detail(err, lang); msg != "" {
		d.Message, d.Fields = msg, fields
	}
	WriteJSON(w, p.Status, ErrorBody{d})
}
