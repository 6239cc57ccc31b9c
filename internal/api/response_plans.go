package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/incident"
	"github.com/khien/khien/internal/responseplan"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Example values describing response plans, drills and incident metrics in the OpenAPI document.
var (
	exPlanInput = responseplan.PlanInput{
		Scenarios: []responseplan.Scenario{{Category: incident.Defacement, Summary: "Trang chủ bị thay đổi giao diện", Steps: "Bật trang bảo trì, giữ nhật ký, khôi phục từ bản sao lưu"},
			{Category: incident.Ransomware, Summary: "Máy chủ bị mã hóa dữ liệu", Steps: "Cô lập máy chủ, báo Đội ứng cứu của tỉnh"}},
		Contacts:   []responseplan.Contact{{Name: "Trần Thị Bình", Role: "Trưởng nhóm ứng cứu", Phone: "0292 3820 001", Email: "binhtt@cantho.gov.vn"}},
		Escalation: "Sau 2 giờ chưa ngăn chặn được: báo Sở Khoa học và Công nghệ và Công an thành phố (PA05)", RTOHours: 8, RPOHours: 24}
	exPlan = responseplan.Plan{ID: 1, SystemID: 1, SystemName: "Cổng thông tin điện tử", OrgID: 2, Version: 2, Scenarios: exPlanInput.Scenarios,
		Contacts: exPlanInput.Contacts, Escalation: exPlanInput.Escalation, RTOHours: 8, RPOHours: 24, Status: responseplan.PlanCurrent,
		CreatedBy: "canbo@skhcn.cantho.gov.vn", CreatedAt: exSeen}
	exReadiness = responseplan.Readiness{SystemID: 1, SystemName: "Cổng thông tin điện tử", Level: 3, OrgID: 2, OrgCode: "SKHCN",
		PlanStatus: responseplan.PlanToReview, PlanVersion: 2, PlanSavedAt: &exSeen, LastDrill: "2025-10-15", DrillDue: true}
	exDrillInput = responseplan.DrillInput{Scenario: incident.Ransomware, Kind: responseplan.Live, Title: "Diễn tập thực chiến ứng cứu mã độc tống tiền",
		HeldOn: "2026-10-20", SystemIDs: []int64{1}, Participants: "Tổ ứng cứu Sở, Đội ứng cứu sự cố của thành phố", Worked: "Cô lập máy chủ trong 15 phút",
		Failed: "Bản sao lưu ngoại tuyến cũ hơn 30 ngày", FollowUps: []string{"Sao lưu ngoại tuyến hằng tuần"}}
	exDrill = responseplan.Drill{ID: 1, OrgID: 2, OrgCode: "SKHCN", Scenario: exDrillInput.Scenario, Kind: exDrillInput.Kind, Title: exDrillInput.Title,
		HeldOn: exDrillInput.HeldOn, SystemIDs: []int64{1}, Participants: exDrillInput.Participants, Worked: exDrillInput.Worked, Failed: exDrillInput.Failed,
		FollowUps: exDrillInput.FollowUps, CreatedBy: "canbo@skhcn.cantho.gov.vn", CreatedAt: exSeen}
	exMeanContain, exMeanRecover = 6.5, 30.0
	exMetrics                    = incident.Metrics{From: exSeen.AddDate(-1, 0, 0), To: exSeen, Cases: 12, Open: 3, Serious: 1,
		ByCategory: []incident.Count{{Key: incident.Defacement, Cases: 7}, {Key: incident.Ransomware, Cases: 1}},
		ByOrg:      []incident.Count{{Key: "SKHCN", Name: "Sở Khoa học và Công nghệ", Cases: 4}}, MeanToContain: &exMeanContain, MeanToRecover: &exMeanRecover}
)

func (h *Handler) responsePlanRoutes() []router.Route {
	const tag = "response plans"
	return []router.Route{
		{Method: "GET", Path: "/api/v1/systems/{id}/response-plans", Tag: tag, Summary: "A system's response plan, every version, newest (the plan in force) first", Response: NewList([]responseplan.Plan{exPlan}, 1, ""), Handler: h.listPlanVersions},
		{Method: "POST", Path: "/api/v1/systems/{id}/response-plans", Tag: tag, Summary: "Save a new version of a system's response plan (scenarios by incident category, contacts in escalation order, recovery objectives); earlier versions stay", Request: exPlanInput, Required: []string{"scenarios", "contacts"}, Response: exPlan, Status: []int{201}, Handler: h.savePlan},
		{Method: "GET", Path: "/api/v1/response-readiness", Tag: tag, Summary: "Systems in use with their plan status (none, current, to_review when the system changed after the plan) and their last live-fire drill; level 3 and up need one every 12 months",
			Query: []router.Param{{Name: "org_id", Type: "integer"}, {Name: "plan_status", Enum: responseplan.PlanStatuses}, {Name: "drill_due", Enum: flag, Description: "1: only systems of level 3 and up without a live-fire drill in 12 months"},
				{Name: "needs_work", Enum: flag, Description: "1: no plan, a plan to review, or a drill due"}},
			Response: NewList([]responseplan.Readiness{exReadiness}, 1, ""), Handler: h.listReadiness},
		{Method: "GET", Path: "/api/v1/drills", Tag: tag, Summary: "Drills, newest first", Query: []router.Param{{Name: "system_id", Type: "integer"}, {Name: "kind", Enum: responseplan.DrillKinds}}, Response: NewList([]responseplan.Drill{exDrill}, 1, ""), Handler: h.listDrills},
		{Method: "POST", Path: "/api/v1/drills", Tag: tag, Summary: "Record a drill: scenario, kind (tabletop or live), date, systems, participants, what worked, what failed, follow-ups", Request: exDrillInput, Required: []string{"scenario", "kind", "title", "held_on", "system_ids"}, Response: exDrill, Status: []int{201}, Handler: h.recordDrill},
		{Method: "GET", Path: "/api/v1/incidents/metrics", Tag: "incidents", Summary: "Cases detected in a period (default the last 12 months): by category and organisation, open, serious, mean hours to contain and to recover",
			Query: []router.Param{{Name: "from", Description: "YYYY-MM-DD, Vietnam time"}, {Name: "to", Description: "YYYY-MM-DD, inclusive"}}, Response: exMetrics, Handler: h.incidentMetrics},
	}
}

func (h *Handler) listPlanVersions(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	ps, err := responseplan.Versions(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, NewList(ps, len(ps), ""), err)
}

func (h *Handler) savePlan(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in responseplan.PlanInput
	if err == nil {
		err = httpx.Decode(w, r, &in)
	}
	if err != nil {
		Fail(w, r, err)
		return
	}
	p, err := responseplan.SavePlan(r.Context(), h.Store, httpx.Caller(r), id, in)
	respond(w, r, http.StatusCreated, p, err)
}

func (h *Handler) listReadiness(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := responseplan.ReadinessFilter{PlanStatus: q.Get("plan_status"), DrillDue: q.Get("drill_due") == "1", NeedsWork: q.Get("needs_work") == "1"}
	var err error
	if f.OrgID, err = queryInt(r, "org_id", 0); err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[responseplan.Readiness], error) {
		return responseplan.ListReadiness(r.Context(), h.Store, httpx.Caller(r), f, p, h.Store.Now())
	})
}

func (h *Handler) listDrills(w http.ResponseWriter, r *http.Request) {
	f := responseplan.DrillFilter{Kind: r.URL.Query().Get("kind")}
	var err error
	if f.SystemID, err = queryInt(r, "system_id", 0); err != nil {
		Fail(w, r, err)
		return
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[responseplan.Drill], error) {
		return responseplan.ListDrills(r.Context(), h.Store, httpx.Caller(r), f, p)
	})
}

func (h *Handler) recordDrill(w http.ResponseWriter, r *http.Request) {
	var in responseplan.DrillInput
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	d, err := responseplan.RecordDrill(r.Context(), h.Store, httpx.Caller(r), in)
	respond(w, r, http.StatusCreated, d, err)
}

func (h *Handler) incidentMetrics(w http.ResponseWriter, r *http.Request) {
	from, to, err := metricsPeriod(r, h.Store.Now())
	if err != nil {
		Fail(w, r, err)
		return
	}
	m, err := incident.ReadMetrics(r.Context(), h.Store, httpx.Caller(r), from, to)
	respond(w, r, http.StatusOK, m, err)
}

// metricsPeriod reads ?from= and ?to= (days in Vietnam time, to inclusive);
// by default the twelve months up to today.
func metricsPeriod(r *http.Request, now time.Time) (time.Time, time.Time, error) {
	day := func(name string, def time.Time) (time.Time, error) {
		v := r.URL.Query().Get(name)
		if v == "" {
			return def, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, i18n.Vietnam)
		if err != nil {
			return t, validation.Invalid(name, "incident.err.date", v)
		}
		return t, nil
	}
	local := now.In(i18n.Vietnam)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, i18n.Vietnam)
	to, e1 := day("to", today)
	from, e2 := day("from", today.AddDate(-1, 0, 1))
	return from, to.AddDate(0, 0, 1), errors.Join(e1, e2)
}
