package web

import (
	"net/http"

	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/scanning"
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
		h.reportSettingsRoutes(),
		h.inventoryRoutes(),
		h.remediationRoutes(),
		h.findingRoutes(),
		h.agentRoutes(),
		h.campaignRoutes(),
		h.scanRoutes(),
		h.huntRoutes(),
		h.dashboardRoutes(),
		h.reportRoutes(),
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
	// Stale counts the systems without a complete scan for six months
	// (Directive 18).
	Stale int
}

type levelBar struct {
	Level, Count int
	Width        int // of 100
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	ov, err := inventory.GetOverview(r.Context(), h.Store, httpx.Caller(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	most := 1
	for _, n := range ov.ByLevel {
		most = max(most, n)
	}
	d := homeData{Overview: ov}
	if d.Stale, err = scanning.StaleSystems(r.Context(), h.Store, httpx.Caller(r), 0, h.Store.Now()); err != nil {
		h.fail(w, r, err)
		return
	}
	for level, n := range ov.ByLevel {
		d.LevelBars = append(d.LevelBars, levelBar{Level: level, Count: n, Width: n * 100 / most})
	}
	h.Render.Render(w, r, http.StatusOK, "home", NewPage(r, "home.title", "nav.dashboard", d))
}

// fail answers a page request whose capability call failed with the
// error page that httpx.ProblemOf gives: out of scope is "not found", not
// allowed is 403, anything unexpected a logged 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpx.ProblemOf(err)
	if p.Status >= 500 {
		httpx.LogFailure(r, "page request failed", err)
	}
	lang := httpx.Lang(r)
	detail, _ := httpx.Detail(err, lang)
	if detail == "" {
		detail = i18n.T(lang, "error."+p.Code+".detail")
	}
	h.Render.Render(w, r, p.Status, "error", NewPage(r, "error."+p.Code, "", detail))
}
