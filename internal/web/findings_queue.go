package web

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// unassignedLimit is how many hosts of the queue one page shows, most
// findings first; sorting them empties the top of the queue.
const unassignedLimit = 200

// unassignedData is the unassigned queue.
type unassignedData struct {
	Hosts   []finding.UnassignedHost
	Systems []inventory.SystemView
	Error   string
}

func (h *Handler) unassignedPage(w http.ResponseWriter, r *http.Request) {
	h.renderUnassigned(w, r, http.StatusOK, "")
}

func (h *Handler) renderUnassigned(w http.ResponseWriter, r *http.Request, status int, problem string) {
	caller := httpx.Caller(r)
	// The queue belongs to the city: only city-level roles sort it.
	if !caller.Global() {
		h.fail(w, r, access.Denied(caller.Role, access.ManageOrgs))
		return
	}
	hosts, err := finding.ListUnassigned(r.Context(), h.Store, caller, unassignedLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	systems, err := inventory.ListSystems(r.Context(), h.Store, caller, inventory.SystemFilter{Level: -1}, storage.First(storage.MaxLimit))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := findingPageOf(r, "findings.unassigned.title", unassignedData{Hosts: hosts, Systems: systems.Items})
	p.Error = problem
	h.Render.Render(w, r, status, "findings/unassigned", p)
}

// queueDone finishes a form of the unassigned queue.
func (h *Handler) queueDone(w http.ResponseWriter, r *http.Request, err error, flash string) {
	h.saved(w, r, err, func(map[string]string) {
		h.renderUnassigned(w, r, http.StatusUnprocessableEntity, errorText(r, err))
	}, "/findings/unassigned", flash)
}

func (h *Handler) assignHost(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	_, err := finding.AssignHost(r.Context(), h.Store, httpx.Caller(r), r.PostFormValue("host"), formID(r, "system_id"))
	h.queueDone(w, r, err, "findings.ok.host_assigned")
}

// hostToAsset registers the host as an asset of the system (a domain or
// an IP address, as the host is written) and gives it its findings.
func (h *Handler) hostToAsset(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	caller := httpx.Caller(r)
	if !caller.Global() {
		h.fail(w, r, access.Denied(caller.Role, access.ManageOrgs))
		return
	}
	host, systemID := strings.TrimSpace(r.PostFormValue("host")), formID(r, "system_id")
	kind := "domain"
	if _, err := netip.ParseAddr(host); err == nil {
		kind = "ip"
	}
	err := inventory.AddAsset(r.Context(), h.Store, caller, systemID, &inventory.Asset{Kind: kind, Value: host})
	if err == nil {
		_, err = finding.AssignHost(r.Context(), h.Store, caller, host, systemID)
	}
	h.queueDone(w, r, err, "findings.ok.host_asset")
}

// policyData is the due-date policy page.
type policyData struct {
	Policy     finding.Policy
	Severities []finding.Severity
	CanEdit    bool
	Problems   map[string]string
}

func (h *Handler) policyPage(w http.ResponseWriter, r *http.Request) {
	p, err := finding.LoadPolicy(r.Context(), h.Store)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderPolicy(w, r, http.StatusOK, policyData{Policy: p})
}

func (h *Handler) renderPolicy(w http.ResponseWriter, r *http.Request, status int, d policyData) {
	d.Severities, d.CanEdit = findingOptions.Severities, httpx.Caller(r).Can(access.ManageOrgs, "/")
	h.Render.Render(w, r, status, "findings/policy", findingPageOf(r, "findings.policy.title", d))
}

func (h *Handler) setPolicy(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	p := finding.Policy{Days: map[finding.Severity]int{}, HalveFromLevel: formInt(r, "halve_from_level")}
	for _, s := range findingOptions.Severities {
		p.Days[s] = formInt(r, "days_"+string(s))
	}
	h.saved(w, r, finding.SetPolicy(r.Context(), h.Store, httpx.Caller(r), p), func(problems map[string]string) {
		h.renderPolicy(w, r, http.StatusUnprocessableEntity, policyData{Policy: p, Problems: problems})
	}, "/findings/policy", "findings.ok.policy")
}

// findingSummary is the findings of a system or an organisation in
// figures, each a link to the list it counts.
type findingSummary struct {
	Rows          []summaryRow
	Open, Overdue int
	Total         int
	Link          string // the list of the scope: "/findings?system=4"
}

type summaryRow struct {
	Severity    finding.Severity
	Total, Open int
}

// summaryOf counts the findings of f for a system's or an organisation's page.
func (h *Handler) summaryOf(r *http.Request, f finding.Filter, link string) (findingSummary, error) {
	c, err := finding.Count(r.Context(), h.Store, httpx.Caller(r), f)
	if err != nil {
		return findingSummary{}, err
	}
	s := findingSummary{Open: c.Open, Overdue: c.Overdue, Total: c.Total, Link: link}
	for _, sev := range findingOptions.Severities {
		row := summaryRow{Severity: sev, Total: c.BySeverity[string(sev)]}
		for st, n := range c.Matrix[string(sev)] {
			if finding.Status(st).Open() {
				row.Open += n
			}
		}
		s.Rows = append(s.Rows, row)
	}
	return s, nil
}
