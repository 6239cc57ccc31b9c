// Package api is the JSON REST API under /api/v1: request decoding, the error
// and list envelopes, and the OpenAPI document. Handlers are thin: they decode,
// call the storage layer with the caller's actor, and encode.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
)

// MaxBodyBytes bounds every JSON request body.
const MaxBodyBytes = 1 << 20

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

// LangCookie remembers the chosen language (the web pages set it).
const LangCookie = "khien_lang"

// Lang is the language of the request's messages: ?lang=, then the
// khien_lang cookie, then Vietnamese (Accept-Language is ignored, as on the
// pages; see i18n.Negotiate).
func Lang(r *http.Request) string {
	choice := r.URL.Query().Get("lang")
	if choice == "" {
		if c, err := r.Cookie(LangCookie); err == nil {
			choice = c.Value
		}
	}
	return i18n.Negotiate(choice)
}

// WriteError writes the error envelope.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, ErrorBody{ErrorDetail{Code: code, Message: message}})
}

// Fail maps an error from the layers below to a status and envelope:
// validation → 400 (messages in the request's language), out of scope → 404,
// not allowed → 403, else 500 (logged, not shown, since internals are not
// the caller's business).
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	if es, ok := validation.As(err); ok {
		es = es.Localize(Lang(r))
		WriteJSON(w, http.StatusBadRequest, ErrorBody{ErrorDetail{Code: "invalid", Message: es.Error(), Fields: es}})
		return
	}
	switch {
	case errors.Is(err, access.ErrNotFound):
		WriteError(w, http.StatusNotFound, "not_found", i18n.T(Lang(r), "api.err.not_found"))
	case errors.Is(err, access.ErrForbidden):
		WriteError(w, http.StatusForbidden, "forbidden", err.Error())
	case errors.Is(err, ErrConflict):
		WriteError(w, http.StatusConflict, "conflict", err.Error())
	default:
		slog.ErrorContext(r.Context(), "API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		WriteError(w, http.StatusInternalServerError, "internal", i18n.T(Lang(r), "api.err.internal"))
	}
}

// ErrConflict marks a request that clashes with existing data (duplicate code).
var ErrConflict = errors.New("conflict")

// unknownField starts encoding/json's message for a field that v lacks
// (DisallowUnknownFields); the package has no error type for it.
const unknownField = "json: unknown field "

// Decode reads a JSON body into v, refusing unknown fields, trailing data and
// bodies over MaxBodyBytes, with a message that says where the problem is.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &syntax):
			return validation.Invalid("body", "validation.json_syntax", syntax.Offset)
		case errors.As(err, &typ):
			return validation.Invalid(typ.Field, "validation.json_type", typ.Type.String())
		case errors.As(err, &tooBig):
			return validation.Invalid("body", "validation.body_too_large", MaxBodyBytes)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return validation.Invalid("body", "validation.json_eof")
		case errors.Is(err, io.EOF):
			return validation.Invalid("body", "validation.body_empty")
		case strings.HasPrefix(err.Error(), unknownField):
			return validation.Invalid("body", "validation.json_unknown_field", strings.TrimPrefix(err.Error(), unknownField))
		default:
			return validation.Invalid("body", "validation.json_other", err)
		}
	}
	if dec.More() {
		return validation.Invalid("body", "validation.json_trailing")
	}
	return nil
}

// Actor returns the authenticated caller; the router guarantees one on every
// non-public route.
func Actor(r *http.Request) access.Actor {
	a, _ := access.FromContext(r.Context())
	a.IP = ClientIP(r)
	return a
}

// ClientIP is the caller's address as the server saw it.
func ClientIP(r *http.Request) string { return auth.ClientIP(r) }

// PathID parses the {name} path parameter as a positive id.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, validation.Invalid(name, "validation.id")
	}
	return id, nil
}
