// Package httpcheck reviews a web site's HTTP hardening: HTTPS redirect,
// security headers, cookies, version-disclosing headers, directory
// listings, TRACE, permissive CORS, and an overall header grade in the
// manner of the Mozilla HTTP Observatory.
package httpcheck

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// Result tells the engine whether the site deserves the other web checks.
type Result int

const (
	// Full: the site serves content here; run every web check.
	Full Result = iota
	// RedirectsToHTTPS: plain HTTP only redirects to HTTPS; checks run there.
	RedirectsToHTTPS
)

// Check runs the HTTP checks on site, whose start page the engine fetched.
func Check(ctx context.Context, env *check.Env, site *check.Site) Result {
	first, home := site.First, site.Home
	disclosure(env, site, first.Header)
	// A redirect to HTTPS is one, to this host or another (http://x.gov.vn
	// to https://www.x.gov.vn); what is flagged is content served over
	// plain HTTP, or a redirect to plain HTTP.
	loc := strings.ToLower(first.Location())
	redirect := first.Status >= 300 && first.Status < 400 && loc != ""
	switch {
	case !site.HTTPS && redirect && strings.HasPrefix(loc, "https://"):
		return RedirectsToHTTPS
	case !site.HTTPS && home.Status < 400:
		env.Found("http.no-https-redirect", site.Asset, "", check.Evidencef("%s answers %d over plain HTTP without redirecting to HTTPS", site.Asset.URL, first.Status))
	case site.HTTPS && redirect && strings.HasPrefix(loc, "http://"):
		env.Found("http.no-https-redirect", site.Asset, "", check.Evidencef("%s redirects from HTTPS to plain HTTP: %s", site.Asset.URL, first.Location()))
	}
	h := home.Header
	if site.HTTPS && first.Header.Get("Strict-Transport-Security") == "" && h.Get("Strict-Transport-Security") == "" {
		env.Found("http.missing-hsts", site.Asset, "", check.Evidencef("no Strict-Transport-Security header on %s", home.URL))
	}
	if home.IsHTML() {
		csp := h.Get("Content-Security-Policy")
		if csp == "" {
			env.Found("http.missing-csp", site.Asset, "", check.Evidencef("no Content-Security-Policy header on %s", home.URL))
		}
		if h.Get("X-Frame-Options") == "" && !strings.Contains(strings.ToLower(csp), "frame-ancestors") {
			env.Found("http.missing-frame-protection", site.Asset, "", check.Evidencef("neither X-Frame-Options nor CSP frame-ancestors on %s", home.URL))
		}
	}
	if !strings.EqualFold(strings.TrimSpace(h.Get("X-Content-Type-Options")), "nosniff") {
		env.Found("http.missing-nosniff", site.Asset, "", check.Evidencef("X-Content-Type-Options is not nosniff on %s", home.URL))
	}
	cookies := insecureCookies(site.HTTPS, first, home)
	for _, c := range cookies {
		env.Found("http.insecure-cookie", site.Asset, c.name, c.problem)
	}
	directoryListing(ctx, env, site)
	trace(ctx, env, site)
	cors := corsPermissive(ctx, env, site)
	g := Grade(h, site.HTTPS, len(cookies) > 0, cors)
	// The grade sums up the header findings above; it stays informational
	// so that a missing header is not counted twice, once more severely.
	env.Found("http.header-grade", site.Asset, "", check.Evidencef("grade %s (%d/100): %s", g.Grade, g.Score, g.Notes))
	return Full
}

var reVersion = regexp.MustCompile(`\d+\.\d+`)

func disclosure(env *check.Env, site *check.Site, h http.Header) {
	var seen []string
	if s := h.Get("Server"); reVersion.MatchString(s) {
		seen = append(seen, "Server: "+s)
	}
	for _, k := range []string{"X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator"} {
		if v := h.Get(k); v != "" && (k != "X-Generator" || reVersion.MatchString(v)) {
			seen = append(seen, k+": "+v)
		}
	}
	if len(seen) > 0 {
		env.Found("http.server-version-disclosure", site.Asset, "", check.Evidencef("%s", strings.Join(seen, "; ")))
	}
}

type cookieIssue struct {
	name    string
	problem check.Text
}

var sessionCookie = regexp.MustCompile(`(?i)sess|sid|token|auth|login|jsessionid|asp\.net|laravel|wordpress_logged_in|remember`)

func insecureCookies(https bool, pages ...*check.Page) []cookieIssue {
	var out []cookieIssue
	seen := map[string]bool{}
	for _, p := range pages {
		resp := http.Response{Header: p.Header}
		for _, c := range resp.Cookies() {
			if seen[c.Name] {
				continue
			}
			seen[c.Name] = true
			var missing []string
			if https && !c.Secure {
				missing = append(missing, "Secure")
			}
			if !c.HttpOnly && sessionCookie.MatchString(c.Name) {
				missing = append(missing, "HttpOnly")
			}
			if len(missing) > 0 {
				out = append(out, cookieIssue{c.Name, check.Evidencef("cookie %s without %s", c.Name, strings.Join(missing, ", "))})
			}
		}
	}
	return out
}

var reListing = regexp.MustCompile(`(?i)<title>\s*Index of /|<h1>\s*Index of /|Directory listing for /|\[To Parent Directory\]|<title>[^<]*- /[^<]*</title>\s*</head>\s*<body><H1>`)

// listingDirs are directories often left browsable.
var listingDirs = []string{"/uploads/", "/images/", "/files/"}

func directoryListing(ctx context.Context, env *check.Env, site *check.Site) {
	if !env.Enabled("http.directory-listing") {
		return
	}
	if reListing.Match(site.Home.Body) {
		env.Found("http.directory-listing", site.At(site.Home.URL), site.Home.URL, check.Evidencef("directory index served at %s", site.Home.URL))
		return
	}
	for _, d := range listingDirs {
		p, err := env.Get(ctx, site.Origin+d, nil)
		if err != nil || p.Status != http.StatusOK || !reListing.Match(p.Body) {
			continue
		}
		env.Found("http.directory-listing", site.At(d), d, check.Evidencef("directory index served at %s", d))
		return
	}
}

func trace(ctx context.Context, env *check.Env, site *check.Site) {
	if !env.Enabled("http.trace-enabled") {
		return
	}
	token := check.RandomToken()
	p, err := env.Fetch(ctx, http.MethodTrace, site.Origin+"/", http.Header{"X-Khien-Trace": {token}})
	if err != nil || p.Status != http.StatusOK || !strings.Contains(string(p.Body), token) {
		return
	}
	env.Found("http.trace-enabled", site.At("/"), "", check.Evidencef("TRACE / echoed the request headers back"))
}

func corsPermissive(ctx context.Context, env *check.Env, site *check.Site) bool {
	if !env.Enabled("http.cors-permissive") && !env.Enabled("http.header-grade") {
		return false
	}
	origin := "https://" + check.RandomToken() + ".example.net"
	p, err := env.Get(ctx, site.Home.URL, http.Header{"Origin": {origin}})
	if err != nil {
		return false
	}
	if p.Header.Get("Access-Control-Allow-Origin") != origin || !strings.EqualFold(p.Header.Get("Access-Control-Allow-Credentials"), "true") {
		return false
	}
	env.Found("http.cors-permissive", site.At(site.Home.URL), "", check.Evidencef("Origin %s reflected in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true", origin))
	return true
}
