package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// Handler serves the web pages. Each capability's pages live in a file of
// their own (login.go, inventory.go, …) and add their routes in Routes.
type Handler struct {
	Store  *storage.Store
	Auth   *auth.Authenticator
	Render *Renderer
}

// Routes lists every web page route: one line per capability.
func (h *Handler) Routes() []router.Route {
	var routes []router.Route
	for _, part := range [][]router.Route{
		h.shellRoutes(),
		h.loginRoutes(),
		h.accountRoutes(),
		h.adminRoutes(),
		h.inventoryRoutes(),
	} {
		routes = append(routes, part...)
	}
	return routes
}

func (h *Handler) shellRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/{$}", Handler: h.home},
	}
}

// homeData is the overview page: the caller's part of the province in figures.
type homeData struct {
	inventory.Overview
	// LevelBars are the systems per security level, scaled for the chart.
	LevelBars []levelBar
}

type levelBar struct {
	Level, Count int
	Width        int // of 100
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	ov, err := inventory.GetOverview(r.Context(), h.Store, actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	most := 1
	for _, n := range ov.ByLevel {
		most = max(most, n)
	}
	d := homeData{Overview: ov}
	for level, n := range ov.ByLevel {
		d.LevelBars = append(d.LevelBars, levelBar{Level: level, Count: n, Width: n * 100 / most})
	}
	h.Render.Render(w, r, http.StatusOK, "home", NewPage(r, "home.title", "nav.dashboard", d))
}

// fail answers a page request whose storage call failed: out of scope is
// "not found", not allowed is 403, anything else a logged 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	lang := Lang(r)
	switch {
	case errors.Is(err, access.ErrNotFound):
		h.Render.Render(w, r, http.StatusNotFound, "error", NewPage(r, "error.not_found", "", i18n.T(lang, "error.not_found.detail")))
	case errors.Is(err, access.ErrForbidden):
		h.Render.Render(w, r, http.StatusForbidden, "error", NewPage(r, "error.forbidden", "", i18n.T(lang, "error.forbidden.detail")))
	default:
		slog.ErrorContext(r.Context(), "page request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		h.Render.Render(w, r, http.StatusInternalServerError, "error", NewPage(r, "error.internal", "", i18n.T(lang, "error.internal.detail")))
	}
}

// actor is the authenticated caller with the request's address.
func actor(r *http.Request) access.Actor {
	a, _ := access.FromContext(r.Context())
	a.IP = auth.ClientIP(r)
	return a
}

// pathID parses the {id} path parameter; a malformed id names no object.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, access.ErrNotFound
	}
	return id, nil
}
