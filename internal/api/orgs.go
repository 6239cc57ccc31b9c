package api

import (
	"net/http"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// OrgMove names the new parent of an organisation.
type OrgMove struct {
	ParentID int64 `json:"parent_id"`
}

func (h *Handler) orgRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/api/v1/orgs", Tag: "organisations", Summary: "Organisations in the caller's scope, in tree order (?q=, ?archived=1)",
			Query:    []router.Param{{Name: "q", Description: "search in code and name"}, {Name: "archived", Enum: []string{"0", "1"}, Description: "1 includes archived organisations"}},
			Response: List[identity.Org]{}, Handler: h.listOrgs},
		{Method: "POST", Path: "/api/v1/orgs", Tag: "organisations", Summary: "Create an organisation under parent_id",
			Request: identity.OrgInput{}, Required: []string{"code", "name", "parent_id"}, Response: identity.Org{}, Handler: h.createOrg},
		{Method: "GET", Path: "/api/v1/orgs/{id}", Tag: "organisations", Summary: "One organisation",
			Response: identity.Org{}, Handler: h.getOrg},
		{Method: "PATCH", Path: "/api/v1/orgs/{id}", Tag: "organisations", Summary: "Rename an organisation (code, name, kind)",
			Request: identity.OrgInput{}, Response: identity.Org{}, Handler: h.updateOrg},
		{Method: "POST", Path: "/api/v1/orgs/{id}/move", Tag: "organisations", Summary: "Move an organisation and its subtree under another parent",
			Request: OrgMove{}, Required: []string{"parent_id"}, Response: identity.Org{}, Status: []int{200}, Handler: h.moveOrg},
		{Method: "POST", Path: "/api/v1/orgs/{id}/archive", Tag: "organisations", Summary: "Archive an organisation",
			Response: identity.Org{}, Status: []int{200}, Handler: h.archiveOrg(true)},
		{Method: "POST", Path: "/api/v1/orgs/{id}/restore", Tag: "organisations", Summary: "Bring an archived organisation back",
			Response: identity.Org{}, Status: []int{200}, Handler: h.archiveOrg(false)},
	}
}

func (h *Handler) listOrgs(w http.ResponseWriter, r *http.Request) {
	q := identity.OrgQuery{Search: r.URL.Query().Get("q"), IncludeArchived: r.URL.Query().Get("archived") == "1"}
	writePage(w, r, func(p storage.Page) (storage.Paged[identity.Org], error) {
		return identity.ListOrgs(r.Context(), h.Store, httpx.Caller(r), q, p)
	})
}

func (h *Handler) createOrg(w http.ResponseWriter, r *http.Request) {
	var in identity.OrgInput
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	o, err := identity.CreateOrg(r.Context(), h.Store, httpx.Caller(r), in)
	respond(w, r, http.StatusCreated, o, err)
}

func (h *Handler) getOrg(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	o, err := identity.GetOrg(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, o, err)
}

func (h *Handler) updateOrg(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in identity.OrgInput
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	o, err := identity.UpdateOrg(r.Context(), h.Store, httpx.Caller(r), id, in)
	respond(w, r, http.StatusOK, o, err)
}

func (h *Handler) moveOrg(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in OrgMove
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	o, err := identity.MoveOrg(r.Context(), h.Store, httpx.Caller(r), id, in.ParentID)
	respond(w, r, http.StatusOK, o, err)
}

func (h *Handler) archiveOrg(archived bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			Fail(w, r, err)
			return
		}
		o, err := identity.SetOrgArchived(r.Context(), h.Store, httpx.Caller(r), id, archived)
		if err != nil {
			Fail(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, o)
	}
}
