package api

import (
	"net/http"

	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

func (h *Handler) auditRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/api/v1/audit", Tag: "audit",
			Summary: "The audit log, newest first (?actor=, ?action= prefix, ?object_type=, ?object_id=, ?org_id=, ?from=, ?to= RFC 3339 or YYYY-MM-DD, ?cursor=)",
			Query: []router.Param{{Name: "actor", Description: "part of the actor's e-mail"}, {Name: "action", Description: "prefix of the action"},
				{Name: "object_type"}, {Name: "object_id"}, {Name: "org_id", Type: "integer"},
				{Name: "from", Description: "RFC 3339 or YYYY-MM-DD"}, {Name: "to", Description: "RFC 3339 or YYYY-MM-DD (inclusive day)"}},
			Response: List[audit.Entry]{}, Handler: h.listAudit},
	}
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	q, err := audit.ParseQuery(r.URL.Query())
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[audit.Entry], error) {
		return audit.List(r.Context(), h.Store, httpx.Caller(r), q, p)
	})
}
