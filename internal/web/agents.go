package web

import (
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// The scan agents page (coordinator, admin): the agents with their status,
// the form that registers one and shows its token once, revocation, and the
// pins of systems to agents.

func (h *Handler) agentRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/agents", Handler: h.agentsPage},
		{Method: "POST", Path: "/agents", Handler: h.agentRegister},
		{Method: "POST", Path: "/agents/{id}/revoke", Handler: h.agentRevoke},
		{Method: "POST", Path: "/agents/pins", Handler: h.agentPin},
		{Method: "POST", Path: "/agents/pins/{id}/delete", Handler: h.agentUnpin},
	}
}

// agentsData is the agents page.
type agentsData struct {
	Agents []agentRow
	pager
	// Live are the agents that may take pins; Systems those that may be pinned.
	Live    []agent.Agent
	Systems []inventory.SystemView
	// Token and Command are shown once, right after a registration.
	Name, Token, Command string
	Problems             map[string]string
}

// agentRow is an agent with its pinned systems by name.
type agentRow struct {
	agent.Agent
	Pins []agent.PinView
}

func (h *Handler) agentsPage(w http.ResponseWriter, r *http.Request) {
	h.renderAgents(w, r, http.StatusOK, agentsData{})
}

func (h *Handler) renderAgents(w http.ResponseWriter, r *http.Request, status int, d agentsData) {
	ctx, actor := r.Context(), httpx.Caller(r)
	pg := listPage(r)
	list, err := agent.List(ctx, h.Store, actor, pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pins, err := agent.Pins(ctx, h.Store, actor)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	byAgent := map[int64][]agent.PinView{}
	for _, p := range pins {
		byAgent[p.AgentID] = append(byAgent[p.AgentID], p)
	}
	for _, a := range list.Items {
		d.Agents = append(d.Agents, agentRow{Agent: a, Pins: byAgent[a.ID]})
	}
	live, err := storage.All(func(p storage.Page) (storage.Paged[agent.Agent], error) { return agent.List(ctx, h.Store, actor, p) })
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, a := range live {
		if a.RevokedAt == nil {
			d.Live = append(d.Live, a)
		}
	}
	systems, err := inventory.ListSystems(ctx, h.Store, actor, inventory.SystemFilter{Level: -1}, storage.First(storage.MaxLimit))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Systems, d.pager = systems.Items, pagerOf(r, "/agents", pg, list.Next)
	p := NewPage(r, "agent.title", "nav.agents", d)
	p.Flash = okFlash(r, "agent.ok.")
	h.Render.Render(w, r, status, "agent/list", p)
}

// agentRegister registers an agent and shows its token on the page it
// answers with, never in a URL: it cannot be shown again.
func (h *Handler) agentRegister(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	name := r.PostFormValue("name")
	a, token, err := agent.Register(r.Context(), h.Store, httpx.Caller(r), name)
	if problems, ok := problemsOf(r, err); ok {
		h.renderAgents(w, r, http.StatusUnprocessableEntity, agentsData{Name: name, Problems: problems})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderAgents(w, r, http.StatusOK, agentsData{Name: a.Name, Token: token, Command: agent.Command(httpx.BaseURL(r), token)})
}

func (h *Handler) agentRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err == nil {
		err = agent.Revoke(r.Context(), h.Store, httpx.Caller(r), id)
	}
	h.done(w, r, err, "/agents", "agent.ok.revoked")
}

func (h *Handler) agentPin(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	systemID, _ := strconv.ParseInt(r.PostFormValue("system_id"), 10, 64)
	agentID, _ := strconv.ParseInt(r.PostFormValue("agent_id"), 10, 64)
	var err error
	switch {
	case systemID <= 0:
		err = validation.Invalid("system_id", "agent.err.system")
	case agentID <= 0:
		err = validation.Invalid("agent_id", "agent.err.unknown")
	default:
		err = agent.Pin(r.Context(), h.Store, httpx.Caller(r), systemID, agentID)
	}
	h.saved(w, r, err, func(problems map[string]string) {
		h.renderAgents(w, r, http.StatusUnprocessableEntity, agentsData{Problems: problems})
	}, "/agents", "agent.ok.pinned")
}

func (h *Handler) agentUnpin(w http.ResponseWriter, r *http.Request) {
	id, err := idAndForm(w, r)
	if err == nil {
		err = agent.Pin(r.Context(), h.Store, httpx.Caller(r), id, 0)
	}
	h.done(w, r, err, "/agents", "agent.ok.unpinned")
}
