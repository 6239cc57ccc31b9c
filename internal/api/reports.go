package api

import (
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/router"
)

// reportSummaries say what the object of each report kind is, for the API document.
var reportSummaries = map[string]string{
	"campaign": "The campaign's consolidated report (the city's, or an agency's own part)",
	"followup": "The organisation's remediation follow-up list (every open finding by system, the most urgent 5000 at most)",
	"org":      "The organisation's report (its systems, its units, the dashboard's charts, top risks, overdue findings, campaign obligations, conclusion)",
	"system":   "The system's assessment report",
}

// reportRoutes are one route per report kind: GET /api/v1/reports/{kind}/{id}.
func (h *Handler) reportRoutes() []router.Route {
	var routes []router.Route
	for _, kind := range report.Kinds {
		routes = append(routes, router.Route{Method: "GET", Path: "/api/v1/reports/" + kind + "/{id}", Tag: "reports",
			Summary: reportSummaries[kind] + " as an administrative document: docx (default), pdf or xlsx, in the request's language (audited)",
			Query:   []router.Param{{Name: "format", Enum: report.Formats}}, Handler: h.report(kind)})
	}
	return routes
}

// withReportRoutes adds to the file routes one per report kind, answering each format's
// media type.
func withReportRoutes(routes map[string][]string) map[string][]string {
	types := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		types[i] = report.ContentType(f)
	}
	for _, kind := range report.Kinds {
		routes["GET /api/v1/reports/"+kind+"/{id}"] = types
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
	if err != nil {
		Fail(w, r, err)
		return
	}
	httpx.Attachment(w, file.Name, file.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(file.Data)))
	w.Write(file.Data)
}
