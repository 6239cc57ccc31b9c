package fingerprint

import "regexp"

// wpPlugin is a WordPress plugin with known-exploited or critical CVEs in
// the built-in database. Only these are asked for their readme.txt: a page
// names dozens of plugins, and the budget is one request for each that
// matters.
type wpPlugin struct {
	slug, product, name string
}

var wpPlugins = []wpPlugin{
	{"wp-file-manager", "wp-file-manager", "WP File Manager (WordPress plugin)"},
	{"duplicator", "duplicator", "Duplicator (WordPress plugin)"},
	{"contact-form-7", "contact-form-7", "Contact Form 7 (WordPress plugin)"},
}

var (
	wpPluginBySlug    = map[string]wpPlugin{}
	wpPluginByProduct = map[string]wpPlugin{}
)

func init() {
	for _, p := range wpPlugins {
		wpPluginBySlug[p.slug] = p
		wpPluginByProduct[p.product] = p
	}
}

var (
	// A plugin's own assets are usually stamped with its version
	// (?ver=5.3.1); some plugins stamp a build time instead, which the
	// pattern's dotted form leaves out.
	reWPPlugin = regexp.MustCompile(`(?i)/wp-content/plugins/([a-z0-9_-]+)/(?:[^"'?\s]*\?ver=(\d+\.\d+(?:\.\d+){0,2})\b)?`)
	// "Stable tag" is the release the readme describes, which for the
	// plugins listed is the installed one (the readme ships with it).
	reStableTag = regexp.MustCompile(`(?mi)^\s*Stable tag:\s*(\d+\.\d+(?:\.\d+){0,2})\s*$`)
)
