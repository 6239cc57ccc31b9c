package check

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/khien/khien/internal/vulndb"
)

// MaxBody caps every response body a check reads: a scan must not pull large
// files from the scanned system.
const MaxBody = 512 << 10

// Env is what the engine hands a check family for one host. Dial and HTTP
// already apply the per-host and global limits and the back-off, so checks
// never open connections any other way.
type Env struct {
	Dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	HTTP      *http.Client // does not follow redirects
	Emit      func(Finding)
	Checks    Selection
	VulnDB    *vulndb.DB
	Now       func() time.Time
	Timeout   time.Duration // connect and read timeout of one exchange
	RootCAs   *x509.CertPool
	UserAgent string
	Lang      string
	Log       *slog.Logger
}

// Enabled reports whether the check runs in this scan.
func (e *Env) Enabled(id string) bool { return e.Checks.Enabled(id) }

// Found emits a finding built from the catalogue, when the check is enabled.
func (e *Env) Found(id string, a Asset, subject string, evidence Text) {
	e.Send(New(id, a, subject, evidence, e.Now()))
}

// Send emits f when its check is enabled, with its title and evidence in
// the scan language.
func (e *Env) Send(f Finding) {
	if !e.Enabled(f.CheckID) {
		return
	}
	f.Localize(e.Lang)
	e.Emit(f)
}

// Page is a fetched HTTP response with its body read up to MaxBody.
type Page struct {
	URL    string
	Status int
	Header http.Header
	Body   []byte
}

// Get fetches url with the scanner's client and optional extra headers.
func (e *Env) Get(ctx context.Context, url string, hdr http.Header) (*Page, error) {
	return e.Fetch(ctx, http.MethodGet, url, hdr)
}

// Fetch sends one request and reads the capped body.
func (e *Env) Fetch(ctx context.Context, method, url string, hdr http.Header) (*Page, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", method, url, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", method, url, err)
	}
	return &Page{URL: url, Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// IsHTML reports whether the page looks like an HTML document.
func (p *Page) IsHTML() bool {
	ct := strings.ToLower(p.Header.Get("Content-Type"))
	if strings.Contains(ct, "html") {
		return true
	}
	head := strings.ToLower(string(p.Body[:min(len(p.Body), 512)]))
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html")
}

// Location resolves the page's Location header against its URL ("" when none).
func (p *Page) Location() string {
	loc := p.Header.Get("Location")
	if loc == "" {
		return ""
	}
	base, err := url.Parse(p.URL)
	if err != nil {
		return loc
	}
	u, err := base.Parse(loc)
	if err != nil {
		return loc
	}
	return u.String()
}

// RandomToken returns 16 random hex digits, for paths and headers that
// must not exist on the scanned site.
func RandomToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
