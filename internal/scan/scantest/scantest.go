// Package scantest helps test check families without the engine: an Env
// with plain connections that records findings, and small fake servers.
package scantest

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/service"
	"github.com/khien/khien/internal/vulndb"
)

// Recorder collects emitted findings.
type Recorder struct {
	mu       sync.Mutex
	Findings []check.Finding
}

func (r *Recorder) add(f check.Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Findings = append(r.Findings, f)
}

// Get returns the findings of check id.
func (r *Recorder) Get(id string) []check.Finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []check.Finding
	for _, f := range r.Findings {
		if f.CheckID == id {
			out = append(out, f)
		}
	}
	return out
}

// Has reports whether check id fired.
func (r *Recorder) Has(id string) bool { return len(r.Get(id)) > 0 }

// IDs lists the check IDs that fired, sorted and without repeats.
func (r *Recorder) IDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, f := range r.Findings {
		if !slices.Contains(out, f.CheckID) {
			out = append(out, f.CheckID)
		}
	}
	slices.Sort(out)
	return out
}

// Env returns an Env that connects directly (no limits), runs every check
// including intrusive ones, uses the built-in vulnerability database, and
// records findings.
func Env(t testing.TB) (*check.Env, *Recorder) {
	t.Helper()
	rec := &Recorder{}
	d := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, TLSClientConfig: service.ClientTLSConfig("")}
	t.Cleanup(tr.CloseIdleConnections)
	return &check.Env{
		Dial:      d.DialContext,
		HTTP:      &http.Client{Transport: tr, Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Emit:      rec.add,
		Checks:    check.Selection{Thorough: true},
		VulnDB:    vulndb.Builtin(),
		Now:       time.Now,
		Timeout:   2 * time.Second,
		UserAgent: "khien-test",
		Lang:      "en",
		Log:       slog.New(slog.DiscardHandler),
	}, rec
}

// Site fetches rawURL like the engine does and returns the site to check.
func Site(t testing.TB, env *check.Env, origin, name string, https bool) *check.Site {
	t.Helper()
	first, last, err := env.Follow(context.Background(), origin+"/", nil)
	if err != nil {
		t.Fatalf("fetch %s: %v", origin, err)
	}
	return &check.Site{Asset: check.Asset{Host: name, URL: origin + "/"}, Origin: origin, Name: name, HTTPS: https, First: first, Home: last}
}

// Banner starts a TCP server on loopback that, for every connection, writes
// greeting, then answers each read with reply(request) until it returns nil.
func Banner(t testing.TB, greeting []byte, reply func(req []byte) []byte) (host string, port int) {
	t.Helper()
	var answer func([]byte) ([]byte, bool)
	if reply != nil {
		answer = func(req []byte) ([]byte, bool) { return reply(req), false }
	}
	a := Serve(t, "127.0.0.1:0", nil, greeting, answer).Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// Serve accepts connections on addr, in TLS when cfg is set, writes greeting
// to each and answers each read with reply(request): out (nil: hang up
// without a word), and whether to hang up after it, as servers do after a
// protocol error. A nil reply hangs up after the greeting.
func Serve(t testing.TB, addr string, cfg *tls.Config, greeting []byte, reply func(req []byte) (out []byte, hangUp bool)) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if len(greeting) > 0 {
					if _, err := c.Write(greeting); err != nil {
						return
					}
				}
				buf := make([]byte, 4096)
				for reply != nil {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					out, hangUp := reply(buf[:n])
					if out == nil {
						return
					}
					if _, err := c.Write(out); err != nil || hangUp {
						return
					}
				}
			}()
		}
	}()
	return ln
}
