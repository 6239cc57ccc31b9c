package web

import (
	"fmt"
	"net/http"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// staffData is the staff list with the form to add a person.
type staffData struct {
	Items    []inventory.StaffView
	Total    int
	Query    string
	Orgs     []identity.Org
	Input    inventory.Staff
	Problems map[string]string
}

func (h *Handler) staffPage(w http.ResponseWriter, r *http.Request) {
	h.renderStaff(w, r, http.StatusOK, inventory.Staff{OrgID: httpx.Caller(r).OrgID}, nil)
}

func (h *Handler) renderStaff(w http.ResponseWriter, r *http.Request, status int, input inventory.Staff, problems map[string]string) {
	caller := httpx.Caller(r)
	q := r.URL.Query().Get("q")
	res, err := inventory.ListStaff(r.Context(), h.Store, caller, inventory.StaffFilter{Query: q}, storage.First(200))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := identity.AllOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, status, "inventory/staff", page(r, "inv.staff.title", staffData{res.Items, res.Total, q, orgs, input, problems}))
}

func staffFromForm(r *http.Request) inventory.Staff {
	return inventory.Staff{OrgID: formID(r, "org_id"), Name: r.FormValue("name"), Position: r.FormValue("position"), Email: r.FormValue("email"), Phone: r.FormValue("phone")}
}

func (h *Handler) createStaff(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	p := staffFromForm(r)
	input := p
	// The store sets p.ID, which the redirect needs: call it first.
	err := inventory.CreateStaff(r.Context(), h.Store, httpx.Caller(r), &p)
	h.saved(w, r, err, func(problems map[string]string) {
		h.renderStaff(w, r, http.StatusUnprocessableEntity, input, problems)
	}, fmt.Sprintf("/inventory/staff/%d", p.ID), "inv.ok.saved")
}

// personData is a staff member's page.
type personData struct {
	Person   inventory.StaffView
	Problems map[string]string
}

func (h *Handler) personPage(w http.ResponseWriter, r *http.Request) {
	h.renderPerson(w, r, http.StatusOK, nil)
}

func (h *Handler) renderPerson(w http.ResponseWriter, r *http.Request, status int, problems map[string]string) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := inventory.GetStaff(r.Context(), h.Store, httpx.Caller(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pg := page(r, "inv.staff.title", personData{p, problems})
	pg.Title = p.Name
	h.Render.Render(w, r, status, "inventory/person", pg)
}

func (h *Handler) updateStaff(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := staffFromForm(r)
	p.ID = id
	h.saved(w, r, inventory.UpdateStaff(r.Context(), h.Store, httpx.Caller(r), &p), func(problems map[string]string) {
		h.renderPerson(w, r, http.StatusUnprocessableEntity, problems)
	}, fmt.Sprintf("/inventory/staff/%d", id), "inv.ok.saved")
}

func (h *Handler) deleteStaff(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = inventory.DeleteStaff(r.Context(), h.Store, httpx.Caller(r), id)
	}
	h.done(w, r, err, "/inventory/staff", "inv.ok.deleted")
}

func (h *Handler) addQualification(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := inventory.Qualification{StaffID: id, Course: r.FormValue("course"), CompletedOn: r.FormValue("completed_on"), Certificate: r.FormValue("certificate")}
	h.saved(w, r, inventory.AddQualification(r.Context(), h.Store, httpx.Caller(r), &q), func(problems map[string]string) {
		h.renderPerson(w, r, http.StatusUnprocessableEntity, problems)
	}, fmt.Sprintf("/inventory/staff/%d", id), "inv.ok.saved")
}

func (h *Handler) deleteQualification(w http.ResponseWriter, r *http.Request) {
	id, qid, err := httpx.PathIDs(r, "qid")
	if err == nil {
		err = inventory.DeleteQualification(r.Context(), h.Store, httpx.Caller(r), id, qid)
	}
	h.done(w, r, err, fmt.Sprintf("/inventory/staff/%d", id), "inv.ok.deleted")
}
