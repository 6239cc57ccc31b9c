package content

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/scan/check"
)

const (
	// renderTime bounds Chromium's whole work on one page, start included.
	renderTime = 30 * time.Second
	// settleScript lets the page's timers run after the load event.
	settleScript = `new Promise(r => setTimeout(r, 500))`
)

var noChromium sync.Once

// chromiumPath returns the installed Chromium ("" when there is none).
func chromiumPath() string {
	if p := os.Getenv("KHIEN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// rendering is what Chromium showed one visitor.
type rendering struct {
	page Page
	// navigations are the documents the page tried to navigate to: the
	// browser is kept on the page and told to stay.
	navigations []string
}

// render shows the start page to each visitor in headless Chromium, with
// the network replaced by what the scan fetched (the page, and same-site
// scripts through the scan's limits; everything else fails), and reports
// what only the browser saw.
func render(ctx context.Context, r *report, site *check.Site, base *url.URL, js *scripts, who []Visitor) {
	path := chromiumPath()
	if path == "" {
		noChromium.Do(func() {
			r.env.Log.Info("content: Chromium is not installed; the rendered-page comparison of the thorough profile is skipped")
		})
		return
	}
	shown, err := renderAll(ctx, path, site.Home, js, who)
	if err != nil {
		r.env.Log.Debug("content: rendering failed", "url", site.Home.URL, "err", err)
		return
	}
	if ev := Gambling(base, shown[0].page); !ev.IsZero() {
		r.found("content.gambling-injection", "", check.Evidencef("seen only when the page is rendered in Chromium: %s", ev))
	}
	normal := firstOffsite(base, shown[0].navigations)
	if normal != "" && len(Terms(normal)) > 0 {
		r.found("content.malicious-redirect", who[0].Who, check.Evidencef("%s are sent to %s (seen when rendered in Chromium)", who[0].Seen, check.Truncate(normal, 100)))
	}
	seen := Terms(shown[0].page.Title + " " + shown[0].page.Text + " " + linkText(shown[0].page))
	for i, v := range who[1:] {
		got := shown[i+1]
		if dest := firstOffsite(base, got.navigations); dest != "" && dest != normal {
			r.found("content.malicious-redirect", v.Who, check.Evidencef("%s are sent to %s, other visitors are not (seen when rendered in Chromium)", v.Seen, check.Truncate(dest, 100)))
			continue
		}
		var extra []string
		for _, t := range Terms(got.page.Title + " " + got.page.Text + " " + linkText(got.page)) {
			if !slices.Contains(seen, t) {
				extra = append(extra, t)
			}
		}
		if len(extra) > 0 && !r.has("content.cloaking") {
			r.found("content.cloaking", v.Who, check.Evidencef("%s see gambling content that other visitors do not (%s), seen when rendered in Chromium: %q", v.Seen, quoteTerms(extra), check.Truncate(got.page.Title+" "+got.page.Text, 100)))
		}
	}
}

func linkText(p Page) string {
	var b strings.Builder
	for _, l := range p.Links {
		b.WriteString(l.Text + " " + l.Href + " ")
	}
	for _, h := range p.Hidden {
		b.WriteString(h.Text + " ")
	}
	return b.String()
}

func firstOffsite(base *url.URL, targets []string) string {
	for _, t := range targets {
		if isOffsite(base, t) {
			return t
		}
	}
	return ""
}

// renderAll starts Chromium once and renders home for each visitor in a
// tab of its own.
func renderAll(ctx context.Context, path string, home *check.Page, js *scripts, who []Visitor) ([]rendering, error) {
	ctx, cancel := context.WithTimeout(ctx, renderTime)
	defer cancel()
	dir, err := os.MkdirTemp("", "khien-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1366, 768),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	var out []rendering
	for _, v := range who {
		rd, err := renderAs(browser, home, js, v)
		if err != nil {
			return nil, fmt.Errorf("render as %s: %w", v.Who, err)
		}
		out = append(out, rd)
	}
	return out, nil
}

// renderAs renders home in a new tab as v. Every request of the page is
// answered here: the page itself from home, same-site scripts through
// js (the scan's limits, as are the same-site data its scripts fetch),
// navigations of the main frame with 204 (the
// browser stays and the target is noted), everything else fails.
func renderAs(browser context.Context, home *check.Page, js *scripts, v Visitor) (rendering, error) {
	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	var rd rendering
	var mu sync.Mutex
	paused := chromedp.Events(tab, fetch.RequestPaused)
	err := chromedp.Do(tab, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		go answer(ctx, t, paused, home, js, func(nav string) {
			mu.Lock()
			defer mu.Unlock()
			rd.navigations = append(rd.navigations, nav)
		})
		if _, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: v.UserAgent, AcceptLanguage: "vi-VN,vi"}); err != nil {
			return err
		}
		// The Referer a search engine sends is what scripts read as
		// document.referrer.
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: fmt.Sprintf("Object.defineProperty(Document.prototype, 'referrer', {get: () => %q});", v.Referrer),
		})
		return err
	}), chromedp.Navigate(home.URL))
	if err != nil {
		return rd, err
	}
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](settleScript, chromedp.EvalAwaitPromise)); err != nil {
		return rd, err
	}
	html, err := chromedp.Run(tab, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	if err != nil {
		return rd, err
	}
	mu.Lock()
	defer mu.Unlock()
	rd.page = Parse([]byte(html))
	return rd, nil
}

// answer answers the paused requests of a tab until it closes.
func answer(ctx context.Context, t *chromedp.Target, paused iter.Seq2[fetch.EventRequestPaused, error], home *check.Page, js *scripts, navigated func(string)) {
	mainFrame := cdp.FrameID("")
	for ev, err := range paused {
		if err != nil {
			return
		}
		u, _, _ := strings.Cut(ev.Request.URL, "#")
		switch {
		case ev.ResourceType == network.ResourceTypeDocument && u == home.URL && mainFrame == "":
			mainFrame = ev.FrameID
			ct := home.Header.Get("Content-Type")
			if ct == "" {
				ct = "text/html; charset=utf-8"
			}
			fulfil(ctx, t, ev.RequestID, http.StatusOK, ct, home.Body)
		case ev.ResourceType == network.ResourceTypeDocument && ev.FrameID == mainFrame:
			navigated(u)
			fulfil(ctx, t, ev.RequestID, http.StatusNoContent, "", nil)
		case ev.ResourceType == network.ResourceTypeScript || ev.ResourceType == network.ResourceTypeFetch || ev.ResourceType == network.ResourceTypeXHR:
			if s, ok := js.load(ctx, u); ok {
				fulfil(ctx, t, ev.RequestID, http.StatusOK, s.ContentType, []byte(s.Code))
				continue
			}
			fail(ctx, t, ev.RequestID)
		default:
			fail(ctx, t, ev.RequestID)
		}
	}
}

func fulfil(ctx context.Context, t *chromedp.Target, id fetch.RequestID, status int64, contentType string, body []byte) {
	var hdr []*fetch.HeaderEntry
	if contentType != "" {
		hdr = append(hdr, &fetch.HeaderEntry{Name: "Content-Type", Value: contentType})
	}
	_, _ = cdp.Call(ctx, t, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: status, ResponseHeaders: hdr, Body: body})
}

func fail(ctx context.Context, t *chromedp.Target, id fetch.RequestID) {
	_, _ = cdp.Call(ctx, t, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonBlockedByClient})
}
