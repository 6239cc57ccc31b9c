package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
)

// TestScanForServer runs `khien scan --server`: refused while nothing
// authorises the system, then run here with its findings on the server;
// a target that is not the system's asset is refused.
func TestScanForServer(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "Apache/2.4.49")
	}))
	defer site.Close()
	_, port, _ := net.SplitHostPort(site.Listener.Addr().String())
	app := apptest.New(t, "sqlite")
	ctx := context.Background()
	coord := app.User(t, access.Coordinator, app.Root.ID)
	token := app.Token(t, coord)
	org := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
	sys := inventory.System{OrgID: org.ID, Name: "Cổng thông tin", Kind: "web_portal", Level: 2}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(inventory.CreateSystem(ctx, app.Store, access.SystemActor("test"), &sys))
	must(inventory.AddAsset(ctx, app.Store, access.SystemActor("test"), sys.ID, &inventory.Asset{Kind: "ip", Value: "127.0.0.1"}))

	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		root := NewRoot()
		root.SetOut(&out)
		root.SetArgs(append([]string{"scan", "--server", app.URL, "--token", token, "--system", strconv.FormatInt(sys.ID, 10),
			"--ports", port, "--per-host-rate", "1000", "--resolver", "127.0.0.1:9", "--lang", "en"}, args...))
		err := root.ExecuteContext(ctx)
		return out.String(), err
	}
	if out, err := run(); err == nil || !strings.Contains(out, "refused") {
		t.Fatalf("without authorisation: %v %s", err, out)
	}
	_, err := scanning.Authorize(ctx, app.Store, access.SystemActor("test"), scanning.Authorization{SystemID: sys.ID,
		ValidUntil: time.Now().In(i18n.Vietnam).AddDate(0, 0, 7).Format(time.DateOnly)})
	must(err)
	if out, err := run("127.0.0.2"); err == nil {
		t.Fatalf("a target outside the system: %s", out)
	}
	out, err := run()
	if err != nil || !strings.Contains(out, "done") {
		t.Fatalf("scan for the server: %v %s", err, out)
	}
	list, err := scanning.ListScans(ctx, app.Store, access.SystemActor("test"), scanning.ScanFilter{SystemID: sys.ID, Status: scanning.StatusDone}, storage.Page{Limit: 5})
	must(err)
	if len(list.Items) != 1 || list.Items[0].Runner != scanning.RunnerCLI || list.Items[0].Findings == 0 || list.Items[0].Actor != coord.Email {
		t.Fatalf("the CLI's scan on the server: %+v", list.Items)
	}
	// Stored for every reader: in Vietnamese, though the CLI ran with --lang en.
	found, err := finding.List(ctx, app.Store, access.SystemActor("test"), finding.Filter{SystemID: sys.ID, Tool: "khien"}, storage.Page{Limit: 50})
	must(err)
	for _, f := range found.Items {
		if d, ok := check.Lookup(f.CheckID); !ok || f.Title != d.TitleVI {
			t.Errorf("%s stored with the title %q, want Vietnamese", f.CheckID, f.Title)
		}
	}
	if len(found.Items) == 0 {
		t.Error("no finding stored")
	}
}
