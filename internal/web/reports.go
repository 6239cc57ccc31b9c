package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/router"
)

func (h *Handler) reportRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/reports", Handler: h.reportsPage},
		{Method: "POST", Path: "/reports", Handler: h.queueReport},
		{Method: "GET", Path: "/reports/{id}", Handler: h.reportPage},
		{Method: "GET", Path: "/reports/{id}/download", Handler: h.downloadReport},
	}
}

// reportPageOf builds a reports page with the flash message named by ?ok=.
func reportPageOf(r *http.Request, title string, data any) Page {
	p := NewPage(r, title, "nav.reports", data)
	p.Flash = okFlash(r, "reports.ok.")
	return p
}

// reportsData is the list of stored reports with its filters and the form that asks for one.
type reportsData struct {
	Items    []report.StoredFile
	Total    int
	Kinds    []string
	Formats  []string
	Kind     string
	ObjectID int64
	Input    report.Request
	Problems map[string]string
	pager
}

func (h *Handler) reportsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := report.Request{Kind: q.Get("kind"), Format: "docx"}
	in.ID, _ = strconv.ParseInt(q.Get("object"), 10, 64)
	h.renderReports(w, r, http.StatusOK, in, nil)
}

func (h *Handler) renderReports(w http.ResponseWriter, r *http.Request, status int, in report.Request, problems map[string]string) {
	q := r.URL.Query()
	d := reportsData{Kinds: report.Kinds, Formats: report.Formats, Input: in, Problems: problems}
	if slices.Contains(report.Kinds, q.Get("kind")) {
		d.Kind = q.Get("kind")
	}
	d.ObjectID, _ = strconv.ParseInt(q.Get("object"), 10, 64)
	pg := listPage(r)
	res, err := report.List(r.Context(), h.Store, httpx.Caller(r), report.Filter{Kind: d.Kind, ObjectID: d.ObjectID}, httpx.Lang(r), pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Items, d.Total, d.pager = res.Items, res.Total, pagerOf(r, "/reports", pg, res.Next)
	h.Render.Render(w, r, status, "reports/list", reportPageOf(r, "reports.title", d))
}

// queueReport queues the report the form asks for; its page follows it to the end.
func (h *Handler) queueReport(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	in := report.Request{Kind: r.PostFormValue("kind"), ID: formID(r, "id"), Format: r.PostFormValue("format"), Lang: httpx.Lang(r)}
	f, err := report.Enqueue(r.Context(), h.Store, httpx.Caller(r), in)
	h.saved(w, r, err, func(problems map[string]string) {
		h.renderReports(w, r, http.StatusUnprocessableEntity, in, problems)
	}, fmt.Sprintf("/reports/%d", f.ID), "reports.ok.queued")
}

// reportData is one stored report's page; while it is generated the page reloads itself.
type reportData struct {
	File    report.StoredFile
	Running bool
}

func (h *Handler) reportPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := report.Get(r.Context(), h.Store, httpx.Caller(r), id, httpx.Lang(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "reports/file", reportPageOf(r, "reports.file.title", reportData{File: f, Running: !f.Finished()}))
}

// downloadReport sends a generated report (audited), never as a page of this site.
func (h *Handler) downloadReport(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := report.Download(r.Context(), h.Store, httpx.Caller(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "sandbox")
	httpx.SendTyped(w, f.Name, f.ContentType, f.Data)
}

// reportBlock is the "Báo cáo" block of an object's page: a button per format that queues
// the report of kind on the object.
type reportBlock struct {
	Lang, Kind string
	ID         int64
	Formats    []string
}

// newReportBlock is the block of the report of kind on id, or nil while Khiên has no such
// kind (the page then shows none).
func newReportBlock(lang, kind string, id int64) *reportBlock {
	if !slices.Contains(report.Kinds, kind) {
		return nil
	}
	return &reportBlock{Lang: lang, Kind: kind, ID: id, Formats: report.Formats}
}
