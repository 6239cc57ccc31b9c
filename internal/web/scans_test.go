package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
)

// scanSystem makes a system of organisation orgID whose one asset is addr.
func scanSystem(t *testing.T, s site, orgID int64, addr string) inventory.System {
	t.Helper()
	ctx, admin := context.Background(), access.SystemActor("test")
	sys := inventory.System{OrgID: orgID, Name: "Cổng thông tin Sở", Kind: "web_portal", Level: 2, Status: "operating"}
	must(t, inventory.CreateSystem(ctx, s.store, admin, &sys))
	must(t, inventory.AddAsset(ctx, s.store, admin, sys.ID, &inventory.Asset{Kind: "ip", Value: addr}))
	return sys
}

// TestScanPages: a scan without a basis is refused and its page says why;
// the system page offers each role what it may do (the coordinator
// authorises, an operator excludes and sets the window, only scanners
// scan and schedule); a bad form comes back with its problem; the list
// filters and another agency sees nothing; the overview and the
// organisation page count the systems over six months without a scan.
func TestScanPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		s := newSite(t, app)
		sys := scanSystem(t, s, s.a.ID, "127.0.0.5")
		sysPath := fmt.Sprintf("/inventory/systems/%d", sys.ID)

		_, body := s.do(t, "coord", "GET", sysPath, nil, "")
		for _, want := range []string{`id="scan-now"`, `id="scan-stale"`, "quá 6 tháng chưa quét", "Chưa có lần quét hoàn tất nào", `id="authorization-form"`, `id="schedule-form"`, `value="FREQ=MONTHLY;INTERVAL=3"`} {
			if !strings.Contains(body, want) {
				t.Errorf("coordinator's system page lacks %q", want)
			}
		}
		_, body = s.do(t, "op-a", "GET", sysPath, nil, "")
		for _, form := range []string{`id="scan-now"`, `id="authorization-form"`, `id="schedule-form"`} {
			if strings.Contains(body, form) {
				t.Errorf("an operator is offered %s", form)
			}
		}
		if !strings.Contains(body, `id="exclusion-form"`) || !strings.Contains(body, `id="settings-form"`) {
			t.Error("an operator cannot exclude or set the window")
		}

		// Scan now, without a campaign or an authorisation: refused, with the reason.
		resp, _ := s.form(t, "coord", sysPath+"/scans", url.Values{"profile": {"safe"}})
		where := resp.Header.Get("Location")
		if resp.StatusCode != 303 || !strings.HasPrefix(where, "/scans/") {
			t.Fatalf("scan now: %d %s", resp.StatusCode, where)
		}
		scanPath := strings.SplitN(where, "?", 2)[0]
		_, body = s.do(t, "coord", "GET", where, nil, "")
		for _, want := range []string{"Bị từ chối", "chưa có văn bản cho phép quét", "Đã gửi yêu cầu quét."} {
			if !strings.Contains(body, want) {
				t.Errorf("refused scan's page lacks %q", want)
			}
		}
		if strings.Contains(body, `http-equiv="refresh"`) || strings.Contains(body, `id="scan-controls"`) {
			t.Error("a refused scan's page refreshes or offers controls")
		}
		if resp, _ := s.form(t, "coord", scanPath+"/control", url.Values{"action": {"pause"}}); resp.StatusCode != 422 {
			t.Errorf("pausing a refused scan: %d", resp.StatusCode)
		}
		if resp, _ := s.do(t, "op-b", "GET", scanPath, nil, ""); resp.StatusCode != 404 {
			t.Errorf("another agency's scan: %d", resp.StatusCode)
		}
		if _, body := s.do(t, "op-b", "GET", "/scans", nil, ""); strings.Contains(body, "Cổng thông tin Sở") {
			t.Error("another agency lists the scan")
		}
		if _, body := s.do(t, "op-a", "GET", "/scans?status=refused", nil, ""); !strings.Contains(body, scanPath) || !strings.Contains(body, "1 lượt quét") {
			t.Errorf("refused scans of the agency: %s", body)
		}
		if _, body := s.do(t, "op-a", "GET", fmt.Sprintf("/scans?system=%d", sys.ID), nil, ""); !strings.Contains(body, scanPath) {
			t.Error("the system's scans are not listed")
		}
		if _, body := s.do(t, "op-a", "GET", fmt.Sprintf("/scans?status=done&org=%d", s.a.ID), nil, ""); strings.Contains(body, scanPath) {
			t.Error("the status filter lets a refused scan through")
		}

		// The coordinator records an authorisation; a bad date comes back.
		resp, body = s.form(t, "coord", sysPath+"/authorizations", url.Values{"document_no": {"15/QĐ-SKHCN"}, "valid_until": {"31/12/2030"}})
		if resp.StatusCode != 422 || !strings.Contains(body, "yyyy-mm-dd") || !strings.Contains(body, `value="15/QĐ-SKHCN"`) {
			t.Fatalf("bad authorisation: %d", resp.StatusCode)
		}
		until := app.Store.Now().In(i18n.Vietnam).AddDate(0, 2, 0)
		if resp, body := s.form(t, "coord", sysPath+"/authorizations", url.Values{"document_no": {"15/QĐ-SKHCN"}, "authorized_by": {"Giám đốc Sở"},
			"valid_until": {until.Format(time.DateOnly)}}); resp.StatusCode != 303 {
			t.Fatalf("authorise: %d %s", resp.StatusCode, body)
		}
		if resp, _ := s.form(t, "op-a", sysPath+"/authorizations", url.Values{"valid_until": {until.Format(time.DateOnly)}}); resp.StatusCode != 403 {
			t.Errorf("an operator authorises: %d", resp.StatusCode)
		}
		_, body = s.do(t, "coord", "GET", sysPath, nil, "")
		if !strings.Contains(body, "Còn hiệu lực") || !strings.Contains(body, until.Format("02/01/2006")) {
			t.Error("the authorisation is not listed as valid")
		}
		revoke := regexp.MustCompile(`/authorizations/\d+/revoke`).FindString(body)
		if resp, _ := s.form(t, "coord", sysPath+revoke, nil); revoke == "" || resp.StatusCode != 303 {
			t.Fatalf("revoke %q: %d", revoke, resp.StatusCode)
		}
		if _, body := s.do(t, "coord", "GET", sysPath, nil, ""); !strings.Contains(body, "Thu hồi ngày") {
			t.Error("the revoked authorisation is not shown as revoked")
		}

		// The operator excludes a range and removes it again.
		if resp, body := s.form(t, "op-a", sysPath+"/exclusions", url.Values{"value": {"10.9.0.0/16"}, "reason": {"Thiết bị SCADA"}}); resp.StatusCode != 303 {
			t.Fatalf("exclude: %d %s", resp.StatusCode, body)
		}
		_, body = s.do(t, "op-a", "GET", sysPath, nil, "")
		remove := regexp.MustCompile(`/exclusions/\d+/remove`).FindString(body)
		if !strings.Contains(body, "10.9.0.0/16") || !strings.Contains(body, "Thiết bị SCADA") || remove == "" {
			t.Fatal("the exclusion is not listed")
		}
		if resp, _ := s.form(t, "op-a", sysPath+remove, nil); resp.StatusCode != 303 {
			t.Fatalf("remove the exclusion: %d", resp.StatusCode)
		}
		if _, body := s.do(t, "op-a", "GET", sysPath, nil, ""); strings.Contains(body, "10.9.0.0/16") {
			t.Error("the removed exclusion is still listed")
		}

		// The window: a bad one comes back, a good one is kept.
		resp, body = s.form(t, "op-a", sysPath+"/scan-settings", url.Values{"window": {"25:00-26:00"}})
		if resp.StatusCode != 422 || !strings.Contains(body, "khung giờ quét không hợp lệ") || !strings.Contains(body, `value="25:00-26:00"`) {
			t.Fatalf("bad window: %d", resp.StatusCode)
		}
		if resp, _ := s.form(t, "op-a", sysPath+"/scan-settings", url.Values{"window": {"22:00-05:00; t7,cn"}, "per_host": {"1"}}); resp.StatusCode != 303 {
			t.Fatalf("window: %d", resp.StatusCode)
		}
		if _, body := s.do(t, "coord", "GET", sysPath, nil, ""); !strings.Contains(body, `value="22:00-05:00; t7,cn"`) {
			t.Error("the window is not shown")
		}

		// A schedule every three months, shown with its next run, turned off.
		if resp, body := s.form(t, "coord", sysPath+"/schedules", url.Values{"rrule": {"FREQ=HOURLY"}}); resp.StatusCode != 422 || !strings.Contains(body, "quá dày") {
			t.Errorf("hourly schedule: %d", resp.StatusCode)
		}
		if resp, _ := s.form(t, "coord", sysPath+"/schedules", url.Values{"rrule": {scanning.DefaultRule}, "profile": {"safe"}}); resp.StatusCode != 303 {
			t.Fatalf("schedule: %d", resp.StatusCode)
		}
		_, body = s.do(t, "coord", "GET", sysPath, nil, "")
		next := app.Store.Now().In(i18n.Vietnam).AddDate(0, 3, 0).Format("02/01/2006")
		toggle := regexp.MustCompile(`/schedules/\d+/enabled`).FindString(body)
		if !strings.Contains(body, "<code>FREQ=MONTHLY;INTERVAL=3</code>") || !strings.Contains(body, next) || toggle == "" {
			t.Fatalf("the schedule's next run %s is not shown", next)
		}
		if resp, _ := s.form(t, "coord", sysPath+toggle, url.Values{"enabled": {"0"}}); resp.StatusCode != 303 {
			t.Fatalf("disable: %d", resp.StatusCode)
		}
		if _, body := s.do(t, "coord", "GET", sysPath, nil, ""); !strings.Contains(body, "Đã tắt") {
			t.Error("the schedule is not shown off")
		}

		// Directive 18 on the overview and the organisation page.
		if _, body := s.do(t, "coord", "GET", "/", nil, ""); !regexp.MustCompile(`id="home-stale"><span class="figure">[1-9]`).MatchString(body) {
			t.Error("the overview does not count the system never scanned")
		}
		if _, body := s.do(t, "coord", "GET", fmt.Sprintf("/admin/orgs/%d", s.a.ID), nil, ""); !strings.Contains(body, "1 hệ thống quá 6 tháng chưa quét") {
			t.Error("the organisation page does not flag its system")
		}
		if _, body := s.do(t, "coord", "GET", fmt.Sprintf("/admin/orgs/%d", s.b.ID), nil, ""); strings.Contains(body, `id="org-stale"`) {
			t.Error("an organisation without systems is flagged")
		}
	})
}

// TestBrowserScan: the coordinator opens a system whose asset is a web
// server on loopback, scans it and is refused for want of an
// authorisation, records one from the system page, scans again and
// follows the scan's page until it is done with findings.
func TestBrowserScan(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "Apache/2.4.49")
		w.Write([]byte("<html><title>Cổng</title></html>"))
	}))
	t.Cleanup(web.Close)
	port, err := strconv.Atoi(strings.TrimPrefix(web.URL[strings.LastIndex(web.URL, ":"):], ":"))
	must(t, err)
	app := apptest.New(t, "sqlite", apptest.Jobs(func(w *scanning.Worker) {
		// The loopback server's one port, and limits that keep the test short.
		w.Base.Ports, w.Base.Checks = []int{port}, []string{"port", "http"}
		w.Max = scanning.Limits{PerHost: 2, PerHostRate: 1000, HTTPBudget: 150}
		w.Poll = 50 * time.Millisecond
	}))
	s := newSite(t, app)
	sys := scanSystem(t, s, s.a.ID, "127.0.0.1")
	sysURL := fmt.Sprintf("%s/inventory/systems/%d", s.url, sys.ID)
	ctx := app.Browser(t, s.users["coord"])
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		must(t, err)
		return v
	}

	must(t, chromedp.Do(ctx,
		chromedp.Navigate(sysURL),
		chromedp.WaitVisible(`#scan-stale`),
		chromedp.Click(`#scan-now`),
		chromedp.WaitVisible(`#scan-status`),
	))
	if status, reason := text(`#scan-status`), text(`#scan-reason`); status != "Bị từ chối" || !strings.Contains(reason, "chưa có văn bản cho phép quét") {
		t.Fatalf("scan without an authorisation: %q, %q", status, reason)
	}

	until := app.Store.Now().In(i18n.Vietnam).AddDate(0, 1, 0).Format(time.DateOnly)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(sysURL),
		chromedp.WaitVisible(`#authorization-form`),
		chromedp.SendKeys(`#authorization-form input[name=authorized_by]`, "Giám đốc Sở"),
		chromedp.SendKeys(`#authorization-form input[name=document_no]`, "15/QĐ-SKHCN"),
		chromedp.SetValue(`#authorization-form input[name=valid_until]`, until),
		chromedp.Click(`#authorize`),
		chromedp.WaitVisible(`.flash`),
		chromedp.Click(`#scan-now`),
		chromedp.WaitVisible(`#scan-status`),
	))
	scanURL, err := chromedp.Run(ctx, chromedp.Location())
	must(t, err)
	scanURL = strings.SplitN(scanURL, "?", 2)[0]

	// Follow the scan's page, as its own refresh does, until it is done.
	deadline := time.Now().Add(60 * time.Second)
	for {
		must(t, chromedp.Do(ctx, chromedp.Navigate(scanURL), chromedp.WaitVisible(`#scan-status`)))
		status := text(`#scan-status`)
		if status == "Hoàn tất" {
			if n, _ := strconv.Atoi(text(`#scan-findings-total`)); n == 0 {
				t.Fatalf("the scan is done without findings")
			}
			break
		}
		if status != "Đang chờ" && status != "Đang quét" {
			t.Fatalf("the scan ended %q: %s", status, text(`#scan-summary`))
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scan is still %q", status)
		}
		time.Sleep(100 * time.Millisecond) // the polling interval
	}
	if basis, hosts := text(`#scan-basis`), text(`#scan-hosts`); !strings.Contains(basis, "15/QĐ-SKHCN") || !strings.HasPrefix(hosts, "1/") {
		t.Errorf("done scan: basis %q, hosts %q", basis, hosts)
	}
	must(t, chromedp.Do(ctx, chromedp.Navigate(sysURL), chromedp.WaitVisible(`#scan-last`)))
	if last := text(`#scan-last`); strings.Contains(last, "quá 6 tháng") || !strings.Contains(last, "Lần quét hoàn tất gần nhất") {
		t.Errorf("system page after the scan: %q", last)
	}
}

// TestGlobalExclusionsPage: the coordinator adds and removes what no scan
// may touch; others read the list without the forms; a bad value comes back.
func TestGlobalExclusionsPage(t *testing.T) {
	app := apptest.New(t, "sqlite")
	s := newSite(t, app)
	resp, _ := s.form(t, "coord", "/scans/exclusions", url.Values{"value": {"10.10.5.0/24"}, "reason": {"SCADA nhà máy nước"}})
	if resp.StatusCode != 303 {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	_, body := s.do(t, "coord", "GET", "/scans/exclusions", nil, "")
	if !strings.Contains(body, "10.10.5.0/24") || !strings.Contains(body, "SCADA nhà máy nước") || !strings.Contains(body, `id="exclusion-form"`) {
		t.Fatalf("the coordinator's page: %.400s", body)
	}
	if resp, body := s.form(t, "coord", "/scans/exclusions", url.Values{"value": {"không phải địa chỉ"}}); resp.StatusCode != 422 || !strings.Contains(body, "field-error") {
		t.Errorf("bad value: %d", resp.StatusCode)
	}
	_, body = s.do(t, "op-a", "GET", "/scans/exclusions", nil, "")
	if !strings.Contains(body, "10.10.5.0/24") || strings.Contains(body, `id="exclusion-form"`) || strings.Contains(body, "remove-exclusion") {
		t.Error("an operator is offered the coordinator's forms, or sees nothing")
	}
	if resp, _ := s.form(t, "op-a", "/scans/exclusions", url.Values{"value": {"10.0.0.0/8"}}); resp.StatusCode != 403 {
		t.Errorf("an operator adds a global exclusion: %d", resp.StatusCode)
	}
	list, err := scanning.Exclusions(context.Background(), app.Store, access.SystemActor("test"), scanning.ExclusionFilter{})
	must(t, err)
	if resp, _ := s.form(t, "coord", fmt.Sprintf("/scans/exclusions/%d/remove", list[0].ID), url.Values{}); resp.StatusCode != 303 {
		t.Errorf("remove: %d", resp.StatusCode)
	}
	if list, _ := scanning.Exclusions(context.Background(), app.Store, access.SystemActor("test"), scanning.ExclusionFilter{}); len(list) != 0 {
		t.Errorf("still excluded: %+v", list)
	}
}

// TestOrgScanAll: the organisation page offers a scan of all its systems to
// whoever may scan it; each scan is decided by the guard (here refused).
func TestOrgScanAll(t *testing.T) {
	app := apptest.New(t, "sqlite")
	s := newSite(t, app)
	scanSystem(t, s, s.a.ID, "127.0.0.5")
	orgPath := fmt.Sprintf("/admin/orgs/%d", s.a.ID)
	if _, body := s.do(t, "coord", "GET", orgPath, nil, ""); !strings.Contains(body, `id="org-scan-all"`) {
		t.Fatal("the coordinator is not offered a scan of the organisation")
	}
	resp, _ := s.form(t, "coord", orgPath+"/scans", url.Values{})
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), fmt.Sprintf("/scans?org=%d", s.a.ID)) {
		t.Fatalf("scan the organisation: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	list, err := scanning.ListScans(context.Background(), app.Store, access.SystemActor("test"), scanning.ScanFilter{OrgID: s.a.ID}, storage.Page{Limit: 5})
	must(t, err)
	if len(list.Items) != 1 || list.Items[0].Status != scanning.StatusRefused {
		t.Errorf("the organisation's scans: %+v", list.Items)
	}
	if resp, _ := s.form(t, "op-a", orgPath+"/scans", url.Values{}); resp.StatusCode != 403 && resp.StatusCode != 404 {
		t.Errorf("an operator scans the organisation: %d", resp.StatusCode)
	}
}
