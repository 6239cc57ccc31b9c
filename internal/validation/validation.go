// Package validation reports bad input: which field (or sheet, row and
// column) is wrong and why, in words a user can act on.
package validation

import (
	"errors"
	"strings"
)

// Error is one problem with one field.
type Error struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e Error) Error() string { return e.Field + ": " + e.Message }

// Errors is every problem found in one input; it is an error when not empty.
type Errors []Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Add records a problem.
func (es *Errors) Add(field, message string) { *es = append(*es, Error{field, message}) }

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
