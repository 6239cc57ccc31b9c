package content

import (
	"bytes"
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
	reMiner  = regexp.MustCompile(`(?i)coinhive(?:\.min)?\.js|coin-hive\.com|coinhive\.(?:anonymous|user|token)|authedmine\.com|crypto-loot\.com|cryptoloot\.pro|webminepool\.com|jsecoin\.com|coinimp\.com|minero\.cc|webmine\.cz|deepminer|monerominer\.rocks|coinhave\.com|cryptonight\.wasm|wasmminer|new\s+client\.anonymous\(`)
	reDeface = regexp.MustCompile(`(?i)\b(?:hacked|h[a4]ck[e3]d|owned|defaced|pwned)\s+by\b|bị\s+hack\s+bởi|đã\s+bị\s+hack`)
)

// shortPage is how much visible text a page may have for a "hacked by"
// phrase in its body to count as defacement; a long article that quotes
// one is news, not a defacement.
const shortPage = 2000

// injectedBlock is how many gambling links on one page reveal an injected
// block, counting only keyword anchors (at most keywordAnchor words): a
// news headline about a betting ring is a sentence, spam is a keyword.
const (
	injectedBlock = 3
	keywordAnchor = 6
)

// Check runs the content checks on site's start page: on its markup, on
// what its scripts write when run as an ordinary visitor and as a search
// engine's, and in the thorough profile on what Chromium renders.
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
	r := &report{env: env, asset: site.At(home.URL), seen: map[string]bool{}}
	js := newScripts(env, base)
	who := visitors(site.Name)
	views := make([]view, len(who))
	for i, v := range who {
		views[i] = newView(js.run(ctx, home.URL, page, v), home.Body)
		if run := views[i].run; run.Stopped != "" || len(run.Errors) > 0 {
			env.Log.Debug("content: page scripts did not all finish", "url", home.URL, "visitor", v.Who, "stopped", run.Stopped, "errors", run.Errors)
		}
	}
	browser := views[0]
	gambling := Gambling(base, page)
	if gambling.IsZero() {
		gambling = browser.gambling(base)
	}
	if !gambling.IsZero() {
		r.found("content.gambling-injection", "", gambling)
	}
	if m := reMiner.FindString(page.Scripts + " " + string(home.Body) + " " + browser.markup()); m != "" {
		r.found("content.cryptominer", strings.ToLower(m), check.Evidencef("miner script reference: %s", m))
	}
	if ev := browser.defacement(page); !ev.IsZero() {
		r.found("content.defacement", "", ev)
	}
	if env.Checks.AnyEnabled("content.cloaking", "content.malicious-redirect") {
		searchEngines(ctx, r, site, base, page, js, who, views)
	}
	if env.Checks.Thorough {
		render(ctx, r, site, base, js, who)
	}
}

// report emits a page's findings, once per check and subject.
type report struct {
	env   *check.Env
	asset check.Asset
	seen  map[string]bool
}

func (r *report) found(id, subject string, evidence check.Text) {
	if r.seen[id+"\x00"+subject] {
		return
	}
	r.seen[id+"\x00"+subject] = true
	r.seen[id] = true
	r.env.Found(id, r.asset, subject, evidence)
}

// has reports whether check id has fired on the page, for any subject.
func (r *report) has(id string) bool { return r.seen[id] }

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
		case len(strings.Fields(l.Text)) <= keywordAnchor:
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

// searchEngines compares what the start page does for search-engine
// visitors with what it does for others: first what its scripts do for
// them, then what the server sends them (fetching the page once as
// Googlebot and once with a Google-search Referer).
func searchEngines(ctx context.Context, r *report, site *check.Site, base *url.URL, browser Page, js *scripts, who []Visitor, views []view) {
	normal := views[0]
	normalDest, redirected := normal.offsiteRedirect(base)
	if redirected && suspicious(normalDest) {
		r.found("content.malicious-redirect", who[0].Who, check.Evidencef("%s are sent to %s by %s", who[0].Seen, check.Truncate(normalDest.Value, 100), normalDest.Origin()))
	}
	browserOff := offsite(base, site.First, view{})
	for i, v := range who[1:] {
		scripted := views[i+1]
		if dest, ok := scripted.offsiteRedirect(base); ok && (!redirected || dest.Value != normalDest.Value) {
			r.found("content.malicious-redirect", v.Who, check.Evidencef("%s are sent to %s by %s; other visitors are not", v.Seen, check.Truncate(dest.Value, 100), dest.Origin()))
			continue
		}
		if ev := scriptCloaked(browser, normal, scripted); !ev.IsZero() && !r.has("content.cloaking") {
			r.found("content.cloaking", v.Who, check.Evidencef("%s %s", v.Seen, ev))
			continue
		}
		p, err := r.env.Get(ctx, site.Home.URL, v.header())
		if err != nil || (p.Status == site.Home.Status && bytes.Equal(p.Body, site.Home.Body)) {
			continue
		}
		var served Page
		var servedView view
		if p.IsHTML() {
			served = Parse(p.Body)
			servedView = newView(js.run(ctx, p.URL, served, v), p.Body)
		}
		if dest := offsite(base, p, servedView); dest != "" && dest != browserOff && (!redirected || dest != normalDest.Value) {
			r.found("content.malicious-redirect", v.Who, check.Evidencef("%s are redirected to %s; browsers are not", v.Seen, dest))
			continue
		}
		if p.Status != http.StatusOK || r.has("content.cloaking") {
			continue
		}
		if ev := cloaked(ctx, r.env, site, browser, served); !ev.IsZero() {
			r.found("content.cloaking", v.Who, check.Evidencef("%s %s", v.Seen, ev))
		}
	}
}

// offsite returns where p sends its visitor when that is another site: a
// redirect, a meta refresh, or what its scripts did (v).
func offsite(base *url.URL, p *check.Page, v view) string {
	var targets []string
	if p.Status >= 300 && p.Status < 400 {
		targets = append(targets, p.Location())
	}
	if p.IsHTML() {
		if r := Parse(p.Body).Refresh; r != "" {
			targets = append(targets, r)
		}
	}
	for _, r := range v.redirects {
		targets = append(targets, r.Value)
	}
	for _, t := range targets {
		if isOffsite(base, t) {
			return t
		}
	}
	return ""
}

// scriptCloaked returns evidence of gambling content that the page's
// scripts write for a search-engine visitor (bot) and for no one else.
func scriptCloaked(page Page, normal, bot view) check.Text {
	seen := Terms(page.Title + " " + page.Text)
	for _, w := range normal.written {
		seen = append(seen, w.terms()...)
	}
	for _, w := range bot.written {
		var extra []string
		for _, t := range w.terms() {
			if !slices.Contains(seen, t) {
				extra = append(extra, t)
			}
		}
		if len(extra) > 0 {
			return check.Evidencef("get gambling content that other visitors do not (%s), written by %s: %q", quoteTerms(extra), w.Origin(), check.Truncate(w.excerpt(), 100))
		}
	}
	return check.Text{}
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
