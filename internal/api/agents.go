package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// AgentPathPrefix starts the routes agents call with their own token. They
// are Public to the router (which knows only users) and authenticated by
// agentOnly instead: a user's token opens none of them and an agent's token
// opens nothing else.
const AgentPathPrefix = "/api/v1/agent/"

// AgentCreate names a new agent.
type AgentCreate struct {
	Name string `json:"name"`
}

// NewAgent is a registered agent with its token, shown this once, and the
// command line that runs it.
type NewAgent struct {
	agent.Agent
	Token   string `json:"token"`
	Command string `json:"command"`
}

// AgentPin pins a system to an agent.
type AgentPin struct {
	AgentID int64 `json:"agent_id"`
}

// SystemAgent is the agent a system is pinned to (0: none).
type SystemAgent struct {
	SystemID int64 `json:"system_id"`
	AgentID  int64 `json:"agent_id"`
}

// AgentHello answers a heartbeat: who the server takes the agent for.
type AgentHello struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	ServerTime time.Time `json:"server_time"`
}

var exAgent = agent.Agent{ID: 1, Name: "Máy quét Sở Y tế", TokenPrefix: "khag_Ab12Cd", Version: "1.4.0", Hostname: "scanner-syt",
	Address: "10.20.0.15", CreatedBy: "dieuphoi@cantho.gov.vn", Status: agent.StatusOnline, Systems: []int64{12}}

func (h *Handler) agentRoutes() []router.Route {
	const tag = "agents"
	return []router.Route{
		{Method: "GET", Path: "/api/v1/agents", Tag: tag, Summary: "List the scan agents with their status (online, offline, never, revoked), version, last heartbeat and pinned systems (coordinator, admin)",
			Response: NewList([]agent.Agent{exAgent}, 1, ""), Handler: h.listAgents},
		{Method: "POST", Path: "/api/v1/agents", Tag: tag, Summary: "Register a scan agent (coordinator, admin); the answer holds its token, shown this once; audited",
			Request: AgentCreate{Name: exAgent.Name}, Required: []string{"name"}, Response: NewAgent{Agent: exAgent, Token: "khag_…", Command: "khien agent --server https://khien.cantho.gov.vn --token khag_…"}, Handler: h.registerAgent},
		{Method: "GET", Path: "/api/v1/agents/{id}", Tag: tag, Summary: "Get one scan agent (coordinator, admin)", Response: exAgent, Handler: h.getAgent},
		{Method: "POST", Path: "/api/v1/agents/{id}/revoke", Tag: tag, Summary: "Revoke a scan agent: its token stops working at once; its pins stay (coordinator, admin); audited",
			Response: exAgent, Status: []int{http.StatusOK}, Handler: h.revokeAgent},
		{Method: "PUT", Path: "/api/v1/systems/{id}/agent", Tag: tag, Summary: "Pin a system to a scan agent: only that agent scans it (an internal-only system); agent_id 0 unpins (coordinator, admin); audited",
			Request: AgentPin{AgentID: 1}, Required: []string{"agent_id"}, Response: SystemAgent{SystemID: 12, AgentID: 1}, Handler: h.pinSystem},
		{Method: "DELETE", Path: "/api/v1/systems/{id}/agent", Tag: tag, Summary: "Unpin a system from its scan agent (coordinator, admin); audited", Handler: h.unpinSystem},
		{Method: "POST", Path: AgentPathPrefix + "heartbeat", Tag: tag, Public: true, Summary: "An agent's heartbeat, with its agent token (Authorization: Bearer khag_…): its version and host name",
			Request: agent.HeartbeatInfo{Version: "1.4.0", Hostname: "scanner-syt"}, Response: AgentHello{ID: 1, Name: exAgent.Name}, Status: []int{http.StatusOK}, Handler: h.agentOnly(h.heartbeat)},
	}
}

func (h *Handler) listAgents(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p storage.Page) (storage.Paged[agent.Agent], error) {
		return agent.List(r.Context(), h.Store, httpx.Caller(r), p)
	})
}

func (h *Handler) registerAgent(w http.ResponseWriter, r *http.Request) {
	var req AgentCreate
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	a, token, err := agent.Register(r.Context(), h.Store, httpx.Caller(r), req.Name)
	respond(w, r, http.StatusCreated, NewAgent{Agent: a, Token: token, Command: agent.Command(httpx.BaseURL(r), token)}, err)
}

func (h *Handler) getAgent(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	a, err := agent.Get(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, a, err)
}

func (h *Handler) revokeAgent(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := agent.Revoke(r.Context(), h.Store, httpx.Caller(r), id); err != nil {
		Fail(w, r, err)
		return
	}
	a, err := agent.Get(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, a, err)
}

func (h *Handler) pinSystem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var req AgentPin
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	err = agent.Pin(r.Context(), h.Store, httpx.Caller(r), id, req.AgentID)
	respond(w, r, http.StatusOK, SystemAgent{SystemID: id, AgentID: req.AgentID}, err)
}

func (h *Handler) unpinSystem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := agent.Pin(r.Context(), h.Store, httpx.Caller(r), id, 0); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) heartbeat(w http.ResponseWriter, r *http.Request) {
	a, _ := h.agentOf(r)
	var hb agent.HeartbeatInfo
	if err := httpx.Decode(w, r, &hb); err != nil {
		Fail(w, r, err)
		return
	}
	hb.Address = httpx.ClientIP(r)
	err := agent.Heartbeat(r.Context(), h.Store, a.ID, hb)
	respond(w, r, http.StatusOK, AgentHello{ID: a.ID, Name: a.Name, ServerTime: h.Store.Now()}, err)
}

type agentKey struct{}

// agentOnly runs next only for a request with a live agent's token
// (Authorization: Bearer khag_…), the agent in its context for agentOf;
// anything else (no token, a user's token or session, a revoked agent) is
// 401. Every route under AgentPathPrefix is wrapped in it.
func (h *Handler) agentOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := h.authenticateAgent(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="khien-agent"`)
			WriteError(w, http.StatusUnauthorized, "unauthenticated", i18n.T(httpx.Lang(r), "api.err.unauthenticated"))
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), agentKey{}, a)))
	}
}

// agentOf is the agent calling a route wrapped in agentOnly; outside one it
// authenticates the request itself.
func (h *Handler) agentOf(r *http.Request) (agent.Agent, bool) {
	if a, ok := r.Context().Value(agentKey{}).(agent.Agent); ok {
		return a, true
	}
	return h.authenticateAgent(r)
}

func (h *Handler) authenticateAgent(r *http.Request) (agent.Agent, bool) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return agent.Agent{}, false
	}
	a, err := agent.Authenticate(r.Context(), h.Store, strings.TrimSpace(secret))
	if err != nil {
		if !errors.Is(err, access.ErrNotFound) {
			httpx.LogFailure(r, "authenticate agent", err)
		}
		return agent.Agent{}, false
	}
	return a, true
}
