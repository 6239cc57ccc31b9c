package web

import (
	"fmt"
	"net/http"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/inventory"
)

// deleteSystemPage asks to confirm a deletion, naming every asset and
// control that goes with the system, and offers archiving instead.
func (h *Handler) deleteSystemPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rm, err := inventory.SystemRemoval(r.Context(), h.Store, httpx.Caller(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "inventory/system_delete", page(r, "inv.remove_system.title", rm))
}

func (h *Handler) deleteSystem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = inventory.DeleteSystem(r.Context(), h.Store, httpx.Caller(r), id)
	}
	h.done(w, r, err, "/inventory", "inv.ok.deleted")
}

func (h *Handler) archiveSystem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = second(inventory.ArchiveSystem(r.Context(), h.Store, httpx.Caller(r), id))
	}
	h.done(w, r, err, fmt.Sprintf("/inventory/systems/%d", id), "inv.ok.archived")
}

func (h *Handler) restoreSystem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = second(inventory.RestoreSystem(r.Context(), h.Store, httpx.Caller(r), id))
	}
	h.done(w, r, err, fmt.Sprintf("/inventory/systems/%d", id), "inv.ok.restored")
}
