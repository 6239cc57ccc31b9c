package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
)

// TestReportSettingsPage: a refused save keeps what was typed and names each problem next
// to its field; the agency's operator sees the settings and the preview but no form, and
// may not post; another agency sees nothing.
func TestReportSettingsPage(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
	other := app.Org(t, "STC", "Sở Tài chính")
	admin := app.Client(t, app.User(t, access.AgencyAdmin, org.ID))
	operator := app.Client(t, app.User(t, access.AgencyOperator, org.ID))
	stranger := app.Client(t, app.User(t, access.AgencyAdmin, other.ID))
	page := app.URL + "/admin/orgs/" + strconv.FormatInt(org.ID, 10) + "/report-settings"

	form := url.Values{"signer_name": {"Trần Thị Minh Thư"}, "number_prefix": {"BC SKHCN"}, "recipients": {"Sở Tài chính\r\n\r\n" + strings.Repeat("x", 301)}}
	resp, body := post(t, admin, page, form)
	for _, want := range []string{"chỉ gồm chữ, số", "nơi nhận thứ 2: tối đa 300 ký tự", `value="Trần Thị Minh Thư"`, `value="BC SKHCN"`, `placeholder="BC-SKHCN"`} {
		if !strings.Contains(body, want) {
			t.Errorf("refused save lacks %q", want)
		}
	}
	if resp.StatusCode != 422 {
		t.Errorf("refused save: %d", resp.StatusCode)
	}
	if resp, body := get(t, operator, page); resp.StatusCode != 200 || !strings.Contains(body, `id="report-preview"`) || strings.Contains(body, `name="signer_name"`) ||
		!strings.Contains(body, "Cơ quan chưa thiết lập") {
		t.Errorf("operator's page: %d, has the preview %v, has the form %v", resp.StatusCode, strings.Contains(body, `id="report-preview"`), strings.Contains(body, `name="signer_name"`))
	}
	if resp, _ := post(t, operator, page, url.Values{"signer_name": {"Nguyễn Văn A"}}); resp.StatusCode != 403 {
		t.Errorf("operator's save: %d", resp.StatusCode)
	}
	if resp, _ := get(t, stranger, page); resp.StatusCode != 404 {
		t.Errorf("another agency's page: %d", resp.StatusCode)
	}
	if resp, _ := post(t, stranger, page, url.Values{"signer_name": {"Nguyễn Văn A"}}); resp.StatusCode != 404 {
		t.Errorf("another agency's save: %d", resp.StatusCode)
	}
}

// TestReportSettingsInBrowser: the agency's administrator goes from the organisation's
// page to its report settings, fills the signer, number prefix and recipients, saves, and
// the preview shows them.
func TestReportSettingsInBrowser(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
	b := app.Browser(t, app.User(t, access.AgencyAdmin, org.ID))
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(sel)))
		must(t, err)
		return s
	}
	must(t, chromedp.Do(b,
		chromedp.Navigate(app.URL+"/admin/orgs/"+strconv.FormatInt(org.ID, 10)),
		chromedp.Click(chromedp.CSS(`#org-report-settings`)),
		chromedp.WaitVisible(chromedp.CSS(`#report-preview`)),
	))
	if got := text(`#preview-number`); !strings.HasSuffix(got, "/BC-SKHCN") {
		t.Errorf("default number %q", got)
	}
	if got := text(`#preview-signature`); !strings.Contains(got, "THỦ TRƯỞNG CƠ QUAN") {
		t.Errorf("default signature %q", got)
	}
	must(t, chromedp.Do(b,
		chromedp.SetValue(chromedp.CSS(`input[name="number_prefix"]`), "BC-KHCN-ATTT"),
		chromedp.SetValue(chromedp.CSS(`input[name="signer_authority"]`), "KT. Giám đốc"),
		chromedp.SetValue(chromedp.CSS(`input[name="signer_title"]`), "Phó Giám đốc"),
		chromedp.SetValue(chromedp.CSS(`input[name="signer_name"]`), "Trần Thị Minh Thư"),
		chromedp.SetValue(chromedp.CSS(`textarea[name="recipients"]`), "Sở Thông tin và Truyền thông\nLưu: VT, CNTT"),
		chromedp.Click(chromedp.CSS(`#report-settings button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	))
	if got := text(`#preview-number`); !strings.HasSuffix(got, "/BC-KHCN-ATTT") {
		t.Errorf("number after saving %q", got)
	}
	if got := text(`#preview-signature`); !strings.Contains(got, "KT. GIÁM ĐỐC") || !strings.Contains(got, "PHÓ GIÁM ĐỐC") || !strings.Contains(got, "Trần Thị Minh Thư") {
		t.Errorf("signature after saving %q", got)
	}
	if got := text(`#preview-recipients`); !strings.Contains(got, "- Sở Thông tin và Truyền thông;") || !strings.Contains(got, "- Lưu: VT, CNTT.") {
		t.Errorf("recipients after saving %q", got)
	}
	if got := text(`#report-settings-updated`); !strings.Contains(got, "Cập nhật lần cuối") {
		t.Errorf("last change %q", got)
	}
}
