package scan

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Target is one thing to scan as the user named it: a host name, an
// address, or a URL. CIDR ranges are expanded into address targets.
type Target struct {
	Input string     // as given, reported in findings
	Name  string     // DNS name, when given by name
	Addr  netip.Addr // when given as an address
	URL   *url.URL   // when given as a URL
	Port  int        // explicit port (from a URL or host:port), 0 if none
}

// Host is the name, or the address when there is no name.
func (t Target) Host() string {
	if t.Name != "" {
		return t.Name
	}
	return t.Addr.String()
}

// maxRange is the largest CIDR range scanned without --allow-large: a /20.
const maxRange = 1 << 12

// ParseTargets parses target specifications. allowLarge lifts the /20 limit
// on ranges.
func ParseTargets(specs []string, allowLarge bool) ([]Target, error) {
	var out []Target
	for _, s := range specs {
		ts, err := parseTarget(s, allowLarge)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// ReadTargets reads one target per line; blank lines and # comments are skipped.
func ReadTargets(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}
	return out, nil
}

func parseTarget(s string, allowLarge bool) ([]Target, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return nil, fmt.Errorf("empty target")
	}
	if strings.Contains(in, "://") {
		return parseURLTarget(in)
	}
	if strings.Contains(in, "/") {
		p, err := netip.ParsePrefix(in)
		if err != nil {
			return nil, fmt.Errorf("target %q: not a CIDR range: %w", in, err)
		}
		return expandPrefix(in, p.Masked(), allowLarge)
	}
	if a, err := netip.ParseAddr(strings.Trim(in, "[]")); err == nil {
		return []Target{{Input: in, Addr: a.Unmap()}}, nil
	}
	host, port := in, 0
	if h, p, err := net.SplitHostPort(in); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("target %q: bad port %q", in, p)
		}
		host, port = h, n
		if a, err := netip.ParseAddr(host); err == nil {
			return []Target{{Input: in, Addr: a.Unmap(), Port: port}}, nil
		}
	}
	if !validHostname(host) {
		return nil, fmt.Errorf("target %q: not a host name, address, range or URL", in)
	}
	return []Target{{Input: in, Name: strings.ToLower(strings.TrimSuffix(host, ".")), Port: port}}, nil
}

func parseURLTarget(in string) ([]Target, error) {
	u, err := url.Parse(in)
	if err != nil {
		return nil, fmt.Errorf("target %q: %w", in, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("target %q: only http and https URLs can be scanned", in)
	}
	port := 80
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("target %q: bad port %q", in, p)
		}
		port = n
	}
	t := Target{Input: in, URL: u, Port: port}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil {
		t.Addr = a.Unmap()
	} else if validHostname(u.Hostname()) {
		t.Name = strings.ToLower(u.Hostname())
	} else {
		return nil, fmt.Errorf("target %q: bad host %q", in, u.Hostname())
	}
	return []Target{t}, nil
}

func expandPrefix(in string, p netip.Prefix, allowLarge bool) ([]Target, error) {
	hostBits := p.Addr().BitLen() - p.Bits()
	if hostBits > 12 && !allowLarge {
		return nil, fmt.Errorf("target %q: range larger than /20 (%d addresses); pass --allow-large to scan it", in, maxRange)
	}
	if hostBits > 24 {
		return nil, fmt.Errorf("target %q: range too large (more than 2^24 addresses)", in)
	}
	var out []Target
	a := p.Addr()
	for i := 0; i < 1<<hostBits; i, a = i+1, a.Next() {
		// Skip IPv4 network and broadcast addresses of real subnets.
		if a.Is4() && hostBits >= 2 && (i == 0 || i == 1<<hostBits-1) {
			continue
		}
		out = append(out, Target{Input: in, Addr: a})
	}
	return out, nil
}

func validHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// Exclusions are targets never to touch. They win over everything: a name
// is excluded with its subdomains, and an address is excluded even when a
// name that resolves to it was asked for.
type Exclusions struct {
	prefixes []netip.Prefix
	names    []string
}

// ParseExclusions parses addresses, CIDR ranges, host names and URLs.
func ParseExclusions(specs []string) (Exclusions, error) {
	var ex Exclusions
	for _, s := range specs {
		s = strings.TrimPrefix(strings.TrimSpace(s), "*.")
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			ex.prefixes = append(ex.prefixes, p.Masked())
			continue
		}
		ts, err := parseTarget(s, true)
		if err != nil {
			return Exclusions{}, fmt.Errorf("exclusion: %w", err)
		}
		for _, t := range ts {
			if t.Name != "" {
				ex.names = append(ex.names, strings.TrimPrefix(t.Name, "*."))
			} else {
				ex.prefixes = append(ex.prefixes, netip.PrefixFrom(t.Addr, t.Addr.BitLen()))
			}
		}
	}
	return ex, nil
}

// Name reports whether name (or a parent domain of it) is excluded.
func (ex Exclusions) Name(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, n := range ex.names {
		if name == n || strings.HasSuffix(name, "."+n) {
			return true
		}
	}
	return false
}

// Addr reports whether a is in an excluded range.
func (ex Exclusions) Addr(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ex.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
