package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/apptest"
)

// agentRows: agents serve the whole province, so only the coordinator and
// the administrator manage them and pin systems to them. The routes agents
// call are public to the router and authenticated with the agent's own
// token (TestAgentTokens).
var agentRows = map[string]rule{
	"GET /api/v1/agents":                unscoped(global...),
	"POST /api/v1/agents":               unscopedBody(global, func(c *cell) any { return map[string]string{"name": c.unique("Máy quét ")} }),
	"GET /api/v1/agents/{id}":           anAgent(global),
	"POST /api/v1/agents/{id}/revoke":   anAgent(global),
	"PUT /api/v1/systems/{id}/agent":    object(global, global, systemIn, func(c *cell) any { return map[string]int64{"agent_id": newAgent(c).ID} }),
	"DELETE /api/v1/systems/{id}/agent": object(global, global, systemIn, nil),
	"POST /api/v1/agent/heartbeat":      public(),
	"GET /agents":                       unscoped(global...),
	"POST /agents":                      unscopedBody(global, func(c *cell) any { return url.Values{"name": {c.unique("Máy quét ")}} }),
	"POST /agents/{id}/revoke":          anAgent(global),
	"POST /agents/pins": unscopedBody(global, func(c *cell) any {
		return url.Values{"system_id": {systemIn(c)}, "agent_id": {strconv.FormatInt(newAgent(c).ID, 10)}}
	}),
	"POST /agents/pins/{id}/delete": object(global, global, systemIn, nil),
}

func unscopedBody(roles []access.Role, body func(*cell) any) rule {
	return rule{kind: "unscoped", own: roles, body: body}
}

// anAgent is a route on one agent: no organisation, only the roles matter.
func anAgent(roles []access.Role) rule {
	return rule{kind: "unscoped", own: roles, target: func(c *cell) string { return strconv.FormatInt(newAgent(c).ID, 10) }}
}

func newAgent(c *cell) agent.Agent {
	a, _ := newAgentToken(c.t, c.app, c.unique("Máy quét "))
	return a
}

func newAgentToken(t *testing.T, app *apptest.App, name string) (agent.Agent, string) {
	t.Helper()
	a, token, err := agent.Register(context.Background(), app.Store, access.SystemActor("authz test"), name)
	if err != nil {
		t.Fatal(err)
	}
	return a, token
}

// TestAgentTokens: an agent's token opens no user route (API or web), a
// user's token opens no agent route, and a revoked agent's token nothing.
func TestAgentTokens(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		_, live := newAgentToken(t, app, "Máy quét còn hiệu lực")
		revoked, old := newAgentToken(t, app, "Máy quét đã thu hồi")
		if err := agent.Revoke(context.Background(), app.Store, access.SystemActor("authz test"), revoked.ID); err != nil {
			t.Fatal(err)
		}
		admin := app.Token(t, app.User(t, access.Admin, app.Root.ID))
		c := &cell{t: t, app: app, org: app.Root, seq: new(atomic.Int64)}
		for _, route := range app.Server.Routes() {
			key := route.Pattern()
			r, ok := matrix[key]
			if !ok {
				continue // TestAuthorisationMatrix reports it
			}
			path := pathFor(c, rule{}, route.Path)
			if strings.Contains(path, "{") {
				path = pathParam.ReplaceAllString(path, "1")
			}
			body := bodyFor(c, r)
			switch {
			case strings.HasPrefix(route.Path, "/api/v1/agent/"):
				for name, token := range map[string]string{"a user's token": admin, "a revoked agent's token": old, "no token": ""} {
					if status, _ := send(t, app, route.Method, path, token, nil, body); status != http.StatusUnauthorized {
						t.Errorf("%s with %s: %d, want 401", key, name, status)
					}
				}
				if status, _ := send(t, app, route.Method, path, live, nil, body); status == http.StatusUnauthorized {
					t.Errorf("%s with the agent's token: %d", key, status)
				}
			case route.Public:
			case route.API():
				if status, _ := send(t, app, route.Method, path, live, nil, body); status != http.StatusUnauthorized {
					t.Errorf("%s with an agent's token: %d, want 401", key, status)
				}
			default:
				if status, loc := send(t, app, route.Method, path, live, nil, body); !(status == http.StatusSeeOther && strings.HasPrefix(loc, "/login")) {
					t.Errorf("%s with an agent's token: %d %s, want a redirect to sign in", key, status, loc)
				}
			}
		}
	})
}
