package fingerprint_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/fingerprint"
	"github.com/khien/khien/internal/scan/scantest"
)

// route is one answer of a fake product server: a status, headers and a
// body from testdata/platforms (or inline).
type route struct {
	status int
	header map[string]string
	file   string
	body   string
}

func redirect(to string) route {
	return route{status: http.StatusFound, header: map[string]string{"Location": to}}
}

func page(file string, header ...string) route {
	r := route{status: http.StatusOK, file: file, header: map[string]string{}}
	for i := 0; i+1 < len(header); i += 2 {
		r.header[header[i]] = header[i+1]
	}
	return r
}

// gzipStamp is a gzip file as a build writes it: named, stamped with its
// build time.
func gzipStamp(t *testing.T, name string, stamp int64) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Name, zw.ModTime = name, time.Unix(stamp, 0)
	if _, err := zw.Write([]byte(`{"logon":"Log On"}`)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// serve answers the routes by path; anything else is the "404" route or a
// plain 404.
func serve(t *testing.T, routes map[string]route, requests *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		rt, ok := routes[r.URL.Path]
		if !ok {
			if rt, ok = routes["404"]; !ok {
				http.NotFound(w, r)
				return
			}
		}
		body := []byte(rt.body)
		if rt.file != "" {
			var err error
			if body, err = os.ReadFile(filepath.Join("testdata", "platforms", rt.file)); err != nil {
				t.Error(err)
			}
		}
		for k, v := range rt.header {
			w.Header().Add(k, v)
		}
		w.WriteHeader(rt.status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPlatforms(t *testing.T) {
	tests := []struct {
		name   string
		routes map[string]route
		// detected is what tech.detected names ("Jenkins 2.426.2"); cve one
		// CVE it must match, kev whether it is known exploited, and none
		// that no CVE may match (a bracketed version).
		detected string
		cve      string
		kev      bool
		none     bool
		panel    bool
		eol      bool
		requests int64 // at most, the start page included
	}{
		{name: "jenkins header", routes: map[string]route{"/": {status: 403, header: map[string]string{"X-Jenkins": "2.426.2", "X-Hudson": "1.395"}, file: "jenkins-403.html"}},
			detected: "Jenkins 2.426.2", cve: "CVE-2024-23897", kev: true, panel: true, requests: 1},
		{name: "jenkins patched lts", routes: map[string]route{"/": {status: 403, header: map[string]string{"X-Jenkins": "2.426.3"}, file: "jenkins-403.html"}},
			detected: "Jenkins 2.426.3", none: true, panel: true, requests: 1},
		{name: "grafana boot data", routes: map[string]route{"/": redirect("/login"), "/login": page("grafana-login.html")},
			detected: "Grafana 8.3.0", cve: "CVE-2021-43798", kev: true, panel: true, requests: 2},
		{name: "grafana api health", routes: map[string]route{"/": redirect("/login"), "/login": page("grafana-login-noversion.html"),
			"/api/health": {status: 200, header: map[string]string{"Content-Type": "application/json"}, body: `{"commit":"a1b2c3","database":"ok","version":"8.2.6"}`}},
			detected: "Grafana 8.2.6 (/api/health)", cve: "CVE-2021-43798", kev: true, panel: true, requests: 3},
		{name: "kibana metadata", routes: map[string]route{"/": redirect("/login?next=%2F"), "/login": page("kibana-login.html", "kbn-name", "kibana")},
			detected: "Kibana 6.5.4", cve: "CVE-2019-7609", kev: true, panel: true, requests: 2},
		{name: "kibana api status", routes: map[string]route{"/": page("app-home.html", "kbn-name", "kibana"), "/api/status": page("kibana-status.json")},
			detected: "Kibana 6.4.2 (/api/status)", cve: "CVE-2019-7609", kev: true, panel: true, requests: 2},
		{name: "confluence", routes: map[string]route{"/": redirect("/login.action?os_destination=%2Findex.action"), "/login.action": page("confluence-login.html")},
			detected: "Atlassian Confluence 7.13.6", cve: "CVE-2022-26134", kev: true, panel: true, requests: 2},
		{name: "gitlab help", routes: map[string]route{"/": redirect("/users/sign_in"), "/users/sign_in": page("gitlab-signin.html", "Set-Cookie", "_gitlab_session=abc; path=/; HttpOnly"), "/help": page("gitlab-help.html")},
			detected: "GitLab 13.10.2 (/help)", cve: "CVE-2021-22205", kev: true, panel: true, requests: 3},
		{name: "gitlab hidden version", routes: map[string]route{"/": redirect("/users/sign_in"), "/users/sign_in": page("gitlab-signin.html")},
			detected: "GitLab (start page); version not shown to visitors", panel: true, requests: 3},
		{name: "tomcat default page", routes: map[string]route{"/": page("tomcat-default.html")},
			detected: "Apache Tomcat 9.0.30", cve: "CVE-2020-1938", kev: true, requests: 1},
		{name: "tomcat error page", routes: map[string]route{"/": page("app-home.html", "Server", "Apache-Coyote/1.1"), "404": {status: 404, file: "tomcat-404.html"}},
			detected: "Apache Tomcat 8.5.50 (error page)", cve: "CVE-2020-1938", kev: true, requests: 2},
		{name: "phpmyadmin assets", routes: map[string]route{"/": page("phpmyadmin-login.html", "Set-Cookie", "phpMyAdmin=abc; path=/")},
			detected: "phpMyAdmin 4.8.1", cve: "CVE-2018-12613", panel: true, requests: 1},
		{name: "phpmyadmin documentation", routes: map[string]route{"/": redirect("/dbadmin/index.php"), "/dbadmin/index.php": page("phpmyadmin-login-noversion.html"), "/dbadmin/doc/html/index.html": page("phpmyadmin-doc.html")},
			detected: "phpMyAdmin 4.8.0.1 (doc/html/index.html)", cve: "CVE-2018-12613", panel: true, requests: 3},
		{name: "webmin", routes: map[string]route{"/": page("webmin-login.html", "Server", "MiniServ/1.890")},
			detected: "Webmin 1.890", cve: "CVE-2019-15107", kev: true, panel: true, requests: 1},
		{name: "exchange header", routes: map[string]route{"/": redirect("/owa/"), "/owa/": redirect("/owa/auth/logon.aspx?url=%2Fowa%2F"), "/owa/auth/logon.aspx": page("owa-logon.html", "X-OWA-Version", "15.1.2507.6")},
			detected: "Microsoft Exchange (OWA) 15.1.2507.6", cve: "CVE-2022-41082", kev: true, panel: true, requests: 3},
		{name: "exchange build in paths", routes: map[string]route{"/": redirect("/owa/auth/logon.aspx"), "/owa/auth/logon.aspx": page("owa-logon.html")},
			detected: "Microsoft Exchange (OWA) 15.1.2106 (start page); release line only", cve: "CVE-2022-41040", kev: true, panel: true, requests: 2},
		{name: "exchange patched line", routes: map[string]route{"/": redirect("/owa/auth/logon.aspx"), "/owa/auth/logon.aspx": page("owa-logon-patched-line.html")},
			detected: "Microsoft Exchange (OWA) 15.2.1118", none: true, panel: true, requests: 2},
		{name: "vcenter", routes: map[string]route{"/": page("vsphere-landing.html"), "/sdk/vimServiceVersions.xml": page("vim-service-versions.xml")},
			detected: "VMware vCenter Server 7.0.3.0 (/sdk/vimServiceVersions.xml); release line only", none: true, panel: true, requests: 2},
		{name: "vcenter 7.0 ga", routes: map[string]route{"/": page("vsphere-landing.html"), "/sdk/vimServiceVersions.xml": {status: 200, body: "<namespaces><namespace><name>urn:vim25</name><version>7.0.0.0</version></namespace></namespaces>"}},
			detected: "VMware vCenter Server 7.0.0.0", cve: "CVE-2021-21972", kev: true, panel: true, requests: 2},
		{name: "fortigate ssl-vpn", routes: map[string]route{"/": redirect("/remote/login?lang=en"), "/remote/login": page("fortigate-login.html")},
			detected: "Fortinet FortiGate SSL-VPN (start page); version not shown to visitors", panel: true, requests: 2},
		{name: "netscaler gateway", routes: map[string]route{"/": redirect("/logon/LogonPoint/index.html"), "/logon/LogonPoint/index.html": page("netscaler-logon.html")},
			detected: "Citrix NetScaler Gateway (start page); version not shown to visitors", panel: true, requests: 3},
		{name: "connect secure", routes: map[string]route{"/": redirect("/dana-na/auth/url_default/welcome.cgi"), "/dana-na/auth/url_default/welcome.cgi": page("pulse-welcome.html")},
			detected: "Ivanti (Pulse) Connect Secure (start page); version not shown to visitors", panel: true, requests: 3},
		{name: "globalprotect", routes: map[string]route{"/": redirect("/global-protect/login.esp"), "/global-protect/login.esp": page("globalprotect-login.html")},
			detected: "Palo Alto GlobalProtect", panel: true, requests: 2},
		{name: "sophos user portal", routes: map[string]route{"/": redirect("/userportal/webpages/myaccount/login.jsp"), "/userportal/webpages/myaccount/login.jsp": page("sophos-userportal.html")},
			detected: "Sophos Firewall (start page); version not shown to visitors", panel: true, requests: 2},
		{name: "big-ip", routes: map[string]route{"/": redirect("/tmui/login.jsp"), "/tmui/login.jsp": page("bigip-login.html")},
			detected: "F5 BIG-IP (start page); version not shown to visitors", panel: true, requests: 3},
		{name: "netscaler build stamp", routes: map[string]route{"/": redirect("/logon/LogonPoint/index.html"), "/logon/LogonPoint/index.html": page("netscaler-logon.html"),
			"/vpn/js/rdx/core/lang/rdx_en.json.gz": {status: 200, header: map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"}, body: gzipStamp(t, "rdx_en.json", 1685777750)}},
			detected: "Citrix NetScaler Gateway 13.1-48.47 (/vpn/js/rdx/core/lang/rdx_en.json.gz); build read from the file's build time", cve: "CVE-2023-3519", kev: true, panel: true, requests: 3},
		{name: "netscaler patched build", routes: map[string]route{"/": redirect("/logon/LogonPoint/index.html"), "/logon/LogonPoint/index.html": page("netscaler-logon.html"),
			"/vpn/js/rdx/core/lang/rdx_en.json.gz": {status: 200, header: map[string]string{"Content-Type": "application/x-gzip"}, body: gzipStamp(t, "rdx_en.json", 1695277021)}},
			detected: "Citrix NetScaler Gateway 13.1-49.15", none: true, panel: true, requests: 3},
		{name: "netscaler build not in the table", routes: map[string]route{"/": redirect("/logon/LogonPoint/index.html"), "/logon/LogonPoint/index.html": page("netscaler-logon.html"),
			"/vpn/js/rdx/core/lang/rdx_en.json.gz": {status: 200, body: gzipStamp(t, "rdx_en.json", 1685777751)}},
			detected: "Citrix NetScaler Gateway (start page); version not shown to visitors", none: true, panel: true, requests: 3},
		{name: "netscaler behind a catch-all page", routes: map[string]route{"/": redirect("/logon/LogonPoint/index.html"), "404": page("netscaler-logon.html")},
			detected: "Citrix NetScaler Gateway (start page); version not shown to visitors", none: true, panel: true, requests: 3},
		{name: "big-ip logo etag", routes: map[string]route{"/": redirect("/tmui/login.jsp"), "/tmui/login.jsp": page("bigip-login.html"),
			"/tmui/tmui/login/images/logo_f5.png": {status: 200, header: map[string]string{"Content-Type": "image/png", "ETag": `"1fe7-5cf0b7f6d1b40"`}, body: "\x89PNG"}},
			detected: "F5 BIG-IP 16.1.2-0.0.18 (/tmui/tmui/login/images/logo_f5.png); build read", cve: "CVE-2022-1388", kev: true, panel: true, requests: 3},
		{name: "big-ip logo last-modified", routes: map[string]route{"/": redirect("/tmui/login.jsp"), "/tmui/login.jsp": page("bigip-login.html"),
			"/tmui/tmui/login/images/logo_f5.png": {status: 200, header: map[string]string{"Last-Modified": "Wed, 29 Apr 2020 04:58:35 GMT"}, body: "\x89PNG"}},
			detected: "F5 BIG-IP 15.1.0.3-0.0.12", cve: "CVE-2020-5902", kev: true, panel: true, requests: 3},
		{name: "big-ip patched", routes: map[string]route{"/": redirect("/tmui/login.jsp"), "/tmui/login.jsp": page("bigip-login.html"),
			"/tmui/tmui/login/images/logo_f5.png": {status: 200, header: map[string]string{"Last-Modified": "Fri, 20 Oct 2023 13:03:00 GMT"}, body: "\x89PNG"}},
			detected: "F5 BIG-IP 17.1.1-0.0.6", none: true, panel: true, requests: 3},
		{name: "connect secure release", routes: map[string]route{"/": redirect("/dana-na/auth/url_default/welcome.cgi"), "/dana-na/auth/url_default/welcome.cgi": page("pulse-welcome.html"),
			"/dana-na/nc/nc_gina_ver.txt": page("pulse-nc-gina-ver.txt")},
			detected: "Ivanti (Pulse) Connect Secure 9.0R3 (/dana-na/nc/nc_gina_ver.txt); release line only", cve: "CVE-2021-22893", kev: true, panel: true, requests: 3},
		{name: "connect secure release with its fix", routes: map[string]route{"/": redirect("/dana-na/auth/url_default/welcome.cgi"), "/dana-na/auth/url_default/welcome.cgi": page("pulse-welcome.html"),
			"/dana-na/nc/nc_gina_ver.txt": {status: 200, body: `<PARAM NAME="ProductVersion" VALUE="9.1.11.13127">`}},
			detected: "Ivanti (Pulse) Connect Secure 9.1R11", none: true, panel: true, requests: 3},
		{name: "sophos web admin", routes: map[string]route{"/": redirect("/webconsole/webpages/login.jsp"), "/webconsole/webpages/login.jsp": page("sophos-webadmin.html")},
			detected: "Sophos Firewall 18.0.4.506 (start page)", cve: "CVE-2022-1040", kev: true, panel: true, requests: 2},
		{name: "sophos hotfixed release", routes: map[string]route{"/": redirect("/userportal/webpages/myaccount/login.jsp"), "/userportal/webpages/myaccount/login.jsp": {status: 200,
			body: `<html><title>Sophos</title><script src="/javascript/lang/English/common.js?ver=18.5.3.408"></script></html>`}},
			detected: "Sophos Firewall 18.5.3.408", none: true, panel: true, requests: 2},
		{name: "moodle", routes: map[string]route{"/": page("moodle-home.html", "Set-Cookie", "MoodleSession=abc; path=/"), "/lib/upgrade.txt": page("moodle-upgrade.txt")},
			detected: "Moodle 3.9 (/lib/upgrade.txt); release line only", none: true, requests: 2},
		{name: "magento", routes: map[string]route{"/": page("magento-home.html"), "/magento_version": page("", "Content-Type", "text/plain")},
			detected: "Magento (start page)", none: true, requests: 2},
		{name: "magento 2.3", routes: map[string]route{"/": page("magento-home.html"), "/magento_version": {status: 200, body: "Magento/2.3 (Community)"}},
			detected: "Magento 2.3 (/magento_version)", none: true, eol: true, requests: 2},
		{name: "wordpress feed", routes: map[string]route{"/": page("wordpress-home.html"), "/feed/": page("wordpress-feed.xml")},
			detected: "WordPress 5.8.1 (/feed/)", cve: "CVE-2022-21661", requests: 4},
		{name: "wordpress plugin readme", routes: map[string]route{"/": page("wordpress-home.html"), "/wp-content/plugins/wp-file-manager/readme.txt": page("wp-file-manager-readme.txt")},
			detected: "WP File Manager (WordPress plugin) 6.8", cve: "CVE-2020-25213", kev: true, requests: 4},
		{name: "wordpress plugin stamped with the core version", routes: map[string]route{"/": {status: 200, body: `<html><head><meta name="generator" content="WordPress 6.4.2">
<script src="/wp-content/plugins/duplicator/assets/js/front.js?ver=6.4.2"></script></head></html>`},
			"/wp-content/plugins/duplicator/readme.txt": {status: 200, body: "=== Duplicator ===\nStable tag: 1.3.26\n"}},
			detected: "Duplicator (WordPress plugin) 1.3.26 (/wp-content/plugins/duplicator/readme.txt)", cve: "CVE-2020-11738", kev: true, requests: 2},
		{name: "wordpress plugin asset version", routes: map[string]route{"/": page("wordpress-home.html")},
			detected: "Contact Form 7 (WordPress plugin) 5.3.1", cve: "CVE-2020-35489", requests: 4},
		{name: "drupal core changelog", routes: map[string]route{"/": page("app-home.html", "X-Generator", "Drupal 8 (https://www.drupal.org)"), "/core/CHANGELOG.txt": page("drupal-changelog.txt")},
			detected: "Drupal 8.5.0 (/core/CHANGELOG.txt)", cve: "CVE-2018-7600", kev: true, eol: true, requests: 3},
		{name: "joomla language manifest", routes: map[string]route{"/": {status: 200, body: `<html><head><meta name="generator" content="Joomla! - Open Source Content Management"></head></html>`}, "/language/en-GB/en-GB.xml": page("joomla-en-gb.xml")},
			detected: "Joomla 3.7.0 (/language/en-GB/en-GB.xml)", cve: "CVE-2017-8917", eol: true, requests: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int64
			srv := serve(t, tt.routes, &requests)
			env, rec := scantest.Env(t)
			site := scantest.Site(t, env, srv.URL, "127.0.0.1", false)
			fingerprint.Check(t.Context(), env, site)
			var evidence []string
			for _, f := range rec.Get("tech.detected") {
				evidence = append(evidence, f.Evidence)
			}
			if !slices.ContainsFunc(evidence, func(e string) bool { return strings.Contains(e, tt.detected) }) {
				t.Errorf("want %q detected, got %q", tt.detected, evidence)
			}
			vulns := rec.Get("tech.vulnerable-component")
			switch {
			case tt.none && len(vulns) > 0:
				t.Errorf("matched CVEs: %s", vulns[0].Evidence)
			case tt.cve != "":
				i := slices.IndexFunc(vulns, func(f check.Finding) bool { return slices.Contains(f.CVE, tt.cve) })
				if i < 0 {
					t.Fatalf("%s not matched; findings %v", tt.cve, vulns)
				}
				if kev := strings.Contains(vulns[i].Evidence, "CISA KEV"); kev != tt.kev {
					t.Errorf("KEV %v, want %v: %s", kev, tt.kev, vulns[i].Evidence)
				}
			}
			if got := rec.Has("exposure.admin-panel"); got != tt.panel {
				t.Errorf("admin panel reported %v, want %v (%v)", got, tt.panel, rec.IDs())
			}
			if got := rec.Has("tech.end-of-life"); got != tt.eol {
				t.Errorf("end of life reported %v, want %v", got, tt.eol)
			}
			if n := requests.Load(); n > tt.requests {
				t.Errorf("%d requests, want at most %d", n, tt.requests)
			}
		})
	}
}

// Plain sites, one with a login form of its own and one with a security
// alert that names every product and its paths, show no platform, ask for
// no version file and report no panel.
func TestPlatformsClean(t *testing.T) {
	for _, routes := range []map[string]route{
		{"/": page("app-home.html", "Server", "nginx")},
		{"/": page("security-alert.html", "Server", "nginx")},
		{"/": redirect("/dang-nhap"), "/dang-nhap": {status: 200, body: `<html><title>Đăng nhập một cửa</title><form action="/dang-nhap" method="post"><input name="u"><input type="password" name="p"></form></html>`}},
	} {
		var requests atomic.Int64
		srv := serve(t, routes, &requests)
		env, rec := scantest.Env(t)
		site := scantest.Site(t, env, srv.URL, "127.0.0.1", false)
		before := requests.Load()
		fingerprint.Check(t.Context(), env, site)
		for _, f := range rec.Findings {
			if f.CheckID != "tech.detected" || !strings.HasPrefix(f.Evidence, "nginx") {
				t.Errorf("clean site: %s %s", f.CheckID, f.Evidence)
			}
		}
		if n := requests.Load() - before; n != 0 {
			t.Errorf("clean site: %d requests beyond the start page", n)
		}
	}
}

// With only the exposure checks selected, a platform's login page is still
// a panel, and no version file is asked for.
func TestPlatformPanelWithoutVersions(t *testing.T) {
	var requests atomic.Int64
	srv := serve(t, map[string]route{"/": page("app-home.html", "kbn-name", "kibana"), "/api/status": page("kibana-status.json")}, &requests)
	env, rec := scantest.Env(t)
	env.Checks.Include = []string{"exposure"}
	site := scantest.Site(t, env, srv.URL, "127.0.0.1", false)
	fingerprint.Check(t.Context(), env, site)
	if ids := rec.IDs(); !slices.Equal(ids, []string{"exposure.admin-panel"}) {
		t.Errorf("findings %v, want the panel only", ids)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests, want the start page only", n)
	}
}
