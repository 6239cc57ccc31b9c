package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/identity"
)

// TestDashboardScope: the coordinator reads the city's dashboard and any
// agency's; an agency operator reads its own and is refused another's, on
// the page and the API alike.
func TestDashboardScope(t *testing.T) {
	app := apptest.New(t, "sqlite")
	if _, err := demo.Load(context.Background(), app.Store); err != nil {
		t.Fatal(err)
	}
	orgs, err := identity.AllOrgs(context.Background(), app.Store, access.SystemActor("test"), identity.OrgQuery{})
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]int64{}
	for _, o := range orgs {
		code[o.Code] = o.ID
	}
	get := func(u *apptest.User, path string) (int, string) {
		resp, err := app.Client(t, u).Get(app.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	coord := app.User(t, access.Coordinator, app.Root.ID)
	if st, body := get(coord, "/dashboard"); st != http.StatusOK || !strings.Contains(body, "Bảng điều khiển toàn thành phố") || !strings.Contains(body, "<svg") {
		t.Errorf("city dashboard: %d\n%.2000s", st, body)
	}
	own, other := code["SKHCN"], code["P-NINHKIEU"]
	if own == 0 || other == 0 {
		t.Fatalf("demo organisations: %v", code)
	}
	op := app.User(t, access.AgencyOperator, own)
	for _, c := range []struct {
		path string
		want int
	}{
		{"/dashboard", http.StatusOK},
		{"/dashboard?org=" + strconv.FormatInt(own, 10), http.StatusOK},
		{"/dashboard?org=" + strconv.FormatInt(other, 10), http.StatusNotFound},
		{"/api/v1/dashboard?org_id=" + strconv.FormatInt(own, 10), http.StatusOK},
		{"/api/v1/dashboard?org_id=" + strconv.FormatInt(other, 10), http.StatusNotFound},
	} {
		if st, body := get(op, c.path); st != c.want {
			t.Errorf("agency operator %s: %d, want %d\n%.500s", c.path, st, c.want, body)
		}
	}
}

// TestBrowserDashboardFigureLinksToItsList: the coordinator opens the
// city's dashboard, reads a figure, clicks it and lands on the findings
// list filtered to the same count; the systems in use likewise.
func TestBrowserDashboardFigureLinksToItsList(t *testing.T) {
	app := apptest.New(t, "sqlite")
	if _, err := demo.Load(context.Background(), app.Store); err != nil {
		t.Fatal(err)
	}
	ctx := app.Browser(t, app.User(t, access.Coordinator, app.Root.ID))
	for _, c := range []struct{ figure, list, format string }{
		{"#dash-open-critical", "#findings-count", "%s phát hiện"},
		{"#dash-overdue .figure", "#findings-count", "%s phát hiện"},
		{"#dash-inuse", "#systems-count", "%s hệ thống"},
		{`#dash-coverage a[href$="scanned=6"]`, "#systems-count", "%s hệ thống"},
	} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(app.URL+"/dashboard"), chromedp.WaitVisible(`#dash-severity svg`)))
		figure, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(c.figure)))
		must(t, err)
		if figure == "" || figure == "0" {
			t.Errorf("%s: the demo shows %q", c.figure, figure)
		}
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(c.figure)), chromedp.WaitVisible(chromedp.CSS(c.list))))
		count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(c.list)))
		must(t, err)
		if want := fmt.Sprintf(c.format, figure); count != want {
			t.Errorf("%s: the list says %q, want %q", c.figure, count, want)
		}
	}
}
