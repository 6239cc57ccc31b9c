package content

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// Search-engine identities used to reveal cloaking.
const (
	GooglebotUA  = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	GoogleSearch = "https://www.google.com/search?q="
	// browserUA is sent with the search Referer so that only the Referer differs.
	browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Khien-Scanner/1.0"
)

var (
	reMiner   = regexp.MustCompile(`(?i)coinhive(?:\.min)?\.js|coin-hive\.com|coinhive\.(?:anonymous|user|token)|authedmine\.com|crypto-loot\.com|cryptoloot\.pro|webminepool\.com|jsecoin\.com|coinimp\.com|minero\.cc|webmine\.cz|deepminer|monerominer\.rocks|coinhave\.com|cryptonight\.wasm|wasmminer|new\s+client\.anonymous\(`)
	reDeface  = regexp.MustCompile(`(?i)\b(?:hacked|h[a4]ck[e3]d|owned|defaced|pwned)\s+by\b|bị\s+hack\s+bởi|đã\s+bị\s+hack`)
	reJSRedir = regexp.MustCompile(`(?i)(?:window\.|document\.|top\.)?location(?:\.href)?\s*(?:=|\.replace\(|\.assign\()\s*["']([^"']+)["']`)
)

// shortPage is how much visible text a page may have for a "hacked by"
// phrase in its body to count as defacement; a long article that quotes
// one is news, not a defacement.
const shortPage = 2000

// injectedBlock is how many gambling links on one page reveal an injected block.
const injectedBlock = 3

// Check runs the content checks on site's start page.
func Check(ctx context.Context, env *check.Env, site *check.Site) {
	if !env.Checks.AnyEnabled("content.gambling-injection", "content.cloaking", "content.malicious-redirect", "content.cryptominer", "content.defacement") {
		return
	}
	home := site.Home
	base, err := url.Parse(home.URL)
	if err != nil {
		return
	}
	page := Parse(home.Body)
	a := site.At(home.URL)
	if ev := Gambling(base, page); !ev.IsZero() {
		env.Found("content.gambling-injection", a, "", ev)
	}
	if m := reMiner.FindString(page.Scripts + " " + string(home.Body)); m != "" {
		env.Found("content.cryptominer", a, strings.ToLower(m), check.Evidencef("miner script reference: %s", m))
	}
	if ev := Defacement(page); !ev.IsZero() {
		env.Found("content.defacement", a, "", ev)
	}
	if env.Checks.AnyEnabled("content.cloaking", "content.malicious-redirect") {
		searchEngines(ctx, env, site, base, page)
	}
}

// Gambling returns evidence of injected gambling content: hidden text or
// links with gambling terms, links to other sites with such terms, or a
// block of several gambling links. Visible mentions in text are not enough.
func Gambling(base *url.URL, page Page) check.Text {
	for _, h := range page.Hidden {
		if terms := Terms(h.Text); len(terms) > 0 {
			return check.Evidencef("hidden (%s) text with %s: %q", h.Why, quoteTerms(terms), check.Truncate(h.Text, 80))
		}
	}
	var internal []string
	for _, l := range page.Links {
		terms := Terms(l.Text + " " + l.Href)
		if len(terms) == 0 {
			continue
		}
		host := hostOf(base, l.Href)
		switch {
		case l.Hidden != "":
			return check.Evidencef("hidden (%s) link %q → %s (%s)", l.Hidden, check.Truncate(l.Text, 60), l.Href, quoteTerms(terms))
		case host != "" && host != strings.ToLower(base.Hostname()):
			return check.Evidencef("link %q → %s (%s)", check.Truncate(l.Text, 60), check.Truncate(l.Href, 100), quoteTerms(terms))
		default:
			internal = append(internal, l.Href)
		}
	}
	if len(internal) >= injectedBlock {
		return check.Evidencef("%d links with gambling terms, e.g. %s", len(internal), check.Truncate(internal[0], 100))
	}
	return check.Text{}
}

// Defacement returns evidence of a defacement signature.
func Defacement(page Page) check.Text {
	if m := reDeface.FindString(page.Title); m != "" {
		return check.Evidencef("title %q", check.Truncate(page.Title, 100))
	}
	if len(page.Text) < shortPage {
		if loc := reDeface.FindStringIndex(page.Text); loc != nil {
			return check.Evidencef("page text %q", check.Truncate(page.Text[loc[0]:], 100))
		}
	}
	return check.Text{}
}

func quoteTerms(terms []string) string {
	return `"` + strings.Join(terms[:min(len(terms), 4)], `", "`) + `"`
}

// searchEngines fetches the start page as Googlebot and as a visitor coming
// from a Google search, and compares both with what a browser got.
func searchEngines(ctx context.Context, env *check.Env, site *check.Site, base *url.URL, browser Page) {
	browserOff := offsite(base, site.First)
	visitors := []struct {
		who  string // the finding's subject
		seen check.Text
		hdr  http.Header
	}{
		{"Googlebot", check.Evidencef("Googlebot"), http.Header{"User-Agent": {GooglebotUA}}},
		{"visitors from Google search", check.Evidencef("visitors from Google search"), http.Header{"User-Agent": {browserUA}, "Referer": {GoogleSearch + url.QueryEscape(site.Name)}}},
	}
	for _, v := range visitors {
		p, err := env.Get(ctx, site.Home.URL, v.hdr)
		if err != nil {
			continue
		}
		if dest := offsite(base, p); dest != "" && dest != browserOff {
			env.Found("content.malicious-redirect", site.At(site.Home.URL), v.who, check.Evidencef("%s are redirected to %s; browsers are not", v.seen, dest))
			continue
		}
		if p.Status != http.StatusOK {
			continue
		}
		if ev := cloaked(ctx, env, site, browser, Parse(p.Body)); !ev.IsZero() {
			env.Found("content.cloaking", site.At(site.Home.URL), v.who, check.Evidencef("%s %s", v.seen, ev))
			return
		}
	}
}

// offsite returns where p sends its visitor when that is another site: a
// redirect, a meta refresh, or a script that sets location.
func offsite(base *url.URL, p *check.Page) string {
	var targets []string
	if p.Status >= 300 && p.Status < 400 {
		targets = append(targets, p.Location())
	}
	if p.IsHTML() {
		page := Parse(p.Body)
		if page.Refresh != "" {
			targets = append(targets, page.Refresh)
		}
		for _, m := range reJSRedir.FindAllStringSubmatch(page.Scripts, 3) {
			targets = append(targets, m[1])
		}
	}
	for _, t := range targets {
		if h := hostOf(base, t); h != "" && !check.SameHost(base.String(), "http://"+h+"/") {
			return t
		}
	}
	return ""
}

// cloaked compares the browser's and the search engine's view of a page:
// gambling terms only the search engine sees, or substantially other text
// (confirmed by fetching the browser view again, to rule out pages that
// change on every request).
func cloaked(ctx context.Context, env *check.Env, site *check.Site, browser, bot Page) check.Text {
	seen := Terms(browser.Title + " " + browser.Text)
	var extra []string
	for _, t := range Terms(bot.Title + " " + bot.Text) {
		if !slices.Contains(seen, t) {
			extra = append(extra, t)
		}
	}
	if len(extra) > 0 {
		return check.Evidencef("see gambling content that browsers do not (%s): %q", quoteTerms(extra), check.Truncate(bot.Title+" "+bot.Text, 100))
	}
	if similarity(browser.Text, bot.Text) >= 0.3 || len(strings.Fields(bot.Text)) < 30 {
		return check.Text{}
	}
	again, err := env.Get(ctx, site.Home.URL, nil)
	if err != nil || similarity(browser.Text, Parse(again.Body).Text) < 0.7 {
		return check.Text{}
	}
	return check.Evidencef("see different content (%.0f%% similar): %q", 100*similarity(browser.Text, bot.Text), check.Truncate(bot.Title+" "+bot.Text, 100))
}

// similarity is the Jaccard index of the word sets of two texts.
func similarity(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa) == 0 && len(wb) == 0 {
		return 1
	}
	inter := 0
	for w := range wa {
		if wb[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(wa)+len(wb)-inter)
}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(s)) {
		out[w] = true
	}
	return out
}
