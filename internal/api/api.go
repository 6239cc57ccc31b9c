// Package api is the JSON REST API under /api/v1: request decoding, the error
// and list envelopes, and the OpenAPI document. Handlers are thin: they decode,
// call one capability function with the caller, and encode.
package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
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

// Fail answers with the status and envelope that httpx.ProblemOf gives err:
// validation problems field by field in the request's language, anything
// unexpected as a logged 500 that shows nothing of the internals.
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpx.ProblemOf(err)
	switch p.Code {
	case "invalid":
		es, _ := validation.As(err)
		es = es.Localize(httpx.Lang(r))
		WriteJSON(w, p.Status, ErrorBody{ErrorDetail{Code: p.Code, Message: es.Error(), Fields: es}})
	case "not_found", "internal", "storage_full", "read_only":
		if p.Status >= 500 {
			httpx.LogFailure(r, "API request failed", err)
		}
		WriteError(w, p.Status, p.Code, i18n.T(httpx.Lang(r), "api.err."+p.Code))
	default:
		WriteError(w, p.Status, p.Code, err.Error())
	}
}
