package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Example values describing the findings' JSON bodies in the OpenAPI document.
var (
	exSeen    = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	exFinding = finding.View{Finding: finding.Finding{ID: 1, Fingerprint: "6f1c0b1e9a7d4c55a0f2e3d4c5b6a798", SystemID: 1, OrgID: 2, AssetID: 1,
		RuleKey: "check:http.missing-hsts", CheckID: "http.missing-hsts", Tool: "khien", Title: "Missing Strict-Transport-Security (HSTS)",
		Severity: finding.Low, CVSS3: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", CVSS3Score: 3.1, CWE: "CWE-523", CVEs: []string{}, Tags: []string{"http"},
		Host: "skhcn.cantho.gov.vn", Port: 443, URL: "https://skhcn.cantho.gov.vn/", References: []string{}, Exposed: true, Priority: 18,
		Status: finding.New, AssigneeOrg: 2, DueDate: "2026-06-01", FirstSeen: exSeen, LastSeen: exSeen, TimesSeen: 1, StatusAt: exSeen, CreatedAt: exSeen, UpdatedAt: exSeen},
		SystemName: "Cổng thông tin điện tử", OrgCode: "SKHCN"}
	exFile   = finding.File{ID: 1, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Name: "nginx.conf", ContentType: "text/plain; charset=utf-8", Size: 2048, Actor: "canbo@skhcn.cantho.gov.vn", At: exSeen}
	exDetail = finding.Detail{View: exFinding, Factors: []finding.Factor{{Key: "finding.prio.severity", Points: 8, Arg: "low"}, {Key: "finding.prio.exposed", Points: 10}},
		Sources: []finding.Source{{Tool: "khien", RuleID: "http.missing-hsts", FirstSeen: exSeen, LastSeen: exSeen, TimesSeen: 1}},
		History: []finding.Event{{ID: 1, At: exSeen, Actor: "canbo@skhcn.cantho.gov.vn", Kind: "status", From: finding.New, To: finding.Fixed, Note: "Đã bật HSTS trên nginx"}},
		Files:   []finding.File{exFile}, Level: 2}
)

// findingQuery is every filter of the findings list.
var findingQuery = []router.Param{orgParam,
	{Name: "system_id", Type: "integer"},
	{Name: "unassigned", Enum: flag, Description: "1: only findings that match no registered asset (city-level roles)"},
	{Name: "severity", Description: "critical, high, medium, low, info; several separated by commas or repeated"},
	{Name: "status", Description: "new, reopened, confirmed, in_remediation, fixed, verified, closed, false_positive, risk_accepted, or open for every open one; several separated by commas or repeated"},
	{Name: "overdue", Enum: flag},
	{Name: "tool", Description: "a source tool: khien, nmap, nuclei, openvas, zap, nessus, burp, trivy, manual, sarif:<driver>"},
	{Name: "cve", Description: "a CVE id"},
	{Name: "kev", Enum: flag, Description: "1: only findings with a CVE in CISA's KEV catalogue"},
	{Name: "host"},
	{Name: "assignee_user_id", Type: "integer"},
	{Name: "found", Description: "YYYY-MM: first seen in that month (Vietnam time)"},
	{Name: "resolved", Description: "YYYY-MM: verified or closed in that month (Vietnam time)"},
	qParam,
	{Name: "sort", Enum: finding.Sorts},
}

// bulkMove is a status change for many findings.
type bulkMove struct {
	IDs []int64 `json:"ids"`
	finding.Move
}

// bulkAssign gives many findings to an assignee.
type bulkAssign struct {
	IDs []int64 `json:"ids"`
	finding.Assignment
}

type changed struct {
	Changed int `json:"changed"`
}

type hostAssignment struct {
	Host     string `json:"host"`
	SystemID int64  `json:"system_id"`
}

type noteBody struct {
	Note string `json:"note"`
}

func (h *Handler) findingRoutes() []router.Route {
	const tag = "findings"
	return []router.Route{
		{Method: "GET", Path: "/api/v1/findings", Tag: tag, Summary: "List findings by priority (filters below; limit, cursor)", Query: findingQuery, Response: NewList([]finding.View{exFinding}, 1, ""), Handler: h.listFindings},
		{Method: "GET", Path: "/api/v1/findings/counts", Tag: tag, Summary: "Count findings by severity and status (same filters as the list)", Query: findingQuery, Response: finding.Counts{BySeverity: map[string]int{"low": 1}, ByStatus: map[string]int{"new": 1}, Matrix: map[string]map[string]int{"low": {"new": 1}}, Open: 1, Total: 1}, Handler: h.countFindings},
		{Method: "POST", Path: "/api/v1/findings/status", Tag: tag, Summary: "Make one status change to many findings, all or none", Request: bulkMove{IDs: []int64{1, 2}, Move: finding.Move{To: finding.Confirmed, Note: "Đã kiểm tra lại"}}, Required: []string{"ids", "status"}, Response: changed{Changed: 2}, Status: []int{200}, Handler: h.bulkStatus},
		{Method: "POST", Path: "/api/v1/findings/assign", Tag: tag, Summary: "Assign findings to an organisation or a person, optionally with a due date", Request: bulkAssign{IDs: []int64{1}, Assignment: finding.Assignment{OrgID: 2, DueDate: "2026-04-30"}}, Required: []string{"ids"}, Response: changed{Changed: 1}, Status: []int{200}, Handler: h.assignFindings},
		{Method: "GET", Path: "/api/v1/findings/export", Tag: tag, Summary: "Export every finding matching the list's filters as csv, xlsx, json or sarif (audited)", Query: append([]router.Param{{Name: "format", Enum: finding.ExportFormats}}, findingQuery...), Handler: h.exportFindings},
		{Method: "GET", Path: "/api/v1/findings/template", Tag: tag, Summary: "The Excel sheet for manual pentest findings, in the request's language (import it with POST /api/v1/imports)", Handler: h.manualTemplate},
		{Method: "GET", Path: "/api/v1/findings/unassigned", Tag: tag, Summary: "The unassigned queue by host: findings that match no registered asset (city-level roles)", Response: NewList([]finding.UnassignedHost{{Host: "portal-cu.cantho.gov.vn", Findings: 3, Worst: "high"}}, 1, ""), Handler: h.listUnassigned},
		{Method: "POST", Path: "/api/v1/findings/unassigned/assign", Tag: tag, Summary: "Move the unassigned findings of a host to a system (city-level roles)", Request: hostAssignment{Host: "portal-cu.cantho.gov.vn", SystemID: 1}, Required: []string{"host", "system_id"}, Response: changed{Changed: 3}, Status: []int{200}, Handler: h.assignHost},
		{Method: "GET", Path: "/api/v1/findings/policy", Tag: tag, Summary: "The due-date policy: days to fix by severity, halved from a system level", Response: finding.DefaultPolicy(), Handler: h.getPolicy},
		{Method: "PUT", Path: "/api/v1/findings/policy", Tag: tag, Summary: "Set the due-date policy (coordinator); findings keep their due dates", Request: finding.DefaultPolicy(), Required: []string{"days"}, Response: finding.DefaultPolicy(), Handler: h.setPolicy},
		{Method: "GET", Path: "/api/v1/findings/{id}", Tag: tag, Summary: "Get a finding with its priority explained, sources, history and files", Response: exDetail, Handler: h.getFinding},
		{Method: "POST", Path: "/api/v1/findings/{id}/status", Tag: tag, Summary: "Change a finding's status (fixed needs a note or a file; false_positive, reopened and risk_accepted a reason; risk_accepted an approver and until)", Request: finding.Move{To: finding.Fixed, Note: "Đã bật HSTS trên nginx"}, Required: []string{"status"}, Response: exFinding, Status: []int{200}, Handler: h.findingStatus},
		{Method: "POST", Path: "/api/v1/findings/{id}/comments", Tag: tag, Summary: "Comment on a finding", Request: noteBody{Note: "Đã liên hệ đơn vị vận hành"}, Required: []string{"note"}, Status: []int{204}, Handler: h.commentFinding},
		{Method: "POST", Path: "/api/v1/findings/{id}/files", Tag: tag, Summary: "Attach evidence to a finding (multipart field file, at most 10 MB)", Response: exFile, Status: []int{201}, Handler: h.attachFile},
		{Method: "GET", Path: "/api/v1/findings/{id}/files/{file_id}", Tag: tag, Summary: "Download an attachment (audited)", Handler: h.downloadFile},
	}
}

// multi reads a filter that may be repeated or comma-separated.
func multi(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// findingFilter reads the list's filters from the query.
func findingFilter(r *http.Request) (finding.Filter, error) {
	q := r.URL.Query()
	f := finding.Filter{Severity: multi(r, "severity"), Status: multi(r, "status"), Tool: q.Get("tool"), CVE: q.Get("cve"), Host: q.Get("host"),
		Query: q.Get("q"), Sort: q.Get("sort"), Overdue: q.Get("overdue") == "1", KEV: q.Get("kev") == "1", Unassigned: q.Get("unassigned") == "1",
		Found: q.Get("found"), Resolved: q.Get("resolved")}
	var errs []error
	var err error
	f.OrgID, err = queryInt(r, "org_id", 0)
	errs = append(errs, err)
	f.SystemID, err = queryInt(r, "system_id", 0)
	errs = append(errs, err)
	f.AssigneeUser, err = queryInt(r, "assignee_user_id", 0)
	errs = append(errs, err)
	return f, errors.Join(errs...)
}

func (h *Handler) listFindings(w http.ResponseWriter, r *http.Request) {
	f, err := findingFilter(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[finding.View], error) {
		return finding.List(r.Context(), h.Store, httpx.Caller(r), f, p)
	})
}

func (h *Handler) countFindings(w http.ResponseWriter, r *http.Request) {
	f, err := findingFilter(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	c, err := finding.Count(r.Context(), h.Store, httpx.Caller(r), f)
	respond(w, r, http.StatusOK, c, err)
}

func (h *Handler) getFinding(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	d, err := finding.GetDetail(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, d, err)
}

func (h *Handler) findingStatus(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var m finding.Move
	if err == nil {
		err = httpx.Decode(w, r, &m)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := finding.ChangeStatus(r.Context(), h.Store, httpx.Caller(r), id, m)
	respond(w, r, http.StatusOK, v, err)
}

func (h *Handler) bulkStatus(w http.ResponseWriter, r *http.Request) {
	var b bulkMove
	if err := httpx.Decode(w, r, &b); err != nil {
		Fail(w, r, err)
		return
	}
	n, err := finding.Bulk(r.Context(), h.Store, httpx.Caller(r), b.IDs, b.Move)
	respond(w, r, http.StatusOK, changed{n}, err)
}

func (h *Handler) assignFindings(w http.ResponseWriter, r *http.Request) {
	var b bulkAssign
	if err := httpx.Decode(w, r, &b); err != nil {
		Fail(w, r, err)
		return
	}
	err := finding.Assign(r.Context(), h.Store, httpx.Caller(r), b.IDs, b.Assignment)
	respond(w, r, http.StatusOK, changed{len(b.IDs)}, err)
}

func (h *Handler) commentFinding(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var b noteBody
	if err == nil {
		err = httpx.Decode(w, r, &b)
	}
	if err == nil {
		err = finding.Comment(r.Context(), h.Store, httpx.Caller(r), id, b.Note)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// attachFile takes one multipart file of at most finding.MaxFile bytes.
func (h *Handler) attachFile(w http.ResponseWriter, r *http.Request) {
	id, name, data, err := idAndFile(w, r, finding.MaxFile)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := finding.Attach(r.Context(), h.Store, httpx.Caller(r), id, name, data)
	respond(w, r, http.StatusCreated, f, err)
}

func (h *Handler) downloadFile(w http.ResponseWriter, r *http.Request) {
	id, fileID, err := httpx.PathIDs(r, "file_id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, data, err := finding.ReadFile(r.Context(), h.Store, httpx.Caller(r), id, fileID)
	if err != nil {
		Fail(w, r, err)
		return
	}
	httpx.SendFile(w, f.Name, data)
}

func (h *Handler) listUnassigned(w http.ResponseWriter, r *http.Request) {
	p, err := httpx.ParsePage(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	hosts, err := finding.ListUnassigned(r.Context(), h.Store, httpx.Caller(r), 1000)
	if err != nil {
		Fail(w, r, err)
		return
	}
	page, err := storage.PageSlice(hosts, p, func(u finding.UnassignedHost) string { return u.Host })
	respond(w, r, http.StatusOK, NewList(page.Items, page.Total, page.Next), err)
}

func (h *Handler) assignHost(w http.ResponseWriter, r *http.Request) {
	var b hostAssignment
	if err := httpx.Decode(w, r, &b); err != nil {
		Fail(w, r, err)
		return
	}
	n, err := finding.AssignHost(r.Context(), h.Store, httpx.Caller(r), b.Host, b.SystemID)
	respond(w, r, http.StatusOK, changed{n}, err)
}

func (h *Handler) getPolicy(w http.ResponseWriter, r *http.Request) {
	p, err := finding.LoadPolicy(r.Context(), h.Store)
	respond(w, r, http.StatusOK, p, err)
}

func (h *Handler) setPolicy(w http.ResponseWriter, r *http.Request) {
	var p finding.Policy
	if err := httpx.Decode(w, r, &p); err != nil {
		Fail(w, r, err)
		return
	}
	if p.Days == nil {
		Fail(w, r, validation.Invalid("days", "finding.err.days_missing"))
		return
	}
	err := finding.SetPolicy(r.Context(), h.Store, httpx.Caller(r), p)
	respond(w, r, http.StatusOK, p, err)
}

func (h *Handler) exportFindings(w http.ResponseWriter, r *http.Request) {
	f, err := findingFilter(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	ctype, ext := finding.ExportContentType(format)
	out := &httpx.Download{W: w, Name: "findings." + ext, ContentType: ctype}
	if err := finding.Export(r.Context(), h.Store, httpx.Caller(r), f, format, out); err != nil {
		if !out.Started() {
			Fail(w, r, err)
			return
		}
		httpx.LogFailure(r, "findings export broke off", err)
	}
}

func (h *Handler) manualTemplate(w http.ResponseWriter, r *http.Request) {
	httpx.Attachment(w, "pentest-findings.xlsx", xlsxType)
	if err := source.WriteManualTemplate(w, httpx.Lang(r)); err != nil {
		httpx.LogFailure(r, "write the pentest template", err)
	}
}
