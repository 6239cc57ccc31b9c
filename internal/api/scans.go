package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
)

// Example values describing the scan operations' JSON bodies in the OpenAPI document.
var (
	exScanAt = time.Date(2026, 3, 2, 22, 0, 0, 0, time.UTC)
	exScan   = scanning.Scan{ID: 1, SystemID: 1, SystemName: "Cổng thông tin điện tử", OrgID: 2, OrgName: "Sở Khoa học và Công nghệ", Profile: "safe",
		Status: scanning.StatusRunning, Runner: scanning.RunnerServer, Actor: "dieuphoi@stttt.cantho.gov.vn", HostsTotal: 2, HostsDone: 1, Findings: 7, NewFindings: 2, Verified: 1,
		Plan:      scanning.Plan{Basis: "authorization", BasisID: 1, Targets: []string{"skhcn.cantho.gov.vn"}, Exclusions: []string{}, Skipped: []scanning.Skip{{Asset: "core-sw", Key: "scan.skip.no_address", Reason: "chưa có địa chỉ IP hoặc tên máy để quét"}}},
		CreatedAt: exScanAt, StartedAt: &exScanAt, UpdatedAt: exScanAt}
	exAuthorization = scanning.Authorization{ID: 1, SystemID: 1, AuthorizedBy: "Giám đốc Sở Khoa học và Công nghệ", DocumentNo: "15/QĐ-SKHCN", ValidUntil: "2026-12-31",
		Actor: "dieuphoi@stttt.cantho.gov.vn", CreatedAt: exScanAt}
	exExclusion = scanning.Exclusion{ID: 1, SystemID: 1, Value: "10.10.5.0/24", Reason: "Thiết bị SCADA dễ gián đoạn", Actor: "dieuphoi@stttt.cantho.gov.vn", CreatedAt: exScanAt}
	exSettings  = scanning.Settings{SystemID: 1, Window: "22:00-05:00; sat,sun", Limits: scanning.Limits{PerHost: 1, PerHostRate: 2}, UpdatedBy: "dieuphoi@stttt.cantho.gov.vn", UpdatedAt: exScanAt}
	exSchedule  = scanning.Schedule{ID: 1, SystemID: 1, RRule: scanning.DefaultRule, Profile: "safe", StartsAt: exScanAt, NextRunAt: &exScanAt, Enabled: true,
		Actor: "dieuphoi@stttt.cantho.gov.vn", CreatedAt: exScanAt, UpdatedAt: exScanAt}
)

// exAssignment is a scan handed to a remote runner.
var exAssignment = scanning.Assignment{Scan: exScan, Targets: []string{"10.20.0.5"}, Exclusions: []string{}, Done: []string{}, Limits: scanning.DefaultLimits,
	Window: "22:00-05:00", LeaseFor: 300}

// exReport is a remote runner's report.
var exReport = scanning.Report{Findings: []scanning.Finding{{CheckID: "http.missing-hsts", Title: "Missing HSTS", Severity: "low", Host: "10.20.0.5", IP: "10.20.0.5", Port: 443,
	Fingerprint: "6f1c0b1e9a7d4c55"}}, Hosts: []scanning.HostReport{{Addr: "10.20.0.5"}}}

// reportAnswer is the server's answer to a report: the scan as it stands
// and how many reported findings or hosts were outside its plan.
type reportAnswer struct {
	Scan    scanning.Scan `json:"scan"`
	Dropped int           `json:"dropped"`
}

// scanCreate asks for a scan of one system.
type scanCreate struct {
	SystemID int64  `json:"system_id"`
	Profile  string `json:"profile,omitempty"`
}

// orgScanCreate asks for scans of every system of an organisation's subtree.
type orgScanCreate struct {
	Profile string `json:"profile,omitempty"`
}

var scanQuery = []router.Param{orgParam, {Name: "system_id", Type: "integer"}, {Name: "status", Enum: scanning.Statuses}}

func (h *Handler) scanRoutes() []router.Route {
	const tag = "scans"
	control := func(action, summary string) router.Route {
		return router.Route{Method: "POST", Path: "/api/v1/scans/{id}/" + action, Tag: tag, Summary: summary, Response: exScan, Status: []int{http.StatusOK},
			Handler: func(w http.ResponseWriter, r *http.Request) { h.controlScan(w, r, action) }}
	}
	return []router.Route{
		{Method: "POST", Path: "/api/v1/scans", Tag: tag, Summary: "Scan a system's registered assets (coordinator, assigned auditor). The scope guard decides at once: status queued, or refused with the reason (no active campaign or valid authorisation, nothing left after exclusions); both are audited",
			Request: scanCreate{SystemID: 1, Profile: "safe"}, Required: []string{"system_id"}, Response: exScan, Handler: h.createScan},
		{Method: "POST", Path: "/api/v1/orgs/{id}/scans", Tag: tag, Summary: "Scan every system in use of an organisation and its subtree; one scan per system, each decided by the scope guard",
			Request: orgScanCreate{Profile: "safe"}, Response: NewList([]scanning.Scan{exScan}, 1, ""), Status: []int{http.StatusCreated},
			Handler: func(w http.ResponseWriter, r *http.Request) {
				h.createManyScans(w, r, func(id int64) scanning.ScanRequest { return scanning.ScanRequest{OrgID: id} })
			}},
		{Method: "POST", Path: "/api/v1/scans/remote", Tag: tag, Summary: "Start a scan of a system run by `khien scan --server` with the caller's token: decided by the scope guard (a refused scan comes back with its reason), else running under the caller's lease with its targets, exclusions, window and limits",
			Request: scanCreate{SystemID: 1, Profile: "safe"}, Required: []string{"system_id"}, Response: exAssignment, Handler: h.startRemoteScan},
		{Method: "POST", Path: "/api/v1/scans/{id}/results", Tag: tag, Summary: "Report findings and finished hosts of a scan the caller runs with `khien scan --server`; state done, paused or failed ends it. Anything outside the scan's plan is dropped",
			Request: exReport, Response: reportAnswer{Scan: exScan}, Status: []int{http.StatusOK}, Handler: h.reportScan},
		{Method: "POST", Path: AgentPathPrefix + "claim", Tag: tag, Public: true, Summary: "An agent takes the oldest scan waiting for it (a system pinned to it, its window open): 200 with the assignment, 204 when none waits",
			Response: exAssignment, Status: []int{http.StatusOK, http.StatusNoContent}, Handler: h.agentOnly(h.claimScan)},
		{Method: "POST", Path: AgentPathPrefix + "scans/{id}/results", Tag: tag, Public: true, Summary: "An agent reports findings and finished hosts of the scan it runs; state done, paused or failed ends it. Anything outside the scan's plan is dropped",
			Request: exReport, Response: reportAnswer{Scan: exScan}, Status: []int{http.StatusOK}, Handler: h.agentOnly(h.agentReport)},
		{Method: "POST", Path: "/api/v1/campaigns/{id}/scans", Tag: tag, Summary: "Scan every system a campaign covers (coordinator); one scan per system, each decided by the scope guard",
			Request: orgScanCreate{Profile: "safe"}, Response: NewList([]scanning.Scan{exScan}, 1, ""), Status: []int{http.StatusCreated},
			Handler: func(w http.ResponseWriter, r *http.Request) {
				h.createManyScans(w, r, func(id int64) scanning.ScanRequest { return scanning.ScanRequest{CampaignID: id} })
			}},
		{Method: "GET", Path: "/api/v1/scans", Tag: tag, Summary: "List scans, newest first, with their progress and counts", Query: scanQuery, Response: NewList([]scanning.Scan{exScan}, 1, ""), Handler: h.listScans},
		{Method: "GET", Path: "/api/v1/scans/{id}", Tag: tag, Summary: "Get a scan: status (queued, running, paused, done, failed, refused, cancelled), hosts done, findings found, new, reopened and verified", Response: exScan, Handler: h.getScan},
		control(scanning.ControlPause, "Pause a queued or running scan: it stops after the host it is on and resumes from there"),
		control(scanning.ControlResume, "Resume a paused scan"),
		control(scanning.ControlCancel, "Cancel a scan that has not finished; what it found stays"),
		{Method: "POST", Path: "/api/v1/authorizations", Tag: tag, Summary: "Record the coordinator's written authorisation to scan a system outside any campaign, valid through valid_until (yyyy-mm-dd, Vietnam time); audited",
			Request: exAuthorization, Required: []string{"system_id", "valid_until"}, Response: exAuthorization, Handler: h.createAuthorization},
		{Method: "GET", Path: "/api/v1/systems/{id}/authorizations", Tag: tag, Summary: "List a system's written authorisations to scan, newest first", Response: NewList([]scanning.Authorization{exAuthorization}, 1, ""), Handler: h.listAuthorizations},
		{Method: "POST", Path: "/api/v1/authorizations/{id}/revoke", Tag: tag, Summary: "Revoke an authorisation now (coordinator); it stays on record", Handler: h.revokeAuthorization},
		{Method: "GET", Path: "/api/v1/scan-exclusions", Tag: tag, Summary: "List the exclusions that apply to a system (its own, its assets' and the global ones), or with no system_id the global ones",
			Query: []router.Param{{Name: "system_id", Type: "integer"}}, Response: NewList([]scanning.Exclusion{exExclusion}, 1, ""), Handler: h.listExclusions},
		{Method: "POST", Path: "/api/v1/scan-exclusions", Tag: tag, Summary: "Exclude an address, range or name (for a system, or everywhere: coordinator) or a registered asset from every scan; exclusions always win",
			Request: exExclusion, Response: exExclusion, Handler: h.createExclusion},
		{Method: "DELETE", Path: "/api/v1/scan-exclusions/{id}", Tag: tag, Summary: "Remove an exclusion; the removal is audited with what it was", Handler: h.removeExclusion},
		{Method: "GET", Path: "/api/v1/systems/{id}/scan-settings", Tag: tag, Summary: "Get a system's scan window and per-host limits (0: the server's)", Response: exSettings, Handler: h.getScanSettings},
		{Method: "PUT", Path: "/api/v1/systems/{id}/scan-settings", Tag: tag, Summary: "Set a system's scan window (e.g. \"22:00-05:00; sat,sun\", Vietnam time) and per-host limits, never above the server's",
			Request: exSettings, Response: exSettings, Handler: h.putScanSettings},
		{Method: "GET", Path: "/api/v1/systems/{id}/scan-schedules", Tag: tag, Summary: "List a system's scan schedules with their next run", Response: NewList([]scanning.Schedule{exSchedule}, 1, ""), Handler: h.listSchedules},
		{Method: "GET", Path: "/api/v1/campaigns/{id}/scan-schedules", Tag: tag, Summary: "List a campaign's scan schedules with their next run", Response: NewList([]scanning.Schedule{exSchedule}, 1, ""), Handler: h.listCampaignSchedules},
		{Method: "POST", Path: "/api/v1/scan-schedules", Tag: tag, Summary: "Schedule scans of a system, or of every system a campaign covers (coordinator), by an iCalendar RRULE in Vietnam time (default FREQ=MONTHLY;INTERVAL=3, at most daily); system_id or campaign_id",
			Request: exSchedule, Response: exSchedule, Handler: h.createSchedule},
		{Method: "POST", Path: "/api/v1/scan-schedules/{id}/enable", Tag: tag, Summary: "Turn a schedule on; it next runs at its rule's next occurrence", Response: exSchedule, Status: []int{http.StatusOK},
			Handler: func(w http.ResponseWriter, r *http.Request) { h.enableSchedule(w, r, true) }},
		{Method: "POST", Path: "/api/v1/scan-schedules/{id}/disable", Tag: tag, Summary: "Turn a schedule off", Response: exSchedule, Status: []int{http.StatusOK},
			Handler: func(w http.ResponseWriter, r *http.Request) { h.enableSchedule(w, r, false) }},
	}
}

func (h *Handler) createScan(w http.ResponseWriter, r *http.Request) {
	var req scanCreate
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	list, err := scanning.RequestScans(r.Context(), h.Store, httpx.Caller(r), scanning.ScanRequest{SystemID: req.SystemID, Profile: req.Profile})
	if err != nil {
		Fail(w, r, err)
		return
	}
	s, err := scanning.GetScan(r.Context(), h.Store, httpx.Caller(r), list[0].ID, httpx.Lang(r))
	respond(w, r, http.StatusCreated, s, err)
}

// createManyScans scans every system of the organisation or campaign in the path.
func (h *Handler) createManyScans(w http.ResponseWriter, r *http.Request, of func(id int64) scanning.ScanRequest) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var req orgScanCreate
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	sr := of(id)
	sr.Profile = req.Profile
	list, err := scanning.RequestScans(r.Context(), h.Store, httpx.Caller(r), sr)
	if err != nil {
		Fail(w, r, err)
		return
	}
	for i := range list {
		if list[i], err = scanning.GetScan(r.Context(), h.Store, httpx.Caller(r), list[i].ID, httpx.Lang(r)); err != nil {
			Fail(w, r, err)
			return
		}
	}
	WriteJSON(w, http.StatusCreated, NewList(list, len(list), ""))
}

func (h *Handler) listScans(w http.ResponseWriter, r *http.Request) {
	f := scanning.ScanFilter{Status: r.URL.Query().Get("status"), Lang: httpx.Lang(r)}
	var err error
	if f.OrgID, err = queryInt(r, "org_id", 0); err == nil {
		f.SystemID, err = queryInt(r, "system_id", 0)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[scanning.Scan], error) {
		return scanning.ListScans(r.Context(), h.Store, httpx.Caller(r), f, p)
	})
}

func (h *Handler) getScan(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	s, err := scanning.GetScan(r.Context(), h.Store, httpx.Caller(r), id, httpx.Lang(r))
	respond(w, r, http.StatusOK, s, err)
}

func (h *Handler) controlScan(w http.ResponseWriter, r *http.Request, action string) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	s, err := scanning.Control(r.Context(), h.Store, httpx.Caller(r), id, action, httpx.Lang(r))
	respond(w, r, http.StatusOK, s, err)
}

func (h *Handler) createAuthorization(w http.ResponseWriter, r *http.Request) {
	var a scanning.Authorization
	if err := httpx.Decode(w, r, &a); err != nil {
		Fail(w, r, err)
		return
	}
	a, err := scanning.Authorize(r.Context(), h.Store, httpx.Caller(r), a)
	respond(w, r, http.StatusCreated, a, err)
}

func (h *Handler) listAuthorizations(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[scanning.Authorization], error) {
		list, err := scanning.Authorizations(r.Context(), h.Store, httpx.Caller(r), id)
		if err != nil {
			return storage.Paged[scanning.Authorization]{}, err
		}
		return storage.PageSlice(list, p, func(a scanning.Authorization) string { return strconv.FormatInt(a.ID, 10) })
	})
}

func (h *Handler) revokeAuthorization(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = scanning.RevokeAuthorization(r.Context(), h.Store, httpx.Caller(r), id)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) listExclusions(w http.ResponseWriter, r *http.Request) {
	sys, err := queryInt(r, "system_id", 0)
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[scanning.Exclusion], error) {
		list, err := scanning.Exclusions(r.Context(), h.Store, httpx.Caller(r), scanning.ExclusionFilter{SystemID: sys})
		if err != nil {
			return storage.Paged[scanning.Exclusion]{}, err
		}
		return storage.PageSlice(list, p, func(e scanning.Exclusion) string { return strconv.FormatInt(e.ID, 10) })
	})
}

func (h *Handler) createExclusion(w http.ResponseWriter, r *http.Request) {
	var e scanning.Exclusion
	if err := httpx.Decode(w, r, &e); err != nil {
		Fail(w, r, err)
		return
	}
	e, err := scanning.AddExclusion(r.Context(), h.Store, httpx.Caller(r), e)
	respond(w, r, http.StatusCreated, e, err)
}

func (h *Handler) removeExclusion(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = scanning.RemoveExclusion(r.Context(), h.Store, httpx.Caller(r), id)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) getScanSettings(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	s, err := scanning.GetSettings(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, s, err)
}

func (h *Handler) putScanSettings(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var s scanning.Settings
	if err := httpx.Decode(w, r, &s); err != nil {
		Fail(w, r, err)
		return
	}
	s.SystemID = id
	s, err = scanning.SetSettings(r.Context(), h.Store, httpx.Caller(r), s)
	respond(w, r, http.StatusOK, s, err)
}

func (h *Handler) listSchedules(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[scanning.Schedule], error) {
		list, err := scanning.Schedules(r.Context(), h.Store, httpx.Caller(r), id)
		if err != nil {
			return storage.Paged[scanning.Schedule]{}, err
		}
		return storage.PageSlice(list, p, func(s scanning.Schedule) string { return strconv.FormatInt(s.ID, 10) })
	})
}

func (h *Handler) listCampaignSchedules(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[scanning.Schedule], error) {
		list, err := scanning.CampaignSchedules(r.Context(), h.Store, httpx.Caller(r), id)
		if err != nil {
			return storage.Paged[scanning.Schedule]{}, err
		}
		return storage.PageSlice(list, p, func(s scanning.Schedule) string { return strconv.FormatInt(s.ID, 10) })
	})
}

func (h *Handler) createSchedule(w http.ResponseWriter, r *http.Request) {
	var s scanning.Schedule
	if err := httpx.Decode(w, r, &s); err != nil {
		Fail(w, r, err)
		return
	}
	s, err := scanning.CreateSchedule(r.Context(), h.Store, httpx.Caller(r), s)
	respond(w, r, http.StatusCreated, s, err)
}

func (h *Handler) enableSchedule(w http.ResponseWriter, r *http.Request, on bool) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	s, err := scanning.SetScheduleEnabled(r.Context(), h.Store, httpx.Caller(r), id, on)
	respond(w, r, http.StatusOK, s, err)
}

func (h *Handler) startRemoteScan(w http.ResponseWriter, r *http.Request) {
	var req scanCreate
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	a, err := scanning.StartRemote(r.Context(), h.Store, httpx.Caller(r), req.SystemID, req.Profile)
	if err == nil {
		a.Scan, err = scanning.GetScan(r.Context(), h.Store, httpx.Caller(r), a.Scan.ID, httpx.Lang(r))
	}
	if a.Targets == nil {
		a.Targets, a.Exclusions, a.Done = []string{}, []string{}, []string{}
	}
	respond(w, r, http.StatusCreated, a, err)
}

func (h *Handler) reportScan(w http.ResponseWriter, r *http.Request) {
	h.acceptReport(w, r, scanning.Runner{Actor: httpx.Caller(r)})
}

func (h *Handler) agentReport(w http.ResponseWriter, r *http.Request) {
	a, _ := h.agentOf(r)
	h.acceptReport(w, r, scanning.Runner{AgentID: a.ID})
}

// maxReportBytes bounds a report's body: MaxReportFindings findings with
// their evidence.
const maxReportBytes = 16 << 20

func (h *Handler) acceptReport(w http.ResponseWriter, r *http.Request, runner scanning.Runner) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var rep scanning.Report
	if err := httpx.DecodeLimit(w, r, &rep, maxReportBytes); err != nil {
		Fail(w, r, err)
		return
	}
	s, dropped, err := scanning.Accept(r.Context(), h.Store, runner, id, rep)
	if err == nil {
		s.Plan.Skipped = []scanning.Skip{}
		s, err = h.scanFor(r, runner, s)
	}
	respond(w, r, http.StatusOK, reportAnswer{Scan: s, Dropped: dropped}, err)
}

// scanFor is the scan in the reader's language: a user reads it through
// the access layer, an agent only the scan it runs.
func (h *Handler) scanFor(r *http.Request, runner scanning.Runner, s scanning.Scan) (scanning.Scan, error) {
	if runner.AgentID == 0 {
		return scanning.GetScan(r.Context(), h.Store, runner.Actor, s.ID, httpx.Lang(r))
	}
	return scanning.GetScan(r.Context(), h.Store, access.SystemActor("agent"), s.ID, httpx.Lang(r))
}

func (h *Handler) claimScan(w http.ResponseWriter, r *http.Request) {
	ag, _ := h.agentOf(r)
	a, ok, err := scanning.Claim(r.Context(), h.Store, ag.ID)
	switch {
	case err != nil:
		Fail(w, r, err)
	case !ok:
		w.WriteHeader(http.StatusNoContent)
	default:
		WriteJSON(w, http.StatusOK, a)
	}
}
