// Package validation reports bad input: which field (or sheet, row and
// column) is wrong and why, in words a user can act on.
//
// A message is a catalogue key with arguments, so it can be shown in the
// reader's language at the edge (page, API response, CLI); Message holds its
// Vietnamese text, the default everywhere else (logs, error strings).
package validation

import (
	"errors"
	"strings"

	"github.com/khien/khien/internal/i18n"
)

// Error is one problem with one field.
type Error struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Key and Args name Message in the catalogue (i18n.T); empty Key means
	// Message is already in its final language.
	Key  string `json:"-"`
	Args []any  `json:"-"`
}

// Invalid is the problem key (with args, fmt verbs) with field; its Message
// is the Vietnamese text. A field-less Error explains a value whose field the
// caller names later with At.
func Invalid(field, key string, args ...any) Error {
	return Error{Field: field, Message: i18n.T(i18n.VI, key, args...), Key: key, Args: args}
}

// At names field as the place of err: an Error keeps its key and arguments,
// any other error becomes a message as it is.
func At(field string, err error) Error {
	var e Error
	if errors.As(err, &e) {
		e.Field = field
		return e
	}
	return Error{Field: field, Message: err.Error()}
}

func (e Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Localize returns e with Message in lang. Arguments that are themselves
// Errors (a reason inside a reason) are rendered in lang too.
func (e Error) Localize(lang string) Error {
	if e.Key == "" {
		return e
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if inner, ok := a.(Error); ok {
			a = inner.Localize(lang).Message
		}
		args[i] = a
	}
	e.Message = i18n.T(lang, e.Key, args...)
	return e
}

// Errors is every problem found in one input; it is an error when not empty.
type Errors []Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Add records the problem key (with args) with field.
func (es *Errors) Add(field, key string, args ...any) {
	*es = append(*es, Invalid(field, key, args...))
}

// AddAt records err as a problem with field (see At).
func (es *Errors) AddAt(field string, err error) { *es = append(*es, At(field, err)) }

// Localize returns a copy of es with every message in lang.
func (es Errors) Localize(lang string) Errors {
	out := make(Errors, len(es))
	for i, e := range es {
		out[i] = e.Localize(lang)
	}
	return out
}

// Err returns es as an error, or nil when there is no problem.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// As extracts the validation errors from err, if any.
func As(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, true
	}
	var e Error
	if errors.As(err, &e) {
		return Errors{e}, true
	}
	return nil, false
}

// Message is a localisable sentence about no one input field: the detail of
// a refusal ("the role Viewer may not change this data"). validation.As does
// not find it, so a refusal is never mistaken for bad input.
type Message struct {
	Key  string
	Args []any
}

// Say is the message key with args; args that are Messages are rendered in
// the reader's language too (a role's label inside a sentence).
func Say(key string, args ...any) Message { return Message{Key: key, Args: args} }

// Error is the Vietnamese text.
func (m Message) Error() string { return m.Localize(i18n.VI) }

// Localize is the text in lang.
func (m Message) Localize(lang string) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if inner, ok := a.(Message); ok {
			a = inner.Localize(lang)
		}
		args[i] = a
	}
	return i18n.T(lang, m.Key, args...)
}
