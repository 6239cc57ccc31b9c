package api

import (
	"context"
	"errors"
	"fmt"
	"github.com/khien/khien/internal/dashboard"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/inventory/workbook"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Example values describing the inventory's JSON bodies in the OpenAPI document.
var (
	exSystem  = inventory.SystemView{System: inventory.System{ID: 1, OrgID: 2, Name: "Cổng thông tin điện tử", Kind: "web_portal", Level: 2, Status: "operating"}, OrgCode: "SKHCN"}
	exAsset   = inventory.AssetView{Asset: inventory.Asset{ID: 1, OrgID: 2, Kind: "domain", Value: "skhcn.cantho.gov.vn"}, OrgCode: "SKHCN"}
	exStaff   = inventory.StaffView{Staff: inventory.Staff{ID: 1, OrgID: 2, Name: "Nguyễn Văn An", Email: "an@cantho.gov.vn"}, OrgCode: "SKHCN"}
	exControl = inventory.Control{SystemID: 1, Control: "firewall", Status: "yes", Product: "FortiGate"}
)

// Query parameters several inventory routes take.
var (
	orgParam = router.Param{Name: "org_id", Type: "integer", Description: "this organisation and its subtree"}
	qParam   = router.Param{Name: "q", Description: "search, ignoring diacritics"}
	flag     = []string{"0", "1"}
)

// mergeRequest names the organisation to merge into.
type mergeRequest struct {
	IntoOrgID int64 `json:"into_org_id"`
}

// enumerations is every list of codes the inventory accepts.
type enumerations struct {
	SystemKinds     inventory.Enum `json:"system_kinds"`
	Levels          inventory.Enum `json:"levels"`
	Hostings        inventory.Enum `json:"hostings"`
	Statuses        inventory.Enum `json:"statuses"`
	AssetKinds      inventory.Enum `json:"asset_kinds"`
	DeviceKinds     inventory.Enum `json:"device_kinds"`
	Controls        inventory.Enum `json:"controls"`
	ControlStatuses inventory.Enum `json:"control_statuses"`
}

func (h *Handler) inventoryRoutes() []router.Route {
	const tag = "inventory"
	systems, assets, staff := h.systemResource(), h.assetResource(), h.staffResource()
	return []router.Route{
		{Method: "GET", Path: "/api/v1/systems", Tag: tag, Summary: "List information systems (filters: org_id, kind, level, status, q, archived=1 for the archived ones, inuse=1 for those in use, scanned=3|6 for those in use with a complete scan in the last 3 or 6 months; limit, cursor)", Query: []router.Param{orgParam, {Name: "kind", Enum: codes(inventory.SystemKinds)}, {Name: "level", Type: "integer", Min: 0, Max: 5}, {Name: "status", Enum: codes(inventory.Statuses)}, qParam, {Name: "archived", Enum: flag}, {Name: "inuse", Enum: flag}, {Name: "scanned", Enum: dashboard.CoverageWindows()}}, Response: NewList([]inventory.SystemView{exSystem}, 1, ""), Handler: h.listSystems},
		{Method: "POST", Path: "/api/v1/systems", Tag: tag, Summary: "Register an information system", Request: inventory.System{OrgID: 2, Name: "Cổng thông tin điện tử", Kind: "web_portal", Level: 2}, Required: []string{"org_id", "name"}, Response: exSystem, Handler: systems.Create},
		{Method: "GET", Path: "/api/v1/systems/{id}", Tag: tag, Summary: "Get an information system", Response: exSystem, Handler: systems.Get},
		{Method: "PATCH", Path: "/api/v1/systems/{id}", Tag: tag, Summary: "Change fields of an information system", Request: inventory.SystemView{System: inventory.System{Level: 3}}, Response: exSystem, Handler: systems.Update},
		{Method: "DELETE", Path: "/api/v1/systems/{id}", Tag: tag, Summary: "Delete a system registered by mistake, with its controls and the assets that belong to it alone; needs confirm=1, sent after reading GET …/removal (without it: 422 naming confirm); archive a system no longer in use instead", Query: []router.Param{{Name: "confirm", Enum: []string{"1"}, Description: "1: the caller has seen what GET /api/v1/systems/{id}/removal lists and deletes it"}}, Handler: h.deleteSystem},
		{Method: "GET", Path: "/api/v1/systems/{id}/removal", Tag: tag, Summary: "What deleting the system would remove: its controls, its own assets, and the shared assets only unlinked", Response: inventory.Removal{System: exSystem}, Handler: h.systemRemoval},
		{Method: "POST", Path: "/api/v1/systems/{id}/archive", Tag: tag, Summary: "Archive a system: kept with its data, left out of lists (unless archived=1) and counts", Response: exSystem, Status: []int{200}, Handler: h.archiveSystem},
		{Method: "POST", Path: "/api/v1/systems/{id}/restore", Tag: tag, Summary: "Put an archived system back in use", Response: exSystem, Status: []int{200}, Handler: h.restoreSystem},
		{Method: "GET", Path: "/api/v1/systems/{id}/devices", Tag: tag, Summary: "Device counts of a system", Response: inventory.DeviceCounts{}, Handler: h.getDevices},
		{Method: "PUT", Path: "/api/v1/systems/{id}/devices", Tag: tag, Summary: "Set the device counts of a system", Request: inventory.DeviceCounts{Servers: 2}, Response: inventory.DeviceCounts{Servers: 2}, Handler: h.setDevices},
		{Method: "GET", Path: "/api/v1/systems/{id}/assets", Tag: tag, Summary: "List the assets of a system", Response: NewList([]inventory.AssetView{exAsset}, 1, ""), Handler: h.listSystemAssets},
		{Method: "POST", Path: "/api/v1/systems/{id}/assets", Tag: tag, Summary: "Add an asset (ip, cidr, domain, url, server, device) to a system", Request: inventory.Asset{Kind: "ip", Value: "203.113.130.10"}, Required: []string{"kind", "value"}, Response: exAsset, Handler: h.addAsset},
		{Method: "DELETE", Path: "/api/v1/systems/{id}/assets/{asset_id}", Tag: tag, Summary: "Remove an asset from a system (deleted when no system is left)", Handler: h.removeAsset},
		{Method: "GET", Path: "/api/v1/systems/{id}/controls", Tag: tag, Summary: "List the security controls of a system", Response: NewList([]inventory.Control{exControl}, 1, ""), Handler: h.listControls},
		{Method: "PUT", Path: "/api/v1/systems/{id}/controls/{control}", Tag: tag, Summary: "Record a security control of a system (status yes, partial, no)", Request: inventory.Control{Status: "yes", Product: "FortiGate"}, Required: []string{"status"}, Response: exControl, Handler: h.setControl},
		{Method: "DELETE", Path: "/api/v1/systems/{id}/controls/{control}", Tag: tag, Summary: "Forget a security control of a system", Handler: h.deleteControl},
		{Method: "GET", Path: "/api/v1/assets", Tag: tag, Summary: "Search assets across systems (filters: org_id, system_id, kind, q)", Query: []router.Param{orgParam, {Name: "system_id", Type: "integer"}, {Name: "kind", Enum: codes(inventory.AssetKinds)}, qParam}, Response: NewList([]inventory.AssetView{exAsset}, 1, ""), Handler: h.listAssets},
		{Method: "GET", Path: "/api/v1/assets/conflicts", Tag: tag, Summary: "Asset values registered by more than one organisation, with their systems, except shared infrastructure (coordinator)", Response: NewList([]inventory.AssetConflict{{Kind: "ip", Value: "203.113.140.2", OrgCodes: []string{"SKHCN", "TTPVHCC"}, Systems: []inventory.ConflictSystem{{ID: 1, Name: "Cổng thông tin điện tử", OrgCode: "SKHCN"}}}}, 1, ""), Handler: h.assetConflicts},
		{Method: "POST", Path: "/api/v1/assets/conflicts/resolve", Tag: tag, Summary: "Resolve a conflict (coordinator): system_id keeps the value and removes the other organisations' registrations, or shared=true marks it as shared infrastructure", Request: inventory.Resolution{Kind: "ip", Value: "203.113.140.2", Shared: true, Note: "Reverse proxy của Trung tâm dữ liệu tỉnh"}, Required: []string{"kind", "value"}, Status: []int{204}, Handler: h.resolveConflict},
		{Method: "GET", Path: "/api/v1/assets/shared", Tag: tag, Summary: "Asset values marked as shared infrastructure, with the note, who marked them and how many organisations register them (coordinator)", Response: NewList([]inventory.SharedValue{{Kind: "ip", Value: "203.113.140.2", Note: "Reverse proxy của Trung tâm dữ liệu tỉnh", Actor: "dieuphoi@cantho.gov.vn", CreatedAt: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Orgs: 2}}, 1, ""), Handler: h.sharedValues},
		{Method: "POST", Path: "/api/v1/assets/conflicts/unshare", Tag: tag, Summary: "Take back a shared-infrastructure decision (coordinator): the value is listed and flagged as a conflict again while several organisations register it", Request: inventory.Unshared{Kind: "ip", Value: "203.113.140.2"}, Required: []string{"kind", "value"}, Status: []int{204}, Handler: h.unshare},
		{Method: "GET", Path: "/api/v1/assets/{id}", Tag: tag, Summary: "Get an asset", Response: exAsset, Handler: assets.Get},
		{Method: "PATCH", Path: "/api/v1/assets/{id}", Tag: tag, Summary: "Change an asset's value or details", Request: inventory.AssetView{Asset: inventory.Asset{OS: "Ubuntu"}}, Response: exAsset, Handler: assets.Update},
		{Method: "GET", Path: "/api/v1/staff", Tag: tag, Summary: "List staff in charge (filters: org_id, q)", Query: []router.Param{orgParam, qParam}, Response: NewList([]inventory.StaffView{exStaff}, 1, ""), Handler: h.listStaff},
		{Method: "POST", Path: "/api/v1/staff", Tag: tag, Summary: "Add a staff member to an organisation", Request: inventory.Staff{OrgID: 2, Name: "Nguyễn Văn An", Email: "an@cantho.gov.vn"}, Required: []string{"org_id", "name"}, Response: exStaff, Handler: staff.Create},
		{Method: "GET", Path: "/api/v1/staff/{id}", Tag: tag, Summary: "Get a staff member with qualifications", Response: exStaff, Handler: staff.Get},
		{Method: "PATCH", Path: "/api/v1/staff/{id}", Tag: tag, Summary: "Change a staff member's details", Request: inventory.StaffView{Staff: inventory.Staff{Position: "Phó Trưởng phòng"}}, Response: exStaff, Handler: staff.Update},
		{Method: "DELETE", Path: "/api/v1/staff/{id}", Tag: tag, Summary: "Remove a staff member", Handler: staff.Delete},
		{Method: "POST", Path: "/api/v1/staff/{id}/qualifications", Tag: tag, Summary: "Record a training or certificate", Request: inventory.Qualification{Course: "An toàn thông tin cơ bản", CompletedOn: "2025-06-01"}, Required: []string{"course"}, Response: inventory.Qualification{ID: 1}, Handler: h.addQualification},
		{Method: "DELETE", Path: "/api/v1/staff/{id}/qualifications/{qualification_id}", Tag: tag, Summary: "Remove a training or certificate", Handler: h.deleteQualification},
		{Method: "POST", Path: "/api/v1/orgs/{id}/merge", Tag: tag, Summary: "Merge an organisation into another: its systems, assets, staff and sub-organisations move (coordinator)", Request: mergeRequest{IntoOrgID: 3}, Required: []string{"into_org_id"}, Response: inventory.MergeResult{}, Handler: h.mergeOrg},
		{Method: "GET", Path: "/api/v1/merges", Tag: tag, Summary: "Merges into organisations in the caller's scope, newest first", Response: List[inventory.Merge]{}, Handler: h.listMerges},
		{Method: "GET", Path: "/api/v1/inventory/enums", Tag: tag, Summary: "Codes and Vietnamese labels of every inventory enumeration", Response: enumerations{}, Handler: h.inventoryEnums},
		{Method: "GET", Path: "/api/v1/inventory/template", Tag: tag, Summary: "Download the empty inventory workbook (xlsx)", Handler: h.inventoryTemplate},
		{Method: "GET", Path: "/api/v1/inventory/export", Tag: tag, Summary: "Export the inventory of org_id (default: all the caller sees) as xlsx", Query: []router.Param{orgParam}, Handler: h.inventoryExport},
		{Method: "POST", Path: "/api/v1/inventory/import", Tag: tag, Summary: "Import an xlsx workbook or CSV of assets into org_id (body: the file, or multipart field \"file\"; dry_run=1 previews; valid_only=1 skips bad rows). 201 written, 200 preview, 422 problems", Query: []router.Param{orgParam, {Name: "dry_run", Enum: flag}, {Name: "valid_only", Enum: flag}, {Name: "name", Description: "file name (x.csv for CSV)"}}, Response: inventory.ImportResult{}, Status: []int{201, 200, 422}, Handler: h.inventoryImport},
	}
}

func (h *Handler) systemResource() resource[inventory.System, inventory.SystemView] {
	return resource[inventory.System, inventory.SystemView]{db: h.Store,
		get: inventory.GetSystem, create: inventory.CreateSystem, update: inventory.UpdateSystem, remove: inventory.DeleteSystem,
		stored: func(v *inventory.SystemView) *inventory.System { return &v.System },
		id:     func(s *inventory.System) *int64 { return &s.ID },
	}
}

// assetResource has no create or remove: assets are added to and removed from a system.
func (h *Handler) assetResource() resource[inventory.Asset, inventory.AssetView] {
	return resource[inventory.Asset, inventory.AssetView]{db: h.Store,
		get: inventory.GetAsset, update: inventory.UpdateAsset,
		stored: func(v *inventory.AssetView) *inventory.Asset { return &v.Asset },
		id:     func(a *inventory.Asset) *int64 { return &a.ID },
	}
}

func (h *Handler) staffResource() resource[inventory.Staff, inventory.StaffView] {
	return resource[inventory.Staff, inventory.StaffView]{db: h.Store,
		get: inventory.GetStaff, create: inventory.CreateStaff, update: inventory.UpdateStaff, remove: inventory.DeleteStaff,
		stored: func(v *inventory.StaffView) *inventory.Staff { return &v.Staff },
		id:     func(p *inventory.Staff) *int64 { return &p.ID },
	}
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, validation.Invalid(name, "validation.integer")
	}
	return n, nil
}

func (h *Handler) listSystems(w http.ResponseWriter, r *http.Request) {
	f := inventory.SystemFilter{Kind: r.URL.Query().Get("kind"), Status: r.URL.Query().Get("status"), Query: r.URL.Query().Get("q"),
		Archived: r.URL.Query().Get("archived") == "1"}
	org, err1 := queryInt(r, "org_id", 0)
	level, err2 := queryInt(r, "level", -1)
	if err := errors.Join(err1, err2); err != nil {
		Fail(w, r, err)
		return
	}
	f.OrgID, f.Level = org, int(level)
	if err := dashboard.Covered(&f, r.URL.Query().Get("inuse"), r.URL.Query().Get("scanned"), h.Store.Now()); err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[inventory.SystemView], error) {
		return inventory.ListSystems(r.Context(), h.Store, httpx.Caller(r), f, p)
	})
}

// deleteSystem deletes a system only when the request confirms it
// (confirm=1), as the page's confirmation does: a bare DELETE is refused
// with 422 naming confirm and pointing to GET …/removal.
func (h *Handler) deleteSystem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil && r.URL.Query().Get("confirm") != "1" {
		err = validation.Errors{validation.Invalid("confirm", "inv.err.confirm_delete", id, id)}
	}
	if err == nil {
		err = inventory.DeleteSystem(r.Context(), h.Store, httpx.Caller(r), id)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) systemRemoval(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	rm, err := inventory.SystemRemoval(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, rm, err)
}

func (h *Handler) archiveSystem(w http.ResponseWriter, r *http.Request) {
	h.setArchived(w, r, inventory.ArchiveSystem)
}

func (h *Handler) restoreSystem(w http.ResponseWriter, r *http.Request) {
	h.setArchived(w, r, inventory.RestoreSystem)
}

func (h *Handler) setArchived(w http.ResponseWriter, r *http.Request, set func(context.Context, *storage.Store, access.Actor, int64) (inventory.SystemView, error)) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := set(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, v, err)
}

func (h *Handler) getDevices(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := inventory.GetSystem(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, v.DeviceCounts, err)
}

func (h *Handler) setDevices(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var c inventory.DeviceCounts
	if err := httpx.Decode(w, r, &c); err != nil {
		Fail(w, r, err)
		return
	}
	v, err := inventory.SetDeviceCounts(r.Context(), h.Store, httpx.Caller(r), id, c)
	respond(w, r, http.StatusOK, v.DeviceCounts, err)
}

func (h *Handler) listSystemAssets(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	// The system itself must be in scope: an empty list would not say so.
	if _, err := inventory.GetSystem(r.Context(), h.Store, httpx.Caller(r), id); err != nil {
		Fail(w, r, err)
		return
	}
	h.writeAssets(w, r, inventory.AssetFilter{SystemID: id})
}

func (h *Handler) listAssets(w http.ResponseWriter, r *http.Request) {
	org, err1 := queryInt(r, "org_id", 0)
	sys, err2 := queryInt(r, "system_id", 0)
	if err := errors.Join(err1, err2); err != nil {
		Fail(w, r, err)
		return
	}
	h.writeAssets(w, r, inventory.AssetFilter{OrgID: org, SystemID: sys, Kind: r.URL.Query().Get("kind"), Query: r.URL.Query().Get("q")})
}

func (h *Handler) writeAssets(w http.ResponseWriter, r *http.Request, f inventory.AssetFilter) {
	writePage(w, r, func(p storage.Page) (storage.Paged[inventory.AssetView], error) {
		return inventory.ListAssets(r.Context(), h.Store, httpx.Caller(r), f, p)
	})
}

func (h *Handler) addAsset(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var a inventory.Asset
	if err := httpx.Decode(w, r, &a); err != nil {
		Fail(w, r, err)
		return
	}
	if err := inventory.AddAsset(r.Context(), h.Store, httpx.Caller(r), id, &a); err != nil {
		Fail(w, r, err)
		return
	}
	h.assetResource().write(w, r, http.StatusCreated, a.ID)
}

func (h *Handler) removeAsset(w http.ResponseWriter, r *http.Request) {
	id, err1 := httpx.PathID(r, "id")
	asset, err2 := httpx.PathID(r, "asset_id")
	err := errors.Join(err1, err2)
	if err == nil {
		err = inventory.RemoveAsset(r.Context(), h.Store, httpx.Caller(r), id, asset)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) assetConflicts(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p storage.Page) (storage.Paged[inventory.AssetConflict], error) {
		return inventory.AssetConflicts(r.Context(), h.Store, httpx.Caller(r), p)
	})
}

func (h *Handler) resolveConflict(w http.ResponseWriter, r *http.Request) {
	var res inventory.Resolution
	if err := httpx.Decode(w, r, &res); err != nil {
		Fail(w, r, err)
		return
	}
	if err := inventory.ResolveConflict(r.Context(), h.Store, httpx.Caller(r), res); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) sharedValues(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p storage.Page) (storage.Paged[inventory.SharedValue], error) {
		return inventory.SharedValues(r.Context(), h.Store, httpx.Caller(r), p)
	})
}

func (h *Handler) unshare(w http.ResponseWriter, r *http.Request) {
	var u inventory.Unshared
	if err := httpx.Decode(w, r, &u); err != nil {
		Fail(w, r, err)
		return
	}
	if err := inventory.Unshare(r.Context(), h.Store, httpx.Caller(r), u); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) listControls(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[inventory.Control], error) {
		items, err := inventory.ListControls(r.Context(), h.Store, httpx.Caller(r), id)
		if err != nil {
			return storage.Paged[inventory.Control]{}, err
		}
		return storage.PageSlice(items, p, func(c inventory.Control) string { return c.Control })
	})
}

func (h *Handler) setControl(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var c inventory.Control
	if err := httpx.Decode(w, r, &c); err != nil {
		Fail(w, r, err)
		return
	}
	c.SystemID, c.Control = id, r.PathValue("control")
	if err := inventory.SetControl(r.Context(), h.Store, httpx.Caller(r), &c); err != nil {
		Fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, c)
}

func (h *Handler) deleteControl(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = inventory.DeleteControl(r.Context(), h.Store, httpx.Caller(r), id, r.PathValue("control"))
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) listStaff(w http.ResponseWriter, r *http.Request) {
	org, err := queryInt(r, "org_id", 0)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f := inventory.StaffFilter{OrgID: org, Query: r.URL.Query().Get("q")}
	writePage(w, r, func(p storage.Page) (storage.Paged[inventory.StaffView], error) {
		return inventory.ListStaff(r.Context(), h.Store, httpx.Caller(r), f, p)
	})
}

func (h *Handler) addQualification(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var q inventory.Qualification
	if err := httpx.Decode(w, r, &q); err != nil {
		Fail(w, r, err)
		return
	}
	q.ID, q.StaffID = 0, id
	if err := inventory.AddQualification(r.Context(), h.Store, httpx.Caller(r), &q); err != nil {
		Fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, q)
}

func (h *Handler) deleteQualification(w http.ResponseWriter, r *http.Request) {
	id, err1 := httpx.PathID(r, "id")
	qid, err2 := httpx.PathID(r, "qualification_id")
	err := errors.Join(err1, err2)
	if err == nil {
		err = inventory.DeleteQualification(r.Context(), h.Store, httpx.Caller(r), id, qid)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) mergeOrg(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var req mergeRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	res, err := inventory.MergeOrgs(r.Context(), h.Store, httpx.Caller(r), id, req.IntoOrgID)
	respond(w, r, http.StatusCreated, res, err)
}

func (h *Handler) listMerges(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p storage.Page) (storage.Paged[inventory.Merge], error) {
		return inventory.ListMerges(r.Context(), h.Store, httpx.Caller(r), p)
	})
}

func (h *Handler) inventoryEnums(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, enumerations{inventory.SystemKinds, inventory.Levels, inventory.Hostings, inventory.Statuses,
		inventory.AssetKinds, inventory.DeviceKinds, inventory.Controls, inventory.ControlStatuses})
}

func (h *Handler) inventoryTemplate(w http.ResponseWriter, r *http.Request) {
	if err := workbook.Serve(w, "khien-mau-danh-muc.xlsx", &inventory.Batch{}); err != nil {
		Fail(w, r, err)
	}
}

func (h *Handler) inventoryExport(w http.ResponseWriter, r *http.Request) {
	org, err := queryInt(r, "org_id", 0)
	if err != nil {
		Fail(w, r, err)
		return
	}
	actor := httpx.Caller(r)
	if org == 0 && !actor.Global() {
		org = actor.OrgID
	}
	b, err := inventory.Export(r.Context(), h.Store, actor, org)
	if err != nil {
		Fail(w, r, err)
		return
	}
	name := fmt.Sprintf("khien-danh-muc-%s.xlsx", time.Now().UTC().Format("20060102"))
	if err := workbook.Serve(w, name, b); err != nil {
		Fail(w, r, err)
	}
}

// importFile is the uploaded inventory file of a request: the multipart
// field "file", or the body itself (with ?name=… for CSV).
func importFile(w http.ResponseWriter, r *http.Request) (string, io.Reader, error) {
	r.Body = http.MaxBytesReader(w, r.Body, workbook.DefaultLimits.FileBytes+1<<20)
	if mr, err := r.MultipartReader(); err == nil {
		for {
			part, err := mr.NextPart()
			if err != nil {
				return "", nil, validation.Invalid("file", "inv.err.file_missing")
			}
			if part.FormName() == "file" {
				return part.FileName(), part, nil
			}
		}
	}
	return r.URL.Query().Get("name"), r.Body, nil
}

func (h *Handler) inventoryImport(w http.ResponseWriter, r *http.Request) {
	actor := httpx.Caller(r)
	org, err := queryInt(r, "org_id", actor.OrgID)
	if err != nil {
		Fail(w, r, err)
		return
	}
	opt := importing.Options{DryRun: r.URL.Query().Get("dry_run") == "1", SkipInvalid: r.URL.Query().Get("valid_only") == "1", Source: "api"}
	res, err := workbook.Import(r.Context(), h.Store, actor, org, opt, func() (string, io.Reader, error) { return importFile(w, r) })
	if err != nil {
		Fail(w, r, err)
		return
	}
	res = res.Localize(httpx.Lang(r))
	status := http.StatusOK
	switch {
	case res.Written:
		status = http.StatusCreated
	case len(res.Problems) > 0:
		status = http.StatusUnprocessableEntity
	}
	WriteJSON(w, status, res)
}
