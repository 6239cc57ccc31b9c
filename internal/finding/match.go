package finding

import (
	"cmp"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// Target is a registered asset of a system: what an observed host is
// matched against.
type Target struct {
	AssetID  int64
	SystemID int64
	OrgID    int64
	Level    int
	Kind     string // the inventory's asset kinds: domain, url, ip, cidr, server, device
	Value    string // normalised as the inventory stores it
	Hostname string // servers
	IPs      []string
}

// Match is the system a finding belongs to; the zero Match is unassigned.
type Match struct {
	AssetID, SystemID, OrgID int64
	Level                    int
}

// How specific a match is: a URL prefix beats the exact name or address,
// which beats a server's listed address, a range and, last, a parent domain.
const (
	bySubdomain = iota + 1
	byRange
	byServer
	byExact
	byURL
)

// Index finds the registered asset of a host, IP or URL.
type Index struct {
	names  map[string][]scored // domain, server and device names, URL hosts
	ips    map[netip.Addr][]scored
	ranges []rangeTarget
	urls   []urlTarget
}

type scored struct {
	t     Target
	score int
}

type rangeTarget struct {
	prefix netip.Prefix
	t      Target
}

type urlTarget struct {
	prefix string // "https://host/path" without a trailing slash
	t      Target
}

// NewIndex indexes the targets.
func NewIndex(targets []Target) *Index {
	x := &Index{names: map[string][]scored{}, ips: map[netip.Addr][]scored{}}
	addIP := func(s string, t Target, score int) {
		if a, err := netip.ParseAddr(s); err == nil {
			x.ips[a.Unmap()] = append(x.ips[a.Unmap()], scored{t, score})
		}
	}
	for _, t := range targets {
		switch t.Kind {
		case "domain":
			x.names[t.Value] = append(x.names[t.Value], scored{t, byExact})
		case "ip":
			addIP(t.Value, t, byExact)
		case "cidr":
			if p, err := netip.ParsePrefix(t.Value); err == nil {
				x.ranges = append(x.ranges, rangeTarget{p.Masked(), t})
			}
		case "url":
			if u, err := url.Parse(t.Value); err == nil && u.Host != "" {
				x.urls = append(x.urls, urlTarget{strings.TrimSuffix(u.Scheme+"://"+u.Host+u.Path, "/"), t})
				x.names[u.Hostname()] = append(x.names[u.Hostname()], scored{t, byServer})
			}
		case "server", "device":
			x.names[t.Value] = append(x.names[t.Value], scored{t, byExact})
			if t.Hostname != "" && t.Hostname != t.Value {
				x.names[strings.ToLower(t.Hostname)] = append(x.names[strings.ToLower(t.Hostname)], scored{t, byExact})
			}
		}
		for _, ip := range t.IPs {
			addIP(ip, t, byServer)
		}
	}
	// Most specific range first.
	slices.SortStableFunc(x.ranges, func(a, b rangeTarget) int { return cmp.Compare(b.prefix.Bits(), a.prefix.Bits()) })
	return x
}

// Find returns the best match for a finding seen on host, ip and rawURL.
// Among equally specific matches the lowest system id wins, so the result
// does not depend on the order of the inventory.
func (x *Index) Find(host, ip, rawURL string) Match {
	var cands []scored
	if rawURL != "" {
		for _, u := range x.urls {
			if rawURL == u.prefix || strings.HasPrefix(rawURL, u.prefix+"/") || strings.HasPrefix(rawURL, u.prefix+"?") {
				cands = append(cands, scored{u.t, byURL + len(u.prefix)})
			}
		}
	}
	if host != "" {
		if a, err := netip.ParseAddr(host); err == nil && ip == "" {
			ip = a.String()
		} else {
			cands = append(cands, x.names[host]...)
			for parent := host; len(cands) == 0; {
				_, rest, ok := strings.Cut(parent, ".")
				if !ok || !strings.Contains(rest, ".") {
					break
				}
				parent = rest
				for _, c := range x.names[parent] {
					if c.t.Kind == "domain" {
						cands = append(cands, scored{c.t, bySubdomain})
					}
				}
			}
		}
	}
	if a, err := netip.ParseAddr(ip); err == nil {
		a = a.Unmap()
		cands = append(cands, x.ips[a]...)
		for _, r := range x.ranges {
			if r.prefix.Contains(a) {
				cands = append(cands, scored{r.t, byRange})
				break
			}
		}
	}
	if len(cands) == 0 {
		return Match{}
	}
	best := slices.MinFunc(cands, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.t.SystemID, b.t.SystemID))
	})
	return Match{AssetID: best.t.AssetID, SystemID: best.t.SystemID, OrgID: best.t.OrgID, Level: best.t.Level}
}
