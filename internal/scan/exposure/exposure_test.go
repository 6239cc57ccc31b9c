package exposure_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/khien/khien/internal/scan/exposure"
	"github.com/khien/khien/internal/scan/scantest"
)

var files = map[string]struct {
	ctype, body string
	status      int
	header      map[string]string
}{
	"/.git/HEAD":        {"text/plain", "ref: refs/heads/main\n", 200, nil},
	"/.svn/entries":     {"text/plain", "12\n", 200, nil},
	"/.env":             {"text/plain", "APP_NAME=Portal\nAPP_KEY=base64:abc\nDB_HOST=10.0.0.5\nDB_PASSWORD=secret\n", 200, nil},
	"/backup.zip":       {"application/zip", "PK\x03\x04\x14\x00\x00\x00", 200, nil},
	"/congthongtin.sql": {"application/sql", "-- MySQL dump 10.13  Distrib 5.7.44\nCREATE TABLE users (id int);\n", 200, nil},
	"/phpinfo.php":      {"text/html", "<html><head><title>PHP 7.4.33 - phpinfo()</title></head><body><h1 class=\"p\">PHP Version 7.4.33</h1></body></html>", 200, nil},
	"/server-status":    {"text/html", "<html><head><title>Apache Status</title></head><body><h1>Apache Server Status for portal.gov.vn</h1></body></html>", 200, nil},
	"/wp-login.php":     {"text/html", `<html><form name="loginform" id="loginform"><input type="text" name="log" id="user_login"><input type="password" name="pwd"><input type="submit" name="wp-submit"></form></html>`, 200, nil},
}

func TestExposureFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.ctype)
		w.WriteHeader(f.status)
		w.Write([]byte(f.body))
	}))
	defer srv.Close()
	env, rec := scantest.Env(t)
	env.Checks.Thorough = false
	site := scantest.Site(t, env, srv.URL, "congthongtin.gov.vn", false)
	exposure.Check(t.Context(), env, site)
	for _, id := range []string{"exposure.git", "exposure.svn", "exposure.env", "exposure.backup-file", "exposure.phpinfo", "exposure.server-status", "exposure.admin-panel"} {
		if !rec.Has(id) {
			t.Errorf("%s did not fire; got %v", id, rec.IDs())
		}
	}
	backups := rec.Get("exposure.backup-file")
	if len(backups) != 2 {
		t.Errorf("want backup.zip and the dump named after the host, got %d findings", len(backups))
	}
	for _, f := range rec.Get("exposure.env") {
		if strings.Contains(f.Evidence, "secret") {
			t.Errorf("evidence leaks the secret: %s", f.Evidence)
		}
	}
}

// A site that answers 200 with the same page to everything yields nothing,
// even when the page has a login form.
func TestExposureCatchAll(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><title>Trang chủ</title><form><input name="user"><input type="password" name="pass">admin joomla phpmyadmin pma_username</form></html>`))
	}))
	defer srv.Close()
	env, rec := scantest.Env(t)
	env.Checks.Thorough = false
	site := scantest.Site(t, env, srv.URL, "catchall.gov.vn", false)
	exposure.Check(t.Context(), env, site)
	if ids := rec.IDs(); len(ids) != 0 {
		t.Errorf("catch-all site yielded %v", ids)
	}
	if n := requests.Load(); n > 80 {
		t.Errorf("%d requests for the exposure checks, want at most 80", n)
	}
}

// Pages that answer 200 but do not hold what the path promises yield nothing.
func TestExposureContentValidated(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.git/HEAD", "/.env", "/backup.zip", "/phpinfo.php", "/server-status":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Trang " + r.URL.Path + " đang được bảo trì. Vui lòng quay lại sau.</body></html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	env, rec := scantest.Env(t)
	site := scantest.Site(t, env, srv.URL, "portal.gov.vn", false)
	exposure.Check(t.Context(), env, site)
	if ids := rec.IDs(); len(ids) != 0 {
		t.Errorf("unvalidated pages yielded %v", ids)
	}
}

// TestEnvOfAnyLength: a .env is found with one variable or as long as the
// site's catch-all page; a catch-all text page is not taken for one.
func TestEnvOfAnyLength(t *testing.T) {
	const catchAll = "Không tìm thấy trang yêu cầu. Vui lòng quay lại trang chủ.\n"
	for _, tt := range []struct {
		name, env string
		want      bool
	}{
		{"one variable", "APP_KEY=base64:Zm9vYmFyYmF6\n", true},
		{"as long as the catch-all page", "DB_PASSWORD=" + strings.Repeat("x", len(catchAll)-len("DB_PASSWORD=")-1) + "\n", true},
		{"with comments", "# production\n\nexport SECRET_KEY=abc\nDEBUG=false\n", true},
		{"prose, not variables", "Hello\nDB_PASSWORD=secret\n", false},
		{"no secret", "SITE_NAME=Portal\nDEBUG=false\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				if r.URL.Path == "/.env" {
					w.Write([]byte(tt.env))
					return
				}
				w.Write([]byte(catchAll)) // every other path: 200 with the same text
			}))
			defer srv.Close()
			env, rec := scantest.Env(t)
			env.Checks.Thorough = false
			site := scantest.Site(t, env, srv.URL, "portal.gov.vn", false)
			exposure.Check(t.Context(), env, site)
			if rec.Has("exposure.env") != tt.want {
				t.Errorf("exposure.env found %v, want %v (%v)", rec.Has("exposure.env"), tt.want, rec.IDs())
			}
		})
	}
}
