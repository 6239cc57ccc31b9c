package web

import (
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/inventory/workbook"
	"github.com/khien/khien/internal/storage"
)

// findingImportData is the import form and, once queued, the import it started.
type findingImportData struct {
	Formats []string
	Systems []inventory.SystemView
	Job     finding.ImportJob
	Running bool // the page reloads itself until the import has finished
}

func (h *Handler) findingImportPage(w http.ResponseWriter, r *http.Request) {
	h.renderFindingImport(w, r, http.StatusOK, "")
}

func (h *Handler) renderFindingImport(w http.ResponseWriter, r *http.Request, status int, problem string) {
	caller := httpx.Caller(r)
	if !caller.CanSomewhere(access.Scan) {
		h.fail(w, r, access.Denied(caller.Role, access.Scan))
		return
	}
	systems, err := inventory.ListSystems(r.Context(), h.Store, caller, inventory.SystemFilter{Level: -1}, storage.First(storage.MaxLimit))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := findingPageOf(r, "findings.import.title", findingImportData{Formats: source.Formats(), Systems: systems.Items})
	p.Error = problem
	h.Render.Render(w, r, status, "findings/import", p)
}

// startFindingImport stores the uploaded file and queues its import; the page of
// the import follows it to the end.
func (h *Handler) startFindingImport(w http.ResponseWriter, r *http.Request) {
	up, err := httpx.ReadUpload(w, r, "file", finding.MaxUpload+1<<20)
	if err != nil {
		h.renderFindingImport(w, r, http.StatusUnprocessableEntity, errorText(r, err))
		return
	}
	req := finding.ImportRequest{Format: up.Fields["format"], FileName: up.Name}
	req.SystemID, _ = strconv.ParseInt(up.Fields["system_id"], 10, 64)
	j, err := finding.QueueImport(r.Context(), h.Store, httpx.Caller(r), req, up.Name, up.Body)
	if err != nil {
		if p := httpx.ProblemOf(err); p.Status == http.StatusForbidden || p.Status == http.StatusNotFound {
			h.fail(w, r, err)
			return
		}
		h.renderFindingImport(w, r, http.StatusUnprocessableEntity, errorText(r, err))
		return
	}
	http.Redirect(w, r, "/findings/imports/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
}

// importJobPage shows an import; while it runs the page reloads itself.
func (h *Handler) importJobPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	j, err := finding.GetImport(r.Context(), h.Store, httpx.Caller(r), id, httpx.Lang(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "findings/importjob", findingPageOf(r, "findings.import.job", findingImportData{Job: j, Running: j.Status == finding.ImportQueued || j.Status == finding.ImportRunning}))
}

// manualTemplate is the sheet pentesters fill in, in the reader's language.
func (h *Handler) manualTemplate(w http.ResponseWriter, r *http.Request) {
	lang := httpx.Lang(r)
	name := "mau-phat-hien-kiem-thu.xlsx"
	if lang == "en" {
		name = "pentest-findings-template.xlsx"
	}
	httpx.Attachment(w, name, workbook.ContentType)
	if err := source.WriteManualTemplate(w, lang); err != nil {
		httpx.LogFailure(r, "write the pentest template", err)
	}
}
