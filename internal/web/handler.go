package web

import (
	"net/http"

	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// Handler serves the web pages. Each capability's pages live in a file of
// their own (login.go, inventory.go, …) and add their routes in Routes.
type Handler struct {
	Store  *storage.Store
	Render *Renderer
}

// Routes lists every web page route: one line per capability.
func (h *Handler) Routes() []router.Route {
	var routes []router.Route
	for _, part := range [][]router.Route{
		h.shellRoutes(),
		h.inventoryRoutes(),
	} {
		routes = append(routes, part...)
	}
	return routes
}

func (h *Handler) shellRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/{$}", Handler: h.home},
		{Method: "GET", Path: "/login", Public: true, Handler: h.loginPage},
	}
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	h.Render.Render(w, r, http.StatusOK, "home", NewPage(r, "home.title", "nav.dashboard", nil))
}

// loginForm is the login page's data.
type loginForm struct {
	Next    string
	Email   string
	AskTOTP bool
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	form := loginForm{Next: SafeNext(r.URL.Query().Get("next")), AskTOTP: true}
	h.Render.Render(w, r, http.StatusOK, "login", NewPage(r, "login.title", "", form))
}
