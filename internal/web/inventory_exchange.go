package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/inventory/workbook"
	"github.com/khien/khien/internal/storage"
)

// mergeData is the organisation merge page.
type mergeData struct {
	Orgs   []identity.Org
	Merges []inventory.Merge
	Result *inventory.MergeResult
	Error  string
}

func (h *Handler) mergePage(w http.ResponseWriter, r *http.Request) {
	h.renderMerge(w, r, http.StatusOK, mergeData{})
}

func (h *Handler) renderMerge(w http.ResponseWriter, r *http.Request, status int, d mergeData) {
	caller := httpx.Caller(r)
	if !caller.Global() {
		h.fail(w, r, access.ErrForbidden)
		return
	}
	orgs, err := identity.AllOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	merges, err := inventory.ListMerges(r.Context(), h.Store, caller, storage.First(storage.MaxLimit))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Merges = merges.Items
	d.Orgs = orgs
	h.Render.Render(w, r, status, "inventory/merge", page(r, "inv.merge.title", d))
}

func (h *Handler) mergeOrgs(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := inventory.MergeOrgs(r.Context(), h.Store, httpx.Caller(r), formID(r, "from"), formID(r, "into"))
	if err != nil {
		if errors.Is(err, access.ErrForbidden) {
			h.renderMerge(w, r, http.StatusUnprocessableEntity, mergeData{Error: err.Error()})
			return
		}
		h.fail(w, r, err)
		return
	}
	h.renderMerge(w, r, http.StatusOK, mergeData{Result: &res})
}

func (h *Handler) templateDownload(w http.ResponseWriter, r *http.Request) {
	if err := workbook.Serve(w, "khien-mau-danh-muc.xlsx", &inventory.Batch{}); err != nil {
		h.fail(w, r, err)
	}
}

func (h *Handler) exportDownload(w http.ResponseWriter, r *http.Request) {
	caller := httpx.Caller(r)
	org, _ := strconv.ParseInt(r.URL.Query().Get("org"), 10, 64)
	if org == 0 && !caller.Global() {
		org = caller.OrgID
	}
	b, err := inventory.Export(r.Context(), h.Store, caller, org)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := workbook.Serve(w, "khien-danh-muc.xlsx", b); err != nil {
		h.fail(w, r, err)
	}
}

// importData is the upload page, before and after a file is checked.
type importData struct {
	Orgs     []identity.Org
	OrgID    int64
	Name     string
	Token    string
	Checked  bool
	Result   *inventory.ImportResult
	Problems []inventory.Problem
	Unlisted int
	Sheets   []inventory.Sheet
}

func (h *Handler) renderImport(w http.ResponseWriter, r *http.Request, status int, d importData) {
	caller := httpx.Caller(r)
	orgs, err := identity.AllOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Orgs, d.Sheets = orgs, inventory.Sheets
	if d.OrgID == 0 {
		d.OrgID = caller.OrgID
	}
	if d.Result != nil {
		res := d.Result.Localize(httpx.Lang(r))
		d.Result, d.Problems, d.Unlisted = &res, res.Problems, res.Unlisted
	} else {
		d.Problems = inventory.LocalizeProblems(d.Problems, httpx.Lang(r))
	}
	h.Render.Render(w, r, status, "inventory/import", page(r, "inv.import.title", d))
}

func (h *Handler) importPage(w http.ResponseWriter, r *http.Request) {
	h.renderImport(w, r, http.StatusOK, importData{})
}

// importUpload checks an uploaded file without writing anything, keeps it,
// and shows the preview with every problem and what an import would do.
func (h *Handler) importUpload(w http.ResponseWriter, r *http.Request) {
	d, data, err := readUploadForm(w, r, workbook.DefaultLimits)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Checked = true
	res, token, err := workbook.Preview(r.Context(), h.Store, httpx.Caller(r), d.OrgID, d.Name, data)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Result, d.Token = &res, token
	status := http.StatusOK
	if len(res.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.renderImport(w, r, status, d)
}

// readUploadForm reads the organisation and the file of the upload form,
// holding at most lim.FileBytes+1 bytes of the file (more means too large).
// data is nil when no file was sent.
func readUploadForm(w http.ResponseWriter, r *http.Request, lim workbook.Limits) (importData, []byte, error) {
	d := importData{OrgID: httpx.Caller(r).OrgID}
	r.Body = http.MaxBytesReader(w, r.Body, lim.FileBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		if err := r.ParseForm(); err != nil {
			return d, nil, nil // nothing usable was sent: "no file"
		}
		if id := formID(r, "org_id"); id != 0 {
			d.OrgID = id
		}
		return d, nil, nil
	}
	var data []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return d, data, nil
		}
		if err != nil {
			// The body is over the limit or broken: report it as too large.
			return d, make([]byte, lim.FileBytes+1), nil
		}
		switch part.FormName() {
		case "org_id":
			v, _ := io.ReadAll(io.LimitReader(part, 32))
			if id, _ := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64); id != 0 {
				d.OrgID = id
			}
		case "file":
			d.Name = part.FileName()
			if data, err = io.ReadAll(io.LimitReader(part, lim.FileBytes+1)); err != nil {
				return d, make([]byte, lim.FileBytes+1), nil
			}
		}
	}
}

// importConfirm imports a previewed file: all of it (only when valid) or
// its valid rows, as the user chose.
func (h *Handler) importConfirm(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	u, res, err := workbook.Confirm(r.Context(), h.Store, httpx.Caller(r), r.PathValue("token"), r.FormValue("mode") == "valid")
	if errors.Is(err, access.ErrNotFound) && u.Name == "" {
		h.renderImport(w, r, http.StatusNotFound, importData{Checked: true, Problems: []inventory.Problem{inventory.NewProblem("", 0, "", "inv.import.expired")}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !res.Written {
		status = http.StatusUnprocessableEntity
	}
	h.renderImport(w, r, status, importData{Checked: true, OrgID: u.OrgID, Name: u.Name, Result: &res})
}
