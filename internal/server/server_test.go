package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/khien/khien/internal/app"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/server"
	"github.com/khien/khien/internal/storage"
)

func newServer(t *testing.T, db *database.DB) *httptest.Server {
	t.Helper()
	srv, err := app.NewServer(storage.New(db), server.Config{Version: "test", Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestShell(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ts := newServer(t, db)
		tests := []struct {
			name, path string
			header     []string
			status     int
			contains   string
		}{
			{"health", "/healthz", nil, 200, `"status":"ok"`},
			{"login in Vietnamese by default", "/login", nil, 200, "Đăng nhập"},
			{"login in English by choice", "/login?lang=en", nil, 200, "Sign in"},
			{"Vietnamese even for an English browser", "/login", []string{"Accept-Language", "en-US,en;q=0.9"}, 200, "Đăng nhập"},
			{"metrics", "/metrics", nil, 200, "khien_uptime_seconds"},
			{"static htmx", "/static/htmx.min.js", nil, 200, "htmx"},
			{"unknown API path", "/api/v1/nothing-here", nil, 404, `"code":"not_found","message":"không có điểm cuối API GET /api/v1/nothing-here"`},
			{"unknown API path, in English", "/api/v1/nothing-here?lang=en", nil, 404, `"message":"no such endpoint: GET /api/v1/nothing-here"`},
			{"unknown page", "/nothing-here", nil, 404, "Không tìm thấy trang"},
			{"pages need a session", "/", nil, 303, ""},
			{"API needs authentication", "/api/v1/me", nil, 401, `"code":"unauthenticated"`},
			{"API refuses an unknown token", "/api/v1/me", []string{"Authorization", "Bearer khien_nonsense"}, 401, `"code":"unauthenticated"`},
		}
		for _, tt := range tests {
			resp, body := get(t, ts.URL+tt.path, tt.header...)
			if resp.StatusCode != tt.status {
				t.Errorf("%s: GET %s = %d, want %d", tt.name, tt.path, resp.StatusCode, tt.status)
			}
			if !strings.Contains(body, tt.contains) {
				t.Errorf("%s: body lacks %q", tt.name, tt.contains)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: weak CSP %q", tt.name, csp)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: missing nosniff", tt.name)
			}
		}
	})
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	ts := newServer(t, dbtest.Open(t, "sqlite"))
	req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader("email=a&password=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin POST answered %d, want 403", resp.StatusCode)
	}
}

// TestOpenAPIDocumentsEveryRoute keeps the OpenAPI document true: every
// registered API route appears in it with its method, and nothing else does.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	srv, err := app.NewServer(storage.New(db), server.Config{Version: "test", Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	_, body := get(t, ts.URL+"/api/v1/openapi.json")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := 0
	for _, ops := range doc.Paths {
		documented += len(ops)
	}
	registered := 0
	for _, r := range srv.Routes() {
		if !r.API() {
			continue
		}
		registered++
		ops, ok := doc.Paths[strings.TrimPrefix(r.Path, "/api/v1")]
		if !ok {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Path)
			continue
		}
		if _, ok := ops[strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s: method missing from the OpenAPI document", r.Method, r.Path)
		}
		if r.Summary == "" {
			t.Errorf("route %s %s has no summary", r.Method, r.Path)
		}
	}
	if documented != registered {
		t.Errorf("OpenAPI documents %d operations, %d API routes are registered", documented, registered)
	}
}

// TestWrongMethodIs405 checks that a known path asked with a method it does
// not take is 405 with Allow, as JSON for the API and the error page for the
// web, in the caller's language; an unknown path stays 404.
func TestWrongMethodIs405(t *testing.T) {
	ts := newServer(t, dbtest.Open(t, "sqlite"))
	for _, tt := range []struct {
		method, path string
		status       int
		allow        string
		contains     string
	}{
		{"DELETE", "/api/v1/me", 405, "GET, HEAD", `"code":"method_not_allowed","message":"không cho phép phương thức DELETE`},
		{"PUT", "/api/v1/orgs/7?lang=en", 405, "GET, HEAD, PATCH", `"message":"method PUT is not allowed here; allowed: GET, HEAD, PATCH"`},
		{"DELETE", "/api/v1/orgs/7/archive", 405, "POST", `"code":"method_not_allowed"`},
		{"DELETE", "/login", 405, "GET, HEAD, POST", "Phương thức không được phép"},
		{"DELETE", "/api/v1/nothing-here", 404, "", `"code":"not_found"`},
	} {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow || !strings.Contains(string(b), tt.contains) {
			t.Errorf("%s %s = %d Allow %q %s, want %d Allow %q with %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), b, tt.status, tt.allow, tt.contains)
		}
	}
}
