package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// huntSite is a site with a web portal in agency A and a mail system in B.
type huntSite struct {
	site
	portal, mail inventory.System
}

func newHuntSite(t *testing.T, app *apptest.App) huntSite {
	t.Helper()
	ctx := context.Background()
	s := huntSite{site: newSite(t, app)}
	admin := access.SystemActor("test")
	s.portal = inventory.System{OrgID: s.site.a.ID, Name: "Cổng thông tin Sở", Kind: "web_portal", Level: 2}
	must(t, inventory.CreateSystem(ctx, s.store, admin, &s.portal))
	s.mail = inventory.System{OrgID: s.site.b.ID, Name: "Thư điện tử quận", Kind: "email", Level: 2}
	must(t, inventory.CreateSystem(ctx, s.store, admin, &s.mail))
	return s
}

// TestHuntPages: the schedule's hunts show in the list with their origin
// and due date; scope holds on the list and the page; a form post works the
// checklist, and a finish without a result is refused with the reason.
func TestHuntPages(t *testing.T) {
	s := newHuntSite(t, apptest.New(t, "sqlite"))
	ctx := context.Background()
	if _, err := hunt.Schedule(ctx, s.store, s.store.Now()); err != nil {
		t.Fatal(err)
	}
	res, err := hunt.List(ctx, s.store, access.SystemActor("test"), hunt.Filter{SystemID: s.portal.ID}, storage.Page{}, s.store.Now())
	must(t, err)
	if len(res.Items) != 1 {
		t.Fatalf("scheduled hunts of the portal: %+v", res.Items)
	}
	h := res.Items[0]
	_, body := s.do(t, "op-a", "GET", "/hunts", nil, "")
	due := strings.Split(h.DueDate, "-")
	for _, want := range []string{"Cổng thông tin Sở", "Định kỳ 6 tháng", due[2] + "/" + due[1] + "/" + due[0], "0/7"} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if strings.Contains(body, "Thư điện tử quận") {
		t.Error("A's operator sees B's hunt")
	}
	if resp, _ := s.do(t, "op-b", "GET", fmt.Sprintf("/hunts/%d", h.ID), nil, ""); resp.StatusCode != 404 {
		t.Fatalf("B opens A's hunt: %d", resp.StatusCode)
	}
	resp, _ := s.form(t, "op-a", fmt.Sprintf("/hunts/%d/checklist", h.ID), url.Values{"item": {"web_logs", "webshell"}, "done": {"webshell"}, "note_web_logs": {"Đang xem"}})
	if resp.StatusCode != 303 {
		t.Fatalf("checklist: %d", resp.StatusCode)
	}
	_, body = s.do(t, "op-a", "GET", fmt.Sprintf("/hunts/%d", h.ID), nil, "")
	if !strings.Contains(body, `id="done-webshell" checked`) || strings.Contains(body, `id="done-web_logs" checked`) || !strings.Contains(body, `value="Đang xem"`) {
		t.Fatalf("checklist not saved: %s", body)
	}
	resp, body = s.form(t, "op-a", fmt.Sprintf("/hunts/%d/finish", h.ID), url.Values{"note": {"Đã rà"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "Chọn kết quả") {
		t.Fatalf("finish without a result: %d", resp.StatusCode)
	}
}

// TestBrowserHuntNoneFound: the coordinator opens a hunt by hand, ticks two
// checklist items, gives it to themself, uploads evidence and finishes it
// with "none found"; the list then shows it done.
func TestBrowserHuntNoneFound(t *testing.T) {
	s := newHuntSite(t, apptest.New(t, "sqlite"))
	ctx := s.app.Browser(t, s.users["coord"])
	evidence := filepath.Join(t.TempDir(), "nhat-ky-web.txt")
	must(t, os.WriteFile(evidence, []byte("90 ngày access.log: không có yêu cầu ${jndi:\n"), 0o600))
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/hunts"),
		chromedp.WaitVisible(`#hunt-new-form`),
		chromedp.SetValue(`#hunt-new-system`, itoa(s.portal.ID)),
		chromedp.Click(`#hunt-new-submit`),
		chromedp.WaitVisible(`#checklist-form`),
		chromedp.Click(`#done-web_logs`),
		chromedp.SendKeys(`#note-web_logs`, "Không thấy yêu cầu khai thác"),
		chromedp.Click(`#done-webshell`),
		chromedp.Click(`#checklist-submit`),
		// Each wait is for what only the page after the post has: the
		// server's checked attribute, the selected option.
		chromedp.WaitVisible(`#done-webshell[checked]`),
		chromedp.SetValue(`#assignee`, itoa(s.users["coord"].ID)),
		chromedp.Click(`#assign-submit`),
		chromedp.WaitReady(`#assignee option[selected][value="`+itoa(s.users["coord"].ID)+`"]`),
		chromedp.SetUploadFiles(`#file-input`, []string{evidence}),
		chromedp.Click(`#file-submit`),
		chromedp.WaitVisible(`#files a`),
		chromedp.SetValue(`#finish-result`, hunt.NoneFound),
		chromedp.SendKeys(`#finish-note`, "Đã rà soát nhật ký 90 ngày và thư mục web, không thấy dấu hiệu"),
		chromedp.Click(`#finish-submit`),
		chromedp.WaitVisible(`#hunt-result`),
	))
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		must(t, err)
		return v
	}
	if got := text(`#hunt-result`); got != "Không phát hiện dấu hiệu xâm nhập" {
		t.Errorf("result: %q", got)
	}
	if got := text(`#checklist h2`); got != "Danh mục kiểm tra (2/7)" {
		t.Errorf("checklist: %q", got)
	}
	if got := text(`#checklist`); !strings.Contains(got, "Không thấy yêu cầu khai thác") {
		t.Errorf("checklist note missing: %q", got)
	}
	if got := text(`#files`); !strings.Contains(got, "nhat-ky-web.txt") {
		t.Errorf("files: %q", got)
	}
	if got := text(`#hunt-assignee`); got == "—" {
		t.Error("no assignee")
	}
	must(t, chromedp.Do(ctx, chromedp.Navigate(s.url+"/hunts?status=done"), chromedp.WaitVisible(`#hunts`)))
	if got := text(`#hunts tbody`); !strings.Contains(got, "Cổng thông tin Sở") || !strings.Contains(got, "Mở thủ công") {
		t.Errorf("done list: %q", got)
	}
}
