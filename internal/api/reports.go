package api

import (
	"net/http"
	"time"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// reportSummaries say what the object of each report kind is, for the API document.
var reportSummaries = map[string]string{
	"campaign": "The campaign's consolidated report (the city's, or an agency's own part)",
	"followup": "The organisation's remediation follow-up list (every open finding by system, the most urgent 5000 at most)",
	"org":      "The organisation's report (its systems, its units, the dashboard's charts, top risks, overdue findings, campaign obligations, conclusion)",
	"system":   "The system's assessment report",
}

// exReportFile describes a stored report in the OpenAPI document.
var (
	exReportAsOf     = exSeen.Add(2 * time.Second)
	exReportFinished = exSeen.Add(5 * time.Second)
	exReportFile     = report.StoredFile{ID: 3, Kind: "system", ObjectID: 12, ObjectName: "Cổng thông tin điện tử", OrgID: 2, Format: "docx", Lang: "vi",
		Status: report.Done, Progress: 100, Stage: report.StageDone, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 48_213,
		FileName: "bao-cao-system-12.docx", DataAsOf: &exReportAsOf, RequestedBy: "dieuphoi@cantho.gov.vn", CreatedAt: exSeen, StartedAt: &exReportAsOf, FinishedAt: &exReportFinished}
	exReportQueued = report.StoredFile{ID: 4, Kind: "system", ObjectID: 12, ObjectName: "Cổng thông tin điện tử", OrgID: 2, Format: "pdf", Lang: "vi",
		Status: report.Queued, FileName: "bao-cao-system-12.pdf", RequestedBy: "dieuphoi@cantho.gov.vn", CreatedAt: exSeen}
)

// reportRoutes are the stored reports (queue one, list, read, download) and one route per
// report kind that generates it at once: GET /api/v1/reports/{kind}/{id}.
func (h *Handler) reportRoutes() []router.Route {
	const tag = "reports"
	routes := []router.Route{
		{Method: "POST", Path: "/api/v1/reports", Tag: tag, Summary: "Queue a report for generation in the background; 202 with the stored report (queued), to follow at /api/v1/reports/files/{id}",
			Request: report.Request{Kind: "system", ID: 12, Format: "pdf", Lang: "vi"}, Required: []string{"kind", "id", "format"}, Response: exReportQueued, Status: []int{202}, Handler: h.queueReport},
		{Method: "GET", Path: "/api/v1/reports", Tag: tag, Summary: "Stored reports about organisations in the caller's scope, newest first: every generation is a version, none replaces another",
			Query: []router.Param{{Name: "kind", Enum: report.Kinds}, {Name: "object_id", Type: "integer", Description: "the object reported on"}}, Response: NewList([]report.StoredFile{exReportFile}, 1, ""), Handler: h.listReports},
		{Method: "GET", Path: "/api/v1/reports/files/{id}", Tag: tag, Summary: "A stored report: status (queued, running, done, failed), progress and stage, who asked and when, the time of its data, the error", Response: exReportFile, Handler: h.getReport},
		{Method: "GET", Path: "/api/v1/reports/files/{id}/download", Tag: tag, Summary: "Download a generated report's file (audited, with the file's SHA-256)", Handler: h.downloadReport},
	}
	for _, kind := range report.Kinds {
		routes = append(routes, router.Route{Method: "GET", Path: "/api/v1/reports/" + kind + "/{id}", Tag: tag,
			Summary: reportSummaries[kind] + " as an administrative document, generated at once and stored as a version: docx (default), pdf or xlsx, in the request's language (audited)",
			Query:   []router.Param{{Name: "format", Enum: report.Formats}}, Handler: h.report(kind)})
	}
	return routes
}

// reportTypes are the media types of the report formats.
func reportTypes() []string {
	out := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		out[i] = report.ContentType(f)
	}
	return out
}

// withReportRoutes adds to the file routes one per report kind, answering each format's
// media type.
func withReportRoutes(routes map[string][]string) map[string][]string {
	for _, kind := range report.Kinds {
		routes["GET /api/v1/reports/"+kind+"/{id}"] = reportTypes()
	}
	return routes
}

// report writes the report of kind on the object of the path's id.
func (h *Handler) report(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { h.writeReport(w, r, kind) }
}

func (h *Handler) writeReport(w http.ResponseWriter, r *http.Request, kind string) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	req := report.Request{Kind: kind, ID: id, Format: r.URL.Query().Get("format"), Lang: httpx.Lang(r)}
	if req.Format == "" {
		req.Format = "docx"
	}
	file, err := report.Generate(r.Context(), h.Store, httpx.Caller(r), req, h.Store.Now())
	sendReport(w, r, file, err)
}

// sendReport answers with a report's file, or the error.
func sendReport(w http.ResponseWriter, r *http.Request, file report.File, err error) {
	if err != nil {
		Fail(w, r, err)
		return
	}
	httpx.SendTyped(w, file.Name, file.ContentType, file.Data)
}

func (h *Handler) queueReport(w http.ResponseWriter, r *http.Request) {
	var req report.Request
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	if req.Lang == "" {
		req.Lang = httpx.Lang(r)
	}
	f, err := report.Enqueue(r.Context(), h.Store, httpx.Caller(r), req)
	respond(w, r, http.StatusAccepted, f, err)
}

func (h *Handler) listReports(w http.ResponseWriter, r *http.Request) {
	id, err := queryInt(r, "object_id", 0)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f := report.Filter{Kind: r.URL.Query().Get("kind"), ObjectID: id}
	writePage(w, r, func(p storage.Page) (storage.Paged[report.StoredFile], error) {
		return report.List(r.Context(), h.Store, httpx.Caller(r), f, httpx.Lang(r), p)
	})
}

func (h *Handler) getReport(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := report.Get(r.Context(), h.Store, httpx.Caller(r), id, httpx.Lang(r))
	respond(w, r, http.StatusOK, f, err)
}

func (h *Handler) downloadReport(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	file, err := report.Download(r.Context(), h.Store, httpx.Caller(r), id)
	sendReport(w, r, file, err)
}
