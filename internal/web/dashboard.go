package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/chart"
	"github.com/khien/khien/internal/dashboard"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
)

func (h *Handler) dashboardRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/dashboard", Handler: h.dashboardPage},
	}
}

// dashboardData is the dashboard page: the figures, their charts drawn as
// SVG, and the query that scopes the lists each figure links to.
type dashboardData struct {
	dashboard.Dashboard
	Heading  string
	Scope    string // "org=3", "system=7" or "": added to every link
	Charts   map[string]template.HTML
	Statuses []finding.Status
	Groups   []string
	Obs      []campaign.ObligationStatus
	Windows  []coverageRow
	Orgs     []identity.Org
}

// coverageRow is one window of scan coverage with its share of the systems.
type coverageRow struct {
	dashboard.WindowCount
	Percent int
}

func (h *Handler) dashboardPage(w http.ResponseWriter, r *http.Request) {
	caller := httpx.Caller(r)
	q := r.URL.Query()
	var scope dashboard.Scope
	scope.OrgID, _ = strconv.ParseInt(q.Get("org"), 10, 64)
	scope.SystemID, _ = strconv.ParseInt(q.Get("system"), 10, 64)
	d, err := dashboard.Get(r.Context(), h.Store, caller, scope, h.Store.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r)
	data := dashboardData{Dashboard: d, Charts: map[string]template.HTML{}, Statuses: finding.Statuses, Groups: dashboard.StatusGroups}
	for _, st := range campaign.ObligationStatuses {
		data.Obs = append(data.Obs, campaign.ObligationStatus(st))
	}
	switch d.Level {
	case "system":
		data.Heading, data.Scope = "dashboard.title.system", fmt.Sprintf("system=%d", d.Scope.SystemID)
	case "org":
		data.Heading, data.Scope = "dashboard.title.org", fmt.Sprintf("org=%d", d.Scope.OrgID)
	default:
		data.Heading = "dashboard.title.city"
	}
	for _, win := range d.Coverage.Windows {
		data.Windows = append(data.Windows, coverageRow{WindowCount: win, Percent: dashboard.Percent(win.Scanned, d.Coverage.Systems)})
	}
	for _, f := range d.Figures(lang) {
		svg, err := f.Draw(chart.SVG)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		// The chart package writes the SVG and escapes its text.
		data.Charts[f.Key] = template.HTML(svg) //nolint:gosec
	}
	if d.Level != "system" {
		if data.Orgs, err = identity.AllOrgs(r.Context(), h.Store, caller, identity.OrgQuery{}); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.Render.Render(w, r, http.StatusOK, "dashboard/dashboard", NewPage(r, "dashboard.title", "nav.dashboard", data))
}
