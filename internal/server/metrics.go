package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"

	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
)

// metricsOnMain is /metrics on the main listener. It tells an attacker what
// the server does (request rates, memory), so it is open only where nobody
// but the host reaches it (a loopback address without a reverse proxy in
// front); elsewhere it needs the metrics token, and with a metrics address
// of its own it is not here at all.
func (s *Server) metricsOnMain(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.cfg.MetricsAddr != "":
		s.noRoute(w, r)
	case s.cfg.MetricsToken == "" && s.exposed():
		api.WriteError(w, http.StatusForbidden, "forbidden", i18n.T(httpx.Lang(r), "api.err.metrics_closed"))
	default:
		s.metricsAuth(s.metrics.Handler()).ServeHTTP(w, r)
	}
}

// metricsAuth asks for the metrics token as a bearer token, when one is set.
func (s *Server) metricsAuth(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.cfg.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.MetricsToken != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="khien-metrics"`)
			api.WriteError(w, http.StatusUnauthorized, "unauthenticated", i18n.T(httpx.Lang(r), "api.err.metrics_token"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// exposed reports whether clients other than the host itself can reach the
// main listener: it listens beyond loopback, or a reverse proxy forwards to it.
func (s *Server) exposed() bool {
	if len(s.cfg.TrustedProxies) > 0 {
		return true
	}
	host, _, err := net.SplitHostPort(s.cfg.Addr)
	if err != nil {
		return true
	}
	if host == "localhost" {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err != nil || !a.IsLoopback()
}
