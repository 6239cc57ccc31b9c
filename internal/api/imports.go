package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/validation"
)

// exImport describes an import in the OpenAPI document.
var exImport = finding.ImportJob{ID: 1, Status: finding.ImportDone, FileName: "nuclei.jsonl", Size: 52_000, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	Actor: "dieuphoi@cantho.gov.vn", Progress: 120, CreatedAt: exSeen,
	Summary: finding.Summary{Created: 100, Updated: 12, Closed: 3, Reopened: 1, Unassigned: 8, Skipped: 0, Skips: []finding.Skip{}, Format: "nuclei", Read: 120}}

// maxWait is the longest ?wait=true holds a request; the import goes on after.
const maxWait = 10 * time.Minute

func (h *Handler) importRoutes() []router.Route {
	const tag = "findings"
	return []router.Route{
		{Method: "POST", Path: "/api/v1/imports", Tag: tag, Summary: "Import a scanner or pentest file as findings in the background (multipart: file, and before it optional format, system_id, org_id, also accepted as query parameters); 201 {id,status}; wait=true answers when it has finished, with the summary",
			Query:    []router.Param{{Name: "wait", Enum: []string{"true", "false"}}, {Name: "format", Description: "auto (default) or a format name"}, {Name: "system_id", Type: "integer"}, orgParam},
			Response: exImport, Status: []int{201}, Handler: h.createImport},
		{Method: "GET", Path: "/api/v1/imports/{id}", Tag: tag, Summary: "An import: status (queued, running, done, failed), progress, the summary and the error", Response: exImport, Handler: h.getImport},
	}
}

// importRequest reads where an import goes from the form fields or the query.
func importRequest(r *http.Request, fields map[string]string) (finding.ImportRequest, error) {
	get := func(name string) string {
		if v, ok := fields[name]; ok {
			return v
		}
		return r.URL.Query().Get(name)
	}
	req := finding.ImportRequest{Format: get("format")}
	var es validation.Errors
	for name, p := range map[string]*int64{"system_id": &req.SystemID, "org_id": &req.OrgID} {
		if v := get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				es.Add(name, "validation.integer")
			}
			*p = n
		}
	}
	return req, es.Err()
}

func (h *Handler) createImport(w http.ResponseWriter, r *http.Request) {
	up, err := httpx.ReadUpload(w, r, "file", finding.MaxUpload+1<<20)
	if err != nil {
		Fail(w, r, err)
		return
	}
	req, err := importRequest(r, up.Fields)
	if err != nil {
		Fail(w, r, err)
		return
	}
	req.FileName = up.Name
	actor := httpx.Caller(r)
	j, err := finding.QueueImport(r.Context(), h.Store, actor, req, up.Name, up.Body)
	if err == nil && r.URL.Query().Get("wait") == "true" {
		ctx, cancel := context.WithTimeout(r.Context(), maxWait)
		defer cancel()
		j, err = finding.WaitImport(ctx, h.Store, actor, j.ID, httpx.Lang(r))
	}
	respond(w, r, http.StatusCreated, j, err)
}

func (h *Handler) getImport(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	j, err := finding.GetImport(r.Context(), h.Store, httpx.Caller(r), id, httpx.Lang(r))
	respond(w, r, http.StatusOK, j, err)
}
