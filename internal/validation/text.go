package validation

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// ControlChar is the first control character in s that text input may not
// hold: NUL, the other C0 controls and DEL; multi-line text keeps tab, line
// feed and carriage return. PostgreSQL refuses NUL in text outright (SQLite
// would store it), and the others only hide or garble what a reader sees.
func ControlChar(s string, multiline bool) (rune, bool) {
	i := strings.IndexFunc(s, func(c rune) bool {
		if multiline && (c == '\t' || c == '\n' || c == '\r') {
			return false
		}
		return c < 0x20 || c == 0x7f
	})
	if i < 0 {
		return 0, false
	}
	return rune(s[i]), true
}

// CheckText records a problem with field when value holds a control
// character (see ControlChar).
func (es *Errors) CheckText(field, value string, multiline bool) {
	if c, bad := ControlChar(value, multiline); bad {
		es.Add(field, "validation.control_char", c)
	}
}

// CheckValues is the problems of query parameters or form fields that hold a
// control character, one per parameter, in name order.
func CheckValues(v url.Values, multiline bool) error {
	var es Errors
	for _, name := range slices.Sorted(maps.Keys(v)) {
		es.CheckText(name, name, false)
		for _, s := range v[name] {
			if _, bad := ControlChar(s, multiline); bad {
				es.CheckText(name, s, multiline)
				break
			}
		}
	}
	return es.Err()
}
