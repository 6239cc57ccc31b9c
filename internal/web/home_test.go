package web_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/identity"
)

// TestOverviewShowsTheCallersPart: the coordinator's overview counts the
// whole demo city; an agency operator's counts only its own agency.
func TestOverviewShowsTheCallersPart(t *testing.T) {
	app := apptest.New(t, "sqlite")
	sum, err := demo.Load(context.Background(), app.Store)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := identity.AllOrgs(context.Background(), app.Store, access.SystemActor("test"), identity.OrgQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var agency int64
	for _, o := range orgs {
		if o.Code == "SKHCN" {
			agency = o.ID
		}
	}
	overview := func(u *apptest.User) string {
		resp, err := app.Client(t, u).Get(app.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("overview: %d", resp.StatusCode)
		}
		return string(b)
	}
	city := overview(app.User(t, access.Coordinator, app.Root.ID))
	want := fmt.Sprintf(`<span class="figure">%d</span>hệ thống thông tin đang sử dụng`, sum.Systems)
	if !strings.Contains(city, want) {
		t.Errorf("coordinator's overview lacks %q", want)
	}
	own := overview(app.User(t, access.AgencyOperator, agency))
	if strings.Contains(own, want) || !strings.Contains(own, `<span class="figure">1</span>cơ quan, đơn vị`) {
		t.Errorf("agency operator's overview is not limited to its agency")
	}
}
