package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

func (h *Handler) findingRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/findings", Handler: h.findingsPage},
		{Method: "GET", Path: "/findings/export", Handler: h.exportFindings},
		{Method: "GET", Path: "/findings/import", Handler: h.findingImportPage},
		{Method: "POST", Path: "/findings/import", Handler: h.startFindingImport},
		{Method: "GET", Path: "/findings/imports/{id}", Handler: h.importJobPage},
		{Method: "GET", Path: "/findings/template.xlsx", Handler: h.manualTemplate},
		{Method: "POST", Path: "/findings/bulk/status", Handler: h.bulkStatus},
		{Method: "POST", Path: "/findings/bulk/assign", Handler: h.bulkAssign},
		{Method: "GET", Path: "/findings/{id}", Handler: h.findingPage},
		{Method: "POST", Path: "/findings/{id}/status", Handler: h.changeStatus},
		{Method: "POST", Path: "/findings/{id}/comment", Handler: h.commentFinding},
		{Method: "POST", Path: "/findings/{id}/assign", Handler: h.assignFinding},
		{Method: "POST", Path: "/findings/{id}/files", Handler: h.attachFile},
		{Method: "GET", Path: "/findings/{id}/files/{file_id}", Handler: h.downloadFile},
		{Method: "GET", Path: "/findings/unassigned", Handler: h.unassignedPage},
		{Method: "POST", Path: "/findings/unassigned/assign", Handler: h.assignHost},
		{Method: "POST", Path: "/findings/unassigned/asset", Handler: h.hostToAsset},
		{Method: "GET", Path: "/findings/policy", Handler: h.policyPage},
		{Method: "POST", Path: "/findings/policy", Handler: h.setPolicy},
	}
}

// findingPageOf builds a findings page with the flash message named by ?ok=.
func findingPageOf(r *http.Request, title string, data any) Page {
	p := NewPage(r, title, "nav.findings", data)
	p.Flash = okFlash(r, "findings.ok.")
	return p
}

// findingEnums are the option lists of the findings pages.
type findingEnums struct {
	Severities []finding.Severity
	Statuses   []finding.Status
	Sorts      []string
	Formats    []string
}

var findingOptions = findingEnums{
	Severities: []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info},
	Statuses:   finding.Statuses,
	Sorts:      finding.Sorts,
	Formats:    finding.ExportFormats,
}

// filterOf reads a findings filter from a query: the list, the export and
// the summaries' links all speak it.
func filterOf(q url.Values) finding.Filter {
	f := finding.Filter{Severity: q["severity"], Status: q["status"], Overdue: q.Get("overdue") == "1", Tool: q.Get("tool"),
		CVE: q.Get("cve"), KEV: q.Get("kev") == "1", Query: q.Get("q"), Sort: q.Get("sort"), Host: q.Get("host"),
		Found: q.Get("found"), Resolved: q.Get("resolved")}
	f.OrgID, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	f.SystemID, _ = strconv.ParseInt(q.Get("system"), 10, 64)
	return f
}

// findingsData is the findings list page.
type findingsData struct {
	Items   []finding.View
	Total   int
	Filter  finding.Filter
	Query   string // the filter as a query string, for the export links and the way back
	Orgs    []identity.Org
	Systems []inventory.SystemView
	Users   []identity.User
	pager
	Enums    findingEnums
	Selected map[string]bool // severities and statuses of the filter
	CanWrite bool
	// AssignForm is the form the assignment fields belong to.
	AssignForm string
	Exports    []exportLink
}

// exportLink downloads the list as filtered in one format.
type exportLink struct{ Format, Href string }

// pickers are the organisations, systems and people a findings page offers
// to filter by or assign to. People are listed only for roles that may
// read users.
func (h *Handler) pickers(r *http.Request, orgID int64) ([]identity.Org, []inventory.SystemView, []identity.User, error) {
	caller := httpx.Caller(r)
	orgs, err := identity.AllOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		return nil, nil, nil, err
	}
	systems, err := inventory.ListSystems(r.Context(), h.Store, caller, inventory.SystemFilter{OrgID: orgID, Level: -1}, storage.First(storage.MaxLimit))
	if err != nil {
		return nil, nil, nil, err
	}
	var users []identity.User
	if caller.CanSomewhere(access.ReadUsers) {
		res, err := identity.ListUsers(r.Context(), h.Store, caller, identity.UserQuery{OrgID: orgID}, storage.First(storage.MaxLimit))
		if err != nil && !errors.Is(err, access.ErrForbidden) {
			return nil, nil, nil, err
		}
		users = res.Items
	}
	return orgs, systems.Items, users, nil
}

func (h *Handler) findingsPage(w http.ResponseWriter, r *http.Request) {
	h.renderFindings(w, r, http.StatusOK, "")
}

func (h *Handler) renderFindings(w http.ResponseWriter, r *http.Request, status int, problem string) {
	q := r.URL.Query()
	f := filterOf(q)
	pg := listPage(r)
	res, err := finding.List(r.Context(), h.Store, httpx.Caller(r), f, pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := findingsData{Items: res.Items, Total: res.Total, Filter: f, pager: pagerOf(r, "/findings", pg, res.Next), Enums: findingOptions,
		Selected: map[string]bool{}, Query: filterQuery(q), CanWrite: httpx.Caller(r).CanSomewhere(access.Write), AssignForm: "bulk"}
	if d.Orgs, d.Systems, d.Users, err = h.pickers(r, f.OrgID); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, format := range finding.ExportFormats {
		href := "/findings/export?format=" + format
		if d.Query != "" {
			href += "&" + d.Query
		}
		d.Exports = append(d.Exports, exportLink{format, href})
	}
	for _, s := range append(append([]string{}, f.Severity...), f.Status...) {
		d.Selected[s] = true
	}
	p := findingPageOf(r, "findings.title", d)
	p.Error = problem
	h.Render.Render(w, r, status, "findings/list", p)
}

// filterQuery is the query of a list without its cursor and flash.
func filterQuery(q url.Values) string {
	v := url.Values{}
	for k, vals := range q {
		if k != "cursor" && k != "ok" && k != "format" {
			v[k] = vals
		}
	}
	return v.Encode()
}

// formIDs reads the checked findings of a bulk form.
func formIDs(r *http.Request) []int64 {
	var ids []int64
	for _, s := range r.PostForm["ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// backToList is the list a bulk form came from (its filters), on this site.
func backToList(r *http.Request) string {
	if q := r.PostFormValue("back"); q != "" {
		return SafeNext("/findings?" + q)
	}
	return "/findings"
}

// moveOf reads a status change from a form.
func moveOf(r *http.Request) finding.Move {
	return finding.Move{To: finding.Status(r.PostFormValue("status")), Note: strings.TrimSpace(r.PostFormValue("note")),
		Approver: strings.TrimSpace(r.PostFormValue("approver")), Until: r.PostFormValue("until")}
}

// assignmentOf reads an assignment from a form.
func assignmentOf(r *http.Request) finding.Assignment {
	return finding.Assignment{OrgID: formID(r, "assignee_org_id"), UserID: formID(r, "assignee_user_id"), DueDate: r.PostFormValue("due_date")}
}

// bulkDone finishes a bulk form: the list again with the problem, or back
// to the list with the flash message.
func (h *Handler) bulkDone(w http.ResponseWriter, r *http.Request, err error, flash string) {
	back := backToList(r)
	if _, ok := problemsOf(r, err); ok {
		// Show the list the form came from, with the problem on top.
		r.URL.RawQuery = strings.TrimPrefix(strings.TrimPrefix(back, "/findings"), "?")
		h.renderFindings(w, r, http.StatusUnprocessableEntity, errorText(r, err))
		return
	}
	h.done(w, r, err, back, flash)
}

func (h *Handler) bulkStatus(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	_, err := finding.Bulk(r.Context(), h.Store, httpx.Caller(r), formIDs(r), moveOf(r))
	h.bulkDone(w, r, err, "findings.ok.status")
}

func (h *Handler) bulkAssign(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	err := finding.Assign(r.Context(), h.Store, httpx.Caller(r), formIDs(r), assignmentOf(r))
	h.bulkDone(w, r, err, "findings.ok.assigned")
}

// exportFindings downloads the filtered list. The export is audited before
// the first byte; an error after that can only cut the download short.
func (h *Handler) exportFindings(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	ctype, ext := finding.ExportContentType(format)
	out := &httpx.Download{W: w, Name: "phat-hien." + ext, ContentType: ctype}
	if err := finding.Export(r.Context(), h.Store, httpx.Caller(r), filterOf(r.URL.Query()), format, out); err != nil {
		if !out.Started() {
			h.fail(w, r, err)
			return
		}
		httpx.LogFailure(r, "findings export broke off", err)
	}
}
