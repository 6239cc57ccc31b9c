package httpcheck_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/khien/khien/internal/scan/httpcheck"
	"github.com/khien/khien/internal/scan/scantest"
)

// hardened sets every header the checks look for.
func hardened(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Content-Type", "text/html; charset=utf-8")
}

func TestHTTPChecks(t *testing.T) {
	tests := []struct {
		name    string
		https   bool
		handler http.HandlerFunc
		want    []string
		not     []string
	}{
		{
			name:  "hardened https site",
			https: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				hardened(w)
				http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "x", Secure: true, HttpOnly: true})
				w.Write([]byte("<html><title>Cổng thông tin</title></html>"))
			},
			not: []string{"http.missing-hsts", "http.missing-csp", "http.missing-frame-protection", "http.missing-nosniff", "http.insecure-cookie", "http.server-version-disclosure", "http.directory-listing", "http.trace-enabled", "http.cors-permissive", "http.no-https-redirect"},
		},
		{
			name:  "bare https site",
			https: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Server", "Apache/2.4.58 (Ubuntu)")
				w.Header().Set("X-Powered-By", "PHP/7.4.33")
				http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "x"})
				w.Write([]byte("<html><title>Portal</title></html>"))
			},
			want: []string{"http.missing-hsts", "http.missing-csp", "http.missing-frame-protection", "http.missing-nosniff", "http.insecure-cookie", "http.server-version-disclosure"},
		},
		{
			name: "plain http without redirect",
			handler: func(w http.ResponseWriter, r *http.Request) {
				hardened(w)
				w.Write([]byte("<html></html>"))
			},
			want: []string{"http.no-https-redirect"},
			not:  []string{"http.missing-hsts"},
		},
		{
			name: "plain http redirecting to https",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://"+r.Host+"/", http.StatusMovedPermanently)
			},
			not: []string{"http.no-https-redirect", "http.missing-csp", "http.header-grade"},
		},
		{
			name: "plain http redirecting to https on another host",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://www.cantho.gov.vn/", http.StatusFound)
			},
			not: []string{"http.no-https-redirect"},
		},
		{
			name: "plain http redirecting to plain http elsewhere",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://www.cantho.gov.vn/", http.StatusFound)
			},
			want: []string{"http.no-https-redirect"},
		},
		{
			name:  "https redirecting to plain http",
			https: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				hardened(w)
				http.Redirect(w, r, "http://"+r.Host+"/", http.StatusFound)
			},
			want: []string{"http.no-https-redirect"},
		},
		{
			name:  "directory listing",
			https: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				hardened(w)
				if r.URL.Path == "/uploads/" {
					w.Write([]byte("<html><head><title>Index of /uploads</title></head><body><h1>Index of /uploads</h1></body></html>"))
					return
				}
				w.Write([]byte("<html></html>"))
			},
			want: []string{"http.directory-listing"},
		},
		{
			name:  "trace echoes",
			https: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				hardened(w)
				if r.Method == http.MethodTrace {
					w.Header().Set("Content-Type", "message/http")
					r.Write(w)
					return
				}
				w.Write([]byte("<html></html>"))
			},
			want: []string{"http.trace-enabled"},
		},
		{
			name:  "trace refused",
			https: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				hardened(w)
				if r.Method == http.MethodTrace {
					w.WriteHeader(http.StatusMethodNotAllowed)
					return
				}
				w.Write([]byte("<html></html>"))
			},
			not: []string{"http.trace-enabled"},
		},
		{
			name:  "cors reflects origin with credentials",
			https: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				hardened(w)
				if o := r.Header.Get("Origin"); o != "" {
					w.Header().Set("Access-Control-Allow-Origin", o)
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
				w.Write([]byte("<html></html>"))
			},
			want: []string{"http.cors-permissive"},
		},
		{
			name:  "cors wildcard without credentials",
			https: true,
			handler: func(w http.ResponseWriter, r *http.Request) {
				hardened(w)
				w.Header().Set("Access-Control-Allow-Origin", "*")
				w.Write([]byte("<html></html>"))
			},
			not: []string{"http.cors-permissive"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var srv *httptest.Server
			if tt.https {
				srv = httptest.NewTLSServer(tt.handler)
			} else {
				srv = httptest.NewServer(tt.handler)
			}
			defer srv.Close()
			env, rec := scantest.Env(t)
			site := scantest.Site(t, env, srv.URL, "127.0.0.1", tt.https)
			httpcheck.Check(t.Context(), env, site)
			for _, id := range tt.want {
				if !rec.Has(id) {
					t.Errorf("%s did not fire; got %v", id, rec.IDs())
				}
			}
			for _, id := range tt.not {
				if rec.Has(id) {
					t.Errorf("%s fired: %v", id, rec.Get(id)[0].Evidence)
				}
			}
		})
	}
}

func TestGrade(t *testing.T) {
	good := http.Header{}
	good.Set("Strict-Transport-Security", "max-age=63072000; preload")
	good.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	good.Set("X-Content-Type-Options", "nosniff")
	good.Set("Referrer-Policy", "no-referrer")
	tests := []struct {
		name                 string
		h                    http.Header
		https, cookies, cors bool
		score                int
		grade                string
	}{
		{"everything", good, true, false, false, 115, "A+"},
		{"nothing over https", http.Header{}, true, false, false, 30, "D"},
		{"nothing over http", http.Header{}, false, false, false, 30, "D"},
		{"bad cookies and cors", good, true, true, true, 45, "C-"},
		{"floor at zero", http.Header{}, false, true, true, 0, "F"},
	}
	for _, tt := range tests {
		g := httpcheck.Grade(tt.h, tt.https, tt.cookies, tt.cors)
		if g.Score != tt.score || g.Grade != tt.grade {
			t.Errorf("%s: got %d %s (%v), want %d %s", tt.name, g.Score, g.Grade, g.Notes, tt.score, tt.grade)
		}
	}
}
