package api

import (
	"errors"
	"net/http"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// Example values describing the hunts' JSON bodies in the OpenAPI document.
var (
	exHuntStarted = exSeen.Add(26 * 3600e9)
	exHunt        = hunt.Hunt{ID: 1, SystemID: 1, SystemName: "Cổng thông tin điện tử", SystemKind: "web_portal", OrgID: 2, OrgCode: "SKHCN",
		FindingID: 1, FindingTitle: "Log4Shell", Origin: hunt.FromFinding, Status: hunt.StatusOpen,
		Checklist: []hunt.Item{{Item: "web_logs", Label: hunt.Label("web_logs", "vi"), Done: true, Note: "Không thấy yêu cầu khai thác ${jndi:"},
			{Item: "webshell", Label: hunt.Label("webshell", "vi")}},
		AssigneeUserID: 7, AssigneeName: "Nguyễn Văn An", DueDate: "2026-03-09", CreatedBy: "system:finding-import",
		StartedAt: &exHuntStarted, CreatedAt: exSeen, UpdatedAt: exHuntStarted}
	exHuntFile   = hunt.File{ID: 1, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Name: "nhat-ky-truy-cap.txt", ContentType: "text/plain; charset=utf-8", Size: 4096, Actor: "ungcuu@cantho.gov.vn", At: exSeen}
	exHuntDetail = hunt.Detail{Hunt: exHunt, Files: []hunt.File{exHuntFile}, Findings: []hunt.Linked{{ID: 1, Title: "Log4Shell", Severity: "critical", Status: "in_remediation"}}}
	exHuntDone   = func() hunt.Hunt {
		h := exHunt
		h.Status, h.Result, h.ResultNote, h.FinishedAt = hunt.StatusDone, hunt.NoneFound, "Đã rà soát nhật ký 90 ngày, không thấy dấu hiệu xâm nhập", &exHuntStarted
		return h
	}()
)

// huntQuery is every filter of the hunts list.
var huntQuery = []router.Param{
	{Name: "status", Enum: hunt.Statuses},
	{Name: "origin", Enum: hunt.Origins},
	{Name: "system_id", Type: "integer"},
	{Name: "assignee_user_id", Type: "integer"},
	{Name: "overdue", Enum: flag, Description: "1: only open hunts past their due date"},
}

func (h *Handler) huntRoutes() []router.Route {
	const tag = "hunts"
	done, note := true, "Không thấy yêu cầu bất thường"
	return []router.Route{
		{Method: "GET", Path: "/api/v1/hunts", Tag: tag, Summary: "Threat hunts (Directive 18): opened by findings that let an attacker in, every six months per system in use, or by hand; soonest due first", Query: huntQuery, Response: NewList([]hunt.Hunt{exHunt}, 1, ""), Handler: h.listHunts},
		{Method: "POST", Path: "/api/v1/hunts", Tag: tag, Summary: "Open a threat hunt by hand on a system, with its kind's checklist", Request: hunt.Input{SystemID: 1, AssigneeUserID: 7, DueDate: "2026-04-01"}, Required: []string{"system_id"}, Response: exHunt, Handler: h.createHunt},
		{Method: "GET", Path: "/api/v1/hunts/{id}", Tag: tag, Summary: "Get a threat hunt with its checklist (labels in the request's language), evidence and findings", Response: exHuntDetail, Handler: h.getHunt},
		{Method: "PATCH", Path: "/api/v1/hunts/{id}", Tag: tag, Summary: "Assign an open hunt, move its due date, or tick and annotate checklist items", Request: hunt.Change{AssigneeUserID: &exHunt.AssigneeUserID, Checklist: []hunt.ItemChange{{Item: "web_logs", Done: &done, Note: &note}}}, Response: exHunt, Handler: h.updateHunt},
		{Method: "GET", Path: "/api/v1/hunts/{id}/assignees", Tag: tag, Summary: "The people a hunt may be given to", Response: NewList([]hunt.Person{{ID: 7, Name: "Nguyễn Văn An", Email: "ungcuu@cantho.gov.vn", Role: "responder"}}, 1, ""), Handler: h.huntAssignees},
		{Method: "POST", Path: "/api/v1/hunts/{id}/files", Tag: tag, Summary: "Attach evidence to a hunt (multipart field file, at most 10 MB)", Response: exHuntFile, Status: []int{201}, Handler: h.attachHuntFile},
		{Method: "GET", Path: "/api/v1/hunts/{id}/files/{file_id}", Tag: tag, Summary: "Download a hunt's evidence (audited)", Handler: h.downloadHuntFile},
		{Method: "POST", Path: "/api/v1/hunts/{id}/finish", Tag: tag, Summary: "Finish a hunt with its result (none_found, compromise_found, inconclusive) and what was looked at", Request: hunt.Outcome{Result: hunt.NoneFound, Note: "Đã rà soát nhật ký 90 ngày, không thấy dấu hiệu xâm nhập"}, Required: []string{"result", "note"}, Response: exHuntDone, Status: []int{200}, Handler: h.finishHunt},
	}
}

// huntFilter reads the list's filters from the query.
func huntFilter(r *http.Request) (hunt.Filter, error) {
	q := r.URL.Query()
	f := hunt.Filter{Status: q.Get("status"), Origin: q.Get("origin"), Overdue: q.Get("overdue") == "1"}
	var e1, e2 error
	f.SystemID, e1 = queryInt(r, "system_id", 0)
	f.AssigneeUserID, e2 = queryInt(r, "assignee_user_id", 0)
	return f, errors.Join(e1, e2)
}

func (h *Handler) listHunts(w http.ResponseWriter, r *http.Request) {
	f, err := huntFilter(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	writePage(w, r, func(p storage.Page) (storage.Paged[hunt.Hunt], error) {
		res, err := hunt.List(r.Context(), h.Store, httpx.Caller(r), f, p, h.Store.Now())
		for i := range res.Items {
			res.Items[i].Localize(lang)
		}
		return res, err
	})
}

func (h *Handler) createHunt(w http.ResponseWriter, r *http.Request) {
	var in hunt.Input
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	v, err := hunt.Create(r.Context(), h.Store, httpx.Caller(r), in)
	v.Localize(httpx.Lang(r))
	respond(w, r, http.StatusCreated, v, err)
}

func (h *Handler) getHunt(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	d, err := hunt.Get(r.Context(), h.Store, httpx.Caller(r), id)
	d.Localize(httpx.Lang(r))
	respond(w, r, http.StatusOK, d, err)
}

func (h *Handler) updateHunt(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var c hunt.Change
	if err == nil {
		err = httpx.Decode(w, r, &c)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := hunt.Update(r.Context(), h.Store, httpx.Caller(r), id, c)
	v.Localize(httpx.Lang(r))
	respond(w, r, http.StatusOK, v, err)
}

func (h *Handler) huntAssignees(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	people, err := hunt.Candidates(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, NewList(people, len(people), ""), err)
}

// attachHuntFile takes one multipart file of at most hunt.MaxFile bytes.
func (h *Handler) attachHuntFile(w http.ResponseWriter, r *http.Request) {
	id, name, data, err := idAndFile(w, r, hunt.MaxFile)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := hunt.Attach(r.Context(), h.Store, httpx.Caller(r), id, name, data)
	respond(w, r, http.StatusCreated, f, err)
}

func (h *Handler) downloadHuntFile(w http.ResponseWriter, r *http.Request) {
	id, fileID, err := httpx.PathIDs(r, "file_id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, data, err := hunt.ReadFile(r.Context(), h.Store, httpx.Caller(r), id, fileID)
	if err != nil {
		Fail(w, r, err)
		return
	}
	httpx.SendFile(w, f.Name, data)
}

func (h *Handler) finishHunt(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var o hunt.Outcome
	if err == nil {
		err = httpx.Decode(w, r, &o)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := hunt.Finish(r.Context(), h.Store, httpx.Caller(r), id, o)
	v.Localize(httpx.Lang(r))
	respond(w, r, http.StatusOK, v, err)
}
