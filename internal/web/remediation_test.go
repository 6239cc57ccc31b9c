package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/finding/advice"
)

// TestRemediationPages: the list searches without diacritics and offers
// editing only to the coordinator; the entry page speaks the reader's
// language; a refused edit shows its problem next to the field of its
// language and writes nothing.
func TestRemediationPages(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
	coord := app.Client(t, app.User(t, access.Coordinator, org.ID))
	viewer := app.Client(t, app.User(t, access.Viewer, org.ID))

	resp, body := get(t, viewer, app.URL+"/remediation?q=mat+khau")
	if st := resp.StatusCode; st != 200 || !strings.Contains(body, "CWE-256") || strings.Contains(body, "CWE-79<") || strings.Contains(body, "#edit") {
		t.Errorf("viewer's search: %d, has CWE-256 %v, has an edit link %v", resp.StatusCode, strings.Contains(body, "CWE-256"), strings.Contains(body, "#edit"))
	}
	if _, body := get(t, coord, app.URL+"/remediation"); !strings.Contains(body, `href="/remediation/CWE-79#edit"`) {
		t.Error("the coordinator's list has no edit link")
	}
	if resp, body := get(t, viewer, app.URL+"/remediation/CWE-79?lang=en"); resp.StatusCode != 200 || !strings.Contains(body, "Steps by stack") || !strings.Contains(body, "htmlspecialchars") || strings.Contains(body, `id="edit"`) {
		t.Errorf("English entry for a viewer: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := get(t, viewer, app.URL+"/remediation/CWE-99999"); resp.StatusCode != 404 {
		t.Errorf("unknown entry: %d", resp.StatusCode)
	}

	form := url.Values{"vi.summary": {"Tóm tắt"}, "vi.fix": {""}, "en.summary": {"Summary"}, "en.fix": {"Fix"}}
	resp, page := post(t, coord, app.URL+"/remediation/CWE-79", form)
	if resp.StatusCode != 422 || !strings.Contains(page, "bắt buộc, tối đa 4000 ký tự") {
		t.Errorf("empty Vietnamese fix: %d\n%s", resp.StatusCode, page)
	}
	if _, overridden, _ := advice.Get(context.Background(), app.Store, "CWE-79", "en"); overridden {
		t.Error("a refused form wrote its English half")
	}
	if resp, _ := post(t, viewer, app.URL+"/remediation/CWE-79", form); resp.StatusCode != 403 {
		t.Errorf("viewer's post: %d", resp.StatusCode)
	}
}

// TestRemediationEditInBrowser: the coordinator opens an entry, changes the
// Vietnamese fix, saves and reads it back; a viewer sees no edit button.
func TestRemediationEditInBrowser(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "CATP", "Công an thành phố")
	coordinator := app.User(t, access.Coordinator, org.ID)
	viewer := app.User(t, access.Viewer, org.ID)
	const fix = "Dùng câu lệnh tham số hóa cho mọi truy vấn của Cổng dịch vụ công."

	b := app.Browser(t, coordinator)
	must(t, chromedp.Do(b,
		chromedp.Navigate(app.URL+"/remediation"),
		chromedp.Click(chromedp.CSS(`a[href="/remediation/CWE-89#edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#edit`)),
		chromedp.SetValue(chromedp.CSS(`textarea[name="vi.fix"]`), fix),
		chromedp.Click(chromedp.CSS(`#edit button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	))
	shown, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#article .remediation-fix`)))
	must(t, err)
	flash, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`.flash`)))
	must(t, err)
	if shown != fix || !strings.Contains(flash, "Đã lưu") {
		t.Errorf("after saving: fix %q, flash %q", shown, flash)
	}

	v := app.Browser(t, viewer)
	must(t, chromedp.Do(v, chromedp.Navigate(app.URL+"/remediation/CWE-89"), chromedp.WaitVisible(chromedp.CSS(`#article`))))
	main, err := chromedp.Run(v, chromedp.OuterHTML(chromedp.CSS(`main`)))
	must(t, err)
	if !strings.Contains(main, fix) || strings.Contains(main, `id="edit"`) || strings.Contains(main, "Lưu") {
		t.Errorf("viewer's page: has the edit %v, has the form %v", strings.Contains(main, fix), strings.Contains(main, `id="edit"`))
	}
	must(t, chromedp.Do(v, chromedp.Navigate(app.URL+"/remediation"), chromedp.WaitVisible(chromedp.CSS(`table.remediation-list`))))
	list, err := chromedp.Run(v, chromedp.OuterHTML(chromedp.CSS(`main`)))
	must(t, err)
	if strings.Contains(list, "#edit") {
		t.Error("the viewer's list offers editing")
	}
}
