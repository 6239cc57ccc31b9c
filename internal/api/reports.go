package api

import (
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/router"
)

func (h *Handler) reportRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/api/v1/reports/system/{id}", Tag: "reports",
			Summary: "The system's assessment report as an administrative document: docx (default), pdf or xlsx, in the request's language (audited)",
			Query:   []router.Param{{Name: "format", Enum: report.Formats}}, Handler: h.systemReport},
	}
}

func (h *Handler) systemReport(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	req := report.Request{Kind: "system", ID: id, Format: r.URL.Query().Get("format"), Lang: httpx.Lang(r)}
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
