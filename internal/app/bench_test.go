package app_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/inventory"
)

// BenchmarkAPIReadSystem is one token-authenticated API read through the
// whole server (middleware, authentication, scope, JSON), in process, so a
// CPU profile shows where a request's time goes.
func BenchmarkAPIReadSystem(b *testing.B) {
	app := apptest.New(b, "sqlite")
	org := app.Org(b, "SKHCN", "Sở Khoa học và Công nghệ")
	token := app.Token(b, app.User(b, access.AgencyOperator, org.ID))
	sys := inventory.System{OrgID: org.ID, Name: "Cổng thông tin điện tử", Kind: "web_portal", Level: 2}
	if err := inventory.CreateSystem(context.Background(), app.Store, access.SystemActor("bench"), &sys); err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest("GET", app.URL+"/api/v1/systems/"+strconv.FormatInt(sys.ID, 10), nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(resp.StatusCode, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
