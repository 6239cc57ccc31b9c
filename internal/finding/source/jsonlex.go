package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// lexer reads one JSON value held in memory without reflection: the fast
// path for Nuclei, whose files have a line per result and run to millions
// of lines. Keys match exactly (encoding/json would also take "Host" for
// "host"; no tool writes that). A differential fuzz test checks it against
// encoding/json.
type lexer struct {
	b     []byte
	i     int
	depth int
	path  [][]byte // the keys leading to the value being read, for errors
	buf   []byte   // reused to unescape strings that are copied out
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// lexSyntaxError is invalid JSON at a byte offset of the value.
type lexSyntaxError struct {
	off int
	msg string
}

func (e *lexSyntaxError) Error() string { return "invalid JSON: " + e.msg }

func (l *lexer) fail(msg string) error {
	if l.i >= len(l.b) {
		return &lexSyntaxError{off: l.i, msg: "unexpected end of the value (truncated?)"}
	}
	return &lexSyntaxError{off: l.i, msg: fmt.Sprintf("%s at byte %d", msg, l.i+1)}
}

// typeError is a value of the wrong kind for the field being read.
func (l *lexer) typeError(want string) error {
	path := ""
	for i, k := range l.path {
		if i > 0 {
			path += "."
		}
		path += string(k)
	}
	return badField(path, fmt.Errorf("a JSON %s where %s is expected", l.kind(), want))
}

func (l *lexer) kind() string {
	l.ws()
	return valueKind(l.b[l.i:])
}

func (l *lexer) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\r', '\n':
			l.i++
		default:
			return
		}
	}
}

func (l *lexer) peek() byte {
	l.ws()
	if l.i < len(l.b) {
		return l.b[l.i]
	}
	return 0
}

// end checks that only white space follows the value.
func (l *lexer) end() error {
	if l.ws(); l.i < len(l.b) {
		return l.fail("unexpected data after the value")
	}
	return nil
}

// object reads an object, calling field with each key (valid until the
// lexer reads another line); field must read the value.
func (l *lexer) object(field func(key []byte) error) error {
	if l.peek() != '{' {
		return l.fail("want an object")
	}
	if l.depth++; l.depth > maxDepth {
		return l.fail("nested too deep")
	}
	l.i++
	if l.peek() == '}' {
		l.i++
		l.depth--
		return nil
	}
	for {
		if l.peek() != '"' {
			return l.fail("want a key")
		}
		key, err := l.rawStr(nil)
		if err != nil {
			return err
		}
		if l.peek() != ':' {
			return l.fail("want ':'")
		}
		l.i++
		l.path = append(l.path, key)
		err = field(key)
		l.path = l.path[:len(l.path)-1]
		if err != nil {
			return err
		}
		switch l.peek() {
		case ',':
			l.i++
		case '}':
			l.i++
			l.depth--
			return nil
		default:
			return l.fail("want ',' or '}'")
		}
	}
}

// array reads an array, calling elem for each element; elem must read it.
func (l *lexer) array(elem func() error) error {
	if l.peek() != '[' {
		return l.fail("want an array")
	}
	if l.depth++; l.depth > maxDepth {
		return l.fail("nested too deep")
	}
	l.i++
	if l.peek() == ']' {
		l.i++
		l.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch l.peek() {
		case ',':
			l.i++
		case ']':
			l.i++
			l.depth--
			return nil
		default:
			return l.fail("want ',' or ']'")
		}
	}
}

// str reads a string at l.i (a '"').
func (l *lexer) str() (string, error) {
	b, err := l.rawStr(&l.buf)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return string([]rune(string(b))), nil // invalid bytes become U+FFFD, as encoding/json does
	}
	return string(b), nil
}

// rawStr reads a string at l.i (a '"') without copying it when it has no
// escapes: the bytes are valid until the lexer reads another line. A string
// with escapes is unescaped into *buf when buf is given (and is then valid
// until the next use of *buf), else into new memory.
func (l *lexer) rawStr(buf *[]byte) ([]byte, error) {
	l.i++
	start := l.i
	q := bytes.IndexByte(l.b[start:], '"')
	if q < 0 {
		l.i = len(l.b)
		return nil, l.fail("")
	}
	seg := l.b[start : start+q]
	if bytes.IndexByte(seg, '\\') >= 0 {
		if buf == nil {
			return l.unescape(nil)
		}
		out, err := l.unescape((*buf)[:0])
		*buf = out
		return out, err
	}
	for i, c := range seg {
		if c < 0x20 {
			l.i = start + i
			return nil, l.fail("control character in a string")
		}
	}
	l.i = start + q + 1
	return seg, nil
}

// unescape reads a string with escapes, from l.i just after the quote,
// appending it to out.
func (l *lexer) unescape(out []byte) ([]byte, error) {
	for l.i < len(l.b) {
		c := l.b[l.i]
		switch {
		case c == '"':
			l.i++
			return out, nil
		case c < 0x20:
			return nil, l.fail("control character in a string")
		case c != '\\':
			out = append(out, c)
			l.i++
			continue
		}
		if l.i+1 >= len(l.b) {
			break
		}
		l.i++
		switch e := l.b[l.i]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := l.hex4(l.i + 1)
			if !ok {
				return nil, l.fail("bad \\u escape")
			}
			l.i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(-1), false
				if l.i+6 < len(l.b) && l.b[l.i+1] == '\\' && l.b[l.i+2] == 'u' {
					r2, ok = l.hex4(l.i + 3)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					l.i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, l.fail("bad escape")
		}
		l.i++
	}
	return nil, l.fail("")
}

func (l *lexer) hex4(at int) (rune, bool) {
	if at+4 > len(l.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(l.b[at:at+4]), 16, 32)
	return rune(n), err == nil
}

// number reads a number's text, checking its syntax.
func (l *lexer) number() (string, error) {
	start := l.i
	if l.i < len(l.b) && l.b[l.i] == '-' {
		l.i++
	}
	digits := func() int {
		n := 0
		for l.i < len(l.b) && l.b[l.i] >= '0' && l.b[l.i] <= '9' {
			l.i++
			n++
		}
		return n
	}
	intStart := l.i
	if n := digits(); n == 0 || (n > 1 && l.b[intStart] == '0') {
		return "", l.fail("bad number")
	}
	if l.i < len(l.b) && l.b[l.i] == '.' {
		l.i++
		if digits() == 0 {
			return "", l.fail("bad number")
		}
	}
	if l.i < len(l.b) && (l.b[l.i] == 'e' || l.b[l.i] == 'E') {
		l.i++
		if l.i < len(l.b) && (l.b[l.i] == '+' || l.b[l.i] == '-') {
			l.i++
		}
		if digits() == 0 {
			return "", l.fail("bad number")
		}
	}
	return string(l.b[start:l.i]), nil
}

// literal reads true, false or null.
func (l *lexer) literal() (string, error) {
	for _, lit := range []string{"true", "false", "null"} {
		if len(l.b)-l.i >= len(lit) && string(l.b[l.i:l.i+len(lit)]) == lit {
			l.i += len(lit)
			return lit, nil
		}
	}
	return "", l.fail("invalid value")
}

// skip reads any value.
func (l *lexer) skip() error {
	switch l.peek() {
	case '{':
		return l.object(func([]byte) error { return l.skip() })
	case '[':
		return l.array(l.skip)
	case '"':
		_, err := l.rawStr(&l.buf)
		return err
	case 't', 'f', 'n':
		_, err := l.literal()
		return err
	}
	_, err := l.number()
	return err
}

// objectInto reads an object with field, or a null (fn is not called).
func (l *lexer) objectInto(field func(key []byte) error) error {
	switch l.peek() {
	case '{':
		return l.object(field)
	case 'n':
		_, err := l.literal()
		return err
	}
	return l.typeErrorAfterSkip("an object")
}

// null reads a null if one is next.
func (l *lexer) null() (bool, error) {
	if l.peek() != 'n' {
		return false, nil
	}
	_, err := l.literal()
	return true, err
}

// stringInto reads a string (null leaves *s as it is).
func (l *lexer) stringInto(s *string) error {
	switch l.peek() {
	case '"':
		v, err := l.str()
		*s = v
		return err
	case 'n':
		_, err := l.literal()
		return err
	}
	return l.typeErrorAfterSkip("a string")
}

// typeErrorAfterSkip reports a type error once the value is known to be
// well-formed, so that bad syntax wins, as with encoding/json.
func (l *lexer) typeErrorAfterSkip(want string) error {
	err := l.typeError(want)
	if serr := l.skip(); serr != nil {
		return serr
	}
	return err
}

// boolInto reads true or false into a new *bool (null leaves it).
func (l *lexer) boolInto(b **bool) error {
	switch l.peek() {
	case 't', 'f':
		lit, err := l.literal()
		v := lit == "true"
		*b = &v
		return err
	case 'n':
		_, err := l.literal()
		return err
	}
	return l.typeErrorAfterSkip("true or false")
}

// stringsInto reads a list of strings (null empties it).
func (l *lexer) stringsInto(list *[]string) error {
	switch l.peek() {
	case '[':
		*list = (*list)[:0]
		if *list == nil {
			*list = []string{}
		}
		return l.array(func() error {
			var s string
			if err := l.stringInto(&s); err != nil {
				return err
			}
			*list = append(*list, s)
			return nil
		})
	case 'n':
		*list = nil
		_, err := l.literal()
		return err
	}
	return l.typeErrorAfterSkip("a list")
}

// textListInto reads a textList: a list, a single string or null.
func (l *lexer) textListInto(list *textList) error {
	if l.peek() == '"' {
		s, err := l.str()
		*list = textList{s}
		return err
	}
	return l.stringsInto((*[]string)(list))
}

// flexInto reads a number given as a number or a string; set (of a flexInt
// or flexFloat) parses it.
func (l *lexer) flexInto(set func(s string) error, want string) error {
	var s string
	var err error
	switch c := l.peek(); {
	case c == '"':
		s, err = l.str()
	case c == '-' || (c >= '0' && c <= '9'):
		s, err = l.number()
	case c == 'n':
		_, err = l.literal()
		return err
	default:
		return l.typeErrorAfterSkip(want)
	}
	if err != nil {
		return err
	}
	if err := set(s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			fe := l.typeError("").(*fieldError)
			fe.err = fmt.Errorf("a JSON %s where %s is expected", te.Value, jsonKind(te.Type))
			return fe
		}
		return err
	}
	return nil
}
