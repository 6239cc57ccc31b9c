package apptest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/apptest"
)

// TestHelpers checks each way the helper signs a user in.
func TestHelpers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		agency := app.Org(t, "SO-A", "Sở A")
		op := app.User(t, access.AgencyOperator, agency.ID)
		coord := app.User(t, access.Coordinator, app.Root.ID)

		var me api.Me
		if status := app.JSON(t, app.Token(t, op), "GET", "/api/v1/me", nil, &me); status != 200 || me.Email != op.Email || me.OrgID != agency.ID {
			t.Fatalf("GET /api/v1/me with token: %d %+v", status, me)
		}
		// Three form sign-ins of an MFA user in a row: TOTP steps run out
		// and the helper falls back to recovery codes.
		for range 3 {
			resp, err := app.Client(t, coord).Get(app.URL + "/api/v1/me")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /api/v1/me with session: %d", resp.StatusCode)
			}
		}
		req, _ := http.NewRequest("GET", app.URL+"/", nil)
		req.AddCookie(app.SessionCookie(t, op))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Request.URL.Path != "/" {
			t.Fatalf("session cookie: %d at %s", resp.StatusCode, resp.Request.URL.Path)
		}
	})
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	app := apptest.New(t, "sqlite")
	admin := app.User(t, access.Admin, app.Root.ID)
	ctx := app.Browser(t, admin)
	text, err := chromedp.Run(ctx, chromedp.Text(`.topbar .user`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, admin.Email) {
		t.Fatalf("top bar shows %q, want %s", text, admin.Email)
	}
}
