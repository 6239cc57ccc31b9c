package api_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/inventory"
)

// TestAgentsAPI registers an agent, sends its heartbeat with its token, pins
// a system to it and revokes it; agent and user tokens open only their own
// routes. The contract checker validates every exchange.
func TestAgentsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		org := app.Org(t, "SYT", "Sở Y tế")
		coordUser := app.User(t, access.Coordinator, app.Root.ID)
		coord := app.Token(t, coordUser)
		agencyAdmin := app.Token(t, app.User(t, access.AgencyAdmin, org.ID))
		sys := inventory.System{OrgID: org.ID, Name: "Phần mềm quản lý bệnh viện", Kind: "internal_app"}
		if err := inventory.CreateSystem(context.Background(), app.Store, coordUser.Actor(t, app), &sys); err != nil {
			t.Fatal(err)
		}

		if st := app.JSON(t, agencyAdmin, "POST", "/api/v1/agents", map[string]string{"name": "x"}, nil); st != 403 {
			t.Errorf("agency admin registers: %d", st)
		}
		if st := app.JSON(t, coord, "POST", "/api/v1/agents", map[string]string{"name": ""}, nil); st != 422 {
			t.Errorf("no name: %d", st)
		}
		var reg map[string]any
		if st := app.JSON(t, coord, "POST", "/api/v1/agents", map[string]string{"name": "Máy quét Sở Y tế"}, &reg); st != 201 {
			t.Fatalf("register: %d %v", st, reg)
		}
		token, _ := reg["token"].(string)
		id, _ := reg["id"].(float64)
		if !strings.HasPrefix(token, agent.TokenPrefix) || id == 0 || reg["status"] != agent.StatusNever || !strings.Contains(reg["command"].(string), "--token "+token) {
			t.Fatalf("registered %v", reg)
		}
		path := "/api/v1/agents/" + strconv.Itoa(int(id))
		if st := app.JSON(t, coord, "POST", "/api/v1/agents", map[string]string{"name": "Máy quét Sở Y tế"}, nil); st != 409 {
			t.Errorf("same name: %d", st)
		}

		// Each kind of token opens only its own routes.
		for _, c := range []struct {
			name, token, method, path string
			want                      int
		}{
			{"agent token on a user route", token, "GET", "/api/v1/me", 401},
			{"agent token on the agents list", token, "GET", "/api/v1/agents", 401},
			{"user token on the heartbeat", coord, "POST", "/api/v1/agent/heartbeat", 401},
			{"no token on the heartbeat", "", "POST", "/api/v1/agent/heartbeat", 401},
		} {
			if st := app.JSON(t, c.token, c.method, c.path, map[string]string{}, nil); st != c.want {
				t.Errorf("%s: %d, want %d", c.name, st, c.want)
			}
		}

		var hello api.AgentHello
		if st := app.JSON(t, token, "POST", "/api/v1/agent/heartbeat", agent.HeartbeatInfo{Version: "1.4.0", Hostname: "scanner-syt"}, &hello); st != 200 || hello.ID != int64(id) {
			t.Fatalf("heartbeat: %d %+v", st, hello)
		}
		var got agent.Agent
		if st := app.JSON(t, coord, "GET", path, nil, &got); st != 200 || got.Status != agent.StatusOnline || got.Version != "1.4.0" || got.Hostname != "scanner-syt" || got.LastHeartbeatAt == nil || got.Address == "" {
			t.Fatalf("after heartbeat: %d %+v", st, got)
		}

		sysPath := "/api/v1/systems/" + strconv.FormatInt(sys.ID, 10) + "/agent"
		if st := app.JSON(t, agencyAdmin, "PUT", sysPath, api.AgentPin{AgentID: int64(id)}, nil); st != 403 {
			t.Errorf("agency admin pins: %d", st)
		}
		if st := app.JSON(t, coord, "PUT", sysPath, api.AgentPin{AgentID: int64(id) + 99}, nil); st != 422 {
			t.Errorf("pin to an unknown agent: %d", st)
		}
		var pin api.SystemAgent
		if st := app.JSON(t, coord, "PUT", sysPath, api.AgentPin{AgentID: int64(id)}, &pin); st != 200 || pin.AgentID != int64(id) {
			t.Fatalf("pin: %d %+v", st, pin)
		}
		var list api.List[agent.Agent]
		if st := app.JSON(t, coord, "GET", "/api/v1/agents", nil, &list); st != 200 || list.Total != 1 || len(list.Items[0].Systems) != 1 || list.Items[0].Systems[0] != sys.ID {
			t.Fatalf("list: %d %+v", st, list)
		}
		if st := app.JSON(t, coord, "DELETE", sysPath, nil, nil); st != 204 {
			t.Errorf("unpin: %d", st)
		}

		if st := app.JSON(t, coord, "POST", path+"/revoke", nil, &got); st != 200 || got.Status != agent.StatusRevoked {
			t.Fatalf("revoke: %d %+v", st, got)
		}
		if st := app.JSON(t, token, "POST", "/api/v1/agent/heartbeat", agent.HeartbeatInfo{Version: "1.4.0"}, nil); st != 401 {
			t.Errorf("heartbeat after revocation: %d", st)
		}
	})
}
