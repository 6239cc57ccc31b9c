package content

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/khien/khien/internal/scan/check"
)

// Same-site external scripts fetched per site, through the scanner's
// limits: a few requests of the host's budget.
const maxFetched = 4

// visitors are the identities a page's scripts are run as, and its start
// page fetched as: an ordinary browser first, then the two that
// compromised sites treat differently.
func visitors(siteName string) []Visitor {
	return []Visitor{
		{Who: "visitors", Seen: check.Evidencef("visitors"), UserAgent: browserUA},
		{Who: "Googlebot", Seen: check.Evidencef("Googlebot"), UserAgent: GooglebotUA},
		{Who: "visitors from Google search", Seen: check.Evidencef("visitors from Google search"), UserAgent: browserUA, Referrer: GoogleSearch + url.QueryEscape(siteName)},
	}
}

// header is what the visitor's browser sends.
func (v Visitor) header() http.Header {
	h := http.Header{"User-Agent": {v.UserAgent}}
	if v.Referrer != "" {
		h.Set("Referer", v.Referrer)
	}
	return h
}

// scripts runs the scripts of a site's pages, fetching same-site external
// scripts once each.
type scripts struct {
	mu      sync.Mutex // Chromium's requests are answered on another goroutine
	env     *check.Env
	base    *url.URL
	cache   map[string]*Script // by absolute URL; nil when not fetched
	fetched int
}

func newScripts(env *check.Env, base *url.URL) *scripts {
	return &scripts{env: env, base: base, cache: map[string]*Script{}}
}

// load fetches a same-site script (same host, http or https) within the
// caps; scripts of other sites are never fetched. Chromium fetches the
// same-site data its scripts ask for through it too.
func (s *scripts) load(ctx context.Context, src string) (Script, bool) {
	u, err := s.base.Parse(strings.TrimSpace(src))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !check.SameHost(s.base.String(), u.String()) {
		return Script{}, false
	}
	u.Fragment = ""
	key := u.String()
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc, seen := s.cache[key]; seen {
		return deref(sc)
	}
	s.cache[key] = nil
	if s.fetched >= maxFetched || s.env == nil {
		return Script{}, false
	}
	s.fetched++
	p, err := s.env.Get(ctx, key, nil)
	if err != nil || p.Status != http.StatusOK || len(p.Body) > maxScriptSize {
		return Script{}, false
	}
	sc := &Script{Name: "same-site script " + key, Code: string(p.Body), ContentType: p.Header.Get("Content-Type")}
	s.cache[key] = sc
	return *sc, true
}

func deref(s *Script) (Script, bool) {
	if s == nil {
		return Script{}, false
	}
	return *s, true
}

// run runs a page's scripts in order as v.
func (s *scripts) run(ctx context.Context, pageURL string, page Page, v Visitor) Run {
	var list []Script
	inline := 0
	for _, t := range page.ScriptTags {
		if !t.IsJavaScript() {
			continue
		}
		if t.Src == "" {
			inline++
			list = append(list, Script{Name: fmt.Sprintf("inline script %d", inline), Code: t.Code})
			continue
		}
		if sc, ok := s.load(ctx, t.Src); ok {
			list = append(list, sc)
		}
	}
	if len(list) == 0 {
		return Run{}
	}
	return Emulate(ctx, PageInfo{URL: pageURL, Title: page.Title, Elements: page.Elements}, v, list, s.load)
}

// written is markup a script wrote, parsed as part of the page.
type written struct {
	Effect
	Page Page
}

// view is what one visitor's browser would have shown beyond the static
// page: the markup scripts wrote and where they sent the visitor.
type view struct {
	run       Run
	written   []written
	redirects []Effect
}

// newView parses what a run wrote, with the hidden classes of the page's
// own style rules (pageBody); a meta refresh written by a script is a
// redirect too.
func newView(r Run, pageBody []byte) view {
	v := view{run: r}
	pageHidden := hiddenSelectors(pageBody)
	for _, ef := range r.Effects {
		if ef.Kind == "redirect" {
			v.redirects = append(v.redirects, ef)
			continue
		}
		sel := hiddenSelectors([]byte(ef.Value))
		for k, why := range pageHidden {
			sel[k] = why
		}
		p := parse([]byte(ef.Value), sel)
		v.written = append(v.written, written{Effect: ef, Page: p})
		if p.Refresh != "" {
			r := ef
			r.Kind, r.Value, r.How = "redirect", p.Refresh, ef.How+" of a meta refresh"
			v.redirects = append(v.redirects, r)
		}
	}
	return v
}

// gambling returns evidence of gambling content that scripts wrote: one
// write, or all of them together as one block.
func (v view) gambling(base *url.URL) check.Text {
	var all Page
	for _, w := range v.written {
		if ev := Gambling(base, w.Page); !ev.IsZero() {
			return check.Evidencef("written by %s: %s", w.Origin(), ev)
		}
		all.Hidden = append(all.Hidden, w.Page.Hidden...)
		all.Links = append(all.Links, w.Page.Links...)
	}
	if ev := Gambling(base, all); !ev.IsZero() {
		return check.Evidencef("written by %s: %s", v.written[0].Origin(), ev)
	}
	return check.Text{}
}

// terms are the gambling terms of one piece of written markup.
func (w written) terms() []string {
	var s strings.Builder
	s.WriteString(w.Page.Title + " " + w.Page.Text)
	for _, h := range w.Page.Hidden {
		s.WriteString(" " + h.Text)
	}
	for _, l := range w.Page.Links {
		s.WriteString(" " + l.Text + " " + l.Href)
	}
	return Terms(s.String())
}

// excerpt is what evidence quotes of written markup: its text, or the
// markup when it has none.
func (w written) excerpt() string {
	if t := strings.TrimSpace(w.Page.Title + " " + w.Page.Text); t != "" {
		return t
	}
	return w.Value
}

// markup is everything scripts wrote and loaded, for the miner signatures.
func (v view) markup() string {
	var b strings.Builder
	for _, w := range v.written {
		b.WriteString(w.Value + " " + w.Page.Scripts + " ")
	}
	return b.String() + strings.Join(v.run.Loaded, " ")
}

// offsiteRedirect returns the first redirect to another site.
func (v view) offsiteRedirect(base *url.URL) (Effect, bool) {
	for _, r := range v.redirects {
		if isOffsite(base, r.Value) {
			return r, true
		}
	}
	return Effect{}, false
}

// suspicious reports whether an off-site redirect that every visitor gets
// still looks malicious: hidden by a decoder or escapes, or naming gambling.
// A site that has moved says so in plain text.
func suspicious(r Effect) bool {
	return (r.Decoding != "" && r.Decoding != "string concatenation") || len(Terms(r.Value)) > 0
}

func isOffsite(base *url.URL, target string) bool {
	h := hostOf(base, target)
	return h != "" && !check.SameHost(base.String(), "http://"+h+"/")
}

// defacement returns evidence of a defacement signature in the page or in
// what scripts wrote into it (counting the page's text for its length).
func (v view) defacement(page Page) check.Text {
	if ev := Defacement(page); !ev.IsZero() {
		return ev
	}
	for _, w := range v.written {
		if ev := Defacement(Page{Title: w.Page.Title, Text: page.Text + " " + w.Page.Text}); !ev.IsZero() {
			return check.Evidencef("written by %s: %s", w.Origin(), ev)
		}
	}
	return check.Text{}
}
