package source

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// This file holds what the JSON parsers share: reading JSON Lines and
// streaming JSON documents within the record limits, turning the json
// package's errors into ParseErrors that name the place, and the field
// types that tools spell in more than one way.

// errRecordTooLong is what a record over MaxRecord gets.
var errRecordTooLong = fmt.Errorf("record longer than %d MiB", MaxRecord>>20)

// jsonLines calls fn with every non-blank line of r, without its line
// break. A line longer than MaxRecord, an error from fn that is a json
// error, and ctx ending stop it with a ParseError naming the line; other
// errors from fn (the handler's) are returned as they are.
func jsonLines(ctx context.Context, r io.Reader, format string, fn func(line []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxRecord+1)
	n := 0
	for sc.Scan() {
		n++
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return lineError(format, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = errRecordTooLong
		}
		return &ParseError{Format: format, Line: n + 1, Err: err}
	}
	return nil
}

// lineError places a decoding error of one JSON line; other errors pass.
func lineError(format string, line int, err error) error {
	pe := jsonError(format, 0, "", err)
	if pe == nil {
		return err
	}
	pe.Line, pe.Offset = line, 0
	return pe
}

// fieldError is a bad value in a field the parser checks itself (a
// severity, a time), with the field's path.
type fieldError struct {
	path string
	err  error
}

func (e *fieldError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func badField(path string, err error) error { return &fieldError{path, err} }

// jsonError turns an error of the json package (or a fieldError) met at
// byte offset base and element path into a ParseError; nil when err is
// neither.
func jsonError(format string, base int64, path string, err error) *ParseError {
	join := func(a, b string) string {
		switch {
		case a == "":
			return b
		case b == "" || strings.HasPrefix(b, "["):
			return a + b
		}
		return a + "." + b
	}
	var (
		lex *lexSyntaxError
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		fe  *fieldError
		pe  *ParseError
	)
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &fe):
		return &ParseError{Format: format, Offset: base, Element: join(path, fe.path), Err: fe.err}
	case errors.As(err, &typ):
		return &ParseError{Format: format, Offset: base + typ.Offset, Element: join(path, typ.Field),
			Err: fmt.Errorf("a JSON %s where %s is expected", typ.Value, jsonKind(typ.Type))}
	case errors.As(err, &lex):
		return &ParseError{Format: format, Offset: base + int64(lex.off), Element: path, Err: err}
	case errors.As(err, &syn):
		return &ParseError{Format: format, Offset: base + syn.Offset, Element: path, Err: fmt.Errorf("invalid JSON: %w", err)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &ParseError{Format: format, Offset: base, Element: path, Err: errors.New("the file ends in the middle of a JSON value (truncated?)")}
	case errors.Is(err, errRecordTooLong):
		return &ParseError{Format: format, Offset: base, Element: path, Err: err}
	}
	return nil
}

// jsonKind names a Go type the way a JSON reader thinks of it.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint16, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// jsonDoc streams one JSON document with json.Decoder's tokens, keeping the
// path to where it is for errors, and decodes one record at a time: no
// token or record may take more than MaxRecord.
type jsonDoc struct {
	ctx    context.Context
	format string
	in     *limitReader
	dec    *json.Decoder
	path   []pathStep
	steps  int
	start  int64 // where the last decoded record starts
}

// pathStep is an object key or, when key is "", an array index.
type pathStep struct {
	key   string
	index int
}

func newJSONDoc(ctx context.Context, r io.Reader, format string) *jsonDoc {
	_, br, _ := firstByte(r) // drops a byte-order mark; a read error shows at the first token
	in := &limitReader{r: br}
	dec := json.NewDecoder(in)
	dec.UseNumber()
	return &jsonDoc{ctx: ctx, format: format, in: in, dec: dec}
}

// limitReader fails once more than max bytes are read past mark: the
// decoder reads ahead at most one buffer, which is bounded by the largest
// token or record, so twice MaxRecord bounds both.
type limitReader struct {
	r    io.Reader
	n    int64
	stop int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n >= l.stop {
		return 0, errRecordTooLong
	}
	if rest := l.stop - l.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// arm lets the next token or record take up to MaxRecord.
func (d *jsonDoc) arm() { d.in.stop = d.dec.InputOffset() + 2*MaxRecord }

// where renders the path, "runs[0].results[12]".
func (d *jsonDoc) where() string {
	var b strings.Builder
	for _, s := range d.path {
		if s.key == "" {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}

// fail places err at the current offset and path; handler errors pass.
func (d *jsonDoc) fail(base int64, err error) error {
	if pe := jsonError(d.format, base, d.where(), err); pe != nil {
		if pe.Offset == 0 {
			pe.Offset = base
		}
		return pe
	}
	return err
}

// failf is a problem the parser found at the current place.
func (d *jsonDoc) failf(format string, args ...any) error {
	return &ParseError{Format: d.format, Offset: d.dec.InputOffset(), Element: d.where(), Err: fmt.Errorf(format, args...)}
}

func (d *jsonDoc) token() (json.Token, error) {
	d.arm()
	off := d.dec.InputOffset()
	t, err := d.dec.Token()
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, d.fail(off, err)
	}
	return t, nil
}

// decode reads the next value into v.
func (d *jsonDoc) decode(v any) error {
	d.steps++
	if d.steps%256 == 0 {
		if err := d.ctx.Err(); err != nil {
			return err
		}
	}
	d.arm()
	d.start = d.dec.InputOffset()
	if err := d.dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return d.fail(d.start, err)
	}
	return nil
}

// recordError places an error found in the last decoded record.
func (d *jsonDoc) recordError(err error) error { return d.fail(d.start, err) }

func tokenKind(t json.Token) string {
	switch t := t.(type) {
	case json.Delim:
		if t == '[' {
			return "a list"
		}
		return "an object"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	}
	return "a value"
}

// object reads an object, calling field for each key; field must read the
// key's value (decode, object, array or skip).
func (d *jsonDoc) object(field func(key string) error) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		return d.failf("%s where an object is expected", tokenKind(t))
	}
	for d.dec.More() {
		t, err := d.token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		d.path = append(d.path, pathStep{key: key})
		err = field(key)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	_, err = d.token()
	return err
}

// array reads an array, calling elem for each element; elem must read it.
// null counts as an empty array.
func (d *jsonDoc) array(elem func() error) error {
	t, err := d.token()
	if err != nil || t == nil {
		return err
	}
	if t != json.Delim('[') {
		return d.failf("%s where a list is expected", tokenKind(t))
	}
	for i := 0; d.dec.More(); i++ {
		d.path = append(d.path, pathStep{index: i})
		err := elem()
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
	}
	_, err = d.token()
	return err
}

// skip reads and drops the next value token by token, so that a large
// value the parser does not need is never held whole.
func (d *jsonDoc) skip() error {
	depth := 0
	for {
		t, err := d.token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// end checks that nothing but white space follows the document.
func (d *jsonDoc) end() error {
	d.arm()
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return d.failf("unexpected data after the end of the document")
	}
	return nil
}

// firstByte returns the first byte that is not white space or a leading
// byte-order mark, and a reader that still yields everything after the mark.
func firstByte(r io.Reader) (byte, *bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	for i := 0; i < br.Size(); i++ {
		b, err := br.Peek(i + 1)
		if errors.Is(err, io.EOF) {
			return 0, br, nil
		}
		if err != nil {
			return 0, br, err
		}
		if c := b[i]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, br, nil
		}
	}
	return 0, br, nil
}

// Polymorphic fields.

// textList is a list of strings given as a list, a single string or null;
// a string is split on commas when the list is comma-separated (tags).
type textList []string

func (l *textList) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		*l = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = textList{s}
		return nil
	case len(b) > 0 && b[0] == '[':
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*l = list
		return nil
	}
	return &json.UnmarshalTypeError{Value: valueKind(b), Type: reflect.TypeFor[[]string]()}
}

// split returns the items, splitting single strings on sep.
func (l textList) split(sep string) []string {
	if len(l) == 1 && strings.Contains(l[0], sep) {
		return strings.Split(l[0], sep)
	}
	return l
}

// flexInt is a number given as a number or a string ("443"); "" and null
// are zero.
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	return flexUnmarshal(b, n.set, reflect.TypeFor[int]())
}

func (n *flexInt) set(s string) error {
	if s = strings.TrimSpace(s); s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(Excerpt(s)), Type: reflect.TypeFor[int]()}
	}
	*n = flexInt(v)
	return nil
}

// flexFloat is a score given as a number or a string ("7.5").
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	return flexUnmarshal(b, f.set, reflect.TypeFor[float64]())
}

func (f *flexFloat) set(s string) error {
	if s = strings.TrimSpace(s); s == "" || s == "null" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(Excerpt(s)), Type: reflect.TypeFor[float64]()}
	}
	*f = flexFloat(v)
	return nil
}

// flexUnmarshal gives a number or a string's text to set; null is zero.
func flexUnmarshal(b []byte, set func(string) error, t reflect.Type) error {
	switch {
	case len(b) == 0:
		return &json.UnmarshalTypeError{Value: "value", Type: t}
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return set(s)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'), string(b) == "null":
		return set(string(b))
	}
	return &json.UnmarshalTypeError{Value: valueKind(b), Type: t}
}

func valueKind(b []byte) string {
	if len(b) == 0 {
		return "value"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// parseTime reads the RFC 3339 times tools write; "" is the zero time.
func parseTime(path, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badField(path, fmt.Errorf("not an RFC 3339 time: %q", Excerpt(s)))
	}
	return t.UTC(), nil
}

// jsonHead is what detection sees of a JSON file's first value: whether it
// is an array, and the key paths met in it ("runs", "runs.tool",
// "findings.check_id"; array levels are transparent), to a depth of three.
type jsonHead struct {
	array bool
	keys  map[string]bool
}

// sniffJSON reads as much of the first JSON value in head as is there; ok
// is false when head does not start like JSON.
func sniffJSON(head []byte) (jsonHead, bool) {
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || (head[0] != '{' && head[0] != '[') {
		return jsonHead{}, false
	}
	h := jsonHead{array: head[0] == '[', keys: map[string]bool{}}
	dec := json.NewDecoder(bytes.NewReader(head))
	// One level per open container: the path that leads to it; for an
	// object, whether a key comes next and the path of the last key.
	type level struct {
		path, key       string
		object, wantKey bool
	}
	var stack []level
	for {
		t, err := dec.Token()
		if err != nil {
			return h, true
		}
		n := len(stack)
		if n > 0 && stack[n-1].wantKey {
			if key, ok := t.(string); ok {
				path := key
				if stack[n-1].path != "" {
					path = stack[n-1].path + "." + key
				}
				if strings.Count(path, ".") < 3 {
					h.keys[path] = true
				}
				stack[n-1].key, stack[n-1].wantKey = path, false
				continue
			}
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			path := ""
			if n > 0 {
				path = stack[n-1].path
				if stack[n-1].object {
					path = stack[n-1].key
				}
			}
			stack = append(stack, level{path: path, object: t == json.Delim('{'), wantKey: t == json.Delim('{')})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:n-1]
		}
		if len(stack) == 0 {
			return h, true // the first value is complete
		}
		if top := &stack[len(stack)-1]; top.object {
			top.wantKey = true
		}
	}
}
