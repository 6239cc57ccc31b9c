package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/metrics"
)

// captureLogs sends the default logger to a buffer for the test.
func captureLogs(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

// TestAbortedRequest: a request whose client has gone fails with
// context.Canceled; it is neither logged as an error nor counted as a 5xx.
func TestAbortedRequest(t *testing.T) {
	logs := captureLogs(t)
	s := &Server{metrics: metrics.New()}
	h := s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		httpx.LogFailure(r, "page request failed", r.Context().Err())
		w.WriteHeader(http.StatusInternalServerError)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client is gone
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/inventory", nil).WithContext(ctx))
	if logs.Len() != 0 {
		t.Errorf("an aborted request was logged:\n%s", logs)
	}
	var m bytes.Buffer
	s.metrics.WriteTo(&m)
	if strings.Contains(m.String(), `status="5xx"`) || !strings.Contains(m.String(), `status="aborted"`) {
		t.Errorf("metrics:\n%s", m.String())
	}
	// A real failure still is an error.
	httpx.LogFailure(httptest.NewRequest("GET", "/inventory", nil), "page request failed", errors.New("database on fire"))
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a failure was not logged as an error: %s", logs)
	}
}

// TestConnectionCapPerClient: a client with max connections open gets its
// next one closed at once; closing one lets it in again.
func TestConnectionCapPerClient(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitPerClient(inner, 2, nil)
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	held := []net.Conn{dial(), dial()}
	server := []net.Conn{<-accepted, <-accepted}
	refused := dial()
	refused.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := refused.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("third connection: %v, want it closed", err)
	}
	select {
	case <-accepted:
		t.Fatal("third connection accepted")
	default:
	}
	server[0].Close()
	held[0].Close()
	dial()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("a connection after one was closed was not accepted")
	}
	server[1].Close()
}

func isReset(err error) bool { return err != nil && strings.Contains(err.Error(), "reset") }

func TestRedirectToHTTPS(t *testing.T) {
	tests := []struct{ tlsAddr, host, uri, want string }{
		{"0.0.0.0:443", "khien.so.gov.vn", "/inventory?q=a", "https://khien.so.gov.vn/inventory?q=a"},
		{"0.0.0.0:443", "khien.so.gov.vn:80", "/", "https://khien.so.gov.vn/"},
		{"127.0.0.1:8443", "127.0.0.1:8080", "/login", "https://127.0.0.1:8443/login"},
		{"[::1]:8443", "[::1]:8080", "/", "https://[::1]:8443/"},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", tt.uri, nil)
		r.Host = tt.host
		redirectToHTTPS(tt.tlsAddr).ServeHTTP(w, r)
		if w.Code != http.StatusPermanentRedirect || w.Header().Get("Location") != tt.want {
			t.Errorf("%s via %s: %d %s, want %s", tt.uri, tt.host, w.Code, w.Header().Get("Location"), tt.want)
		}
	}
}
