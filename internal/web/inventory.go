package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/dashboard"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

func (h *Handler) inventoryRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/inventory", Handler: h.systemsPage},
		{Method: "GET", Path: "/inventory/systems/new", Handler: h.newSystemPage},
		{Method: "POST", Path: "/inventory/systems", Handler: h.createSystem},
		{Method: "GET", Path: "/inventory/systems/{id}", Handler: h.systemPage},
		{Method: "GET", Path: "/inventory/systems/{id}/edit", Handler: h.editSystemPage},
		{Method: "POST", Path: "/inventory/systems/{id}", Handler: h.updateSystem},
		{Method: "GET", Path: "/inventory/systems/{id}/delete", Handler: h.deleteSystemPage},
		{Method: "POST", Path: "/inventory/systems/{id}/delete", Handler: h.deleteSystem},
		{Method: "POST", Path: "/inventory/systems/{id}/archive", Handler: h.archiveSystem},
		{Method: "POST", Path: "/inventory/systems/{id}/restore", Handler: h.restoreSystem},
		{Method: "POST", Path: "/inventory/systems/{id}/assets", Handler: h.addAsset},
		{Method: "POST", Path: "/inventory/systems/{id}/assets/{asset_id}/remove", Handler: h.removeAsset},
		{Method: "POST", Path: "/inventory/systems/{id}/controls", Handler: h.setControl},
		{Method: "POST", Path: "/inventory/systems/{id}/devices", Handler: h.setDevices},
		{Method: "GET", Path: "/inventory/assets", Handler: h.assetsPage},
		{Method: "GET", Path: "/inventory/assets/{id}", Handler: h.assetPage},
		{Method: "POST", Path: "/inventory/assets/{id}", Handler: h.updateAsset},
		{Method: "GET", Path: "/inventory/conflicts", Handler: h.conflictsPage},
		{Method: "POST", Path: "/inventory/conflicts/resolve", Handler: h.resolveConflict},
		{Method: "POST", Path: "/inventory/conflicts/unshare", Handler: h.unshare},
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
	p.Flash = okFlash(r, "inv.ok.")
	return p
}

// systemsData is the systems list page.
type systemsData struct {
	Items  []inventory.SystemView
	Total  int
	Orgs   []identity.Org
	Filter inventory.SystemFilter
	pager
	Enums        enums
	FilterLevel  string
	FilterOrgStr string
}

func (h *Handler) systemsPage(w http.ResponseWriter, r *http.Request) {
	caller := httpx.Caller(r)
	q := r.URL.Query()
	f := inventory.SystemFilter{Kind: q.Get("kind"), Status: q.Get("status"), Query: q.Get("q"), Level: -1, Archived: q.Get("archived") == "1"}
	f.OrgID, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	if l, err := strconv.Atoi(q.Get("level")); err == nil {
		f.Level = l
	}
	if err := dashboard.Covered(&f, q.Get("inuse"), q.Get("scanned"), h.Store.Now()); err != nil {
		h.fail(w, r, err)
		return
	}
	pg := listPage(r)
	res, err := inventory.ListSystems(r.Context(), h.Store, caller, f, pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := identity.AllOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := systemsData{Items: res.Items, Total: res.Total, Orgs: orgs, Filter: f, pager: pagerOf(r, "/inventory", pg, res.Next), Enums: inventoryEnums,
		FilterLevel: q.Get("level"), FilterOrgStr: q.Get("org")}
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
	orgs, err := identity.AllOrgs(r.Context(), h.Store, caller, identity.OrgQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Orgs, f.Enums = orgs, inventoryEnums
	if f.System.OrgID != 0 {
		if f.Staff, err = storage.All(func(p storage.Page) (storage.Paged[inventory.StaffView], error) {
			return inventory.ListStaff(r.Context(), h.Store, caller, inventory.StaffFilter{OrgID: f.System.OrgID}, p)
		}); err != nil {
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
	// The form is no use to a role that may not write: say so, as the post would.
	if !httpx.Caller(r).CanSomewhere(access.Write) {
		h.fail(w, r, access.ErrForbidden)
		return
	}
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
	caller := httpx.Caller(r)
	v, err := inventory.GetSystem(r.Context(), h.Store, caller, id)
	if err == nil {
		err = caller.Check(access.Write, v.OrgPath)
	}
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

// systemData is the system detail page.
type systemData struct {
	System     inventory.SystemView
	Assets     []inventory.AssetView
	Controls   []controlRow
	Enums      enums
	Problems   map[string]string
	AssetInput inventory.Asset
	Findings   findingSummary
	Scans      systemScans
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
	h.renderSystemWith(w, r, status, problems, assetInput, nil)
}

// renderSystemWith shows the system page; scanForm refills a form of its
// scanning section after a refused post.
func (h *Handler) renderSystemWith(w http.ResponseWriter, r *http.Request, status int, problems map[string]string, assetInput inventory.Asset, scanForm map[string]string) {
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
	assets, err := storage.All(func(p storage.Page) (storage.Paged[inventory.AssetView], error) {
		return inventory.ListAssets(r.Context(), h.Store, caller, inventory.AssetFilter{SystemID: id}, p)
	})
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
	if d.Findings, err = h.summaryOf(r, finding.Filter{SystemID: id}, fmt.Sprintf("/findings?system=%d", id)); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Scans, err = h.systemScansOf(r, v, assets, scanForm); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, o := range inventory.Controls {
		c, ok := recorded[o.Code]
		d.Controls = append(d.Controls, controlRow{Code: o.Code, Recorded: ok, Control: c})
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
	a := assetFromForm(r)
	input := a
	h.saved(w, r, inventory.AddAsset(r.Context(), h.Store, httpx.Caller(r), id, &a), func(problems map[string]string) {
		h.renderSystem(w, r, http.StatusUnprocessableEntity, problems, input)
	}, fmt.Sprintf("/inventory/systems/%d#assets", id), "inv.ok.asset_added")
}

func (h *Handler) removeAsset(w http.ResponseWriter, r *http.Request) {
	id, asset, err := httpx.PathIDs(r, "asset_id")
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
