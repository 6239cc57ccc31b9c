// Package httpx is what the web pages and the JSON API share about a
// request: who the caller is, the language of the answer, path ids, JSON
// decoding with limits, and the one table that maps domain errors to HTTP
// status codes. Handlers in both do four things: parse, call one capability
// function, render, fail.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Caller is the authenticated caller with the request's address; the
// router guarantees one on every non-public route.
func Caller(r *http.Request) access.Actor {
	a, _ := access.FromContext(r.Context())
	a.IP = ClientIP(r)
	return a
}

// ClientIP is the caller's address as the server saw it (the address that
// throttling counts and the audit log records; behind a trusted proxy the
// server has already put the client's address in RemoteAddr).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// LangCookie remembers the chosen language (the web pages set it).
const LangCookie = "khien_lang"

// Lang is the language of the request's messages: ?lang=, then the
// khien_lang cookie, then Vietnamese (Accept-Language is ignored on purpose,
// see i18n.Negotiate).
func Lang(r *http.Request) string {
	choice := r.URL.Query().Get("lang")
	if choice == "" {
		if c, err := r.Cookie(LangCookie); err == nil {
			choice = c.Value
		}
	}
	return i18n.Negotiate(choice)
}

// PathID parses the {name} path parameter as a positive id. A malformed id
// names no object, so it is access.ErrNotFound, on pages and in the API alike.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, access.ErrNotFound
	}
	return id, nil
}

// PathIDs parses {id} and a second id path parameter (an object inside it,
// a file of a finding).
func PathIDs(r *http.Request, name string) (id, inner int64, err error) {
	if id, err = PathID(r, "id"); err == nil {
		inner, err = PathID(r, name)
	}
	return id, inner, err
}

// MaxBodyBytes bounds every JSON request body.
const MaxBodyBytes = 1 << 20

// unknownField starts encoding/json's message for a field that v lacks
// (DisallowUnknownFields); the package has no error type for it.
const unknownField = "json: unknown field "

// Decode reads a JSON body into v, refusing unknown fields, trailing data and
// bodies over MaxBodyBytes, with a message that says where the problem is.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	return DecodeLimit(w, r, v, MaxBodyBytes)
}

// DecodeLimit is Decode for a body of at most limit bytes (a scan's
// report, larger than a form's).
func DecodeLimit(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
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
			return fmt.Errorf("%w: %w", ErrTooLarge, validation.Invalid("body", "validation.body_too_large", limit))
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
	var es validation.Errors
	checkStrings(reflect.ValueOf(v), "", &es)
	return es.Err()
}

// checkStrings records every string in v, named by its JSON path, that holds
// a control character. Tab and newlines are allowed: JSON carries multi-line
// text (descriptions, notes) in the same fields as single-line values.
func checkStrings(v reflect.Value, field string, es *validation.Errors) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkStrings(v.Elem(), field, es)
		}
	case reflect.String:
		es.CheckText(field, v.String(), true)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes (json.RawMessage) are not text
		}
		for i := range v.Len() {
			checkStrings(v.Index(i), fmt.Sprintf("%s[%d]", field, i), es)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			key := fmt.Sprint(it.Key())
			es.CheckText(field, key, false)
			checkStrings(it.Value(), joinField(field, key), es)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case f.Anonymous && name == "":
				checkStrings(v.Field(i), field, es)
				continue
			case name == "":
				name = f.Name
			}
			checkStrings(v.Field(i), joinField(field, name), es)
		}
	}
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// Problem is how an error is answered: the status and its code, which the
// API puts in its error envelope and pages use to pick their message.
type Problem struct {
	Status int
	Code   string
}

// ErrTooLarge marks a request body over its limit (413); Decode wraps it
// with the field error that says the limit.
var ErrTooLarge = errors.New("request body too large")

// statuses is the one table from domain errors to answers, most specific
// first. Sentinels come before validation: a conflict or a refusal may carry
// a validation.Error as its localisable detail.
var statuses = []struct {
	err error
	Problem
}{
	{access.ErrNotFound, Problem{http.StatusNotFound, "not_found"}},
	{access.ErrForbidden, Problem{http.StatusForbidden, "forbidden"}},
	{storage.ErrConflict, Problem{http.StatusConflict, "conflict"}},
	{storage.ErrStorageFull, Problem{http.StatusInsufficientStorage, "storage_full"}},
	{storage.ErrReadOnly, Problem{http.StatusServiceUnavailable, "read_only"}},
	{ErrTooLarge, Problem{http.StatusRequestEntityTooLarge, "too_large"}},
}

// LogFailure logs a request that failed on the server's side, unless the
// client has gone (its context is canceled): an aborted request is not an
// error of the server's.
func LogFailure(r *http.Request, msg string, err error) {
	level := slog.LevelError
	if r.Context().Err() != nil {
		level = slog.LevelDebug
	}
	slog.Log(r.Context(), level, msg, "method", r.Method, "path", r.URL.Path, "err", err)
}

// Throttled is an error that asks the caller to come back later (a
// sign-in lockout): 429, with Retry-After.
type Throttled interface {
	error
	RetryAt() time.Time
}

// ProblemOf is the answer to err. Anything not in the table is an internal
// error: logged by the caller, never shown, since internals are not the
// user's business.
func ProblemOf(err error) Problem {
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			return s.Problem
		}
	}
	var th Throttled
	if errors.As(err, &th) {
		return Problem{http.StatusTooManyRequests, "locked"}
	}
	if _, ok := validation.As(err); ok {
		return Problem{http.StatusUnprocessableEntity, "invalid"}
	}
	return Problem{http.StatusInternalServerError, "internal"}
}

// Detail is what err says to the user in lang: the message, and the
// fields of an input error or a conflict. It is empty when err carries
// nothing localisable; other error text (English context for logs) is never
// shown, nor anything about an object outside the caller's scope.
func Detail(err error, lang string) (string, validation.Errors) {
	if c := ProblemOf(err).Code; c == "not_found" || c == "internal" {
		return "", nil
	}
	if es, ok := validation.As(err); ok {
		es = es.Localize(lang)
		return es.Error(), es
	}
	var m validation.Message
	if errors.As(err, &m) {
		return m.Localize(lang), nil
	}
	return "", nil
}

// ParsePage reads a list's ?limit= (1 to storage.MaxLimit, default
// storage.DefaultLimit) and ?cursor= (a next value handed out earlier).
func ParsePage(r *http.Request) (storage.Page, error) {
	var p storage.Page
	var es validation.Errors
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" || q.Has("limit") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > storage.MaxLimit {
			es.Add("limit", "validation.limit", storage.MaxLimit)
		}
		p.Limit = n
	}
	after, err := storage.DecodeCursor(q.Get("cursor"))
	if err != nil {
		es.AddAt("cursor", err)
	}
	p.After = after
	return p, es.Err()
}

// RetryAfter sets the Retry-After header of a 429 to the whole seconds
// until until (at least one), which pages and the API both send during a
// sign-in lockout.
func RetryAfter(w http.ResponseWriter, until, now time.Time) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(until.Sub(now), time.Second).Seconds()))))
}
