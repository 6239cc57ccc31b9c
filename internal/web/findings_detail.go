package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/validation"
)

// findingData is a finding's page.
type findingData struct {
	finding.Detail
	Factors     []factorLine
	History     []eventLine
	Moves       []finding.Status
	Advice      *remediation.Text
	CanWrite    bool
	Orgs        []identity.Org
	Users       []identity.User
	Problems    map[string]string
	Input       finding.Move // the status form as it was sent, when it comes back with problems
	Comment     string
	MaxFile     int
	AssignForm  string
	EPSSPercent string
	// The assignees by name, where the caller may read them.
	AssigneeOrgName, AssigneeUserName string
}

// factorLine is one part of the priority in words.
type factorLine struct {
	Text   string
	Points int
}

// eventLine is one entry of the history as the page shows it.
type eventLine struct {
	finding.Event
	Note string
}

// adviceFor is the remediation advice of a finding in lang: the entry its
// remediation key names, else its check's, else its CWE's. The one place
// that asks the knowledge base, so that it can move to coordinator overrides.
func adviceFor(v finding.View, lang string) *remediation.Text {
	for _, key := range []string{v.Remediation, v.CheckID, v.CWE} {
		if key == "" {
			continue
		}
		if e, ok := remediation.Get(key); ok {
			t := e.In(lang)
			return &t
		}
	}
	return nil
}

// factorText says a priority factor in words.
func factorText(lang string, f finding.Factor) string {
	arg := f.Arg
	if f.Key == "finding.prio.severity" {
		arg = i18n.T(lang, "finding.severity."+arg)
	}
	if arg == "" {
		return i18n.T(lang, f.Key)
	}
	return i18n.T(lang, f.Key, arg)
}

// eventNote is a history note as people read it: system notes are
// catalogue keys.
func eventNote(lang, note string) string {
	if strings.HasPrefix(note, "finding.note.") {
		return i18n.T(lang, note)
	}
	return note
}

func (h *Handler) findingPage(w http.ResponseWriter, r *http.Request) {
	h.renderFinding(w, r, http.StatusOK, findingData{})
}

func (h *Handler) renderFinding(w http.ResponseWriter, r *http.Request, status int, d findingData) {
	caller := httpx.Caller(r)
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Detail, err = finding.GetDetail(r.Context(), h.Store, caller, id); err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	for _, f := range d.Detail.Factors {
		d.Factors = append(d.Factors, factorLine{Text: factorText(lang, f), Points: f.Points})
	}
	for _, e := range d.Detail.History {
		d.History = append(d.History, eventLine{Event: e, Note: eventNote(lang, e.Note)})
	}
	d.Advice = adviceFor(d.View, lang)
	d.CanWrite = caller.Can(access.Write, findingScope(d.View))
	if d.CanWrite {
		d.Moves = finding.Moves(d.Status, caller.Role)
		if d.Orgs, _, d.Users, err = h.pickers(r, d.OrgID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	d.AssigneeOrgName, d.AssigneeUserName = h.assigneeNames(r, d)
	d.MaxFile, d.AssignForm = finding.MaxFile>>20, "assign"
	d.EPSSPercent = strconv.FormatFloat(d.EPSS*100, 'f', 1, 64) + "%"
	p := findingPageOf(r, "findings.one.title", d)
	p.Title = d.Title
	h.Render.Render(w, r, status, "findings/finding", p)
}

// assigneeNames names who a finding is assigned to: the organisation if
// the caller sees it, the person if the caller may list users; else their number.
func (h *Handler) assigneeNames(r *http.Request, d findingData) (org, user string) {
	if d.AssigneeOrg != 0 {
		org = "#" + strconv.FormatInt(d.AssigneeOrg, 10)
		if o, err := identity.GetOrg(r.Context(), h.Store, httpx.Caller(r), d.AssigneeOrg); err == nil {
			org = o.Code + " — " + o.Name
		}
	}
	if d.AssigneeUser != 0 {
		user = "#" + strconv.FormatInt(d.AssigneeUser, 10)
		for _, u := range d.Users {
			if u.ID == d.AssigneeUser {
				user = u.Name + " (" + u.Email + ")"
			}
		}
	}
	return org, user
}

// findingScope is the organisation a change to a finding is checked
// against: the unassigned queue belongs to the city.
func findingScope(v finding.View) string {
	if v.OrgPath == "" {
		return "/"
	}
	return v.OrgPath
}

// findingSaved finishes a form of a finding's page.
func (h *Handler) findingSaved(w http.ResponseWriter, r *http.Request, id int64, err error, d findingData, anchor, flash string) {
	h.saved(w, r, err, func(problems map[string]string) {
		d.Problems = problems
		h.renderFinding(w, r, http.StatusUnprocessableEntity, d)
	}, fmt.Sprintf("/findings/%d%s", id, anchor), flash)
}

func (h *Handler) changeStatus(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	m := moveOf(r)
	_, err = finding.ChangeStatus(r.Context(), h.Store, httpx.Caller(r), id, m)
	h.findingSaved(w, r, id, err, findingData{Input: m}, "", "findings.ok.status")
}

func (h *Handler) commentFinding(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	text := strings.TrimSpace(r.PostFormValue("comment"))
	h.findingSaved(w, r, id, finding.Comment(r.Context(), h.Store, httpx.Caller(r), id, text), findingData{Comment: text}, "", "findings.ok.comment")
}

func (h *Handler) assignFinding(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	err = finding.Assign(r.Context(), h.Store, httpx.Caller(r), []int64{id}, assignmentOf(r))
	h.findingSaved(w, r, id, err, findingData{}, "", "findings.ok.assigned")
}

// attachFile stores an uploaded file as evidence. The body is bounded by
// the largest attachment (plus room for the form's framing).
func (h *Handler) attachFile(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name, data, err := uploadedFile(w, r)
	if err != nil {
		// Nothing to store: say so only to someone who may change the finding.
		if err := h.checkFindingWrite(r, id); err != nil {
			h.fail(w, r, err)
			return
		}
		h.findingSaved(w, r, id, err, findingData{}, "", "")
		return
	}
	h.findingSaved(w, r, id, second(finding.Attach(r.Context(), h.Store, httpx.Caller(r), id, name, data)), findingData{}, "", "findings.ok.attached")
}

// checkFindingWrite is the access check of a change to finding id: not
// found outside the caller's scope, forbidden to a role that may not write.
func (h *Handler) checkFindingWrite(r *http.Request, id int64) error {
	caller := httpx.Caller(r)
	v, err := finding.Get(r.Context(), h.Store, caller, id)
	if err != nil {
		return err
	}
	return caller.Check(access.Write, findingScope(v))
}

// uploadedFile reads the "file" part of a multipart form, at most
// finding.MaxFile bytes; a missing, empty or larger file is a problem of
// the form.
func uploadedFile(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	tooBig := validation.Invalid("file", "finding.err.file_size", finding.MaxFile>>20)
	r.Body = http.MaxBytesReader(w, r.Body, finding.MaxFile+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return "", nil, tooBig
		}
		return "", nil, validation.Invalid("file", "findings.err.no_file")
	}
	defer r.MultipartForm.RemoveAll()
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, validation.Invalid("file", "findings.err.no_file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, finding.MaxFile+1))
	if err != nil {
		return "", nil, fmt.Errorf("read the upload: %w", err)
	}
	if len(data) == 0 || len(data) > finding.MaxFile {
		return "", nil, tooBig
	}
	return hdr.Filename, data, nil
}

// downloadFile sends an attachment as a download, never as a page of this
// site: attachment disposition, no sniffing, a sandbox policy.
func (h *Handler) downloadFile(w http.ResponseWriter, r *http.Request) {
	id, fileID, err := httpx.PathIDs(r, "file_id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, data, err := finding.ReadFile(r.Context(), h.Store, httpx.Caller(r), id, fileID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sendFile(w, f.Name, data)
}
