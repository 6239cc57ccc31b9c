package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/scanning"
)

// The scan operations' pages: the list of scans, one scan with its plan and
// controls, and (scans_system.go) the scanning part of a system's page.

func (h *Handler) scanRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/scans", Handler: h.scansPage},
		{Method: "GET", Path: "/scans/{id}", Handler: h.scanPage},
		{Method: "GET", Path: "/scans/exclusions", Handler: h.exclusionsPage},
		{Method: "POST", Path: "/scans/exclusions", Handler: h.addGlobalExclusion},
		{Method: "POST", Path: "/scans/exclusions/{id}/remove", Handler: h.removeGlobalExclusion},
		{Method: "POST", Path: "/scans/{id}/control", Handler: h.controlScan},
		{Method: "POST", Path: "/inventory/systems/{id}/scans", Handler: h.scanSystemNow},
		{Method: "POST", Path: "/campaigns/{id}/scans", Handler: h.scanCampaignNow},
		{Method: "POST", Path: "/admin/orgs/{id}/scans", Handler: h.scanOrgNow},
		{Method: "POST", Path: "/inventory/systems/{id}/authorizations", Handler: h.addAuthorization},
		{Method: "POST", Path: "/inventory/systems/{id}/authorizations/{authorization_id}/revoke", Handler: h.revokeAuthorization},
		{Method: "POST", Path: "/inventory/systems/{id}/exclusions", Handler: h.addExclusion},
		{Method: "POST", Path: "/inventory/systems/{id}/exclusions/{exclusion_id}/remove", Handler: h.removeExclusion},
		{Method: "POST", Path: "/inventory/systems/{id}/scan-settings", Handler: h.saveScanSettings},
		{Method: "POST", Path: "/inventory/systems/{id}/schedules", Handler: h.addSchedule},
		{Method: "POST", Path: "/inventory/systems/{id}/schedules/{schedule_id}/enabled", Handler: h.enableSchedule},
	}
}

// scanPageOf builds a scans page with the flash message named by ?ok=.
func scanPageOf(r *http.Request, title string, data any) Page {
	p := NewPage(r, title, "nav.scans", data)
	p.Flash = okFlash(r, "scans.ok.")
	return p
}

// scansData is the list of scans.
type scansData struct {
	Items    []scanning.Scan
	Total    int
	Orgs     []identity.Org
	Statuses []string
	Status   string
	OrgID    int64
	SystemID int64 // the system's page links to its scans
	pager
}

func (h *Handler) scansPage(w http.ResponseWriter, r *http.Request) {
	caller := httpx.Caller(r)
	q := r.URL.Query()
	f := scanning.ScanFilter{Lang: httpx.Lang(r)}
	if s := q.Get("status"); slices.Contains(scanning.Statuses, s) {
		f.Status = s
	}
	f.OrgID, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	f.SystemID, _ = strconv.ParseInt(q.Get("system"), 10, 64)
	pg := listPage(r)
	res, err := scanning.ListScans(r.Context(), h.Store, caller, f, pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := identity.AllOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := scansData{Items: res.Items, Total: res.Total, Orgs: orgs, Statuses: scanning.Statuses, Status: f.Status, OrgID: f.OrgID, SystemID: f.SystemID,
		pager: pagerOf(r, "/scans", pg, res.Next)}
	h.Render.Render(w, r, http.StatusOK, "scans/list", scanPageOf(r, "scans.title", d))
}

// scanData is one scan's page.
type scanData struct {
	Scan scanning.Scan
	// Live: the page reloads itself while the scan is queued or running.
	Live bool
	// Controls are the operator's controls the scan's status allows.
	Controls []string
}

// controlsFor are the controls scanning.Control accepts in a status.
func controlsFor(s scanning.Scan) []string {
	switch {
	case s.Status == scanning.StatusQueued || s.Status == scanning.StatusRunning:
		return []string{scanning.ControlPause, scanning.ControlCancel}
	case s.Status == scanning.StatusPaused:
		return []string{scanning.ControlResume, scanning.ControlCancel}
	}
	return nil
}

func (h *Handler) scanPage(w http.ResponseWriter, r *http.Request) {
	h.renderScan(w, r, http.StatusOK, nil)
}

func (h *Handler) renderScan(w http.ResponseWriter, r *http.Request, status int, problem error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s, err := scanning.GetScan(r.Context(), h.Store, httpx.Caller(r), id, httpx.Lang(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := scanData{Scan: s, Live: s.Status == scanning.StatusQueued || s.Status == scanning.StatusRunning, Controls: controlsFor(s)}
	p := scanPageOf(r, "scans.one_title", d)
	p.Title = i18n.T(p.Lang, "scans.one_title", s.ID, s.SystemName)
	if problem != nil {
		p.Error = errorText(r, problem)
	}
	h.Render.Render(w, r, status, "scans/scan", p)
}

func (h *Handler) controlScan(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	action := r.PostFormValue("action")
	_, err = scanning.Control(r.Context(), h.Store, httpx.Caller(r), id, action, httpx.Lang(r))
	if _, ok := problemsOf(r, err); ok {
		// The scan moved on meanwhile (it finished): its page says how.
		h.renderScan(w, r, http.StatusUnprocessableEntity, err)
		return
	}
	h.done(w, r, err, fmt.Sprintf("/scans/%d", id), "scans.ok."+action)
}

// scanCampaignNow asks for a scan of every system a campaign covers, each
// decided by the scope guard, and shows them in the list of scans.
func (h *Handler) scanCampaignNow(w http.ResponseWriter, r *http.Request) {
	h.scanMany(w, r, func(id int64) scanning.ScanRequest { return scanning.ScanRequest{CampaignID: id} }, "/scans", "scans.ok.campaign_requested")
}

// scanOrgNow does the same for every system in use of an organisation and
// its subtree.
func (h *Handler) scanOrgNow(w http.ResponseWriter, r *http.Request) {
	h.scanMany(w, r, func(id int64) scanning.ScanRequest { return scanning.ScanRequest{OrgID: id} }, "/scans?org={id}", "scans.ok.org_requested")
}

func (h *Handler) scanMany(w http.ResponseWriter, r *http.Request, of func(int64) scanning.ScanRequest, path, flash string) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	req := of(id)
	req.Profile = r.PostFormValue("profile")
	_, err = scanning.RequestScans(r.Context(), h.Store, httpx.Caller(r), req)
	h.done(w, r, err, strings.ReplaceAll(path, "{id}", strconv.FormatInt(id, 10)), flash)
}
