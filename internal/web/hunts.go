package web

import (
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

func (h *Handler) huntRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/hunts", Handler: h.huntsPage},
		{Method: "POST", Path: "/hunts", Handler: h.createHunt},
		{Method: "GET", Path: "/hunts/badge", Handler: h.huntsBadge},
		{Method: "GET", Path: "/hunts/{id}", Handler: h.huntPage},
		{Method: "POST", Path: "/hunts/{id}/checklist", Handler: h.huntChecklist},
		{Method: "POST", Path: "/hunts/{id}/assign", Handler: h.assignHunt},
		{Method: "POST", Path: "/hunts/{id}/files", Handler: h.attachHuntFile},
		{Method: "GET", Path: "/hunts/{id}/files/{file_id}", Handler: h.downloadHuntFile},
		{Method: "POST", Path: "/hunts/{id}/finish", Handler: h.finishHunt},
	}
}

// huntPageOf builds a hunts page with the flash message named by ?ok=.
func huntPageOf(r *http.Request, title string, data any) Page {
	p := NewPage(r, title, "nav.findings", data)
	p.Flash = okFlash(r, "hunt.ok.")
	return p
}

// huntRow is a hunt as the list shows it.
type huntRow struct {
	hunt.Hunt
	Overdue    bool
	Done, Size int
}

// huntsData is the threat-hunt list with its filters and the form that
// opens one by hand.
type huntsData struct {
	Items    []huntRow
	Total    int
	Status   string
	Tabs     []string
	Origin   string
	Origins  []string
	SystemID int64
	Overdue  bool
	Systems  []inventory.SystemView
	pager
	Problems map[string]string
}

func (h *Handler) huntsPage(w http.ResponseWriter, r *http.Request) {
	h.renderHunts(w, r, http.StatusOK, nil)
}

func (h *Handler) renderHunts(w http.ResponseWriter, r *http.Request, status int, problems map[string]string) {
	caller := httpx.Caller(r)
	q := r.URL.Query()
	d := huntsData{Status: q.Get("status"), Tabs: []string{hunt.StatusOpen, hunt.StatusDone, "all"}, Origins: hunt.Origins, Overdue: q.Get("overdue") == "1", Problems: problems}
	if !slices.Contains(d.Tabs, d.Status) {
		d.Status = hunt.StatusOpen
	}
	if slices.Contains(hunt.Origins, q.Get("origin")) {
		d.Origin = q.Get("origin")
	}
	d.SystemID, _ = strconv.ParseInt(q.Get("system"), 10, 64)
	f := hunt.Filter{Status: d.Status, Origin: d.Origin, SystemID: d.SystemID, Overdue: d.Overdue}
	if d.Status == "all" {
		f.Status = ""
	}
	f.AssigneeUserID, _ = strconv.ParseInt(q.Get("assignee"), 10, 64)
	pg := listPage(r)
	now := h.Store.Now()
	res, err := hunt.List(r.Context(), h.Store, caller, f, pg, now)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	systems, err := inventory.ListSystems(r.Context(), h.Store, caller, inventory.SystemFilter{Level: -1}, storage.First(storage.MaxLimit))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Systems, d.Total, d.pager = systems.Items, res.Total, pagerOf(r, "/hunts", pg, res.Next)
	today := hunt.Today(now)
	for _, it := range res.Items {
		done, size := it.Progress()
		d.Items = append(d.Items, huntRow{Hunt: it, Overdue: it.Overdue(today), Done: done, Size: size})
	}
	h.Render.Render(w, r, status, "hunts/list", huntPageOf(r, "hunt.title", d))
}

func (h *Handler) createHunt(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := hunt.Create(r.Context(), h.Store, httpx.Caller(r), hunt.Input{SystemID: formID(r, "system_id"), DueDate: r.PostFormValue("due_date")})
	h.saved(w, r, err, func(problems map[string]string) {
		h.renderHunts(w, r, http.StatusUnprocessableEntity, problems)
	}, fmt.Sprintf("/hunts/%d", v.ID), "hunt.ok.opened")
}

// huntData is one hunt's page.
type huntData struct {
	hunt.Detail
	Overdue  bool
	Done     int
	CanWork  bool
	People   []hunt.Person
	Results  []string
	MaxFile  int
	Problems map[string]string
	Input    hunt.Outcome
}

func (h *Handler) huntPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderHunt(w, r, id, http.StatusOK, nil, hunt.Outcome{})
}

func (h *Handler) renderHunt(w http.ResponseWriter, r *http.Request, id int64, status int, problems map[string]string, in hunt.Outcome) {
	caller := httpx.Caller(r)
	d, err := hunt.Get(r.Context(), h.Store, caller, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	d.Localize(lang)
	data := huntData{Detail: d, Overdue: d.Overdue(hunt.Today(h.Store.Now())), CanWork: caller.Can(access.HandleIncident, d.OrgPath),
		Results: hunt.Results, MaxFile: hunt.MaxFile >> 20, Problems: problems, Input: in}
	data.Done, _ = d.Progress()
	if data.CanWork {
		if data.People, err = hunt.Candidates(r.Context(), h.Store, caller, id); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.Render.Render(w, r, status, "hunts/hunt", huntPageOf(r, "hunt.title", data))
}

// huntSaved finishes a form of a hunt's page: back to the page with the
// flash message, or the page again with the problems.
func (h *Handler) huntSaved(w http.ResponseWriter, r *http.Request, id int64, err error, in hunt.Outcome, flash string) {
	h.saved(w, r, err, func(problems map[string]string) {
		h.renderHunt(w, r, id, http.StatusUnprocessableEntity, problems, in)
	}, fmt.Sprintf("/hunts/%d", id), flash)
}

// huntChecklist saves the whole checklist form: every item listed in it is
// done when its box is ticked, with its note.
func (h *Handler) huntChecklist(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	done := r.PostForm["done"]
	var changes []hunt.ItemChange
	for _, code := range r.PostForm["item"] {
		ticked, note := slices.Contains(done, code), strings.TrimSpace(r.PostFormValue("note_"+code))
		changes = append(changes, hunt.ItemChange{Item: code, Done: &ticked, Note: &note})
	}
	h.huntSaved(w, r, id, second(hunt.Update(r.Context(), h.Store, httpx.Caller(r), id, hunt.Change{Checklist: changes})), hunt.Outcome{}, "hunt.ok.checklist")
}

func (h *Handler) assignHunt(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := hunt.Change{}
	user := formID(r, "assignee_user_id")
	c.AssigneeUserID = &user
	if due := r.PostFormValue("due_date"); due != "" {
		c.DueDate = &due
	}
	h.huntSaved(w, r, id, second(hunt.Update(r.Context(), h.Store, httpx.Caller(r), id, c)), hunt.Outcome{}, "hunt.ok.assigned")
}

// attachHuntFile takes one uploaded file (hunt.MaxFile is finding.MaxFile,
// which uploadedFile bounds).
func (h *Handler) attachHuntFile(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	caller := httpx.Caller(r)
	name, data, err := uploadedFile(w, r)
	if err == nil {
		_, err = hunt.Attach(r.Context(), h.Store, caller, id, name, data)
	} else if d, gerr := hunt.Get(r.Context(), h.Store, caller, id); gerr != nil {
		err = gerr
	} else if cerr := caller.Check(access.HandleIncident, d.OrgPath); cerr != nil {
		// Nothing to store: say so only to someone who may work the hunt.
		err = cerr
	}
	h.huntSaved(w, r, id, err, hunt.Outcome{}, "hunt.ok.attached")
}

// downloadHuntFile sends evidence as a download, never as a page of this origin.
func (h *Handler) downloadHuntFile(w http.ResponseWriter, r *http.Request) {
	id, fileID, err := httpx.PathIDs(r, "file_id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, data, err := hunt.ReadFile(r.Context(), h.Store, httpx.Caller(r), id, fileID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sendFile(w, f.Name, data)
}

func (h *Handler) finishHunt(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	o := hunt.Outcome{Result: r.PostFormValue("result"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	h.huntSaved(w, r, id, second(hunt.Finish(r.Context(), h.Store, httpx.Caller(r), id, o)), o, "hunt.ok.finished")
}

// huntsBadge is the navigation's count of open hunts, loaded by htmx, for
// the roles that work them: the coordinator's notice of Directive 18.
func (h *Handler) huntsBadge(w http.ResponseWriter, r *http.Request) {
	caller := httpx.Caller(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !caller.CanSomewhere(access.HandleIncident) && !caller.Global() {
		return
	}
	n, err := hunt.CountOpen(r.Context(), h.Store, caller)
	if err != nil {
		httpx.LogFailure(r, "count open hunts", err)
		return
	}
	if n > 0 {
		lang := httpx.Lang(r)
		fmt.Fprintf(w, `<a class="nav-sub" id="hunts-badge" href="/hunts">%s <span class="badge warn">%d</span></a>`,
			html.EscapeString(i18n.T(lang, "hunt.title")), n)
	}
}
