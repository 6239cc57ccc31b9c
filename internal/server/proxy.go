package server

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/khien/khien/internal/validation"
)

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// ranges (the --trusted-proxies flag).
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			addr, err := netip.ParseAddr(item)
			if err != nil {
				return nil, validation.Say("server.bad_proxy", item)
			}
			out = append(out, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, validation.Say("server.bad_proxy", item)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// behindProxies takes the client's address and scheme from X-Forwarded-For
// and X-Forwarded-Proto, but only on requests whose direct peer is a trusted
// reverse proxy: anyone else could forge the headers to dodge the per-address
// sign-in throttling or to write a false address into the audit log.
func behindProxies(trusted []netip.Prefix, next http.Handler) http.Handler {
	if len(trusted) == 0 {
		return next
	}
	isTrusted := func(a netip.Addr) bool { return trustedPeer(trusted, a) }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		peer, perr := netip.ParseAddr(host)
		if err != nil || perr != nil || !isTrusted(peer) {
			next.ServeHTTP(w, r)
			return
		}
		r = r.Clone(r.Context())
		// The client is the last address that no trusted proxy added:
		// addresses further left were written by the client itself.
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			r.RemoteAddr = net.JoinHostPort(a.Unmap().String(), "0")
			if !isTrusted(a) {
				break
			}
		}
		// TLS ended at the proxy; the rest of the server asks r.TLS whether
		// the browser's connection is encrypted (Secure cookies, HSTS).
		if r.TLS == nil && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			r.TLS = &tls.ConnectionState{}
		}
		next.ServeHTTP(w, r)
	})
}

// trustedPeer reports whether a is one of the trusted proxies.
func trustedPeer(trusted []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
