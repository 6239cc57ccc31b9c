package api_test

import (
	"context"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/inventory"
)

// TestUnshareAPI: the coordinator marks a conflict as shared infrastructure,
// finds it in GET /api/v1/assets/shared, takes the mark back with
// POST /api/v1/assets/conflicts/unshare, and the value is a conflict again.
func TestUnshareAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		ctx := context.Background()
		admin := access.SystemActor("test")
		var orgs []int64
		for _, code := range []string{"SYT", "TTDL"} {
			org := app.Org(t, code, "Cơ quan "+code)
			orgs = append(orgs, org.ID)
			s := inventory.System{OrgID: org.ID, Name: "Cổng " + code, Kind: "web_portal"}
			if err := inventory.CreateSystem(ctx, app.Store, admin, &s); err != nil {
				t.Fatal(err)
			}
			if err := inventory.AddAsset(ctx, app.Store, admin, s.ID, &inventory.Asset{Kind: "ip", Value: "203.113.170.1"}); err != nil {
				t.Fatal(err)
			}
		}
		coord := app.Token(t, app.User(t, access.Coordinator, app.Root.ID))
		agency := app.Token(t, app.User(t, access.AgencyOperator, orgs[0]))
		value := map[string]any{"kind": "ip", "value": "203.113.170.1"}
		shared := map[string]any{"kind": "ip", "value": "203.113.170.1", "shared": true, "note": "Reverse proxy"}
		if status := app.JSON(t, coord, "POST", "/api/v1/assets/conflicts/resolve", shared, nil); status != 204 {
			t.Fatalf("mark shared: %d", status)
		}
		type page struct {
			Items []struct{ Kind, Value, Note string }
			Total int
		}
		var list page
		if status := app.JSON(t, coord, "GET", "/api/v1/assets/shared", nil, &list); status != 200 || list.Total != 1 || list.Items[0].Note != "Reverse proxy" {
			t.Fatalf("shared values: %d %+v", status, list)
		}
		for _, tt := range []struct {
			name, token string
			body        map[string]any
			want        int
		}{
			{"an agency", agency, value, 403},
			{"no value", coord, map[string]any{"kind": "ip"}, 422},
			{"not shared", coord, map[string]any{"kind": "ip", "value": "203.113.170.9"}, 404},
			{"the coordinator", coord, value, 204},
			{"twice", coord, value, 404},
		} {
			if status := app.JSON(t, tt.token, "POST", "/api/v1/assets/conflicts/unshare", tt.body, nil); status != tt.want {
				t.Errorf("%s: %d, want %d", tt.name, status, tt.want)
			}
		}
		var conflicts page
		if status := app.JSON(t, coord, "GET", "/api/v1/assets/conflicts", nil, &conflicts); status != 200 || conflicts.Total != 1 || conflicts.Items[0].Value != "203.113.170.1" {
			t.Fatalf("conflicts after unsharing: %d %+v", status, conflicts)
		}
		if status := app.JSON(t, coord, "GET", "/api/v1/assets/shared", nil, &list); status != 200 || list.Total != 0 {
			t.Fatalf("shared after unsharing: %d %+v", status, list)
		}
	})
}
