package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// Review campaigns: the list, the form that creates one (from a template,
// for chosen organisations), a campaign's page with every organisation's
// progress, and an obligation's page where an agency submits its file and
// the coordinator accepts or returns it.

func (h *Handler) campaignRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/campaigns", Handler: h.campaignList},
		{Method: "GET", Path: "/campaigns/new", Handler: h.campaignNew},
		{Method: "POST", Path: "/campaigns", Handler: h.campaignCreate},
		{Method: "GET", Path: "/campaigns/{id}", Handler: h.campaignPage},
		{Method: "POST", Path: "/campaigns/{id}/activate", Handler: h.campaignActivate},
		{Method: "POST", Path: "/campaigns/{id}/close", Handler: h.campaignClose},
		{Method: "GET", Path: "/obligations/{id}", Handler: h.obligationPage},
		{Method: "POST", Path: "/obligations/{id}/submit", Handler: h.obligationSubmit},
		{Method: "POST", Path: "/obligations/{id}/review", Handler: h.obligationReview},
		{Method: "GET", Path: "/obligations/{id}/files/{file_id}", Handler: h.obligationDownload},
	}
}

// campaignSection is a page of the campaigns section, with its flash message.
func campaignSection(r *http.Request, title string, data any) Page {
	p := NewPage(r, title, "nav.campaigns", data)
	p.Flash = okFlash(r, "campaign.ok.")
	return p
}

type campaignListData struct {
	pager
	Items     []campaign.View
	Total     int
	Status    string
	Statuses  []string
	CanManage bool
}

func (h *Handler) campaignList(w http.ResponseWriter, r *http.Request) {
	caller := httpx.Caller(r)
	status := r.URL.Query().Get("status")
	if !contains(campaign.Statuses, status) {
		status = ""
	}
	p := listPage(r)
	res, err := campaign.List(r.Context(), h.Store, caller, campaign.Filter{Status: status}, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := campaignListData{pager: pagerOf(r, "/campaigns", p, res.Next), Items: res.Items, Total: res.Total, Status: status, Statuses: campaign.Statuses, CanManage: campaign.CanManage(caller)}
	h.Render.Render(w, r, http.StatusOK, "campaign/list", campaignSection(r, "campaign.title", d))
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// campaignFormData is the form that creates a campaign.
type campaignFormData struct {
	Input     campaign.Input
	Selected  map[int64]bool
	Orgs      []identity.Org
	Templates []campaign.Template
	Problems  map[string]string
}

func (h *Handler) campaignNew(w http.ResponseWriter, r *http.Request) {
	in := campaign.Input{Year: h.Store.Now().In(i18n.Vietnam).Year(), Template: "yearly_review"}
	h.renderCampaignForm(w, r, http.StatusOK, in, nil)
}

func (h *Handler) renderCampaignForm(w http.ResponseWriter, r *http.Request, status int, in campaign.Input, problems map[string]string) {
	caller := httpx.Caller(r)
	if err := campaign.CheckManage(caller); err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := storage.All(func(p storage.Page) (storage.Paged[identity.Org], error) {
		return identity.ListOrgs(r.Context(), h.Store, caller, identity.OrgQuery{}, p)
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := campaignFormData{Input: in, Selected: map[int64]bool{}, Orgs: orgs, Templates: campaign.Templates, Problems: problems}
	for _, id := range in.OrgIDs {
		d.Selected[id] = true
	}
	h.Render.Render(w, r, status, "campaign/new", campaignSection(r, "campaign.new", d))
}

func (h *Handler) campaignCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	in := campaign.Input{Title: r.FormValue("title"), Year: formInt(r, "year"), Template: r.FormValue("template"), DocumentNo: r.FormValue("document_no"),
		DocumentDate: r.FormValue("document_date"), IssuingBody: r.FormValue("issuing_body"), LegalBasis: r.FormValue("legal_basis"), Status: campaign.Status(r.FormValue("status"))}
	for _, v := range r.Form["org_ids"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.OrgIDs = append(in.OrgIDs, id)
		}
	}
	c, err := campaign.Create(r.Context(), h.Store, httpx.Caller(r), campaign.CreateInput{Input: in})
	h.saved(w, r, err, func(p map[string]string) { h.renderCampaignForm(w, r, http.StatusUnprocessableEntity, in, p) },
		"/campaigns/"+strconv.FormatInt(c.ID, 10), "campaign.ok.created")
}

// campaignData is a campaign's page.
type campaignData struct {
	campaign.Detail
	CanManage bool
	// Mine are the obligations the reader may submit (an agency's own).
	Mine []campaign.ObligationView
}

func (h *Handler) campaignPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	caller := httpx.Caller(r)
	d, err := campaign.GetDetail(r.Context(), h.Store, caller, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := campaignData{Detail: d, CanManage: campaign.CanManage(caller)}
	if !caller.Global() {
		obs, err := storage.All(func(p storage.Page) (storage.Paged[campaign.ObligationView], error) {
			return campaign.ListObligations(r.Context(), h.Store, caller, campaign.ObligationFilter{CampaignID: id}, p)
		})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		data.Mine = obs
	}
	p := campaignSection(r, "campaign.title", data)
	p.Title = d.Title
	h.Render.Render(w, r, http.StatusOK, "campaign/campaign", p)
}

func (h *Handler) campaignActivate(w http.ResponseWriter, r *http.Request) {
	h.campaignStatusPost(w, r, campaign.Activate, "campaign.ok.activated")
}

func (h *Handler) campaignClose(w http.ResponseWriter, r *http.Request) {
	h.campaignStatusPost(w, r, campaign.Close, "campaign.ok.closed")
}

// campaignStatusPost starts or closes a campaign; a change its status
// does not allow is the error page that says why.
func (h *Handler) campaignStatusPost(w http.ResponseWriter, r *http.Request, change func(context.Context, *storage.Store, access.Actor, int64) (campaign.Campaign, error), flash string) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.done(w, r, second(change(r.Context(), h.Store, httpx.Caller(r), id)), "/campaigns/"+strconv.FormatInt(id, 10), flash)
}

// obligationData is an obligation's page.
type obligationData struct {
	campaign.ObligationDetail
	CanSubmit, CanReview bool
	MaxFile              int
	Problems             map[string]string
	// FormNote and FormComment refill the forms after a refused post.
	FormNote, FormComment string
}

func (h *Handler) obligationPage(w http.ResponseWriter, r *http.Request) {
	h.renderObligation(w, r, http.StatusOK, obligationData{})
}

func (h *Handler) renderObligation(w http.ResponseWriter, r *http.Request, status int, d obligationData) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	caller := httpx.Caller(r)
	od, err := campaign.GetObligation(r.Context(), h.Store, caller, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := campaign.Get(r.Context(), h.Store, caller, od.CampaignID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.ObligationDetail = od
	d.MaxFile = campaign.MaxFile >> 20
	d.CanSubmit = c.Status == campaign.Active && campaign.CanSubmit(od.Stored) && caller.Can(access.Write, od.OrgPath)
	d.CanReview = campaign.CanManage(caller) && campaign.CanReview(od.Stored)
	p := campaignSection(r, "campaign.obligation", d)
	p.Title = od.Title
	h.Render.Render(w, r, status, "campaign/obligation", p)
}

func (h *Handler) obligationSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	caller := httpx.Caller(r)
	name, data, err := uploadedFile(w, r)
	if err != nil {
		// Nothing to store: say so only to someone who may submit it.
		od, gerr := campaign.GetObligation(r.Context(), h.Store, caller, id)
		if gerr == nil {
			gerr = caller.Check(access.Write, od.OrgPath)
		}
		if gerr != nil {
			h.fail(w, r, gerr)
			return
		}
	} else {
		_, err = campaign.Submit(r.Context(), h.Store, caller, id, name, data, r.FormValue("note"))
	}
	h.saved(w, r, err, func(p map[string]string) {
		h.renderObligation(w, r, http.StatusUnprocessableEntity, obligationData{Problems: p, FormNote: r.FormValue("note")})
	}, "/obligations/"+strconv.FormatInt(id, 10), "campaign.ok.submitted")
}

func (h *Handler) obligationReview(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	accept := r.FormValue("decision") == "accept"
	_, err = campaign.ReviewObligation(r.Context(), h.Store, httpx.Caller(r), id, campaign.Review{Accept: accept, Comment: r.FormValue("comment")})
	flash := "campaign.ok.returned"
	if accept {
		flash = "campaign.ok.accepted"
	}
	h.saved(w, r, err, func(p map[string]string) {
		h.renderObligation(w, r, http.StatusUnprocessableEntity, obligationData{Problems: p, FormComment: r.FormValue("comment")})
	}, "/obligations/"+strconv.FormatInt(id, 10), flash)
}

// obligationDownload sends a submitted file as a download, never as a
// page of this site.
func (h *Handler) obligationDownload(w http.ResponseWriter, r *http.Request) {
	id, fileID, err := httpx.PathIDs(r, "file_id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, data, err := campaign.ReadFile(r.Context(), h.Store, httpx.Caller(r), id, fileID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sendFile(w, f.Name, data)
}
