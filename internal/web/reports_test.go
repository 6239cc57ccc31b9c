package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
)

// TestReportPagesScope: the system page offers the report; the other agency neither lists,
// opens nor downloads it.
func TestReportPagesScope(t *testing.T) {
	s := newSite(t, apptest.New(t, "sqlite"))
	sys := inventory.System{OrgID: s.a.ID, Name: "Cổng dịch vụ công Sở", Kind: "web_portal", Level: 2}
	must(t, inventory.CreateSystem(context.Background(), s.store, access.SystemActor("test"), &sys))
	_, body := s.do(t, "op-a", "GET", fmt.Sprintf("/inventory/systems/%d", sys.ID), nil, "")
	if !strings.Contains(body, `id="report-system-docx"`) || !strings.Contains(body, "Báo cáo") {
		t.Fatalf("the system page offers no report:\n%s", body)
	}
	resp, _ := s.form(t, "op-b", "/reports", map[string][]string{"kind": {"system"}, "id": {itoa(sys.ID)}, "format": {"pdf"}})
	if resp.StatusCode != 404 {
		t.Fatalf("B asks for A's report: %d", resp.StatusCode)
	}
	resp, _ = s.form(t, "op-a", "/reports", map[string][]string{"kind": {"system"}, "id": {itoa(sys.ID)}, "format": {"pdf"}})
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/reports/") {
		t.Fatalf("A asks for the report: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	for _, path := range []string{page, page + "/download"} {
		if resp, _ := s.do(t, "op-b", "GET", path, nil, ""); resp.StatusCode != 404 {
			t.Errorf("B opens %s: %d", path, resp.StatusCode)
		}
	}
	if _, body := s.do(t, "op-b", "GET", "/reports", nil, ""); strings.Contains(body, sys.Name) {
		t.Error("B's list shows A's report")
	}
	if _, body := s.do(t, "op-a", "GET", "/reports", nil, ""); !strings.Contains(body, sys.Name) {
		t.Error("A's list lacks its report")
	}
	// The organisation's kinds: A asks for its own, B for A's is refused.
	for _, kind := range []string{"org", "followup"} {
		if resp, _ := s.form(t, "op-b", "/reports", map[string][]string{"kind": {kind}, "id": {itoa(s.a.ID)}, "format": {"xlsx"}}); resp.StatusCode != 404 {
			t.Errorf("B asks for A's %s report: %d", kind, resp.StatusCode)
		}
		if resp, _ := s.form(t, "op-a", "/reports", map[string][]string{"kind": {kind}, "id": {itoa(s.a.ID)}, "format": {"xlsx"}}); resp.StatusCode != 303 {
			t.Errorf("A asks for its %s report: %d", kind, resp.StatusCode)
		}
	}
}

// TestBrowserReportDownload: an agency operator opens a system, asks for its DOCX report,
// follows the page until the report is ready and downloads it; the file is the system's
// report and the download is in the audit log.
func TestBrowserReportDownload(t *testing.T) {
	s := newSite(t, apptest.New(t, "sqlite"))
	sys := inventory.System{OrgID: s.a.ID, Name: "Cổng thông tin điện tử Sở KH&CN", Kind: "web_portal", Level: 3}
	must(t, inventory.CreateSystem(context.Background(), s.store, access.SystemActor("test"), &sys))
	ctx := s.app.Browser(t, s.users["op-a"])
	dir := t.TempDir()
	completed := make(chan string, 1)
	must(t, chromedp.ListenBrowser(ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			completed <- e.GUID
		}
	}))
	events := true
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events})
	must(t, err)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/inventory/systems/%d", s.url, sys.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#report-system-docx`)),
		chromedp.Click(chromedp.CSS(`#report-system-docx`)),
		chromedp.WaitVisible(chromedp.CSS(`#report-status`)),
		// The page reloads itself while the job runs: the link appears once it is done.
		chromedp.WaitVisible(chromedp.CSS(`#report-download`)),
		chromedp.Click(chromedp.CSS(`#report-download`)),
	))
	var guid string
	select {
	case guid = <-completed:
	case <-ctx.Done():
		t.Fatal("the download did not complete")
	}
	data, err := os.ReadFile(filepath.Join(dir, guid))
	must(t, err)
	if !strings.HasPrefix(string(data), "PK") {
		t.Fatalf("not a zip: %q", data[:min(len(data), 8)])
	}
	text, err := document.DOCXText(data) // reads word/document.xml
	must(t, err)
	if !strings.Contains(text, sys.Name) || !strings.Contains(text, "Số liệu tính đến") {
		t.Fatalf("the downloaded DOCX is not the system's report:\n%.1000s", text)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#report-status`)))
	must(t, err)
	if !strings.Contains(status, "Đã lập xong") {
		t.Errorf("status: %q", status)
	}
	entries, err := audit.List(context.Background(), s.store, access.SystemActor("test"), audit.Query{Action: "report.download"}, storage.Page{})
	must(t, err)
	if entries.Total != 1 || entries.Items[0].Actor != s.users["op-a"].Email {
		t.Fatalf("download audit: %+v", entries.Items)
	}
}
