package api

import (
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// Handler serves the JSON API. Each capability keeps its endpoints in a file
// of its own with a method returning its routes; Routes gathers them.
type Handler struct {
	Store *storage.Store
	Auth  *auth.Authenticator
}

// Routes lists every API route.
func (h *Handler) Routes() []router.Route {
	var routes []router.Route
	for _, part := range [][]router.Route{
		// one line per capability
		h.identityRoutes(),
		h.orgRoutes(),
		h.userRoutes(),
		h.auditRoutes(),
		h.inventoryRoutes(),
		h.findingRoutes(),
		h.huntRoutes(),
		h.importRoutes(),
		h.remediationRoutes(),
		h.scanRoutes(),
		h.agentRoutes(),
		h.campaignRoutes(),
		h.reportRoutes(),
		h.reportSettingsRoutes(),
		h.dashboardRoutes(),
		h.responsePlanRoutes(),
	} {
		routes = append(routes, part...)
	}
	return routes
}
