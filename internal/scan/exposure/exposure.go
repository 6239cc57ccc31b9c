// Package exposure looks for files and panels that should not be public:
// version-control metadata, .env files, backups and database dumps,
// phpinfo(), server status pages and administration panels. Every hit is
// validated by content and compared with the answer to a random path, so a
// site that answers 200 to everything yields nothing.
package exposure

import (
	"bytes"
	"context"
	"net/http"
	"net/netip"
	"regexp"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// probe is one path to request and how to recognise a real hit.
type probe struct {
	id       string
	path     string
	validate func(p *check.Page) (evidence check.Text, ok bool)
	thorough bool // only in the thorough profile
	auth     bool // the proof is a 401 answer (an authentication prompt), not a 200
}

var (
	reGitHead    = regexp.MustCompile(`^(ref: refs/|[0-9a-f]{40}\s*$)`)
	reGitConfig  = regexp.MustCompile(`(?m)^\[core\]`)
	reSvnEntry   = regexp.MustCompile(`^(8|9|10|12)\s*\n`)
	reEnvLine    = regexp.MustCompile(`(?m)^\s*(?:export\s+)?([A-Z][A-Z0-9_]{1,40})\s*=`)
	reEnvSecret  = regexp.MustCompile(`(?m)^\s*(?:export\s+)?[A-Z0-9_]*(?:PASSWORD|PASS|SECRET|KEY|TOKEN|DB_|DATABASE|APP_)[A-Z0-9_]*\s*=`)
	reSQLDump    = regexp.MustCompile(`(?i)(-- MySQL dump|-- PostgreSQL database dump|-- MariaDB dump|^\s*(CREATE TABLE|INSERT INTO|DROP TABLE IF EXISTS)\b)`)
	rePassword   = regexp.MustCompile(`(?i)<input[^>]+type\s*=\s*["']?password`)
	rePHPVersion = regexp.MustCompile(`PHP Version\s*(?:</[^>]+>\s*<[^>]+>\s*)?([\d.]+)`)
)

func contains(sub ...string) func([]byte) bool {
	return func(b []byte) bool {
		for _, s := range sub {
			if !bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s))) {
				return false
			}
		}
		return true
	}
}

func text(p *check.Page, n int) string {
	return strings.Join(strings.Fields(string(p.Body[:min(len(p.Body), n)])), " ")
}

func notHTML(p *check.Page) bool { return !p.IsHTML() }

var staticProbes = []probe{
	{id: "exposure.git", path: "/.git/HEAD", validate: func(p *check.Page) (check.Text, bool) {
		return check.Evidencef("HEAD: %s", text(p, 60)), notHTML(p) && reGitHead.Match(p.Body)
	}},
	{id: "exposure.git", path: "/.git/config", validate: func(p *check.Page) (check.Text, bool) {
		return check.Evidencef("config with [core] section"), notHTML(p) && reGitConfig.Match(p.Body)
	}},
	{id: "exposure.svn", path: "/.svn/entries", validate: func(p *check.Page) (check.Text, bool) {
		return check.Evidencef("entries format %s", text(p, 4)), notHTML(p) && reSvnEntry.Match(p.Body)
	}},
	{id: "exposure.svn", path: "/.svn/wc.db", validate: func(p *check.Page) (check.Text, bool) {
		return check.Evidencef("SQLite working-copy database"), bytes.HasPrefix(p.Body, []byte("SQLite format 3\x00"))
	}},
	{id: "exposure.env", path: "/.env", validate: validateEnv},
	{id: "exposure.env", path: "/.env.production", validate: validateEnv, thorough: true},
	{id: "exposure.env", path: "/.env.local", validate: validateEnv, thorough: true},
	{id: "exposure.phpinfo", path: "/phpinfo.php", validate: validatePHPInfo},
	{id: "exposure.phpinfo", path: "/info.php", validate: validatePHPInfo},
	{id: "exposure.phpinfo", path: "/test.php", validate: validatePHPInfo, thorough: true},
	{id: "exposure.server-status", path: "/server-status", validate: func(p *check.Page) (check.Text, bool) {
		return check.Evidencef("Apache server status page"), contains("Apache Server Status for")(p.Body)
	}},
	{id: "exposure.server-status", path: "/server-info", validate: func(p *check.Page) (check.Text, bool) {
		return check.Evidencef("Apache server information page"), contains("Apache Server Information")(p.Body)
	}},
	{id: "exposure.server-status", path: "/nginx_status", validate: func(p *check.Page) (check.Text, bool) {
		return check.Evidencef("%s", text(p, 80)), bytes.HasPrefix(p.Body, []byte("Active connections:"))
	}},
	{id: "exposure.admin-panel", path: "/wp-login.php", validate: panel(check.Evidencef("WordPress login"), "user_login", "wp-submit")},
	{id: "exposure.admin-panel", path: "/administrator/", validate: panel(check.Evidencef("Joomla administrator login"), "joomla")},
	{id: "exposure.admin-panel", path: "/phpmyadmin/", validate: panel(check.Evidencef("phpMyAdmin login"), "phpmyadmin", "pma_username")},
	{id: "exposure.admin-panel", path: "/pma/", validate: panel(check.Evidencef("phpMyAdmin login"), "phpmyadmin", "pma_username"), thorough: true},
	{id: "exposure.admin-panel", path: "/adminer.php", validate: panel(check.Evidencef("Adminer login"), "adminer")},
	{id: "exposure.admin-panel", path: "/user/login", validate: panel(check.Evidencef("Drupal login"), "drupal", "edit-name")},
	{id: "exposure.admin-panel", path: "/Login.aspx", validate: panel(check.Evidencef("DotNetNuke login"), "dnn")},
	{id: "exposure.admin-panel", path: "/c/portal/login", validate: panel(check.Evidencef("Liferay login"), "liferay")},
	{id: "exposure.admin-panel", path: "/admin/", validate: panel(check.Evidencef("administration login"), "admin")},
	{id: "exposure.admin-panel", path: "/manager/html", auth: true, validate: func(p *check.Page) (check.Text, bool) {
		return check.Evidencef("Tomcat manager (authentication prompt)"), strings.Contains(p.Header.Get("WWW-Authenticate"), "Tomcat Manager")
	}},
}

func validateEnv(p *check.Page) (check.Text, bool) {
	if p.IsHTML() || !envFile(p.Body) || !reEnvSecret.Match(p.Body) {
		return check.Text{}, false
	}
	var keys []string
	for _, m := range reEnvLine.FindAllSubmatch(p.Body, 5) {
		keys = append(keys, string(m[1]))
	}
	return check.Evidencef("variables %s (values withheld)", strings.Join(keys, ", ")), true
}

// envFile reports whether body reads as a .env file of any length, one
// variable or hundreds: its first lines that are neither blank nor comments
// are all NAME=value.
func envFile(body []byte) bool {
	seen := 0
	for line := range bytes.Lines(body) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if !reEnvLine.Match(line) {
			return false
		}
		if seen++; seen == 20 {
			break
		}
	}
	return seen > 0
}

func validatePHPInfo(p *check.Page) (check.Text, bool) {
	ok := contains("phpinfo()")(p.Body) && contains("PHP Version")(p.Body)
	v := rePHPVersion.FindSubmatch(p.Body)
	if v != nil {
		return check.Evidencef("phpinfo() of PHP %s", v[1]), ok
	}
	return check.Evidencef("phpinfo() page"), ok
}

// panel recognises a login page of a named product: a password field and
// the product's markers.
func panel(what check.Text, markers ...string) func(p *check.Page) (check.Text, bool) {
	return func(p *check.Page) (check.Text, bool) {
		return what, rePassword.Match(p.Body) && contains(markers...)(p.Body)
	}
}

// backupProbes builds archive and dump names, some from the host name
// (example.gov.vn → example.gov.vn.zip, example.zip).
func backupProbes(host string, thorough bool) []probe {
	names := []string{"backup", "www", "site"}
	dumps := []string{"backup", "db", "database", "dump"}
	if host != "" && !isIP(host) {
		label := strings.Split(host, ".")[0]
		names = append(names, host, label)
		dumps = append(dumps, label)
	}
	archives := []string{".zip", ".tar.gz", ".rar"}
	sqls := []string{".sql", ".sql.gz"}
	if thorough {
		names = append(names, "web", "html", "public_html", "source", "old")
		archives = append(archives, ".7z", ".tgz", ".bak")
		dumps = append(dumps, "data", "mysql", "sql")
	}
	var out []probe
	for _, n := range names {
		for _, ext := range archives {
			out = append(out, probe{id: "exposure.backup-file", path: "/" + n + ext, validate: validateArchive})
		}
	}
	for _, n := range dumps {
		for _, ext := range sqls {
			out = append(out, probe{id: "exposure.backup-file", path: "/" + n + ext, validate: validateArchive})
		}
	}
	return out
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(strings.Trim(s, "[]"))
	return err == nil
}

var magics = []struct {
	kind  check.Text
	magic string
}{{check.Evidencef("ZIP archive"), "PK\x03\x04"}, {check.Evidencef("gzip data"), "\x1f\x8b"}, {check.Evidencef("RAR archive"), "Rar!\x1a\x07"}, {check.Evidencef("7-Zip archive"), "7z\xbc\xaf\x27\x1c"}}

func validateArchive(p *check.Page) (check.Text, bool) {
	for _, m := range magics {
		if bytes.HasPrefix(p.Body, []byte(m.magic)) {
			return check.Evidencef("%s (%s)", m.kind, sizeOf(p)), true
		}
	}
	if !p.IsHTML() && reSQLDump.Match(p.Body[:min(len(p.Body), 4096)]) {
		return check.Evidencef("SQL dump (%s)", sizeOf(p)), true
	}
	return check.Text{}, false
}

func sizeOf(p *check.Page) check.Text {
	if cl := p.Header.Get("Content-Length"); cl != "" {
		return check.Evidencef("%s bytes", cl)
	}
	return check.Evidencef("at least %d bytes", len(p.Body))
}

// Check probes site for exposed files and panels.
func Check(ctx context.Context, env *check.Env, site *check.Site) {
	probes := append(append([]probe{}, staticProbes...), backupProbes(site.Name, env.Checks.Thorough)...)
	probes = selected(env, probes)
	if len(probes) == 0 {
		return
	}
	base := newBaseline(ctx, env, site)
	found := map[string]bool{}
	for _, pr := range probes {
		if ctx.Err() != nil {
			return
		}
		if found[pr.id] && pr.id != "exposure.backup-file" {
			continue // one proof per kind is enough
		}
		// Backups are large: ask only for the first bytes the validator needs.
		var hdr http.Header
		if pr.id == "exposure.backup-file" {
			hdr = http.Header{"Range": {"bytes=0-4095"}}
		}
		p, err := env.Get(ctx, site.Origin+pr.path, hdr)
		if err != nil {
			if ctx.Err() == nil {
				env.Log.Debug("exposure probe failed", "url", site.Origin+pr.path, "err", err)
			}
			continue
		}
		if !success(pr, p) {
			continue
		}
		if ev, ok := pr.validate(p); ok && !base.matches(p, pr.validate) {
			found[pr.id] = true
			env.Found(pr.id, site.At(pr.path), pr.path, check.Evidencef("%s: %s", pr.path, ev))
		}
	}
}

func success(pr probe, p *check.Page) bool {
	if pr.auth {
		return p.Status == http.StatusUnauthorized
	}
	return p.Status == http.StatusOK || p.Status == http.StatusPartialContent
}

func selected(env *check.Env, probes []probe) []probe {
	var out []probe
	for _, p := range probes {
		if env.Enabled(p.id) && (!p.thorough || env.Checks.Thorough) {
			out = append(out, p)
		}
	}
	return out
}

// baseline is how the site answers paths that cannot exist.
type baseline struct {
	pages []*check.Page
	token []string
}

func newBaseline(ctx context.Context, env *check.Env, site *check.Site) *baseline {
	b := &baseline{}
	for _, suffix := range []string{".php", "/"} {
		tok := check.RandomToken()
		p, err := env.Get(ctx, site.Origin+"/khien-"+tok+suffix, nil)
		if err == nil && (p.Status == http.StatusOK || p.Status == http.StatusPartialContent) {
			b.pages = append(b.pages, p)
			b.token = append(b.token, tok)
		}
	}
	return b
}

// matches reports whether p, which validate accepted, is the catch-all
// answer: the same body once the random path is removed, or nearly the
// same size as a catch-all answer that validate accepts too (a size alone
// never hides a real file: a short .env as long as the site's 404 page).
func (b *baseline) matches(p *check.Page, validate func(*check.Page) (check.Text, bool)) bool {
	for i, bp := range b.pages {
		norm := bytes.ReplaceAll(bp.Body, []byte(b.token[i]), nil)
		if bytes.Equal(norm, p.Body) || bytes.Equal(bp.Body, p.Body) {
			return true
		}
		lb, lp := len(bp.Body), len(p.Body)
		if lb > 0 && abs(lb-lp)*50 < lb && bp.Header.Get("Content-Type") == p.Header.Get("Content-Type") {
			if _, alike := validate(bp); alike {
				return true
			}
		}
	}
	return false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
