package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
)

// The scanning part of a system's page: when it was last scanned (and the
// Directive 18 flag past six months), "scan now", the written
// authorisations, exclusions, window and limits, and schedules.

// recentScans is how many of a system's scans its page lists.
const recentScans = 5

// systemScans is the scanning section of the system page.
type systemScans struct {
	Last           time.Time // the last complete scan; zero: never
	Stale          bool
	Recent         []scanning.Scan
	Authorizations []scanning.Authorization
	Exclusions     []scanning.Exclusion
	AssetNames     map[int64]string // the values of the system's assets, for their exclusions
	Settings       scanning.Settings
	Max            scanning.Limits
	Schedules      []scanning.Schedule
	// CanAuthorize: written authorisations (and global exclusions) are the
	// coordinator's, as scanning decides (admin and coordinator).
	CanAuthorize bool
	Now          time.Time
	Today, Until string // the range an authorisation's end may take
	DefaultRule  string
	Profiles     []string
	// Form refills the form a refused post came from.
	Form map[string]string
}

// scanFormOf is the posted form, to show again with its problems.
func scanFormOf(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}

func (h *Handler) systemScansOf(r *http.Request, sys inventory.SystemView, assets []inventory.AssetView, form map[string]string) (systemScans, error) {
	ctx, caller := r.Context(), httpx.Caller(r)
	now := h.Store.Now()
	d := systemScans{Max: scanning.DefaultLimits, CanAuthorize: caller.Global(), Now: now, DefaultRule: scanning.DefaultRule,
		Profiles: scanning.Profiles, Form: form, AssetNames: map[int64]string{},
		Today: now.In(i18n.Vietnam).Format(time.DateOnly), Until: now.In(i18n.Vietnam).AddDate(1, 0, 0).Format(time.DateOnly)}
	for _, a := range assets {
		d.AssetNames[a.ID] = a.Value
	}
	last, err := scanning.LastComplete(ctx, h.Store, []int64{sys.ID})
	if err != nil {
		return d, err
	}
	d.Last = last[sys.ID]
	d.Stale = scanning.Stale(d.Last, now)
	recent, err := scanning.ListScans(ctx, h.Store, caller, scanning.ScanFilter{SystemID: sys.ID, Lang: httpx.Lang(r)}, storage.First(recentScans))
	if err != nil {
		return d, err
	}
	d.Recent = recent.Items
	if d.Authorizations, err = scanning.Authorizations(ctx, h.Store, caller, sys.ID); err != nil {
		return d, err
	}
	if d.Exclusions, err = scanning.Exclusions(ctx, h.Store, caller, scanning.ExclusionFilter{SystemID: sys.ID}); err != nil {
		return d, err
	}
	if d.Settings, err = scanning.GetSettings(ctx, h.Store, caller, sys.ID); err != nil {
		return d, err
	}
	d.Schedules, err = scanning.Schedules(ctx, h.Store, caller, sys.ID)
	return d, err
}

// scanFormDone finishes a post of the system page's scanning section: the
// page again with the problems (their fields prefixed "scan_", apart from
// the asset form's), or back to the section with the flash message.
func (h *Handler) scanFormDone(w http.ResponseWriter, r *http.Request, id int64, err error, flash, anchor string) {
	if problems, ok := problemsOf(r, err); ok {
		prefixed := map[string]string{}
		for field, msg := range problems {
			prefixed["scan_"+field] = msg
		}
		h.renderSystemWith(w, r, http.StatusUnprocessableEntity, prefixed, inventory.Asset{}, scanFormOf(r))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/inventory/systems/%d?ok=%s#%s", id, url.QueryEscape(flash), anchor), http.StatusSeeOther)
}

// scanSystemNow asks for a scan of the system and shows it: a scan the
// scope guard refuses is on record too, its page says why.
func (h *Handler) scanSystemNow(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	list, err := scanning.RequestScans(r.Context(), h.Store, httpx.Caller(r), scanning.ScanRequest{SystemID: id, Profile: r.PostFormValue("profile")})
	if err != nil || len(list) == 0 {
		h.scanFormDone(w, r, id, err, "", "scans")
		return
	}
	redirect(w, r, fmt.Sprintf("/scans/%d", list[0].ID), "scans.ok.requested")
}

func (h *Handler) addAuthorization(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := scanning.Authorization{SystemID: id, AuthorizedBy: r.PostFormValue("authorized_by"), DocumentNo: r.PostFormValue("document_no"),
		ValidUntil: r.PostFormValue("valid_until"), Note: r.PostFormValue("note")}
	h.scanFormDone(w, r, id, second(scanning.Authorize(r.Context(), h.Store, httpx.Caller(r), a)), "inv.ok.scan_authorized", "scan-authorizations")
}

func (h *Handler) revokeAuthorization(w http.ResponseWriter, r *http.Request) {
	id, auth, err := httpx.PathIDs(r, "authorization_id")
	if err == nil {
		err = scanning.RevokeAuthorization(r.Context(), h.Store, httpx.Caller(r), auth)
	}
	h.scanFormDone(w, r, id, err, "inv.ok.scan_revoked", "scan-authorizations")
}

func (h *Handler) addExclusion(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e := scanning.Exclusion{SystemID: id, Value: r.PostFormValue("value"), Reason: r.PostFormValue("reason")}
	h.scanFormDone(w, r, id, second(scanning.AddExclusion(r.Context(), h.Store, httpx.Caller(r), e)), "inv.ok.scan_excluded", "scan-exclusions")
}

func (h *Handler) removeExclusion(w http.ResponseWriter, r *http.Request) {
	id, ex, err := httpx.PathIDs(r, "exclusion_id")
	if err == nil {
		err = scanning.RemoveExclusion(r.Context(), h.Store, httpx.Caller(r), ex)
	}
	h.scanFormDone(w, r, id, err, "inv.ok.scan_unexcluded", "scan-exclusions")
}

func (h *Handler) saveScanSettings(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// An empty limit is 0: the server's.
	rate, _ := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("per_host_rate")), 64)
	connect, _ := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("connect_rate")), 64)
	s := scanning.Settings{SystemID: id, Window: r.PostFormValue("window"),
		Limits: scanning.Limits{PerHost: formInt(r, "per_host"), PerHostRate: rate, HTTPBudget: formInt(r, "http_budget"), ConnectRate: connect}}
	h.scanFormDone(w, r, id, second(scanning.SetSettings(r.Context(), h.Store, httpx.Caller(r), s)), "inv.ok.saved", "scan-settings")
}

func (h *Handler) addSchedule(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s := scanning.Schedule{SystemID: id, RRule: r.PostFormValue("rrule"), Profile: r.PostFormValue("profile")}
	h.scanFormDone(w, r, id, second(scanning.CreateSchedule(r.Context(), h.Store, httpx.Caller(r), s)), "inv.ok.scan_scheduled", "scan-schedules")
}

func (h *Handler) enableSchedule(w http.ResponseWriter, r *http.Request) {
	id, sched, err := httpx.PathIDs(r, "schedule_id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err == nil {
		_, err = scanning.SetScheduleEnabled(r.Context(), h.Store, httpx.Caller(r), sched, r.PostFormValue("enabled") == "1")
	}
	h.scanFormDone(w, r, id, err, "inv.ok.saved", "scan-schedules")
}
