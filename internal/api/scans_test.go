package api_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent/client"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/scanning/remote"
)

// loopbackSite is a small web server on 127.0.0.1 that shows findings.
func loopbackSite(t *testing.T) int {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "Apache/2.4.49")
		w.Write([]byte("<html><title>Cổng</title></html>"))
	}))
	t.Cleanup(srv.Close)
	_, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ := strconv.Atoi(p)
	return port
}

func loopbackSystem(t *testing.T, app *apptest.App, orgID int64, name string) inventory.System {
	sys := inventory.System{OrgID: orgID, Name: name, Kind: "web_portal", Level: 2}
	if err := inventory.CreateSystem(t.Context(), app.Store, access.SystemActor("test"), &sys); err != nil {
		t.Fatal(err)
	}
	if err := inventory.AddAsset(t.Context(), app.Store, access.SystemActor("test"), sys.ID, &inventory.Asset{Kind: "ip", Value: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	return sys
}

// waitScan polls a scan until it has finished.
// accepted reports whether a server-run scan was taken: the worker may have
// started or even finished it before the response was written.
func accepted(status string) bool {
	return status == scanning.StatusQueued || status == scanning.StatusRunning || status == scanning.StatusDone
}

func waitScan(t *testing.T, c apiClient, who string, id int64) scanning.Scan {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var s scanning.Scan
		_, body := c.do(who, "GET", "/api/v1/scans/"+itoa(id), nil)
		json.Unmarshal(body, &s)
		if s.Finished() {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("scan %d still %s after 60 s: %s", id, s.Status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestScansAPI follows the acceptance contract: a scan outside the scope
// guard is refused with its reason; an authorisation or a campaign lets it
// run; it ends done with its counts.
func TestScansAPI(t *testing.T) {
	port := loopbackSite(t)
	apptest.EachWith(t, func(t *testing.T, app *apptest.App) {
		a := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
		b := app.Org(t, "SYT", "Sở Y tế")
		c := apiClient{t, app, map[string]string{
			"coord": app.Token(t, app.User(t, access.Coordinator, app.Root.ID)),
			"op-a":  app.Token(t, app.User(t, access.AgencyOperator, a.ID)),
		}}
		sys := loopbackSystem(t, app, a.ID, "Cổng thông tin")

		var s scanning.Scan
		status, body := c.do("coord", "POST", "/api/v1/scans", map[string]any{"system_id": sys.ID, "profile": "safe"})
		json.Unmarshal(body, &s)
		if status != 201 || s.Status != scanning.StatusRefused || s.Reason == "" {
			t.Fatalf("scan without basis: %d %s", status, body)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/scans", map[string]any{"system_id": sys.ID}); status != 403 {
			t.Fatalf("an agency operator scans: %d %s", status, body)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/authorizations", map[string]any{"system_id": sys.ID, "valid_until": "2099-01-01"}); status != 403 {
			t.Fatalf("an agency operator authorises: %d %s", status, body)
		}
		until := time.Now().In(i18n.Vietnam).AddDate(0, 0, 30).Format(time.DateOnly)
		if status, body := c.do("coord", "POST", "/api/v1/authorizations", map[string]any{"system_id": sys.ID, "valid_until": until}); status != 201 {
			t.Fatalf("authorise: %d %s", status, body)
		}
		status, body = c.do("coord", "POST", "/api/v1/scans", map[string]any{"system_id": sys.ID, "profile": "safe"})
		json.Unmarshal(body, &s)
		if status != 201 || s.ID == 0 || !accepted(s.Status) {
			t.Fatalf("authorised scan: %d %s", status, body)
		}
		s = waitScan(t, c, "coord", s.ID)
		if s.Status != scanning.StatusDone || s.HostsDone != 1 || s.Findings == 0 || s.NewFindings == 0 {
			t.Fatalf("scan: %+v", s)
		}
		// The agency sees its system's scan; findings arrived in its list.
		if status, _ := c.do("op-a", "GET", "/api/v1/scans/"+itoa(s.ID), nil); status != 200 {
			t.Errorf("the agency reads its scan: %d", status)
		}
		var list struct{ Total int }
		_, body = c.do("op-a", "GET", "/api/v1/findings?system_id="+itoa(sys.ID), nil)
		json.Unmarshal(body, &list)
		if list.Total != s.NewFindings {
			t.Errorf("%d findings listed, the scan made %d", list.Total, s.NewFindings)
		}

		// A campaign covers another agency's system without an authorisation.
		other := loopbackSystem(t, app, b.ID, "Hồ sơ sức khỏe")
		var camp struct{ ID int64 }
		status, body = c.do("coord", "POST", "/api/v1/campaigns", map[string]any{"title": "Kiểm tra 2026", "year": time.Now().Year(), "org_ids": []int64{b.ID}})
		json.Unmarshal(body, &camp)
		if status != 201 || camp.ID == 0 {
			t.Fatalf("campaign: %d %s", status, body)
		}
		status, body = c.do("coord", "POST", "/api/v1/scans", map[string]any{"system_id": other.ID})
		json.Unmarshal(body, &s)
		if status != 201 || !accepted(s.Status) || s.CampaignID != camp.ID {
			t.Fatalf("scan under the campaign: %d %s", status, body)
		}
		if s = waitScan(t, c, "coord", s.ID); s.Status != scanning.StatusDone || s.Plan.Basis != "campaign" {
			t.Fatalf("campaign scan: %+v", s)
		}
	}, apptest.ScanPorts(port))
}

// TestAgentScans: a system pinned to an agent is scanned by it; the agent
// claims over its own token, runs the scanner where it is and streams the
// results back; the other agent gets nothing.
func TestAgentScans(t *testing.T) {
	port := loopbackSite(t)
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		a := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
		c := apiClient{t, app, map[string]string{"coord": app.Token(t, app.User(t, access.Coordinator, app.Root.ID))}}
		sys := loopbackSystem(t, app, a.ID, "Phần mềm nội bộ")
		until := time.Now().In(i18n.Vietnam).AddDate(0, 0, 30).Format(time.DateOnly)
		c.do("coord", "POST", "/api/v1/authorizations", map[string]any{"system_id": sys.ID, "valid_until": until})
		agents := map[string]struct {
			ID    int64
			Token string
		}{}
		for _, name := range []string{"trong-mang-skhcn", "khac"} {
			var ag struct {
				ID    int64
				Token string
			}
			status, body := c.do("coord", "POST", "/api/v1/agents", map[string]string{"name": name})
			json.Unmarshal(body, &ag)
			if status != 201 || ag.Token == "" {
				t.Fatalf("register agent: %d %s", status, body)
			}
			agents[name] = ag
		}
		if status, body := c.do("coord", "PUT", "/api/v1/systems/"+itoa(sys.ID)+"/agent", map[string]int64{"agent_id": agents["trong-mang-skhcn"].ID}); status >= 300 {
			t.Fatalf("pin: %d %s", status, body)
		}
		var s scanning.Scan
		_, body := c.do("coord", "POST", "/api/v1/scans", map[string]any{"system_id": sys.ID})
		json.Unmarshal(body, &s)
		if s.Runner != scanning.RunnerAgent || s.Status != scanning.StatusQueued {
			t.Fatalf("scan of a pinned system: %s", body)
		}
		ctx := context.Background()
		base := scan.Config{Ports: []int{port}, PerHostRate: 1000, Resolver: "127.0.0.1:9", Lang: "en"}
		noBeat := func(context.Context) error { return nil }
		if err := remote.AgentWork(ctx, client.New(app.URL, agents["khac"].Token, nil), base, noBeat, time.Minute); err != nil {
			t.Fatal(err)
		}
		if got := waitNotQueued(t, c, s.ID, 0); got.Status != scanning.StatusQueued {
			t.Fatalf("another agent took the scan: %+v", got)
		}
		if err := remote.AgentWork(ctx, client.New(app.URL, agents["trong-mang-skhcn"].Token, nil), base, noBeat, time.Minute); err != nil {
			t.Fatal(err)
		}
		s = waitScan(t, c, "coord", s.ID)
		if s.Status != scanning.StatusDone || s.HostsDone != 1 || s.Findings == 0 || s.AgentID != agents["trong-mang-skhcn"].ID {
			t.Fatalf("agent's scan: %+v", s)
		}
	})
}

// waitNotQueued reads a scan once (the agent's work is synchronous).
func waitNotQueued(t *testing.T, c apiClient, id int64, _ int) scanning.Scan {
	var s scanning.Scan
	_, body := c.do("coord", "GET", "/api/v1/scans/"+itoa(id), nil)
	json.Unmarshal(body, &s)
	return s
}
