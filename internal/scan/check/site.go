package check

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Site is one web origin of a host, with its start page fetched once and
// shared by the web check families to save requests.
type Site struct {
	Asset  Asset  // Asset.URL is the start page
	Origin string // scheme://host[:port], no trailing slash
	Name   string // host name (or address) the site is reached by
	HTTPS  bool
	First  *Page // the first response to the start page, before redirects
	Home   *Page // the start page after same-site redirects (nil when unreachable)
}

// maxHops bounds redirect chains followed within one site.
const maxHops = 4

// Follow fetches url and follows redirects while they stay on the same host
// (any scheme or port), returning the first and the last response.
func (e *Env) Follow(ctx context.Context, rawURL string, hdr http.Header) (first, last *Page, err error) {
	cur := rawURL
	for hop := 0; ; hop++ {
		p, err := e.Get(ctx, cur, hdr)
		if err != nil {
			if first != nil {
				return first, last, nil
			}
			return nil, nil, err
		}
		if first == nil {
			first = p
		}
		last = p
		loc := p.Location()
		if p.Status < 300 || p.Status > 399 || loc == "" || hop >= maxHops || !SameHost(rawURL, loc) {
			return first, last, nil
		}
		cur = loc
	}
}

// SameHost reports whether two URLs name the same host, ignoring scheme,
// port and a leading "www.".
func SameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.TrimPrefix(strings.ToLower(ua.Hostname()), "www.") == strings.TrimPrefix(strings.ToLower(ub.Hostname()), "www.")
}

// At returns the site's asset with URL set to the given path or URL.
func (s *Site) At(pathOrURL string) Asset {
	a := s.Asset
	if strings.HasPrefix(pathOrURL, "/") {
		a.URL = s.Origin + pathOrURL
	} else if pathOrURL != "" {
		a.URL = pathOrURL
	}
	return a
}
