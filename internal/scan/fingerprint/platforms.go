package fingerprint

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// startPage is what the platforms are recognised from: the start page after
// same-site redirects, its path and the headers of both responses.
type startPage struct {
	path   string // lower case
	header http.Header
	body   string
	low    string // body in lower case
}

func (p startPage) has(markers ...string) bool {
	for _, m := range markers {
		if strings.Contains(p.low, m) {
			return true
		}
	}
	return false
}

func (p startPage) under(prefixes ...string) bool {
	for _, pre := range prefixes {
		if strings.HasPrefix(p.path, pre) {
			return true
		}
	}
	return false
}

// platform is an application or appliance that agencies expose and that
// shows itself on its start page: a header, a redirect to its login page,
// a marker in the page.
type platform struct {
	product string
	name    string
	seen    func(p startPage) bool
	// version reads the version from the start page itself (no request)
	// and says where it was seen.
	version func(p startPage) (version, source string)
	// panel describes the login page or console the start page is: reachable
	// from the scanner, it is an exposure.admin-panel.
	panel string
	// parts is how many numbers a full version has when a shorter one is
	// only a release line (Exchange builds: 15.1.2507.16).
	parts int
}

func header(name string, re *regexp.Regexp) func(p startPage) (string, string) {
	return func(p startPage) (string, string) { return first(re, p.header.Get(name)), name + " header" }
}

func inBody(res ...*regexp.Regexp) func(p startPage) (string, string) {
	return func(p startPage) (string, string) {
		for _, re := range res {
			if v := first(re, p.body); v != "" {
				return v, "start page"
			}
		}
		return "", ""
	}
}

// headerOrBody reads the header first, then the page.
func headerOrBody(name string, hre, bre *regexp.Regexp) func(p startPage) (string, string) {
	return func(p startPage) (string, string) {
		if v, src := header(name, hre)(p); v != "" {
			return v, src
		}
		return inBody(bre)(p)
	}
}

// first returns the first submatch of re in s, or "".
func first(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

const reVer = `(\d+\.\d+(?:\.\d+){0,2})`

var (
	reJenkins       = regexp.MustCompile(`^` + reVer + `$`)
	reGrafanaBuild  = regexp.MustCompile(`"buildInfo"\s*:\s*\{[^{}]*?"version"\s*:\s*"` + reVer)
	reKibanaHeader  = regexp.MustCompile(`^` + reVer + `$`)
	reKibanaMeta    = regexp.MustCompile(`kbn-injected-metadata[^>]*?&quot;version&quot;:&quot;` + reVer)
	reConfluenceAJS = regexp.MustCompile(`name="ajs-version-number"\s+content="` + reVer + `"`)
	reConfluenceFtr = regexp.MustCompile(`id=["']footer-build-information["'][^>]*>\s*` + reVer)
	reTomcatTitle   = regexp.MustCompile(`Apache Tomcat/` + reVer)
	rePMAAsset      = regexp.MustCompile(`(?:\.js|\.css|\.php)\?[^"']*?\bv=` + reVer)
	reMiniServ      = regexp.MustCompile(`MiniServ/` + reVer)
	reOWAHeader     = regexp.MustCompile(`^(15\.\d+\.\d+\.\d+)$`)
	reOWAPath       = regexp.MustCompile(`/owa/(?:auth/)?(15\.\d+\.\d+)(?:\.\d+)?/`)
)

// platforms are recognised on the start page; versionFiles says which of
// them can be asked for a file that names their version. Paths count as
// markers only as attribute values (a quote before them): agencies publish
// security alerts that quote these products' paths in their text.
var platforms = []platform{
	{product: "jenkins", name: "Jenkins", panel: "Jenkins",
		seen:    func(p startPage) bool { return p.header.Get("X-Jenkins") != "" || p.header.Get("X-Hudson") != "" },
		version: header("X-Jenkins", reJenkins)},
	{product: "grafana", name: "Grafana", panel: "Grafana login",
		seen:    func(p startPage) bool { return p.has("grafanabootdata", "<title>grafana</title>") },
		version: inBody(reGrafanaBuild)},
	{product: "kibana", name: "Kibana", panel: "Kibana console",
		seen: func(p startPage) bool {
			return p.header.Get("Kbn-Name") != "" || p.header.Get("Kbn-Version") != "" || p.has("kbn-injected-metadata")
		},
		version: headerOrBody("Kbn-Version", reKibanaHeader, reKibanaMeta)},
	{product: "confluence", name: "Atlassian Confluence", panel: "Confluence login",
		seen: func(p startPage) bool {
			return p.header.Get("X-Confluence-Request-Time") != "" || p.has("ajs-version-number", `id="com-atlassian-confluence"`)
		},
		version: inBody(reConfluenceAJS, reConfluenceFtr)},
	{product: "gitlab", name: "GitLab", panel: "GitLab sign-in",
		seen: func(p startPage) bool {
			return cookie(p.header, "_gitlab_session") || p.has(`content="gitlab"`, "gon.gitlab_url")
		}},
	{product: "tomcat", name: "Apache Tomcat",
		seen:    func(p startPage) bool { return p.has("<title>apache tomcat") },
		version: inBody(reTomcatTitle)},
	{product: "phpmyadmin", name: "phpMyAdmin", panel: "phpMyAdmin login",
		seen:    func(p startPage) bool { return p.has("pma_username", "<title>phpmyadmin") },
		version: inBody(rePMAAsset)},
	{product: "webmin", name: "Webmin", panel: "Webmin login",
		seen:    func(p startPage) bool { return strings.HasPrefix(p.header.Get("Server"), "MiniServ") },
		version: header("Server", reMiniServ)},
	{product: "exchange", name: "Microsoft Exchange (OWA)", panel: "Outlook on the web login", parts: 4,
		seen: func(p startPage) bool {
			return p.header.Get("X-OWA-Version") != "" || p.under("/owa/") || p.has(`"/owa/auth/`)
		},
		version: headerOrBody("X-OWA-Version", reOWAHeader, reOWAPath)},
	{product: "vcenter", name: "VMware vCenter Server", panel: "vSphere Client",
		seen: func(p startPage) bool {
			return p.has("vmware vsphere") && p.has(`"/ui/`, `"/vsphere-client/`) && !p.has("vmware esxi")
		}},
	{product: "fortios", name: "Fortinet FortiGate SSL-VPN", panel: "FortiGate SSL-VPN login",
		seen: func(p startPage) bool {
			return p.under("/remote/login") || p.has(`"/remote/logincheck`, `"/remote/fgt_lang`)
		}},
	{product: "netscaler", name: "Citrix NetScaler Gateway", panel: "NetScaler Gateway login",
		seen: func(p startPage) bool {
			return p.under("/vpn/index.html", "/logon/logonpoint/") || p.has(`"/logon/logonpoint/`, `"/vpn/resources/`)
		}},
	{product: "connect-secure", name: "Ivanti (Pulse) Connect Secure", panel: "Connect Secure sign-in",
		seen: func(p startPage) bool { return p.under("/dana-na/") || p.has(`"/dana-na/`) }},
	{product: "globalprotect", name: "Palo Alto GlobalProtect", panel: "GlobalProtect portal login",
		seen: func(p startPage) bool {
			return p.under("/global-protect/") || p.has(`"/global-protect/`)
		}},
	{product: "sophos-firewall", name: "Sophos Firewall", panel: "Sophos Firewall portal login",
		seen: func(p startPage) bool {
			return p.under("/userportal/", "/webconsole/") || p.has("sophos") && p.has(`"/userportal/`, `"/webconsole/`)
		},
		version: inBody(reSophosAsset)},
	{product: "big-ip", name: "F5 BIG-IP", panel: "BIG-IP Configuration Utility login",
		seen: func(p startPage) bool {
			return p.under("/tmui/") || p.has(`"/tmui/`)
		}},
	{product: "moodle", name: "Moodle",
		seen: func(p startPage) bool {
			return cookie(p.header, "moodlesession") || p.has("moodle") && p.has("m.cfg", "/theme/yui_combo.php", "/lib/javascript.php/")
		}},
	{product: "magento", name: "Magento",
		seen: func(p startPage) bool {
			return p.has("mage/cookies", "magento_theme", "/static/frontend/magento/") || p.has("magento") && p.has("/static/version")
		}},
}

func cookie(h http.Header, name string) bool {
	return strings.Contains(strings.ToLower(strings.Join(h.Values("Set-Cookie"), "\n")), name)
}

// versionFile is one file a product names its version in, requested only
// when the start page shows the product but not its version. A path
// without a leading slash is relative to the start page (phpMyAdmin often
// lives in a directory); "" asks for a path that does not exist (Tomcat
// prints its version on its error page).
type versionFile struct {
	path string
	read func(h http.Header, body []byte) string
}

func bodyRe(res ...*regexp.Regexp) func(http.Header, []byte) string {
	return func(_ http.Header, b []byte) string {
		for _, re := range res {
			if m := re.FindSubmatch(b); m != nil {
				return string(m[1])
			}
		}
		return ""
	}
}

// jsonVersion reads a version from a JSON document at the given path of
// object keys ("version", or "version" then "number").
func jsonVersion(keys ...string) func(http.Header, []byte) string {
	return func(_ http.Header, b []byte) string {
		var v any
		if json.Unmarshal(b, &v) != nil {
			return ""
		}
		for _, k := range keys {
			m, ok := v.(map[string]any)
			if !ok {
				return ""
			}
			v = m[k]
		}
		s, _ := v.(string)
		return first(reJenkins, s) // a bare version, nothing else
	}
}

var (
	reDrupalLog   = regexp.MustCompile(`(?m)^Drupal (\d+\.\d+(?:\.\d+)?)`)
	reJoomlaXML   = regexp.MustCompile(`<version>(\d+\.\d+(?:\.\d+)?)</version>`)
	reWPFeed      = regexp.MustCompile(`<generator>https?://wordpress\.org/\?v=(\d+\.\d+(?:\.\d+)?)</generator>`)
	reWPOPML      = regexp.MustCompile(`generator="WordPress/(\d+\.\d+(?:\.\d+)?)"`)
	reGitLabHelp  = regexp.MustCompile(`(?s)GitLab(?:<[^>]*>|\s)*(?:Community|Enterprise) Edition.{0,120}?\b(\d+\.\d+\.\d+)`)
	rePMADoc      = regexp.MustCompile(`phpMyAdmin (\d+\.\d+\.\d+(?:\.\d+)?) documentation`)
	rePMAChangeLg = regexp.MustCompile(`(?m)^(\d+\.\d+\.\d+(?:\.\d+)?) \(\d{4}-\d{2}-\d{2}\)`)
	reVimService  = regexp.MustCompile(`(?s)<name>urn:vim25</name>\s*<version>(\d+\.\d+(?:\.\d+){0,2})</version>`)
	reMoodleUpg   = regexp.MustCompile(`(?m)^=== ?(\d+\.\d+)(?:\.\d+)? ?===`)
	reMagento     = regexp.MustCompile(`^Magento/(\d+\.\d+) \(`)
)

var versionFiles = map[string][]versionFile{
	"joomla": {{"/administrator/manifests/files/joomla.xml", bodyRe(reJoomlaXML)}, {"/language/en-GB/en-GB.xml", bodyRe(reJoomlaXML)}},
	"drupal": {{"/CHANGELOG.txt", bodyRe(reDrupalLog)}, {"/core/CHANGELOG.txt", bodyRe(reDrupalLog)}},
	// wp-includes/version.php runs instead of being read: the feed and the
	// OPML export carry the generator even when the page's tag is removed.
	"wordpress":  {{"/feed/", bodyRe(reWPFeed)}, {"/wp-links-opml.php", bodyRe(reWPOPML)}},
	"grafana":    {{"/api/health", jsonVersion("version")}},
	"kibana":     {{"/api/status", jsonVersion("version", "number")}},
	"confluence": {{"/login.action", bodyRe(reConfluenceAJS, reConfluenceFtr)}},
	// /api/v4/version needs a token; /help names the release only on
	// instances that show it to visitors (older releases, or by setting).
	"gitlab":     {{"/help", bodyRe(reGitLabHelp)}},
	"tomcat":     {{"", bodyRe(reTomcatTitle)}},
	"phpmyadmin": {{"doc/html/index.html", bodyRe(rePMADoc)}, {"ChangeLog", bodyRe(rePMAChangeLg)}},
	"vcenter":    {{"/sdk/vimServiceVersions.xml", bodyRe(reVimService)}},
	"moodle":     {{"/lib/upgrade.txt", bodyRe(reMoodleUpg)}},
	"magento":    {{"/magento_version", bodyRe(reMagento)}},
	// The edge devices (edge.go): a version file, or a static file whose
	// build time a published table maps to a build.
	"connect-secure": {{connectSecurePath, connectSecureRelease}},
	"netscaler":      {{netscalerStampPath, netscalerStamp}},
	"big-ip":         {{bigipLogoPath, bigipBuild}},
}

// branchOnly lists the sources that name a release line, not a release:
// the version is shown as read but compared with CVE ranges as the line's
// newest release, so that only CVEs no release of the line fixed are
// reported. An Exchange build without its security update (15.1.2507) is
// one too, and so is a Connect Secure release without its point release
// (9.1R11 of 9.1R11.4).
var branchOnly = map[string]bool{"/lib/upgrade.txt": true, "/magento_version": true, "/sdk/vimServiceVersions.xml": true, connectSecurePath: true}

// newestOf is the version a bracketed version is matched as.
func newestOf(v string) string { return v + ".99999" }
