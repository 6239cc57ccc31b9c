// Package web is the server-rendered user interface: html/template pages in
// Vietnamese (English selectable), embedded assets and htmx, no CDN and no
// JavaScript framework. Each capability has its own handler file and its own
// template folder.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/dashboard"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// NavItem is one entry of the main navigation.
type NavItem struct {
	Key   string // i18n key, also the section name pages mark as active
	Path  string
	Ready bool // capabilities not yet built show as "coming soon", not as broken links
}

// Nav lists the capabilities of SPEC.md in the order a user works through them.
var Nav = []NavItem{
	{"nav.dashboard", "/", true},
	{"nav.inventory", "/inventory", true},
	{"nav.scans", "/scans", true},
	{"nav.agents", "/agents", true},
	{"nav.findings", "/findings", true},
	{"nav.remediation", "/remediation", true},
	{"nav.campaigns", "/campaigns", true},
	{"nav.compliance", "/compliance", false},
	{"nav.accounts", "/account-reviews", false},
	{"nav.incidents", "/incidents", false},
	{"nav.monitoring", "/monitoring", false},
	{"nav.reports", "/reports", true},
	{"nav.awareness", "/awareness", false},
	{"nav.admin", "/admin", true},
}

// SetReady marks a navigation entry as built; capabilities call it as they land.
func SetReady(key string) {
	for i := range Nav {
		if Nav[i].Key == key {
			Nav[i].Ready = true
		}
	}
}

// Page is what every template receives.
type Page struct {
	Lang    string
	Title   string
	Section string // the active NavItem key
	Actor   *access.Actor
	Nav     []NavItem
	Path    string // current path, for the language switch
	Flash   string
	Error   string
	Data    any
	Version string
}

// Renderer renders pages with the shared layout.
type Renderer struct {
	pages   map[string]*template.Template
	version string
}

// NewRenderer parses every page template with the layout and partials.
func NewRenderer(version string) (*Renderer, error) {
	funcs := template.FuncMap{
		"t": i18n.T,
		"fmtTime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(i18n.Vietnam).Format("02/01/2006 15:04")
		},
		"fmtDate": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(i18n.Vietnam).Format("02/01/2006")
		},
		"query":        url.QueryEscape,
		"can":          can,
		"percent":      dashboard.Percent,
		"auditChanges": auditChanges,
		"reportBlock":  newReportBlock,
		// dayDate shows an ISO date (as dates are stored: 2025-06-01) the
		// Vietnamese way, 01/06/2025; anything else is shown as it is.
		"dayDate": func(iso string) string {
			d, err := time.Parse(time.DateOnly, iso)
			if err != nil {
				return iso
			}
			return d.Format("02/01/2006")
		},
	}
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout templates: %w", err)
	}
	r := &Renderer{pages: map[string]*template.Template{}, version: version}
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || strings.HasPrefix(p, "templates/layout/") {
			return err
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, p)
		if err != nil {
			return fmt.Errorf("parse template %s: %w", p, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		r.pages[name] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// can asks for a page the question the server asks of the request: may the
// actor do action (an access.ParseAction name: "write", "manage_orgs", …) on
// the organisation at orgPath, or, without a path, on some organisation of
// its scope. Pages offer only what can allows; an unknown name fails the render.
func can(a *access.Actor, action string, orgPath ...string) (bool, error) {
	act, err := access.ParseAction(action)
	if err != nil || a == nil {
		return false, err
	}
	if len(orgPath) == 0 {
		return a.CanSomewhere(act), nil
	}
	return a.Can(act, orgPath[0]), nil
}

// errorText is err as a page shows it: validation messages in the page's
// language, anything else as it is.
func errorText(r *http.Request, err error) string {
	if es, ok := validation.As(err); ok {
		return es.Localize(httpx.Lang(r)).Error()
	}
	return err.Error()
}

// NewPage fills the common fields of a page for the request.
func NewPage(r *http.Request, titleKey, section string, data any) Page {
	lang := httpx.Lang(r)
	p := Page{Lang: lang, Title: i18n.T(lang, titleKey), Section: section, Nav: Nav, Path: CleanPath(r.URL.Path), Data: data}
	if a, ok := access.FromContext(r.Context()); ok {
		p.Actor = &a
	}
	return p
}

// Render writes the named page with status. Rendering goes to a buffer first,
// so a template error yields a clean 500 rather than half a page.
func (rd *Renderer) Render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) {
	t, ok := rd.pages[name]
	if !ok {
		slog.ErrorContext(r.Context(), "unknown page template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.Version = rd.version
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		slog.ErrorContext(r.Context(), "render page", "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// StaticHandler serves the embedded assets under /static/ with long caching;
// asset URLs carry the version so an upgrade is picked up at once.
func StaticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	}))
}

// SetLangCookie stores an explicit ?lang= choice so later pages keep it.
func SetLangCookie(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
			http.SetCookie(w, &http.Cookie{Name: httpx.LangCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		}
		next.ServeHTTP(w, r)
	})
}

// RedirectToLogin answers a protected page without a session.
func RedirectToLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// CleanPath is path as a link back to this site: cleaned, with exactly one
// leading slash, so a request for //evil.example/x cannot become a
// scheme-relative link to another host.
func CleanPath(p string) string {
	return path.Clean("/" + strings.TrimLeft(p, "/"))
}

// SafeNext keeps a post-login redirect on this site: only a local path is
// accepted. Browsers drop tabs and newlines and read a backslash as a slash,
// so "/\t/evil", "/\\evil" and "//evil" all leave the site and are refused,
// as is anything with a scheme or not starting with a slash.
func SafeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsFunc(next, func(c rune) bool {
		return c == '\\' || c < 0x20 || c == 0x7f
	}) {
		return "/"
	}
	p, query, hasQuery := strings.Cut(next, "?")
	p = CleanPath(p)
	if hasQuery {
		p += "?" + query
	}
	return p
}

// flash is the confirmation named by ?done= after a redirect; only keys of
// the catalogue ("flash.<name>") are shown, so the URL cannot inject text.
func flash(r *http.Request) string {
	name := r.URL.Query().Get("done")
	if name == "" {
		return ""
	}
	key := "flash." + name
	if msg := i18n.T(httpx.Lang(r), key); msg != key {
		return msg
	}
	return ""
}

// okFlash is the confirmation named by ?ok= after a redirect when it is a
// key of the section's (prefix "hunt.ok."), so the URL cannot inject text.
func okFlash(r *http.Request, prefix string) string {
	if key := r.URL.Query().Get("ok"); strings.HasPrefix(key, prefix) {
		return i18n.T(httpx.Lang(r), key)
	}
	return ""
}
