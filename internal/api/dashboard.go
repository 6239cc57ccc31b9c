package api

import (
	"errors"
	"net/http"

	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/dashboard"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/router"
)

// exDashboard is an organisation's dashboard, for the OpenAPI document.
var exDashboard = dashboard.Dashboard{Scope: dashboard.Scope{OrgID: 2}, Level: "org", Name: "Sở Khoa học và Công nghệ", Day: "2026-03-02", Total: 3, Open: 2, Overdue: 1,
	Severities: []dashboard.SeverityRow{{Severity: finding.High, Total: 3, Open: 2, Overdue: 1, ByStatus: map[finding.Status]int{finding.New: 2, finding.Verified: 1}}},
	Trend:      []dashboard.Month{{Month: "2026-03", Found: 3, Resolved: 1}},
	MTTR:       []dashboard.Remediation{{Severity: finding.High, Resolved: 1, MeanDays: 12.5}},
	Coverage:   dashboard.Coverage{Systems: 4, Windows: []dashboard.WindowCount{{Months: 3, Scanned: 2}, {Months: 6, Scanned: 3}}},
	Campaigns: []dashboard.CampaignProgress{{ID: 1, Title: "Rà soát an toàn thông tin năm 2026", Obligations: 2, Accepted: 1,
		ByStatus: map[campaign.ObligationStatus]int{campaign.Accepted: 1, campaign.Late: 1}}},
	Levels: []dashboard.LevelCount{{Level: 2, Systems: 3}, {Level: 3, Systems: 1}}}

func (h *Handler) dashboardRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/api/v1/dashboard", Tag: "Dashboards", Summary: "The figures of the caller's scope, an organisation (org_id, with its subtree) or one system (system_id): see docs/dashboards.md",
			Query:    []router.Param{orgParam, {Name: "system_id", Type: "integer"}},
			Response: exDashboard, Handler: h.getDashboard},
	}
}

func (h *Handler) getDashboard(w http.ResponseWriter, r *http.Request) {
	org, err1 := queryInt(r, "org_id", 0)
	system, err2 := queryInt(r, "system_id", 0)
	if err := errors.Join(err1, err2); err != nil {
		Fail(w, r, err)
		return
	}
	d, err := dashboard.Get(r.Context(), h.Store, httpx.Caller(r), dashboard.Scope{OrgID: org, SystemID: system}, h.Store.Now())
	respond(w, r, http.StatusOK, d, err)
}
