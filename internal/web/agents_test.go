package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/inventory"
)

// TestAgentsPage: the coordinator registers an agent in the browser, sees
// its token and command line once, pins a system to it and revokes it; an
// agency's administrator is refused the page.
func TestAgentsPage(t *testing.T) {
	app := apptest.New(t, "sqlite")
	ctx := context.Background()
	org := app.Org(t, "SYT", "Sở Y tế")
	coordinator := app.User(t, access.Coordinator, app.Root.ID)
	sys := inventory.System{OrgID: org.ID, Name: "Phần mềm quản lý bệnh viện", Kind: "internal_app"}
	must(t, inventory.CreateSystem(ctx, app.Store, coordinator.Actor(t, app), &sys))

	if resp, _ := get(t, app.Client(t, app.User(t, access.AgencyAdmin, org.ID)), app.URL+"/agents"); resp.StatusCode != 403 {
		t.Errorf("agency admin: %d", resp.StatusCode)
	}

	b := app.Browser(t, coordinator)
	must(t, chromedp.Do(b,
		chromedp.Navigate(app.URL+"/agents"),
		chromedp.WaitVisible(chromedp.CSS(`table#agents`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "Máy quét Sở Y tế"),
		chromedp.Click(chromedp.CSS(`form[action="/agents"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#agent-token`)),
	))
	token, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#new-agent-token`)))
	must(t, err)
	command, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#agent-command`)))
	must(t, err)
	if !strings.HasPrefix(token, agent.TokenPrefix) || command != "khien agent --server "+app.URL+" --token "+token {
		t.Fatalf("token %q, command %q", token, command)
	}
	a, err := agent.Authenticate(ctx, app.Store, token)
	must(t, err)
	status, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`tr[data-agent] .badge`)))
	must(t, err)
	if status != "Chưa kết nối" {
		t.Errorf("status %q", status)
	}

	// Pin the system, then reload: the token is gone from the page.
	must(t, chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`form[action="/agents/pins"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	))
	if id, _ := agent.PinnedAgent(ctx, app.Store, sys.ID); id != a.ID {
		t.Fatalf("pinned to %d", id)
	}
	main, err := chromedp.Run(b, chromedp.OuterHTML(chromedp.CSS(`main`)))
	must(t, err)
	if strings.Contains(main, token) || !strings.Contains(main, sys.Name) {
		t.Errorf("after pinning: token shown %v, pinned system shown %v", strings.Contains(main, token), strings.Contains(main, sys.Name))
	}

	must(t, chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.badge.agent-revoked`)),
	))
	status, err = chromedp.Run(b, chromedp.Text(chromedp.CSS(`tr[data-agent] .badge`)))
	must(t, err)
	if status != "Đã thu hồi" {
		t.Errorf("after revoking: %q", status)
	}
	if _, err := agent.Authenticate(ctx, app.Store, token); err == nil {
		t.Error("the revoked token still authenticates")
	}
}
