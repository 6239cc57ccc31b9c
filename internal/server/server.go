// Package server assembles the HTTP server: the route table from the web and
// API packages, the middleware every request passes (security headers,
// cross-origin protection, logging, metrics) and graceful shutdown.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/metrics"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
	"github.com/khien/khien/internal/web"
)

// Config is the server's listening configuration.
type Config struct {
	Addr    string
	TLSCert string
	TLSKey  string
	Version string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed.
	TrustedProxies []netip.Prefix
	// HTTPRedirectAddr, with TLS, is a plain-HTTP address that only
	// redirects to HTTPS.
	HTTPRedirectAddr string
	// MetricsAddr serves /metrics on a listener of its own (and not on Addr);
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsAddr  string
	MetricsToken string
	// MaxConnsPerClient caps the connections open at once from one client
	// address (0: no cap); trusted proxies are exempt.
	MaxConnsPerClient int
}

// Server is the assembled HTTP server.
type Server struct {
	cfg     Config
	store   *storage.Store
	router  *router.Router
	metrics *metrics.Registry
	render  *web.Renderer
	handler http.Handler

	openAPIOnce sync.Once
	openAPI     map[string]any
}

// Deps are the parts a server is built from.
type Deps struct {
	Store         *storage.Store
	Authenticator router.Authenticator
	// Routes are the capability routes (web pages and API endpoints).
	Routes []router.Route
	// Renderer renders web pages (the 404 page among them).
	Renderer *web.Renderer
	Metrics  *metrics.Registry
}

// New builds the server.
func New(cfg Config, d Deps) *Server {
	s := &Server{cfg: cfg, store: d.Store, metrics: d.Metrics, render: d.Renderer}
	s.router = router.New(d.Authenticator, s.unauthenticated)
	s.router.Handle(d.Routes...)
	s.router.Handle(
		router.Route{Method: "GET", Path: "/healthz", Public: true, Handler: s.healthz},
		router.Route{Method: "GET", Path: "/metrics", Public: true, Handler: s.metricsOnMain},
		router.Route{Method: "GET", Path: "/api/v1/openapi.json", Public: true, Tag: "meta",
			Summary: "This OpenAPI document", Handler: s.serveOpenAPI},
	)
	s.router.HandlePrefix("/static/", web.StaticHandler())
	s.router.HandlePrefix("/", s.router.Identify(http.HandlerFunc(s.notFound)))
	d.Metrics.Gauge("khien_db_open_connections", "Open database connections (writer pool).", func() float64 {
		return float64(d.Store.DB().Write.Stats().OpenConnections)
	})
	s.handler = s.recoverPanics(behindProxies(cfg.TrustedProxies, s.observe(securityHeaders(
		http.NewCrossOriginProtection().Handler(web.SetLangCookie(s.checkInput(s.router)))))))
	return s
}

// Handler is the complete HTTP handler, middleware included (tests use it).
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists every registered route (the authorisation matrix test uses it).
func (s *Server) Routes() []router.Route { return s.router.Routes() }

// ErrListen marks a failure to listen (port in use, bad TLS files).
var ErrListen = errors.New("listen")

// listenErr is an ErrListen with its message (a catalogue key and arguments),
// which the CLI says in the operator's --lang.
func listenErr(key string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrListen, validation.Say(key, args...))
}

// Listen loads the TLS pair when configured and opens the listening socket,
// capped at MaxConnsPerClient connections per client address.
// The CLI calls it before anything else, so a port in use or a bad
// certificate is reported before the database is touched.
func Listen(cfg Config) (net.Listener, error) {
	var pair tls.Certificate
	if cfg.TLSCert != "" || cfg.TLSKey != "" {
		if cfg.TLSCert == "" || cfg.TLSKey == "" {
			return nil, listenErr("server.tls_pair")
		}
		var err error
		if pair, err = tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey); err != nil {
			return nil, listenErr("server.tls_load", cfg.TLSCert, cfg.TLSKey, err.Error())
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, listenErr("server.listen_addr", cfg.Addr, err.Error())
	}
	// The cap counts TCP connections, under TLS: a wrapper above TLS would
	// hide the *tls.Conn from net/http (no r.TLS, so no HSTS or Secure cookies).
	ln = limitPerClient(ln, cfg.MaxConnsPerClient, cfg.TrustedProxies)
	if cfg.TLSCert == "" {
		return ln, nil
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}), nil
}

// Serve answers on ln until ctx ends, then lets in-flight requests finish
// (up to 30 seconds) before returning. With TLS and HTTPRedirectAddr it also
// redirects plain HTTP to HTTPS; with MetricsAddr it serves /metrics there.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.cfg.MetricsAddr == "" && s.cfg.MetricsToken == "" && s.exposed() {
		slog.Warn("/metrics answers 403 on this address: set --metrics-token or --metrics-addr for Prometheus", "addr", s.cfg.Addr)
	}
	servers := []*http.Server{s.httpServer(s.handler)}
	listeners := []net.Listener{ln} // capped per client by Listen
	extra := func(addr string, h http.Handler) error {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return listenErr("server.listen", addr, err.Error())
		}
		servers = append(servers, s.httpServer(h))
		listeners = append(listeners, limitPerClient(l, s.cfg.MaxConnsPerClient, s.cfg.TrustedProxies))
		return nil
	}
	if s.cfg.HTTPRedirectAddr != "" {
		if s.cfg.TLSCert == "" {
			return listenErr("server.redirect_needs_tls")
		}
		if err := extra(s.cfg.HTTPRedirectAddr, securityHeaders(redirectToHTTPS(s.cfg.Addr))); err != nil {
			return err
		}
	}
	if s.cfg.MetricsAddr != "" {
		if err := extra(s.cfg.MetricsAddr, s.metricsAuth(s.metrics.Handler())); err != nil {
			for _, l := range listeners[1:] {
				l.Close()
			}
			return err
		}
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	select {
	case err := <-errc:
		for _, srv := range servers {
			srv.Close()
		}
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	slog.Info("shutting down: waiting for requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	return errors.Join(errs...)
}

// httpServer bounds what one connection may take: slow headers, slow or
// endless bodies, idle keep-alives.
func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of Excel and scanner files
		WriteTimeout:      5 * time.Minute, // report downloads
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
}

// redirectToHTTPS sends every plain-HTTP request to the same host and path
// on the TLS address's port.
func redirectToHTTPS(tlsAddr string) http.Handler {
	_, port, _ := net.SplitHostPort(tlsAddr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if port != "443" && port != "" {
			host = net.JoinHostPort(strings.Trim(host, "[]"), port)
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// healthz is healthy when the database answers and accepts a write (a
// database on a full disk or a read-only file still answers reads).
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	unhealthy := func(state, key string, err error) {
		slog.WarnContext(r.Context(), "health check: database unhealthy", "state", state, "err", err)
		api.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": state, "reason": i18n.T(httpx.Lang(r), key)})
	}
	if err := s.store.DB().Ping(ctx); err != nil {
		unhealthy("down", "health.database_down", err)
		return
	}
	if err := s.store.WriteProbe(ctx); err != nil {
		switch {
		case errors.Is(err, storage.ErrStorageFull):
			unhealthy("full", "health.database_full", err)
		case errors.Is(err, storage.ErrReadOnly):
			unhealthy("read_only", "health.database_read_only", err)
		default:
			unhealthy("unwritable", "health.database_unwritable", err)
		}
		return
	}
	api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": s.store.DB().Dialect.Name()})
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	s.openAPIOnce.Do(func() { s.openAPI = api.OpenAPI(s.router.Routes(), s.cfg.Version) })
	api.WriteJSON(w, http.StatusOK, s.openAPI)
}

// unauthenticated answers a protected route without a caller: 401 JSON for
// the API, a redirect to the login page for the web.
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("WWW-Authenticate", `Bearer realm="khien"`)
		api.WriteError(w, http.StatusUnauthorized, "unauthenticated", i18n.T(httpx.Lang(r), "api.err.unauthenticated"))
		return
	}
	web.RedirectToLogin(w, r)
}

// notFound answers what no route took: a known path with another method is
// 405 with the methods it takes in Allow, anything else 404; JSON for the
// API, the error page for the web.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	lang := httpx.Lang(r)
	if allowed := s.router.Allowed(r); len(allowed) > 0 {
		list := strings.Join(allowed, ", ")
		w.Header().Set("Allow", list)
		if strings.HasPrefix(r.URL.Path, "/api/") {
			api.WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed", i18n.T(lang, "api.err.method_not_allowed", r.Method, list))
			return
		}
		s.render.Render(w, r, http.StatusMethodNotAllowed, "error", web.NewPage(r, "error.method_not_allowed", "", i18n.T(lang, "error.method_not_allowed.detail")))
		return
	}
	s.noRoute(w, r)
}

// noRoute answers 404: JSON for the API, the error page for the web.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		api.WriteError(w, http.StatusNotFound, "not_found", i18n.T(httpx.Lang(r), "api.err.no_endpoint", r.Method, r.URL.Path))
		return
	}
	p := web.NewPage(r, "error.not_found", "", i18n.T(httpx.Lang(r), "error.not_found.detail"))
	s.render.Render(w, r, http.StatusNotFound, "error", p)
}
