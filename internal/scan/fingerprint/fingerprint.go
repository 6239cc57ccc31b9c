// Package fingerprint recognises web technologies and their versions from
// headers, cookies and the start page (Khiên's own rules, tuned for the
// CMSs and frameworks of Vietnamese public portals), and reports detected,
// vulnerable and end-of-life components.
package fingerprint

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// Tech is one detected component.
type Tech struct {
	Product string // vulndb product name
	Name    string // display name
	Version string
	Source  string // what revealed it
	// Bracket marks a version that names a release line (Moodle 4.1,
	// Magento 2.4, an Exchange build without its update): it is compared
	// with CVE ranges as the line's newest release.
	Bracket bool
}

var display = map[string]string{
	"apache": "Apache HTTP Server", "nginx": "nginx", "iis": "Microsoft IIS", "php": "PHP", "openssl": "OpenSSL",
	"wordpress": "WordPress", "joomla": "Joomla", "drupal": "Drupal", "dotnetnuke": "DotNetNuke (DNN)", "liferay": "Liferay Portal",
	"sharepoint": "Microsoft SharePoint", "laravel": "Laravel", "asp.net": "ASP.NET", "jquery": "jQuery", "jquery-ui": "jQuery UI",
	"bootstrap": "Bootstrap", "angularjs": "AngularJS", "moment": "Moment.js", "lodash": "Lodash", "tomcat": "Apache Tomcat",
}

func init() {
	for _, p := range platforms {
		display[p.product] = p.name
	}
	for _, p := range wpPlugins {
		display[p.product] = p.name
	}
}

var (
	reProductToken = regexp.MustCompile(`([A-Za-z][A-Za-z-]*)/(\d+(?:\.\d+)*[a-z]?)`)
	reGenerator    = regexp.MustCompile(`(?i)<meta[^>]+name\s*=\s*["']generator["'][^>]*content\s*=\s*["']([^"']+)["']|<meta[^>]+content\s*=\s*["']([^"']+)["'][^>]*name\s*=\s*["']generator["']`)
	reScriptSrc    = regexp.MustCompile(`(?i)<(?:script|link)[^>]+(?:src|href)\s*=\s*["']([^"']+)["']`)
	reLiferay      = regexp.MustCompile(`Liferay[^0-9]*(\d+\.\d+(?:\.\d+)?)`)
	reWPVersion    = regexp.MustCompile(`(?i)WordPress\s+(\d+\.\d+(?:\.\d+)?)`)
	reDrupalGen    = regexp.MustCompile(`(?i)Drupal\s+(\d+(?:\.\d+)*)`)
	// WordPress stamps its core stylesheets and scripts with its own
	// version even when the generator tag is removed (the bundled jQuery
	// and vendor scripts carry theirs).
	reWPCoreCSS = regexp.MustCompile(`(?i)/wp-includes/(?:css/[^"'?]*|js/wp-emoji-release\.min\.js|js/wp-embed\.min\.js)\?ver=(\d+\.\d+(?:\.\d+)?)`)
	// Drupal 8 and later stamp core scripts with the core version when
	// aggregation is off.
	reDrupalCore = regexp.MustCompile(`(?i)/core/misc/[^"'?]+\.js\?v=(\d+\.\d+\.\d+)`)
)

// libraries are JavaScript and CSS libraries recognised by file names such
// as jquery-3.5.1.min.js, /jquery/1.12.4/jquery.min.js or jquery.min.js?ver=3.7.1.
var libraries = []struct {
	product string
	res     []*regexp.Regexp
}{
	{"jquery-ui", []*regexp.Regexp{regexp.MustCompile(`(?i)jquery-ui[.-](\d+\.\d+\.\d+)`), regexp.MustCompile(`(?i)/jqueryui/(\d+\.\d+\.\d+)/`)}},
	{"jquery", []*regexp.Regexp{regexp.MustCompile(`(?i)/jquery[.-](\d+\.\d+(?:\.\d+)?)(?:\.slim)?(?:\.min)?\.js`), regexp.MustCompile(`(?i)/jquery/(\d+\.\d+\.\d+)/jquery`), regexp.MustCompile(`(?i)/jquery(?:\.min)?\.js\?ver=(\d+\.\d+\.\d+)`)}},
	{"bootstrap", []*regexp.Regexp{regexp.MustCompile(`(?i)bootstrap[.-](\d+\.\d+\.\d+)(?:\.min)?\.(?:js|css)`), regexp.MustCompile(`(?i)/bootstrap/(\d+\.\d+\.\d+)/`)}},
	{"angularjs", []*regexp.Regexp{regexp.MustCompile(`(?i)angular[.-](\d+\.\d+\.\d+)(?:\.min)?\.js`), regexp.MustCompile(`(?i)/angularjs/(\d+\.\d+\.\d+)/angular`)}},
	{"moment", []*regexp.Regexp{regexp.MustCompile(`(?i)moment[.-](\d+\.\d+\.\d+)(?:\.min)?\.js`), regexp.MustCompile(`(?i)/moment\.js/(\d+\.\d+\.\d+)/`)}},
	{"lodash", []*regexp.Regexp{regexp.MustCompile(`(?i)lodash[.-](\d+\.\d+\.\d+)(?:\.min)?\.js`), regexp.MustCompile(`(?i)/lodash\.js/(\d+\.\d+\.\d+)/`)}},
}

// Detect recognises technologies from a response. It makes no requests.
func Detect(h http.Header, body []byte) []Tech { return detect("", h, body) }

// detect recognises technologies from the start page reached at path.
func detect(path string, h http.Header, body []byte) []Tech {
	var out []Tech
	add := func(product, version, source string) {
		for i, t := range out {
			if t.Product == product {
				if t.Version == "" && version != "" {
					out[i].Version, out[i].Source = version, source
				}
				return
			}
		}
		out = append(out, Tech{Product: product, Name: display[product], Version: version, Source: source})
	}
	for _, k := range []string{"Server", "X-Powered-By"} {
		v := h.Get(k)
		for _, m := range reProductToken.FindAllStringSubmatch(v, -1) {
			switch strings.ToLower(m[1]) {
			case "apache":
				add("apache", m[2], k+" header")
			case "nginx":
				add("nginx", m[2], k+" header")
			case "microsoft-iis":
				add("iis", m[2], k+" header")
			case "php":
				add("php", m[2], k+" header")
			case "openssl":
				add("openssl", m[2], k+" header")
			}
		}
		low := strings.ToLower(v)
		switch {
		case strings.HasPrefix(low, "apache") && !strings.HasPrefix(low, "apache-coyote"):
			add("apache", "", k+" header")
		case strings.HasPrefix(low, "nginx"):
			add("nginx", "", k+" header")
		case strings.HasPrefix(low, "microsoft-iis"):
			add("iis", "", k+" header")
		case strings.HasPrefix(low, "apache-coyote"):
			add("tomcat", "", k+" header")
		case strings.Contains(low, "asp.net"):
			add("asp.net", "", k+" header")
		}
	}
	if v := h.Get("X-AspNet-Version"); v != "" {
		add("asp.net", v, "X-AspNet-Version header")
	}
	if v := h.Get("Liferay-Portal"); v != "" {
		ver := ""
		if m := reLiferay.FindStringSubmatch(v); m != nil {
			ver = m[1]
		}
		add("liferay", ver, "Liferay-Portal header")
	}
	if v := h.Get("MicrosoftSharePointTeamServices"); v != "" {
		add("sharepoint", strings.TrimSpace(v), "MicrosoftSharePointTeamServices header")
	} else if h.Get("SPRequestGuid") != "" {
		add("sharepoint", "", "SPRequestGuid header")
	}
	if v := h.Get("X-Generator"); strings.Contains(strings.ToLower(v), "drupal") {
		add("drupal", majorOnly(reDrupalGen, v), "X-Generator header")
	}
	if h.Get("X-Drupal-Cache") != "" || h.Get("X-Drupal-Dynamic-Cache") != "" {
		add("drupal", "", "X-Drupal-Cache header")
	}
	cookies := strings.ToLower(strings.Join(h.Values("Set-Cookie"), "\n"))
	switch {
	case strings.Contains(cookies, "laravel_session"):
		add("laravel", "", "laravel_session cookie")
	case strings.Contains(cookies, "asp.net_sessionid"):
		add("asp.net", "", "ASP.NET_SessionId cookie")
	}
	if strings.Contains(cookies, "dnn_ismobile") || strings.Contains(cookies, ".dotnetnuke") {
		add("dotnetnuke", "", "DNN cookie")
	}
	if strings.Contains(cookies, "phpsessid") {
		add("php", "", "PHPSESSID cookie")
	}
	detectHTML(body, add)
	detectPlatforms(startPage{path: strings.ToLower(path), header: h, body: string(body), low: strings.ToLower(string(body))}, add)
	return out
}

func detectPlatforms(p startPage, add func(product, version, source string)) {
	for _, pl := range platforms {
		if !pl.seen(p) {
			continue
		}
		v, src := "", "start page"
		if pl.version != nil {
			if pv, psrc := pl.version(p); pv != "" {
				v, src = pv, psrc
			}
		}
		add(pl.product, v, src)
	}
	for _, m := range reWPPlugin.FindAllStringSubmatch(p.body, -1) {
		if pl, ok := wpPluginBySlug[strings.ToLower(m[1])]; ok {
			add(pl.product, m[2], "/wp-content/plugins/"+m[1]+"/ asset")
		}
	}
}

func detectHTML(body []byte, add func(product, version, source string)) {
	html := string(body)
	for _, m := range reGenerator.FindAllStringSubmatch(html, -1) {
		gen := m[1] + m[2]
		low := strings.ToLower(gen)
		switch {
		case strings.Contains(low, "wordpress"):
			v := ""
			if vm := reWPVersion.FindStringSubmatch(gen); vm != nil {
				v = vm[1]
			}
			add("wordpress", v, "generator meta tag")
		case strings.Contains(low, "joomla"):
			add("joomla", "", "generator meta tag")
		case strings.Contains(low, "drupal"):
			add("drupal", majorOnly(reDrupalGen, gen), "generator meta tag")
		case strings.Contains(low, "dotnetnuke") || strings.Contains(low, "dnn"):
			add("dotnetnuke", "", "generator meta tag")
		case strings.Contains(low, "sharepoint"):
			add("sharepoint", "", "generator meta tag")
		case strings.Contains(low, "liferay"):
			add("liferay", "", "generator meta tag")
		}
	}
	low := strings.ToLower(html)
	markers := []struct{ product, marker string }{
		{"wordpress", "/wp-content/"}, {"wordpress", "/wp-includes/"},
		{"joomla", "/media/jui/"}, {"joomla", "/media/system/js/"}, {"joomla", "joomla!"},
		{"drupal", "drupal.settings"}, {"drupal", "/sites/default/files/"}, {"drupal", "data-drupal-"},
		{"dotnetnuke", "/desktopmodules/"}, {"dotnetnuke", "dnn_"},
		{"liferay", "liferay.themedisplay"}, {"liferay", "/o/frontend-js-web/"},
		{"sharepoint", "_layouts/15/"}, {"sharepoint", "_spbodyonloadfunctionnames"},
		{"asp.net", "__viewstate"},
	}
	for _, m := range markers {
		if strings.Contains(low, m.marker) {
			add(m.product, "", "page content ("+m.marker+")")
		}
	}
	for _, src := range reScriptSrc.FindAllStringSubmatch(html, -1) {
		if m := reWPCoreCSS.FindStringSubmatch(src[1]); m != nil {
			add("wordpress", m[1], src[1])
		}
		if m := reDrupalCore.FindStringSubmatch(src[1]); m != nil {
			add("drupal", m[1], src[1])
		}
		for _, lib := range libraries {
			for _, re := range lib.res {
				if v := re.FindStringSubmatch(src[1]); v != nil {
					add(lib.product, v[1], src[1])
				}
			}
		}
	}
}

// majorOnly keeps a Drupal version from a generator string, which names
// only the major version; it is good for end-of-life, not for CVE ranges.
func majorOnly(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// precise reports whether a version is specific enough to compare with CVE
// ranges: "7" would fall below every "7.x" bound.
func precise(v string) bool { return strings.Count(v, ".") >= 1 }

// Check detects technologies on site and reports them. Beyond the start
// page it asks only products it has recognised, for at most two files each
// (versionFiles, readme.txt of a known WordPress plugin), and only when the
// start page did not name the version.
func Check(ctx context.Context, env *check.Env, site *check.Site) {
	if !env.Checks.AnyEnabled("tech.detected", "tech.vulnerable-component", "tech.end-of-life", "exposure.admin-panel") {
		return
	}
	h := site.Home.Header.Clone()
	for k, v := range site.First.Header {
		if h.Get(k) == "" {
			h[k] = v
		}
	}
	homePath := "/"
	if u, err := url.Parse(site.Home.URL); err == nil && u.Path != "" {
		homePath = u.Path
	}
	techs := detect(homePath, h, site.Home.Body)
	distrustCoreStamp(techs)
	// The panels need no version: an exposure-only scan asks no files.
	versions := env.Checks.AnyEnabled("tech.detected", "tech.vulnerable-component", "tech.end-of-life")
	for i := range techs {
		if versions && !precise(techs[i].Version) {
			readVersion(ctx, env, site, &techs[i])
		}
		techs[i].Bracket = techs[i].Bracket || bracketed(techs[i])
	}
	slices.SortFunc(techs, func(a, b Tech) int { return strings.Compare(a.Product, b.Product) })
	for _, t := range techs {
		a := site.Asset
		ev := check.Evidencef("%s (%s)", strings.TrimSpace(t.Name+" "+t.Version), t.Source)
		if t.Bracket {
			ev = check.Evidencef("%s; release line only, matched as its newest release", ev)
		}
		if datedBuilds[t.Source] {
			ev = check.Evidencef("%s; build read from the file's build time in a published build table", ev)
		}
		if t.Version == "" && isPlatform(t.Product) {
			ev = check.Evidencef("%s; version not shown to visitors", ev)
		}
		env.Found("tech.detected", a, t.Product, ev)
		if precise(t.Version) {
			v := t.Version
			if t.Bracket {
				v = newestOf(v)
			}
			if form, ok := matchForms[t.Product]; ok {
				v = form(v)
			}
			env.VulnerableAs("tech.vulnerable-component", a, t.Product, t.Version, v)
		}
		EndOfLife(env, a, t.Product, t.Version)
	}
	reportPanels(env, site, homePath, techs)
}

// distrustCoreStamp forgets a plugin version equal to WordPress's own:
// WordPress stamps the assets of plugins that give no version with its own,
// so the plugin's readme.txt is asked instead.
func distrustCoreStamp(techs []Tech) {
	i := slices.IndexFunc(techs, func(t Tech) bool { return t.Product == "wordpress" })
	if i < 0 || techs[i].Version == "" {
		return
	}
	for j, t := range techs {
		if _, ok := wpPluginByProduct[t.Product]; ok && t.Version == techs[i].Version {
			techs[j].Version, techs[j].Source = "", "/wp-content/plugins/ asset"
		}
	}
}

// readVersion asks the product's version files, in order, until one names
// the version.
func readVersion(ctx context.Context, env *check.Env, site *check.Site, t *Tech) {
	files := versionFiles[t.Product]
	if pl, ok := wpPluginByProduct[t.Product]; ok {
		files = []versionFile{{"/wp-content/plugins/" + pl.slug + "/readme.txt", bodyRe(reStableTag)}}
	}
	for _, f := range files {
		if ctx.Err() != nil {
			return
		}
		target := site.Origin + f.path
		switch {
		case f.path == "":
			target = site.Origin + "/khien-" + check.RandomToken()
		case !strings.HasPrefix(f.path, "/"):
			target = resolve(site.Home.URL, f.path)
		}
		p, err := env.Get(ctx, target, versionRequestHeaders[f.path])
		if err != nil {
			continue
		}
		// Error pages are the point of the not-found request.
		if p.Status != http.StatusOK && f.path != "" {
			continue
		}
		if v := f.read(p.Header, p.Body); v != "" {
			t.Version, t.Source = v, f.path
			if f.path == "" {
				t.Source = "error page"
			}
			t.Bracket = branchOnly[f.path]
			return
		}
	}
}

func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return base
	}
	r, err := b.Parse(ref)
	if err != nil {
		return base
	}
	return r.String()
}

func isPlatform(product string) bool {
	return slices.ContainsFunc(platforms, func(p platform) bool { return p.product == product })
}

// bracketed reports a version shorter than the product's full versions.
func bracketed(t Tech) bool {
	for _, p := range platforms {
		if p.product == t.Product && p.parts > 0 && t.Version != "" {
			return strings.Count(t.Version, ".")+1 < p.parts
		}
	}
	return false
}

// reportPanels reports the login pages and consoles the start page is.
// WordPress, Joomla, Drupal, DNN, Liferay and the Tomcat manager have
// login paths of their own, which the exposure checks probe.
func reportPanels(env *check.Env, site *check.Site, homePath string, techs []Tech) {
	for _, p := range platforms {
		if p.panel == "" || !slices.ContainsFunc(techs, func(t Tech) bool { return t.Product == p.product }) {
			continue
		}
		env.Found("exposure.admin-panel", site.At(homePath), homePath, check.Evidencef("%s: %s reachable", homePath, p.panel))
	}
}
