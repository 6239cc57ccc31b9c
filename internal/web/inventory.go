package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/inventory/workbook"
	"github.com/khien/khien/internal/router"
)

func (h *Handler) inventoryRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/inventory", Handler: h.systemsPage},
		{Method: "GET", Path: "/inventory/systems/new", Handler: h.newSystemPage},
		{Method: "POST", Path: "/inventory/systems", Handler: h.createSystem},
		{Method: "GET", Path: "/inventory/systems/{id}", Handler: h.systemPage},
		{Method: "GET", Path: "/inventory/systems/{id}/edit", Handler: h.editSystemPage},
		{Method: "POST", Path: "/inventory/systems/{id}", Handler: h.updateSystem},
		{Method: "POST", Path: "/inventory/systems/{id}/delete", Handler: h.deleteSystem},
		{Method: "POST", Path: "/inventory/systems/{id}/assets", Handler: h.addAsset},
		{Method: "POST", Path: "/inventory/systems/{id}/assets/{asset_id}/remove", Handler: h.removeAsset},
		{Method: "POST", Path: "/inventory/systems/{id}/controls", Handler: h.setControl},
		{Method: "POST", Path: "/inventory/systems/{id}/devices", Handler: h.setDevices},
		{Method: "GET", Path: "/inventory/assets", Handler: h.assetsPage},
		{Method: "GET", Path: "/inventory/assets/{id}", Handler: h.assetPage},
		{Method: "POST", Path: "/inventory/assets/{id}", Handler: h.updateAsset},
		{Method: "GET", Path: "/inventory/conflicts", Handler: h.conflictsPage},
		{Method: "GET", Path: "/inventory/staff", Handler: h.staffPage},
		{Method: "POST", Path: "/inventory/staff", Handler: h.createStaff},
		{Method: "GET", Path: "/inventory/staff/{id}", Handler: h.personPage},
		{Method: "POST", Path: "/inventory/staff/{id}", Handler: h.updateStaff},
		{Method: "POST", Path: "/inventory/staff/{id}/delete", Handler: h.deleteStaff},
		{Method: "POST", Path: "/inventory/staff/{id}/qualifications", Handler: h.addQualification},
		{Method: "POST", Path: "/inventory/staff/{id}/qualifications/{qid}/delete", Handler: h.deleteQualification},
		{Method: "GET", Path: "/inventory/merge", Handler: h.mergePage},
		{Method: "POST", Path: "/inventory/merge", Handler: h.mergeOrgs},
		{Method: "GET", Path: "/inventory/template.xlsx", Handler: h.templateDownload},
		{Method: "GET", Path: "/inventory/export.xlsx", Handler: h.exportDownload},
		{Method: "GET", Path: "/inventory/import", Handler: h.importPage},
		{Method: "POST", Path: "/inventory/import", Handler: h.importUpload},
		{Method: "POST", Path: "/inventory/import/{token}", Handler: h.importConfirm},
	}
}

// enums are the option lists every inventory page may need.
type enums struct {
	SystemKinds, Levels, Hostings, Statuses, AssetKinds, DeviceKinds, Controls, ControlStatuses inventory.Enum
}

var inventoryEnums = enums{inventory.SystemKinds, inventory.Levels, inventory.Hostings, inventory.Statuses,
	inventory.AssetKinds, inventory.DeviceKinds, inventory.Controls, inventory.ControlStatuses}

// page builds a page with the flash message named by ?ok=.
func page(r *http.Request, title string, data any) Page {
	p := NewPage(r, title, "nav.inventory", data)
	if key := r.URL.Query().Get("ok"); strings.HasPrefix(key, "inv.ok.") {
		p.Flash = i18n.T(p.Lang, key)
	}
	return p
}

// systemsData is the systems list page.
type systemsData struct {
	Items        []inventory.SystemView
	Total        int
	Orgs         []identity.Org
	Filter       inventory.SystemFilter
	Prev, Next   string
	Enums        enums
	FilterLevel  string
	FilterOrgStr string
}

func (h *Handler) systemsPage(w http.ResponseWriter, r *http.Request) {
	caller := httpx.Caller(r)
	q := r.URL.Query()
	f := inventory.SystemFilter{Kind: q.Get("kind"), Status: q.Get("status"), Query: q.Get("q"), Level: -1, Limit: 50}
	f.OrgID, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	if l, err := strconv.Atoi(q.Get("level")); err == nil {
		f.Level = l
	}
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	f.Offset = max(f.Offset, 0)
	items, total, err := inventory.ListSystems(r.Context(), h.Store, caller, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := identity.ListOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := systemsData{Items: items, Total: total, Orgs: orgs, Filter: f, Enums: inventoryEnums,
		FilterLevel: q.Get("level"), FilterOrgStr: q.Get("org")}
	pageURL := func(offset int) string {
		v := url.Values{}
		for k, vals := range q {
			v[k] = vals
		}
		v.Set("offset", strconv.Itoa(offset))
		v.Del("ok")
		return "/inventory?" + v.Encode()
	}
	if f.Offset > 0 {
		d.Prev = pageURL(max(f.Offset-f.Limit, 0))
	}
	if f.Offset+f.Limit < total {
		d.Next = pageURL(f.Offset + f.Limit)
	}
	h.Render.Render(w, r, http.StatusOK, "inventory/systems", page(r, "inv.systems.title", d))
}

// systemForm is the page to create or edit a system.
type systemForm struct {
	System   inventory.SystemView
	Orgs     []identity.Org
	Staff    []inventory.StaffView
	Problems map[string]string
	Enums    enums
}

func (h *Handler) renderSystemForm(w http.ResponseWriter, r *http.Request, status int, f systemForm) {
	caller := httpx.Caller(r)
	orgs, err := identity.ListOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Orgs, f.Enums = orgs, inventoryEnums
	if f.System.OrgID != 0 {
		if f.Staff, _, err = inventory.ListStaff(r.Context(), h.Store, caller, inventory.StaffFilter{OrgID: f.System.OrgID, Limit: 500}); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	title := "inv.system.new"
	if f.System.ID != 0 {
		title = "inv.system.edit"
	}
	h.Render.Render(w, r, status, "inventory/system_form", page(r, title, f))
}

func (h *Handler) newSystemPage(w http.ResponseWriter, r *http.Request) {
	org, _ := strconv.ParseInt(r.URL.Query().Get("org"), 10, 64)
	if org == 0 {
		org = httpx.Caller(r).OrgID
	}
	h.renderSystemForm(w, r, http.StatusOK, systemForm{System: inventory.SystemView{System: inventory.System{OrgID: org, Status: "operating"}}})
}

func (h *Handler) editSystemPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := inventory.GetSystem(r.Context(), h.Store, httpx.Caller(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderSystemForm(w, r, http.StatusOK, systemForm{System: v})
}

// systemFromForm reads the system form's fields.
func systemFromForm(r *http.Request) inventory.System {
	return inventory.System{
		OrgID: formID(r, "org_id"), Name: r.FormValue("name"), Kind: r.FormValue("kind"), Purpose: r.FormValue("purpose"),
		OperatorOrgID: formID(r, "operator_org_id"), OperatorName: r.FormValue("operator_name"), OperatorContract: r.FormValue("operator_contract"),
		Level: formInt(r, "level"), LevelDecision: r.FormValue("level_decision"), LevelDecisionDate: r.FormValue("level_decision_date"),
		LevelApprover: r.FormValue("level_approver"), Hosting: r.FormValue("hosting"), HostingProvider: r.FormValue("hosting_provider"),
		Users: formInt(r, "users"), PersonalData: r.FormValue("personal_data") == "on", DataSubjects: formInt(r, "data_subjects"),
		PopulationDB: r.FormValue("population_db") == "on", AdminProcedures: r.FormValue("admin_procedures") == "on",
		GoLive: r.FormValue("go_live"), Status: r.FormValue("status"), ContactStaffID: formID(r, "contact_staff_id"),
		DeviceCounts: inventory.DeviceCounts{Servers: formInt(r, "servers"), Workstations: formInt(r, "workstations"),
			NetworkDevices: formInt(r, "network_devices"), SecurityDevices: formInt(r, "security_devices")},
	}
}

func (h *Handler) createSystem(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	sys := systemFromForm(r)
	// The store sets sys.ID, which the redirect needs: call it first.
	err := inventory.CreateSystem(r.Context(), h.Store, httpx.Caller(r), &sys)
	h.saved(w, r, err, func(problems map[string]string) {
		h.renderSystemForm(w, r, http.StatusUnprocessableEntity, systemForm{System: inventory.SystemView{System: sys}, Problems: problems})
	}, fmt.Sprintf("/inventory/systems/%d", sys.ID), "inv.ok.saved")
}

func (h *Handler) updateSystem(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sys := systemFromForm(r)
	sys.ID = id
	h.saved(w, r, inventory.UpdateSystem(r.Context(), h.Store, httpx.Caller(r), &sys), func(problems map[string]string) {
		h.renderSystemForm(w, r, http.StatusUnprocessableEntity, systemForm{System: inventory.SystemView{System: sys}, Problems: problems})
	}, fmt.Sprintf("/inventory/systems/%d", id), "inv.ok.saved")
}

func (h *Handler) deleteSystem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = inventory.DeleteSystem(r.Context(), h.Store, httpx.Caller(r), id)
	}
	h.done(w, r, err, "/inventory", "inv.ok.deleted")
}

// systemData is the system detail page.
type systemData struct {
	System     inventory.SystemView
	Assets     []inventory.AssetView
	Controls   []controlRow
	Enums      enums
	Problems   map[string]string
	AssetInput inventory.Asset
	CanWrite   bool
}

// controlRow is one line of the controls table: every control is listed,
// recorded or not.
type controlRow struct {
	Code     string
	Recorded bool
	inventory.Control
}

func (h *Handler) systemPage(w http.ResponseWriter, r *http.Request) {
	h.renderSystem(w, r, http.StatusOK, nil, inventory.Asset{})
}

func (h *Handler) renderSystem(w http.ResponseWriter, r *http.Request, status int, problems map[string]string, assetInput inventory.Asset) {
	caller := httpx.Caller(r)
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v, err := inventory.GetSystem(r.Context(), h.Store, caller, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	assets, _, err := inventory.ListAssets(r.Context(), h.Store, caller, inventory.AssetFilter{SystemID: id, Limit: 500})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	controls, err := inventory.ListControls(r.Context(), h.Store, caller, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	recorded := map[string]inventory.Control{}
	for _, c := range controls {
		recorded[c.Control] = c
	}
	d := systemData{System: v, Assets: assets, Enums: inventoryEnums, Problems: problems, AssetInput: assetInput}
	for _, o := range inventory.Controls {
		c, ok := recorded[o.Code]
		d.Controls = append(d.Controls, controlRow{Code: o.Code, Recorded: ok, Control: c})
	}
	orgs, err := identity.ListOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, o := range orgs {
		if o.ID == v.OrgID {
			d.CanWrite = caller.Can(access.Write, o.Path)
		}
	}
	p := page(r, "inv.system.title", d)
	p.Title = v.Name
	h.Render.Render(w, r, status, "inventory/system", p)
}

func (h *Handler) addAsset(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := inventory.Asset{Kind: r.FormValue("kind"), Value: r.FormValue("value"), Hostname: r.FormValue("hostname"), IPs: r.FormValue("ips"),
		OS: r.FormValue("os"), OSVersion: r.FormValue("os_version"), Role: r.FormValue("role"), DeviceKind: r.FormValue("device_kind"),
		Vendor: r.FormValue("vendor"), Model: r.FormValue("model"), Notes: r.FormValue("notes")}
	input := a
	h.saved(w, r, inventory.AddAsset(r.Context(), h.Store, httpx.Caller(r), id, &a), func(problems map[string]string) {
		h.renderSystem(w, r, http.StatusUnprocessableEntity, problems, input)
	}, fmt.Sprintf("/inventory/systems/%d#assets", id), "inv.ok.asset_added")
}

func (h *Handler) removeAsset(w http.ResponseWriter, r *http.Request) {
	id, asset, err := pathIDs(r, "asset_id")
	if err == nil {
		err = inventory.RemoveAsset(r.Context(), h.Store, httpx.Caller(r), id, asset)
	}
	h.done(w, r, err, fmt.Sprintf("/inventory/systems/%d#assets", id), "inv.ok.asset_removed")
}

func (h *Handler) setControl(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := inventory.Control{SystemID: id, Control: r.FormValue("control"), Status: r.FormValue("status"), Product: r.FormValue("product"),
		Notes: r.FormValue("notes"), BackupFrequency: r.FormValue("backup_frequency"), LastRestoreTest: r.FormValue("last_restore_test")}
	h.saved(w, r, inventory.SetControl(r.Context(), h.Store, httpx.Caller(r), &c), func(problems map[string]string) {
		h.renderSystem(w, r, http.StatusUnprocessableEntity, problems, inventory.Asset{})
	}, fmt.Sprintf("/inventory/systems/%d#controls", id), "inv.ok.saved")
}

func (h *Handler) setDevices(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := inventory.DeviceCounts{Servers: formInt(r, "servers"), Workstations: formInt(r, "workstations"),
		NetworkDevices: formInt(r, "network_devices"), SecurityDevices: formInt(r, "security_devices")}
	h.saved(w, r, second(inventory.SetDeviceCounts(r.Context(), h.Store, httpx.Caller(r), id, c)), func(problems map[string]string) {
		h.renderSystem(w, r, http.StatusUnprocessableEntity, problems, inventory.Asset{})
	}, fmt.Sprintf("/inventory/systems/%d#devices", id), "inv.ok.saved")
}

// assetsData is the asset search page.
type assetsData struct {
	Items  []inventory.AssetView
	Total  int
	Filter inventory.AssetFilter
	Enums  enums
}

func (h *Handler) assetsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := inventory.AssetFilter{Kind: q.Get("kind"), Query: q.Get("q"), Limit: 200}
	items, total, err := inventory.ListAssets(r.Context(), h.Store, httpx.Caller(r), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "inventory/assets", page(r, "inv.assets.title", assetsData{items, total, f, inventoryEnums}))
}

// assetData is an asset's edit page.
type assetData struct {
	Asset    inventory.AssetView
	Problems map[string]string
	Enums    enums
}

func (h *Handler) assetPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := inventory.GetAsset(r.Context(), h.Store, httpx.Caller(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderAsset(w, r, http.StatusOK, assetData{Asset: a})
}

func (h *Handler) renderAsset(w http.ResponseWriter, r *http.Request, status int, d assetData) {
	d.Enums = inventoryEnums
	p := page(r, "inv.asset.edit", d)
	h.Render.Render(w, r, status, "inventory/asset", p)
}

func (h *Handler) updateAsset(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := inventory.Asset{ID: id, Kind: r.FormValue("kind"), Value: r.FormValue("value"), Hostname: r.FormValue("hostname"), IPs: r.FormValue("ips"),
		OS: r.FormValue("os"), OSVersion: r.FormValue("os_version"), Role: r.FormValue("role"), DeviceKind: r.FormValue("device_kind"),
		Vendor: r.FormValue("vendor"), Model: r.FormValue("model"), Notes: r.FormValue("notes")}
	input := a
	h.saved(w, r, inventory.UpdateAsset(r.Context(), h.Store, httpx.Caller(r), &a), func(problems map[string]string) {
		h.renderAsset(w, r, http.StatusUnprocessableEntity, assetData{Asset: inventory.AssetView{Asset: input}, Problems: problems})
	}, fmt.Sprintf("/inventory/assets/%d", id), "inv.ok.saved")
}

func (h *Handler) conflictsPage(w http.ResponseWriter, r *http.Request) {
	items, err := inventory.AssetConflicts(r.Context(), h.Store, httpx.Caller(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "inventory/conflicts", page(r, "inv.conflicts.title", items))
}

// staffData is the staff list with the form to add a person.
type staffData struct {
	Items    []inventory.StaffView
	Total    int
	Query    string
	Orgs     []identity.Org
	Input    inventory.Staff
	Problems map[string]string
}

func (h *Handler) staffPage(w http.ResponseWriter, r *http.Request) {
	h.renderStaff(w, r, http.StatusOK, inventory.Staff{OrgID: httpx.Caller(r).OrgID}, nil)
}

func (h *Handler) renderStaff(w http.ResponseWriter, r *http.Request, status int, input inventory.Staff, problems map[string]string) {
	caller := httpx.Caller(r)
	q := r.URL.Query().Get("q")
	items, total, err := inventory.ListStaff(r.Context(), h.Store, caller, inventory.StaffFilter{Query: q, Limit: 200})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := identity.ListOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, status, "inventory/staff", page(r, "inv.staff.title", staffData{items, total, q, orgs, input, problems}))
}

func staffFromForm(r *http.Request) inventory.Staff {
	return inventory.Staff{OrgID: formID(r, "org_id"), Name: r.FormValue("name"), Position: r.FormValue("position"), Email: r.FormValue("email"), Phone: r.FormValue("phone")}
}

func (h *Handler) createStaff(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	p := staffFromForm(r)
	input := p
	// The store sets p.ID, which the redirect needs: call it first.
	err := inventory.CreateStaff(r.Context(), h.Store, httpx.Caller(r), &p)
	h.saved(w, r, err, func(problems map[string]string) {
		h.renderStaff(w, r, http.StatusUnprocessableEntity, input, problems)
	}, fmt.Sprintf("/inventory/staff/%d", p.ID), "inv.ok.saved")
}

// personData is a staff member's page.
type personData struct {
	Person   inventory.StaffView
	Problems map[string]string
}

func (h *Handler) personPage(w http.ResponseWriter, r *http.Request) {
	h.renderPerson(w, r, http.StatusOK, nil)
}

func (h *Handler) renderPerson(w http.ResponseWriter, r *http.Request, status int, problems map[string]string) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := inventory.GetStaff(r.Context(), h.Store, httpx.Caller(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pg := page(r, "inv.staff.title", personData{p, problems})
	pg.Title = p.Name
	h.Render.Render(w, r, status, "inventory/person", pg)
}

func (h *Handler) updateStaff(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := staffFromForm(r)
	p.ID = id
	h.saved(w, r, inventory.UpdateStaff(r.Context(), h.Store, httpx.Caller(r), &p), func(problems map[string]string) {
		h.renderPerson(w, r, http.StatusUnprocessableEntity, problems)
	}, fmt.Sprintf("/inventory/staff/%d", id), "inv.ok.saved")
}

func (h *Handler) deleteStaff(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = inventory.DeleteStaff(r.Context(), h.Store, httpx.Caller(r), id)
	}
	h.done(w, r, err, "/inventory/staff", "inv.ok.deleted")
}

func (h *Handler) addQualification(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := inventory.Qualification{StaffID: id, Course: r.FormValue("course"), CompletedOn: r.FormValue("completed_on"), Certificate: r.FormValue("certificate")}
	h.saved(w, r, inventory.AddQualification(r.Context(), h.Store, httpx.Caller(r), &q), func(problems map[string]string) {
		h.renderPerson(w, r, http.StatusUnprocessableEntity, problems)
	}, fmt.Sprintf("/inventory/staff/%d", id), "inv.ok.saved")
}

func (h *Handler) deleteQualification(w http.ResponseWriter, r *http.Request) {
	id, qid, err := pathIDs(r, "qid")
	if err == nil {
		err = inventory.DeleteQualification(r.Context(), h.Store, httpx.Caller(r), id, qid)
	}
	h.done(w, r, err, fmt.Sprintf("/inventory/staff/%d", id), "inv.ok.deleted")
}

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
	orgs, err := identity.ListOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Merges, err = inventory.ListMerges(r.Context(), h.Store, caller); err != nil {
		h.fail(w, r, err)
		return
	}
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
	orgs, err := identity.ListOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Orgs, d.Sheets = orgs, inventory.Sheets
	if d.OrgID == 0 {
		d.OrgID = caller.OrgID
	}
	if d.Result != nil {
		d.Problems, d.Unlisted = d.Result.Problems, d.Result.Unlisted
	}
	d.Problems = inventory.LocalizeProblems(d.Problems, httpx.Lang(r))
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
