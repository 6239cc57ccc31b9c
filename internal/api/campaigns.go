package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// Example values describing the campaigns' JSON bodies in the OpenAPI document.
var (
	exCampaignAt = time.Date(2025, 5, 9, 8, 0, 0, 0, time.UTC)
	exCampaign   = campaign.Campaign{ID: 1, Title: "Kế hoạch rà soát, đánh giá an toàn hệ thống thông tin năm 2025", DocumentNo: "104/KH-UBND", DocumentDate: "2025-05-09",
		IssuingBody: "UBND thành phố Cần Thơ", LegalBasis: "Công văn 02/VPBCĐ ngày 06/01/2025", Year: 2025, Template: "yearly_review", Status: campaign.Active,
		Actor: "dieuphoi@congan.cantho.gov.vn", CreatedAt: exCampaignAt, UpdatedAt: exCampaignAt}
	exPhase      = campaign.Phase{ID: 1, CampaignID: 1, Position: 1, Kind: campaign.KindInventory, Title: "Cung cấp danh mục hệ thống thông tin", StartsOn: "2025-05-01", DueOn: "2025-05-31"}
	exObligation = campaign.ObligationView{Obligation: campaign.Obligation{ID: 1, CampaignID: 1, OrgID: 2, PhaseID: 1, Title: "Gửi danh mục hệ thống thông tin",
		Status: campaign.Submitted, SubmittedAt: &exCampaignAt, Actor: "canbo@skhcn.cantho.gov.vn", UpdatedAt: exCampaignAt},
		OrgCode: "SKHCN", OrgName: "Sở Khoa học và Công nghệ", PhaseKind: campaign.KindInventory, PhaseTitle: exPhase.Title, StartsOn: exPhase.StartsOn, DueOn: exPhase.DueOn,
		PhasePosition: 1, CampaignTitle: exCampaign.Title, Files: 1}
	exCampaignFile = campaign.File{ID: 1, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Name: "danh-muc-he-thong.xlsx",
		ContentType: "application/zip", Size: 20480, Actor: "canbo@skhcn.cantho.gov.vn", At: exCampaignAt}
	exEvent = campaign.Event{ID: 1, At: exCampaignAt, Actor: "canbo@skhcn.cantho.gov.vn", Kind: "submitted", ObligationID: 1, OrgID: 2, OrgCode: "SKHCN",
		From: campaign.NotStarted, To: campaign.Submitted, Note: "danh-muc-he-thong.xlsx"}
	exDetailCampaign = campaign.Detail{Campaign: exCampaign, Orgs: []campaign.OrgRef{{ID: 2, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ"}}, SystemIDs: []int64{},
		Phases:   []campaign.Phase{exPhase},
		Progress: []campaign.OrgProgress{{OrgRef: campaign.OrgRef{ID: 2, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ"}, Cells: []campaign.Cell{{PhaseID: 1, ObligationID: 1, Status: campaign.Submitted}}, Done: 1, Total: 1}},
		Overdue:  []campaign.ObligationView{}, Changes: []campaign.Event{exEvent}, Running: true}
	exCampaignView = campaign.View{Campaign: exCampaign, Orgs: 1, Obligations: 4, Done: 1, Accepted: 0, Late: 1}
	exCreate       = campaign.CreateInput{Input: campaign.Input{Title: exCampaign.Title, Year: 2025, OrgIDs: []int64{2, 3}, Template: "yearly_review",
		DocumentNo: "104/KH-UBND", DocumentDate: "2025-05-09", IssuingBody: "UBND thành phố Cần Thơ"}}
	exEditTitle = "Kế hoạch rà soát năm 2025 (sửa đổi)"
)

// exObligationDetail is one obligation with its files and history.
var exObligationDetail = campaign.ObligationDetail{ObligationView: exObligation, FileList: []campaign.File{exCampaignFile}, History: []campaign.Event{exEvent}}

type commentBody struct {
	Comment string `json:"comment"`
}

func (h *Handler) campaignRoutes() []router.Route {
	const tag = "campaigns"
	id := func(path string) string { return "/api/v1/campaigns/{id}" + path }
	ob := func(path string) string { return "/api/v1/obligations/{id}" + path }
	return []router.Route{
		{Method: "GET", Path: "/api/v1/campaigns", Tag: tag, Summary: "List the review campaigns the caller sees, newest year first, with progress in figures (agencies: campaigns past their draft that include their organisation)",
			Query: []router.Param{{Name: "status", Enum: campaign.Statuses}, {Name: "year", Type: "integer"}}, Response: NewList([]campaign.View{exCampaignView}, 1, ""), Handler: h.listCampaigns},
		{Method: "POST", Path: "/api/v1/campaigns", Tag: tag, Summary: "Create a campaign (coordinator, admin) for organisations, optionally from a template (yearly_review, quarterly_scan, merger_review) that gives its phases and one obligation per organisation and phase; status active unless draft is asked",
			Request: exCreate, Required: []string{"title", "year", "org_ids"}, Response: exDetailCampaign, Handler: h.createCampaign},
		{Method: "GET", Path: "/api/v1/campaigns/templates", Tag: tag, Summary: "The built-in campaign templates and their phases (dates in the campaign's year)", Response: campaign.Templates, Handler: h.campaignTemplates},
		{Method: "GET", Path: id(""), Tag: tag, Summary: "Get a campaign with its phases, every organisation's progress the caller sees, what is overdue and what changed in the last 7 days", Response: exDetailCampaign, Handler: h.getCampaign},
		{Method: "PATCH", Path: id(""), Tag: tag, Summary: "Change a campaign's title or document fields (coordinator, admin)", Request: campaign.Edit{Title: &exEditTitle}, Response: exCampaign, Handler: h.updateCampaign},
		{Method: "POST", Path: id("/activate"), Tag: tag, Summary: "Start a draft campaign (coordinator, admin)", Response: exCampaign, Status: []int{200}, Handler: h.activateCampaign},
		{Method: "POST", Path: id("/close"), Tag: tag, Summary: "Close a campaign: no more submissions, and its systems are no longer covered for scanning (coordinator, admin)", Response: exCampaign, Status: []int{200}, Handler: h.closeCampaign},
		{Method: "GET", Path: "/api/v1/obligations", Tag: tag, Summary: "List the obligations the caller sees (agencies: their own organisations'), by organisation and phase; status late means past due and not submitted",
			Query: []router.Param{{Name: "campaign_id", Type: "integer"}, {Name: "org_id", Type: "integer"}, {Name: "status", Enum: campaign.ObligationStatuses}}, Response: NewList([]campaign.ObligationView{exObligation}, 1, ""), Handler: h.listObligations},
		{Method: "GET", Path: ob(""), Tag: tag, Summary: "Get an obligation with its submitted files and history", Response: exObligationDetail, Handler: h.getObligation},
		{Method: "POST", Path: ob("/submit"), Tag: tag, Summary: fmtSubmit, Response: exObligation, Status: []int{200}, Handler: h.submitObligation},
		{Method: "POST", Path: ob("/accept"), Tag: tag, Summary: "Accept a submitted obligation, with an optional comment (coordinator, admin)", Request: commentBody{Comment: "Đầy đủ"}, Response: exObligation, Status: []int{200}, Handler: h.acceptObligation},
		{Method: "POST", Path: ob("/return"), Tag: tag, Summary: "Return a submitted obligation with a comment saying what to redo (coordinator, admin)", Request: commentBody{Comment: "Thiếu địa chỉ IP máy chủ"}, Required: []string{"comment"}, Response: exObligation, Status: []int{200}, Handler: h.returnObligation},
		{Method: "GET", Path: ob("/files/{file_id}"), Tag: tag, Summary: "Download a submitted file (audited)", Handler: h.downloadObligationFile},
	}
}

const fmtSubmit = "Submit an obligation with a file (multipart field file, at most 10 MB), by a user who may change the organisation's data, while the campaign is active; again after a return"

func (h *Handler) listCampaigns(w http.ResponseWriter, r *http.Request) {
	year, err := queryInt(r, "year", 0)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f := campaign.Filter{Status: r.URL.Query().Get("status"), Year: int(year)}
	writePage(w, r, func(p storage.Page) (storage.Paged[campaign.View], error) {
		return campaign.List(r.Context(), h.Store, httpx.Caller(r), f, p)
	})
}

func (h *Handler) createCampaign(w http.ResponseWriter, r *http.Request) {
	var in campaign.CreateInput
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	c, err := campaign.Create(r.Context(), h.Store, httpx.Caller(r), in)
	if err != nil {
		Fail(w, r, err)
		return
	}
	d, err := campaign.GetDetail(r.Context(), h.Store, httpx.Caller(r), c.ID)
	respond(w, r, http.StatusCreated, d, err)
}

func (h *Handler) campaignTemplates(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, campaign.Templates)
}

func (h *Handler) getCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	d, err := campaign.GetDetail(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, d, err)
}

func (h *Handler) updateCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var e campaign.Edit
	if err == nil {
		err = httpx.Decode(w, r, &e)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	c, err := campaign.Update(r.Context(), h.Store, httpx.Caller(r), id, e)
	respond(w, r, http.StatusOK, c, err)
}

func (h *Handler) activateCampaign(w http.ResponseWriter, r *http.Request) {
	h.campaignStatus(w, r, campaign.Activate)
}

func (h *Handler) closeCampaign(w http.ResponseWriter, r *http.Request) {
	h.campaignStatus(w, r, campaign.Close)
}

func (h *Handler) campaignStatus(w http.ResponseWriter, r *http.Request, change func(context.Context, *storage.Store, access.Actor, int64) (campaign.Campaign, error)) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	c, err := change(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, c, err)
}

func (h *Handler) listObligations(w http.ResponseWriter, r *http.Request) {
	var f campaign.ObligationFilter
	var errs [2]error
	f.CampaignID, errs[0] = queryInt(r, "campaign_id", 0)
	f.OrgID, errs[1] = queryInt(r, "org_id", 0)
	if err := errors.Join(errs[:]...); err != nil {
		Fail(w, r, err)
		return
	}
	f.Status = r.URL.Query().Get("status")
	writePage(w, r, func(p storage.Page) (storage.Paged[campaign.ObligationView], error) {
		return campaign.ListObligations(r.Context(), h.Store, httpx.Caller(r), f, p)
	})
}

func (h *Handler) getObligation(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	d, err := campaign.GetObligation(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, d, err)
}

// submitObligation takes one multipart file of at most campaign.MaxFile bytes.
func (h *Handler) submitObligation(w http.ResponseWriter, r *http.Request) {
	id, name, data, err := idAndFile(w, r, campaign.MaxFile)
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := campaign.Submit(r.Context(), h.Store, httpx.Caller(r), id, name, data, "")
	respond(w, r, http.StatusOK, v, err)
}

func (h *Handler) acceptObligation(w http.ResponseWriter, r *http.Request) {
	h.reviewObligation(w, r, true)
}

func (h *Handler) returnObligation(w http.ResponseWriter, r *http.Request) {
	h.reviewObligation(w, r, false)
}

func (h *Handler) reviewObligation(w http.ResponseWriter, r *http.Request, accept bool) {
	id, err := httpx.PathID(r, "id")
	var body commentBody
	if err == nil && r.ContentLength != 0 {
		err = httpx.Decode(w, r, &body)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := campaign.ReviewObligation(r.Context(), h.Store, httpx.Caller(r), id, campaign.Review{Accept: accept, Comment: body.Comment})
	respond(w, r, http.StatusOK, v, err)
}

func (h *Handler) downloadObligationFile(w http.ResponseWriter, r *http.Request) {
	id, fileID, err := httpx.PathIDs(r, "file_id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, data, err := campaign.ReadFile(r.Context(), h.Store, httpx.Caller(r), id, fileID)
	if err != nil {
		Fail(w, r, err)
		return
	}
	httpx.SendFile(w, f.Name, data)
}
