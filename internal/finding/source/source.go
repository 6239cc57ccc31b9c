// Package source reads the result files of scanners and audits — Khiên's own
// scan output, Nmap, Nuclei, OpenVAS/Greenbone, OWASP ZAP, Nessus, Burp
// Suite, SARIF, Trivy and the manual pentest sheet — into one Observation
// type. Parsers stream: they hand each observation to a Handler as it is
// read, so memory does not grow with the file. They know nothing of the
// database, of systems or of deduplication; internal/finding does that.
package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// Observation is one issue as a tool reported it.
type Observation struct {
	Tool   string // the tool that found it: "khien", "nmap", "nuclei", "openvas", "zap", "nessus", "burp", "sarif:<driver>", "trivy", "manual"
	RuleID string // the tool's own identifier of the check (template, plugin, NVT OID, rule)

	Title       string
	Description string
	Severity    check.Severity // never empty: parsers map the tool's scale, defaulting to info
	CVSS3       string         // CVSS 3.x vector as given, "" when none
	CVSS4       string         // CVSS 4.0 vector as given, "" when none
	Score       float64        // the tool's own base score when it gives one without a vector
	CWE         string         // "CWE-79"
	CVEs        []string       // upper-case, "CVE-2021-44228"
	Tags        []string

	// Where it was seen. Host is a host name or, when there is none, the IP.
	Host      string
	IP        string
	Port      int
	Protocol  string // "tcp", "udp", "https"…
	URL       string
	Parameter string
	// Location is a place inside an artefact: "path/file.go:42" for SARIF,
	// "package@version" or "Dockerfile" for Trivy.
	Location string

	Evidence    string // what was seen, short
	Request     string // HTTP request excerpt
	Response    string // HTTP response excerpt
	Remediation string
	References  []string

	SeenAt time.Time // when the tool saw it; zero: the time of the import
}

// Host is a host the tool reached, with or without findings on it: what lets
// a later import verify that a fixed finding is gone.
type Host struct {
	Host string
	IP   string
}

// Handler receives what a parser reads. Finding is called for every
// observation; Reached for every host the tool says it reached (a host with
// findings is reached too, without a call).
type Handler struct {
	Finding func(Observation) error
	Reached func(Host) error
}

// Format is a file format a parser reads.
type Format struct {
	Name string // "nuclei", "nmap"… as given to --format
	// Detect reports whether the first bytes of a file are this format.
	Detect func(head []byte) bool
	// Parse reads r to the end, calling h for what it finds. Errors name the
	// line, element or record where the input went wrong.
	Parse func(ctx context.Context, r io.Reader, h Handler) error
}

// formats is every format, in the order detection tries them: the most
// specific signatures first.
var formats = slices.Concat(xmlFormats, jsonFormats, tableFormats)

// Formats lists the names of the formats, for --format and the API.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	return names
}

// ErrUnknownFormat is returned when no format recognises a file or a name.
var ErrUnknownFormat = errors.New("unknown format")

// headSize is how much of a file detection looks at.
const headSize = 8 << 10

// Lookup returns the format of that name.
func Lookup(name string) (Format, error) {
	for _, f := range formats {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("%w %q (want auto, %s)", ErrUnknownFormat, name, strings.Join(Formats(), ", "))
}

// Detect recognises the format of a file by its content, never by its name,
// and returns a reader that still yields the whole file.
func Detect(r io.Reader) (Format, io.Reader, error) {
	br := bufio.NewReaderSize(r, headSize)
	head, err := br.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return Format{}, br, fmt.Errorf("read the start of the file: %w", err)
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	for _, f := range formats {
		if f.Detect(head) {
			return f, br, nil
		}
	}
	return Format{}, br, fmt.Errorf("%w: the file is none of %s", ErrUnknownFormat, strings.Join(Formats(), ", "))
}

// Parse reads r in the named format ("" or "auto": detected) and returns
// the format it used.
func Parse(ctx context.Context, r io.Reader, format string, h Handler) (string, error) {
	var f Format
	var err error
	if format == "" || format == "auto" {
		f, r, err = Detect(r)
	} else {
		f, err = Lookup(format)
	}
	if err != nil {
		return "", err
	}
	if h.Reached == nil {
		h.Reached = func(Host) error { return nil }
	}
	return f.Name, f.Parse(ctx, r, h)
}

// Limits on what one record may hold, so that a hostile file cannot make a
// parser hold more than a few megabytes at once.
const (
	MaxRecord   = 4 << 20 // one JSON line, XML element's text or table row
	MaxExcerpt  = 8 << 10 // a request, response or evidence kept with a finding
	MaxText     = 64 << 10
	maxListSize = 256 // CVEs, references, tags of one observation
)

// ParseError says where a file went wrong: the format, and the line (JSON
// Lines, CSV), the byte offset (XML, JSON) or the element or field.
type ParseError struct {
	Format  string
	Line    int    // 1-based; 0 when not known
	Offset  int64  // byte offset; 0 when not known
	Element string // XML element or JSON field path, "" when not known
	Err     error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Format)
	if e.Line > 0 {
		fmt.Fprintf(&b, ", line %d", e.Line)
	}
	if e.Offset > 0 {
		fmt.Fprintf(&b, ", byte %d", e.Offset)
	}
	if e.Element != "" {
		fmt.Fprintf(&b, ", %s", e.Element)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Excerpt trims s to MaxExcerpt bytes on a rune boundary.
func Excerpt(s string) string { return check.Truncate(s, MaxExcerpt) }
