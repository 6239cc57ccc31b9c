package source

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// Limits of the XML reader besides MaxRecord.
const (
	maxXMLDepth    = 64      // nesting of elements: the formats need about 10
	maxRecordNodes = 1 << 16 // elements in one record read whole
)

// Errors of the byte guard.
var (
	errTooLarge  = fmt.Errorf("element larger than %d MiB", MaxRecord>>20)
	errManyAttrs = fmt.Errorf("more than %d attributes in one element", maxAttrs)
)

// maxAttrs bounds the attributes of one element: encoding/xml would build
// a slice of every attribute of a tag before handing it over.
const maxAttrs = 256

// lexState is where guardReader is in the markup.
type lexState uint8

const (
	inText    lexState = iota
	afterLT            // just after "<"
	afterBang          // just after "<!"
	inTag              // a start or end tag
	inComment          // "<!--" … "-->"
	inCDATA            // "<![CDATA[" … "]]>"
	inPI               // "<?" … "?>"
	inDecl             // "<!DOCTYPE" … ">"
)

// guardReader hands bytes to the decoder one at a time (the decoder uses
// ReadByte when it is offered) and fails once more than MaxRecord bytes
// have been read since the last reset, or a tag holds more than maxAttrs
// attributes: encoding/xml would otherwise gather a text node, an attribute
// or a tag of any size in memory. It follows the markup only as far as it
// must to count attributes.
type guardReader struct {
	r      *bufio.Reader
	n      int
	state  lexState
	quote  byte // the quote of the attribute value being read, 0 outside one
	attrs  int
	p1, p2 byte // the two bytes before this one
}

func (g *guardReader) ReadByte() (byte, error) {
	if g.n >= MaxRecord {
		return 0, errTooLarge
	}
	b, err := g.r.ReadByte()
	if err != nil {
		return b, err
	}
	g.n++
	switch g.state {
	case inText:
		if b == '<' {
			g.state = afterLT
		}
	case afterLT:
		switch b {
		case '!':
			g.state = afterBang
		case '?':
			g.state = inPI
		default:
			g.state, g.quote, g.attrs = inTag, 0, 0
		}
	case afterBang:
		switch b {
		case '-':
			g.state = inComment
		case '[':
			g.state = inCDATA
		default:
			g.state = inDecl
		}
	case inTag:
		switch {
		case g.quote != 0:
			if b == g.quote {
				g.quote = 0
			}
		case b == '"' || b == '\'':
			g.quote = b
		case b == '=':
			if g.attrs++; g.attrs > maxAttrs {
				return 0, errManyAttrs
			}
		case b == '>':
			g.state = inText
		}
	case inComment:
		if b == '>' && g.p1 == '-' && g.p2 == '-' {
			g.state = inText
		}
	case inCDATA:
		if b == '>' && g.p1 == ']' && g.p2 == ']' {
			g.state = inText
		}
	case inPI:
		if b == '>' && g.p1 == '?' {
			g.state = inText
		}
	case inDecl:
		if b == '>' {
			g.state = inText
		}
	}
	g.p2, g.p1 = g.p1, b
	return b, nil
}

func (g *guardReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, err := g.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = b
	return 1, nil
}

// xmlStream reads an XML file token by token, keeping the path of open
// elements so that errors can name it. It refuses entity declarations and
// external DTDs and never expands an entity encoding/xml does not predefine.
type xmlStream struct {
	format string
	dec    *xml.Decoder
	in     *guardReader
	path   []string
	tokens int
}

func newXMLStream(format string, r io.Reader) *xmlStream {
	in := &guardReader{r: bufio.NewReaderSize(r, 64<<10)}
	dec := xml.NewDecoder(in)
	dec.Strict = true
	return &xmlStream{format: format, dec: dec, in: in}
}

// fail wraps err in a ParseError at the current place.
func (s *xmlStream) fail(err error) error {
	line, _ := s.dec.InputPos()
	return &ParseError{Format: s.format, Line: line, Offset: s.dec.InputOffset(), Element: strings.Join(s.path, "/"), Err: err}
}

// token returns the next token, checking the context now and then. Start
// and end elements update the path; a directive other than a
// declaration-only DOCTYPE before the root is an error.
func (s *xmlStream) token(ctx context.Context) (xml.Token, error) {
	if s.tokens++; s.tokens%1024 == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	tok, err := s.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			if len(s.path) == 0 {
				return nil, io.EOF
			}
			err = io.ErrUnexpectedEOF
		}
		var syn *xml.SyntaxError
		if errors.As(err, &syn) && strings.Contains(syn.Msg, "unexpected EOF") {
			err = io.ErrUnexpectedEOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("the file ends inside an element (truncated?)")
		}
		return nil, s.fail(err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if len(s.path) >= maxXMLDepth {
			return nil, s.fail(fmt.Errorf("elements nested deeper than %d", maxXMLDepth))
		}
		s.path = append(s.path, t.Name.Local)
	case xml.EndElement:
		s.path = s.path[:len(s.path)-1]
	case xml.Directive:
		if err := checkDirective(t, len(s.path) > 0); err != nil {
			return nil, s.fail(err)
		}
	}
	return tok, nil
}

// checkDirective allows only a DOCTYPE before the root that declares no
// entity, notation or external DTD: Nmap writes "<!DOCTYPE nmaprun>" and
// Burp an internal subset of ELEMENT and ATTLIST declarations, and both are
// harmless as encoding/xml ignores them. Anything else is refused rather
// than trusted.
func checkDirective(d xml.Directive, inRoot bool) error {
	if inRoot {
		return errors.New("declaration inside the document refused")
	}
	if !bytes.HasPrefix(d, []byte("DOCTYPE")) {
		return fmt.Errorf("declaration <!%s> refused", check.Truncate(string(d), 40))
	}
	for _, bad := range []string{"ENTITY", "NOTATION", "SYSTEM", "PUBLIC", "%"} {
		if bytes.Contains(d, []byte(bad)) {
			return fmt.Errorf("DOCTYPE with %s refused: entities and external DTDs are not read", bad)
		}
	}
	return nil
}

// xmlRules say what a parser wants from a file. A key is the end of an
// element path: "host/ports/port" is an element port inside ports inside
// host, wherever host is; "nmaprun/host" starts at the root.
type xmlRules struct {
	root    []string                                // accepted names of the root element
	start   map[string]func(xml.StartElement) error // called when the element opens; the walk goes on inside
	records map[string]func(*node) error            // the element is read whole, bounded, and handed over
	end     map[string]func() error                 // called when the element closes
}

// walk reads the file to the end of its root element, calling the rules.
func (s *xmlStream) walk(ctx context.Context, rules xmlRules) error {
	starts, records, ends := compile(rules.start), compile(rules.records), compile(rules.end)
	root, err := s.root(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(rules.root, root.Name.Local) {
		return s.fail(fmt.Errorf("wrong root element <%s> for %s, want <%s>", root.Name.Local, s.format, strings.Join(rules.root, "> or <")))
	}
	if f := match(s.path, starts); f != nil {
		if err := f(root); err != nil {
			return err
		}
	}
	for len(s.path) > 0 {
		s.in.n = 0
		tok, err := s.token(ctx)
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if f := match(s.path, records); f != nil {
				n, err := s.record(ctx, t)
				if err != nil {
					return err
				}
				// The record's end element has been read: name the record
				// itself in errors from the handler.
				s.path = append(s.path, t.Name.Local)
				err = f(n)
				s.path = s.path[:len(s.path)-1]
				if err != nil {
					return err
				}
			} else if f := match(s.path, starts); f != nil {
				if err := f(t); err != nil {
					return err
				}
			}
		case xml.EndElement:
			if f := match(append(s.path, t.Name.Local), ends); f != nil {
				if err := f(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// A rule is an entry of xmlRules with its key split.
type rule[F any] struct {
	suffix []string
	f      F
}

// compile splits the keys, longest first so that the most precise rule
// wins whatever the order of the map.
func compile[F any](m map[string]F) []rule[F] {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(strings.Count(b, "/")-strings.Count(a, "/"), strings.Compare(a, b))
	})
	rules := make([]rule[F], len(keys))
	for i, key := range keys {
		rules[i] = rule[F]{strings.Split(key, "/"), m[key]}
	}
	return rules
}

// match returns the function of the rule whose key ends path.
func match[F any](path []string, rules []rule[F]) F {
	for _, r := range rules {
		if len(r.suffix) <= len(path) && slices.Equal(r.suffix, path[len(path)-len(r.suffix):]) {
			return r.f
		}
	}
	var none F
	return none
}

// root reads up to the root element.
func (s *xmlStream) root(ctx context.Context) (xml.StartElement, error) {
	for {
		s.in.n = 0
		tok, err := s.token(ctx)
		if errors.Is(err, io.EOF) {
			return xml.StartElement{}, s.fail(errors.New("no root element: not an XML file"))
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		if t, ok := tok.(xml.StartElement); ok {
			return t, nil
		}
		if t, ok := tok.(xml.CharData); ok && len(bytes.Trim(t, "\ufeff \t\r\n")) > 0 {
			return xml.StartElement{}, s.fail(errors.New("text before the root element: not an XML file"))
		}
	}
}

// node is an element read whole: its attributes, its own text and its
// children. Parsers read records this way and stream everything else.
type node struct {
	name  string
	attrs []xml.Attr
	text  string
	kids  []*node
}

// record reads the element start has just opened, up to its end, as a node
// tree of at most MaxRecord bytes and maxRecordNodes elements.
func (s *xmlStream) record(ctx context.Context, start xml.StartElement) (*node, error) {
	s.in.n = 0
	top := &node{name: start.Name.Local, attrs: slices.Clone(start.Attr)}
	open := []*node{top}
	texts := []*strings.Builder{{}}
	count := 1
	for len(open) > 0 {
		tok, err := s.token(ctx)
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if count++; count > maxRecordNodes {
				return nil, s.fail(fmt.Errorf("more than %d elements in one <%s>", maxRecordNodes, start.Name.Local))
			}
			n := &node{name: t.Name.Local, attrs: slices.Clone(t.Attr)}
			parent := open[len(open)-1]
			parent.kids = append(parent.kids, n)
			open = append(open, n)
			texts = append(texts, &strings.Builder{})
		case xml.CharData:
			if b := texts[len(texts)-1]; b.Len() < MaxText {
				b.Write(t[:min(len(t), MaxText-b.Len())])
			}
		case xml.EndElement:
			open[len(open)-1].text = texts[len(texts)-1].String()
			open, texts = open[:len(open)-1], texts[:len(texts)-1]
		}
	}
	return top, nil
}

// attr returns the value of the attribute of that local name.
func (n *node) attr(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// child returns the first child of that name, or nil.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// all returns the children of that name.
func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// get returns the trimmed text of the descendant at path ("nvt/name"), or
// of n itself with no path.
func (n *node) get(path ...string) string {
	for _, p := range path {
		n = n.child(p)
	}
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.text)
}

// rootElement is the name of the first element in head, "" when there is
// none: what detection looks at.
func rootElement(head []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(head))
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return ""
		}
		if t, ok := tok.(xml.StartElement); ok {
			return t.Name.Local
		}
	}
}

// The helpers below turn what the tools write into Observation fields.

var cvePattern = regexp.MustCompile(`(?i)\bCVE-\d{4}-\d{4,}\b`)

// addCVEs appends the CVE ids found in the texts to list, upper-case, once
// each, at most maxListSize in all.
func addCVEs(list []string, texts ...string) []string {
	for _, t := range texts {
		for _, id := range cvePattern.FindAllString(t, -1) {
			list = addUnique(list, strings.ToUpper(id))
		}
	}
	return list
}

// addUnique appends s to list unless it is empty, already there or the list
// is full.
func addUnique(list []string, s string) []string {
	if s == "" || len(list) >= maxListSize || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// urlsIn returns the http(s) URLs among the whitespace-separated words of s.
func urlsIn(list []string, s string) []string {
	for _, w := range strings.Fields(s) {
		w = strings.TrimRight(w, ".,;)")
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") {
			list = addUnique(list, w)
		}
	}
	return list
}

// hostIP returns the Host and IP of an observation from a name and an
// address, either of which may be empty or be the other: Host is the
// lower-case name, or the IP when there is no name.
func hostIP(name, ip string) (host, addr string) {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	ip = strings.TrimSpace(ip)
	if ip == "" && net.ParseIP(name) != nil {
		ip = name
	}
	if name == "" {
		name = strings.ToLower(ip)
	}
	return name, ip
}

// severityOf returns the severity of a CVSS score, or fallback when there
// is no score.
func severityOf(score float64, fallback check.Severity) check.Severity {
	if score > 0 {
		return check.SeverityFromScore(score)
	}
	return fallback
}

// parseScore reads a score of 0–10, 0 when s is not one.
func parseScore(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 10 {
		return 0
	}
	return f
}

// cweOf returns "CWE-79" for "79", "CWE-79" or "cwe-79", "" otherwise.
func cweOf(s string) string {
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "CWE-")
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return "CWE-" + strconv.Itoa(n)
	}
	return ""
}

// textOf bounds a description or remediation to MaxText.
func textOf(s string) string { return check.Truncate(s, MaxText) }

// blockTags are the HTML elements that break a line.
var blockTags = map[string]bool{"p": true, "br": true, "div": true, "li": true, "ul": true, "ol": true,
	"tr": true, "table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "pre": true}

// htmlText turns the HTML that ZAP and Burp write into plain text: tags
// dropped, entities decoded, each paragraph or list item on a line of its
// own, spaces collapsed and blank lines dropped.
func htmlText(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		tag := strings.TrimLeft(s[i+1:i+j], "/")
		if k := strings.IndexAny(tag, " \t\r\n/"); k >= 0 {
			tag = tag[:k]
		}
		if blockTags[strings.ToLower(tag)] {
			b.WriteByte('\n')
		}
		s = s[i+j+1:]
	}
	var lines []string
	for _, line := range strings.Split(html.UnescapeString(b.String()), "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

var hrefPattern = regexp.MustCompile(`(?i)href\s*=\s*["']([^"']+)["']`)

// hrefs returns the link targets of an HTML fragment.
func hrefs(list []string, s string) []string {
	for _, m := range hrefPattern.FindAllStringSubmatch(s, -1) {
		list = addUnique(list, html.UnescapeString(m[1]))
	}
	return list
}

// joinText joins the non-empty parts with a blank line.
func joinText(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n")
}
