package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/app"
	"github.com/khien/khien/internal/storage"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/server"
)

func TestNoStoreOnAPIExportsAndDownloads(t *testing.T) {
	app := apptest.New(t, "sqlite")
	admin := app.User(t, access.Admin, app.Root.ID)
	token := app.Token(t, admin)
	web := app.Client(t, admin)
	for _, tt := range []struct {
		path   string
		client *http.Client
	}{
		{"/api/v1/orgs", nil},
		{"/api/v1/audit", nil},
		{"/api/v1/inventory/export", nil},
		{"/inventory/export.xlsx", web},
		{"/admin/audit/export.csv", web},
	} {
		req, _ := http.NewRequest("GET", app.URL+tt.path, nil)
		client := tt.client
		if client == nil {
			client = http.DefaultClient
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q", tt.path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	resp, _ := get(t, app.URL+"/static/htmx.min.js")
	if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
		t.Errorf("static assets: Cache-Control %q", cc)
	}
}

// TestUnwritableDatabase makes the database read-only for the server's
// writer: /healthz says so with 503 and a reason, and a change is answered
// with a clear message, not a generic 500, on both databases.
func TestUnwritableDatabase(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		token := app.Token(t, app.User(t, access.Admin, app.Root.ID))
		if resp, body := get(t, app.URL+"/healthz"); resp.StatusCode != 200 {
			t.Fatalf("healthy database: %d %s", resp.StatusCode, body)
		}
		readOnly(t, app.DB, true)
		defer readOnly(t, app.DB, false)
		resp, body := get(t, app.URL+"/healthz")
		if resp.StatusCode != 503 || !strings.Contains(body, `"database":"read_only"`) || !strings.Contains(body, "chỉ đọc") {
			t.Errorf("read-only database: /healthz %d %s", resp.StatusCode, body)
		}
		var out struct {
			Error struct{ Code, Message string }
		}
		status := app.JSON(t, token, "POST", "/api/v1/orgs", map[string]any{"code": "SYT", "name": "Sở Y tế", "parent_id": app.Root.ID}, &out)
		if status != 503 || out.Error.Code != "read_only" || !strings.Contains(out.Error.Message, "chỉ đọc") {
			t.Errorf("write to a read-only database: %d %+v", status, out)
		}
	})
}

// readOnly makes the writer connection refuse writes (SQLite's query_only;
// a read-only session on PostgreSQL, whose pool is cut to that one
// connection) or lifts that.
func readOnly(t *testing.T, db *database.DB, on bool) {
	t.Helper()
	var q string
	switch {
	case db.Dialect.Name() == "sqlite" && on:
		q = "PRAGMA query_only = ON"
	case db.Dialect.Name() == "sqlite":
		q = "PRAGMA query_only = OFF"
	case on:
		db.Write.SetMaxOpenConns(1)
		q = "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
	default:
		q = "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"
	}
	if _, err := db.Write.Exec(q); err != nil {
		t.Fatal(err)
	}
}

// TestDiskFull fills SQLite's file to its page limit: a change that needs
// room is a 507 saying the disk is full, in the reader's language.
func TestDiskFull(t *testing.T) {
	app := apptest.New(t, "sqlite")
	token := app.Token(t, app.User(t, access.Admin, app.Root.ID))
	var pages int
	if err := app.DB.Write.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Write.Exec("PRAGMA max_page_count = " + strconv.Itoa(pages)); err != nil {
		t.Fatal(err)
	}
	// New organisations until one needs a page the file may not grow by.
	var out struct {
		Error struct{ Code, Message string }
	}
	status := 201
	for i := 0; status == 201 && i < 1000; i++ {
		status = app.JSON(t, token, "POST", "/api/v1/orgs?lang=en", map[string]any{"code": "ORG" + strconv.Itoa(i), "name": strings.Repeat("Sở ", 50), "parent_id": app.Root.ID}, &out)
	}
	if status != 507 || out.Error.Code != "storage_full" || !strings.Contains(out.Error.Message, "run out of storage") {
		t.Errorf("write to a full disk: %d %+v", status, out)
	}
}

// TestMetricsAccess: /metrics is open on a loopback server, closed (403) on
// an exposed one without a token, behind the token with one, and absent
// from the main listener when it has an address of its own.
func TestMetricsAccess(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	tests := []struct {
		name   string
		cfg    server.Config
		auth   string
		status int
	}{
		{"loopback", server.Config{Addr: "127.0.0.1:8080"}, "", 200},
		{"localhost", server.Config{Addr: "localhost:8080"}, "", 200},
		{"all interfaces", server.Config{Addr: "0.0.0.0:8080"}, "", 403},
		{"public address", server.Config{Addr: "203.0.113.5:443"}, "", 403},
		{"loopback behind a proxy", server.Config{Addr: "127.0.0.1:8080", TrustedProxies: mustPrefixes(t, "127.0.0.1")}, "", 403},
		{"token missing", server.Config{Addr: "0.0.0.0:8080", MetricsToken: "s3cret"}, "", 401},
		{"token wrong", server.Config{Addr: "0.0.0.0:8080", MetricsToken: "s3cret"}, "Bearer nope", 401},
		{"token right", server.Config{Addr: "0.0.0.0:8080", MetricsToken: "s3cret"}, "Bearer s3cret", 200},
		{"own address", server.Config{Addr: "0.0.0.0:8080", MetricsAddr: "127.0.0.1:9100"}, "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := serverWith(t, db, tt.cfg)
			resp, body := get(t, ts.URL+"/metrics", "Authorization", tt.auth)
			if resp.StatusCode != tt.status || (tt.status == 200) != strings.Contains(body, "khien_uptime_seconds") {
				t.Errorf("%d %s", resp.StatusCode, body)
			}
		})
	}
}

func serverWith(t *testing.T, db *database.DB, cfg server.Config) *httptest.Server {
	t.Helper()
	cfg.Version = "test"
	srv, err := app.NewServer(storage.New(db), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func mustPrefixes(t *testing.T, s string) []netip.Prefix {
	t.Helper()
	p, err := server.ParseTrustedProxies(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMetricsAddress serves /metrics on an address of its own, behind the
// token when one is set, and not on the main listener.
func TestMetricsAddress(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	free := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	cfg := server.Config{Addr: free(), MetricsAddr: free(), MetricsToken: "s3cret", Version: "test"}
	srv, err := app.NewServer(storage.New(db), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := server.Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	var resp *http.Response
	var body string
	ok := false
	for deadline := time.Now().Add(10 * time.Second); !ok && time.Now().Before(deadline); {
		req, _ := http.NewRequest("GET", "http://"+cfg.MetricsAddr+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer s3cret")
		if r, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			resp, body, ok = r, string(b), true
		} else {
			time.Sleep(10 * time.Millisecond) // polling until the listener is up
		}
	}
	if !ok || resp.StatusCode != 200 || !strings.Contains(body, "khien_uptime_seconds") {
		t.Fatalf("metrics address: %v %s", resp, body)
	}
	if resp, _ := get(t, "http://"+cfg.MetricsAddr+"/metrics"); resp.StatusCode != 401 {
		t.Errorf("metrics address without the token: %d", resp.StatusCode)
	}
	if resp, _ := get(t, "http://"+cfg.Addr+"/metrics"); resp.StatusCode != 404 {
		t.Errorf("main listener: %d", resp.StatusCode)
	}
}
