package web

import (
	"net/http"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/scanning"
)

// exclusionsData is the page of the exclusions that apply to every scan.
type exclusionsData struct {
	Items     []scanning.Exclusion
	CanManage bool
	Form      map[string]string // what was typed, when it comes back
	Problems  map[string]string
}

// exclusionsPage lists the global exclusions; the coordinator adds and
// removes them (an exclusion of one system is on the system's page).
func (h *Handler) exclusionsPage(w http.ResponseWriter, r *http.Request) {
	h.renderExclusions(w, r, http.StatusOK, exclusionsData{})
}

func (h *Handler) renderExclusions(w http.ResponseWriter, r *http.Request, status int, d exclusionsData) {
	caller := httpx.Caller(r)
	list, err := scanning.Exclusions(r.Context(), h.Store, caller, scanning.ExclusionFilter{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Items, d.CanManage = list, scanning.MayAuthorize(caller)
	h.Render.Render(w, r, status, "scans/exclusions", scanPageOf(r, "scans.exclusions.title", d))
}

func (h *Handler) addGlobalExclusion(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	e := scanning.Exclusion{Value: r.PostFormValue("value"), Reason: r.PostFormValue("reason")}
	_, err := scanning.AddExclusion(r.Context(), h.Store, httpx.Caller(r), e)
	if problems, ok := problemsOf(r, err); ok {
		h.renderExclusions(w, r, http.StatusUnprocessableEntity, exclusionsData{Problems: problems,
			Form: map[string]string{"value": e.Value, "reason": e.Reason}})
		return
	}
	h.done(w, r, err, "/scans/exclusions", "scans.ok.excluded")
}

func (h *Handler) removeGlobalExclusion(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err == nil {
		err = scanning.RemoveExclusion(r.Context(), h.Store, httpx.Caller(r), id)
	}
	h.done(w, r, err, "/scans/exclusions", "scans.ok.unexcluded")
}
