package web_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
)

// TestCampaignPages: the coordinator creates a campaign from the form; a
// refused form shows its problems; another agency does not see it; a
// viewer sees its own row but no upload form.
func TestCampaignPages(t *testing.T) {
	app := apptest.New(t, "sqlite")
	a := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
	b := app.Org(t, "NINHKIEU", "UBND Quận Ninh Kiều")
	c := app.Org(t, "CAIRANG", "UBND Quận Cái Răng")
	coord := app.Client(t, app.User(t, access.Coordinator, app.Root.ID))
	viewer := app.Client(t, app.User(t, access.Viewer, a.ID))
	other := app.Client(t, app.User(t, access.AgencyOperator, c.ID))

	if resp, body := post(t, coord, app.URL+"/campaigns", url.Values{"title": {""}, "year": {"2025"}}); resp.StatusCode != 422 || !strings.Contains(body, "chọn ít nhất một cơ quan") {
		t.Fatalf("refused form: %d\n%s", resp.StatusCode, body)
	}
	resp, body := post(t, coord, app.URL+"/campaigns", url.Values{"title": {"Kế hoạch 104/KH-UBND"}, "year": {"2025"}, "template": {"yearly_review"},
		"org_ids": {itoa(a.ID), itoa(b.ID)}, "document_no": {"104/KH-UBND"}})
	if resp.StatusCode != 200 || !strings.Contains(body, `data-org="SKHCN"`) || !strings.Contains(body, `data-org="NINHKIEU"`) || !strings.Contains(body, "Quá hạn") {
		t.Fatalf("created: %d\n%s", resp.StatusCode, body)
	}
	path := resp.Request.URL.Path
	if _, body := get(t, viewer, app.URL+path); !strings.Contains(body, `data-org="SKHCN"`) || strings.Contains(body, `data-org="NINHKIEU"`) || !strings.Contains(body, `id="mine"`) {
		t.Errorf("viewer's campaign page:\n%s", body)
	}
	if resp, _ := get(t, other, app.URL+path); resp.StatusCode != 404 {
		t.Errorf("another agency: %d", resp.StatusCode)
	}
	if _, body := get(t, other, app.URL+"/campaigns"); strings.Contains(body, "104/KH-UBND") {
		t.Error("another agency's list shows the campaign")
	}
	if _, body := get(t, viewer, app.URL+"/campaigns/new"); !strings.Contains(body, "403") && !strings.Contains(body, "quyền") {
		t.Errorf("viewer's new campaign form:\n%s", body)
	}
}

// TestBrowserCampaignSubmission: the coordinator creates a yearly review
// for two agencies from the template; an agency operator signs in, finds
// its inventory obligation and submits its file; the coordinator sees the
// agency's progress change to submitted, and accepts it.
func TestBrowserCampaignSubmission(t *testing.T) {
	app := apptest.New(t, "sqlite")
	a := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
	b := app.Org(t, "NINHKIEU", "UBND Quận Ninh Kiều")
	coordUser := app.User(t, access.Coordinator, app.Root.ID)
	opUser := app.User(t, access.AgencyOperator, a.ID)
	coord := app.Browser(t, coordUser)
	must(t, chromedp.Do(coord,
		chromedp.Navigate(app.URL+"/campaigns"),
		chromedp.Click(`#new-campaign`),
		chromedp.WaitVisible(`#campaign-form`),
		chromedp.SendKeys(`#title`, "Kế hoạch rà soát an toàn hệ thống thông tin"),
		chromedp.Click(`input[name=template][value=yearly_review]`),
		chromedp.Click(`input[name=org_ids][value="`+itoa(a.ID)+`"]`),
		chromedp.Click(`input[name=org_ids][value="`+itoa(b.ID)+`"]`),
		chromedp.Click(`#create-campaign`),
		chromedp.WaitVisible(`#progress tr[data-org=NINHKIEU]`),
	))
	campaignURL, err := chromedp.Run(coord, chromedp.Location())
	must(t, err)

	evidence := filepath.Join(t.TempDir(), "danh-muc-he-thong.csv")
	must(t, os.WriteFile(evidence, []byte("ten,ten_mien,ip\nCổng thông tin,skhcn.cantho.gov.vn,10.10.1.5\n"), 0o600))
	op := app.Browser(t, opUser)
	must(t, chromedp.Do(op,
		chromedp.Navigate(app.URL+"/campaigns"),
		chromedp.Click(`#campaigns a`),
		chromedp.WaitVisible(`#mine`),
		chromedp.Click(`#mine a[data-kind=inventory]`),
		chromedp.WaitVisible(`#submit-form`),
		chromedp.SetUploadFiles(`#file-input`, []string{evidence}),
		chromedp.SendKeys(`#submit-form textarea[name=note]`, "Danh mục 5 hệ thống"),
		chromedp.Click(`#submit-button`),
		chromedp.WaitVisible(`.flash`),
	))
	status, err := chromedp.Run(op, chromedp.Text(`#obligation-status`))
	must(t, err)
	files, err := chromedp.Run(op, chromedp.Text(`#files`))
	must(t, err)
	if status != "Đã nộp" || !strings.Contains(files, "danh-muc-he-thong.csv") {
		t.Fatalf("after submitting: %q, files %q", status, files)
	}

	submitted := `#progress tr[data-org=SKHCN] a[data-status=submitted]`
	must(t, chromedp.Do(coord,
		chromedp.Navigate(campaignURL),
		chromedp.WaitVisible(submitted),
	))
	changes, err := chromedp.Run(coord, chromedp.Text(`#changes`))
	must(t, err)
	if !strings.Contains(changes, "nộp hồ sơ — SKHCN") {
		t.Errorf("changes of the week: %q", changes)
	}
	must(t, chromedp.Do(coord,
		chromedp.Click(submitted),
		chromedp.WaitVisible(`#review-form`),
		chromedp.SendKeys(`#review-comment`, "Đầy đủ"),
		chromedp.Click(`#accept`),
		chromedp.WaitVisible(`.flash`),
		chromedp.Navigate(campaignURL),
		chromedp.WaitVisible(`#progress tr[data-org=SKHCN] a[data-status=accepted]`),
	))
}
