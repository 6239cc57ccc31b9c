package web

import (
	"fmt"
	"net/http"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// assetsData is the asset search page.
type assetsData struct {
	Items  []inventory.AssetView
	Total  int
	Filter inventory.AssetFilter
	Enums  enums
}

func (h *Handler) assetsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := inventory.AssetFilter{Kind: q.Get("kind"), Query: q.Get("q")}
	res, err := inventory.ListAssets(r.Context(), h.Store, httpx.Caller(r), f, storage.First(200))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "inventory/assets", page(r, "inv.assets.title", assetsData{res.Items, res.Total, f, inventoryEnums}))
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
	p.Title = d.Asset.Value
	h.Render.Render(w, r, status, "inventory/asset", p)
}

func (h *Handler) updateAsset(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := assetFromForm(r)
	a.ID = id
	input := a
	h.saved(w, r, inventory.UpdateAsset(r.Context(), h.Store, httpx.Caller(r), &a), func(problems map[string]string) {
		h.renderAsset(w, r, http.StatusUnprocessableEntity, assetData{Asset: inventory.AssetView{Asset: input}, Problems: problems})
	}, fmt.Sprintf("/inventory/assets/%d", id), "inv.ok.saved")
}

func (h *Handler) conflictsPage(w http.ResponseWriter, r *http.Request) {
	review, err := inventory.ReviewConflicts(r.Context(), h.Store, httpx.Caller(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "inventory/conflicts", page(r, "inv.conflicts.title", review))
}

// unshare takes back a shared-infrastructure decision: the value is a
// conflict again.
func (h *Handler) unshare(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	u := inventory.Unshared{Kind: r.FormValue("kind"), Value: r.FormValue("value")}
	h.done(w, r, inventory.Unshare(r.Context(), h.Store, httpx.Caller(r), u), "/inventory/conflicts", "inv.ok.unshared")
}

// resolveConflict gives a conflicting value to one system, or marks it as
// shared infrastructure.
func (h *Handler) resolveConflict(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	res := inventory.Resolution{Kind: r.FormValue("kind"), Value: r.FormValue("value"), Shared: r.FormValue("shared") == "1", Note: r.FormValue("note")}
	if !res.Shared {
		res.SystemID = formID(r, "system_id")
	}
	h.done(w, r, inventory.ResolveConflict(r.Context(), h.Store, httpx.Caller(r), res), "/inventory/conflicts", "inv.ok.resolved")
}

// assetFromForm reads the asset form's fields (on a system's page and on
// the asset's own).
func assetFromForm(r *http.Request) inventory.Asset {
	return inventory.Asset{Kind: r.FormValue("kind"), Value: r.FormValue("value"), Hostname: r.FormValue("hostname"), IPs: r.FormValue("ips"),
		OS: r.FormValue("os"), OSVersion: r.FormValue("os_version"), Role: r.FormValue("role"), DeviceKind: r.FormValue("device_kind"),
		Vendor: r.FormValue("vendor"), Model: r.FormValue("model"), Notes: r.FormValue("notes")}
}
