package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/inventory/workbook"
	"github.com/khien/khien/internal/storage"
	"github.com/xuri/excelize/v2"
)

// site is a running server with two agencies and signed-in users:
// "op-a" and "op-b" operate the agencies, "coord" coordinates.
type site struct {
	app      *apptest.App
	url      string
	store    *storage.Store
	a, b     identity.Org
	users    map[string]*apptest.User
	sessions map[string]*http.Cookie
}

func newSite(t *testing.T, app *apptest.App) site {
	t.Helper()
	s := site{app: app, url: app.URL, store: app.Store, users: map[string]*apptest.User{}, sessions: map[string]*http.Cookie{}}
	s.a = app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
	s.b = app.Org(t, "NINHKIEU", "Ủy ban nhân dân quận Ninh Kiều")
	s.users["op-a"] = app.User(t, access.AgencyOperator, s.a.ID)
	s.users["op-b"] = app.User(t, access.AgencyOperator, s.b.ID)
	s.users["coord"] = app.User(t, access.Coordinator, app.Root.ID)
	for name, u := range s.users {
		s.sessions[name] = app.SessionCookie(t, u)
	}
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// do sends a request in who's session without following redirects.
func (s site) do(t *testing.T, who, method, path string, body io.Reader, ctype string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, body)
	req.AddCookie(s.sessions[who])
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	must(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func (s site) form(t *testing.T, token, path string, v url.Values) (*http.Response, string) {
	return s.do(t, token, "POST", path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

func (s site) upload(t *testing.T, token string, orgID int64, name string, data []byte) (*http.Response, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("org_id", strconv.FormatInt(orgID, 10))
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return s.do(t, token, "POST", "/inventory/import", &buf, mw.FormDataContentType())
}

func TestInventoryPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		s := newSite(t, app)
		resp, body := s.form(t, "op-a", "/inventory/systems", url.Values{"org_id": {itoa(s.a.ID)}, "name": {"Cổng thông tin điện tử Cần Thơ"}, "kind": {"web_portal"}, "level": {"2"}, "status": {"operating"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		loc := resp.Header.Get("Location")
		sysPath := strings.SplitN(loc, "?", 2)[0]
		if resp, body := s.do(t, "op-a", "GET", loc, nil, ""); resp.StatusCode != 200 || !strings.Contains(body, "Đã lưu.") {
			t.Fatalf("system page: %d", resp.StatusCode)
		}
		// Bad input comes back with the field marked.
		resp, body = s.form(t, "op-a", sysPath+"/assets", url.Values{"kind": {"ip"}, "value": {"10.0.0.999"}})
		if resp.StatusCode != 422 || !strings.Contains(body, `địa chỉ IP &#34;10.0.0.999&#34; không hợp lệ`) {
			t.Fatalf("bad asset: %d %s", resp.StatusCode, body)
		}
		for _, f := range []url.Values{
			{"kind": {"domain"}, "value": {"cầnthơ.gov.vn"}},
			{"kind": {"ip"}, "value": {"203.113.130.5"}},
		} {
			if resp, body := s.form(t, "op-a", sysPath+"/assets", f); resp.StatusCode != 303 {
				t.Fatalf("add asset: %d %s", resp.StatusCode, body)
			}
		}
		if resp, _ := s.form(t, "op-a", sysPath+"/controls", url.Values{"control": {"backup"}, "status": {"partial"}, "backup_frequency": {"Hằng ngày"}, "last_restore_test": {"2025-05-01"}}); resp.StatusCode != 303 {
			t.Fatalf("control: %d", resp.StatusCode)
		}
		if resp, _ := s.form(t, "op-a", sysPath+"/devices", url.Values{"servers": {"3"}}); resp.StatusCode != 303 {
			t.Fatalf("devices: %d", resp.StatusCode)
		}
		_, body = s.do(t, "op-a", "GET", sysPath, nil, "")
		for _, want := range []string{"xn--", "203.113.130.5", "Hằng ngày", `name="servers" value="3"`} {
			if !strings.Contains(body, want) {
				t.Errorf("system page lacks %q", want)
			}
		}
		// Edit an asset; a bad value is refused in place.
		res, err := inventory.ListAssets(context.Background(), s.store, access.SystemActor("test"), inventory.AssetFilter{Kind: "ip"}, storage.Page{})
		assets := res.Items
		must(t, err)
		assetPath := "/inventory/assets/" + itoa(assets[0].ID)
		if resp, body := s.do(t, "op-a", "GET", assetPath, nil, ""); resp.StatusCode != 200 || !strings.Contains(body, "203.113.130.5") {
			t.Fatalf("asset page: %d", resp.StatusCode)
		}
		if resp, _ := s.form(t, "op-a", assetPath, url.Values{"kind": {"ip"}, "value": {"203.113.130.6"}, "notes": {"Máy chủ web"}}); resp.StatusCode != 303 {
			t.Fatalf("asset update: %d", resp.StatusCode)
		}
		if resp, _ := s.form(t, "op-a", assetPath, url.Values{"kind": {"cidr"}, "value": {"203.113.130.6/24"}}); resp.StatusCode != 422 {
			t.Fatalf("bad asset update: %d", resp.StatusCode)
		}
		if resp, _ := s.do(t, "op-b", "GET", assetPath, nil, ""); resp.StatusCode != 404 {
			t.Fatalf("other agency's asset: %d", resp.StatusCode)
		}
		// Diacritics-insensitive search; the other agency sees nothing.
		if _, body := s.do(t, "op-a", "GET", "/inventory?q=can+tho", nil, ""); !strings.Contains(body, "Cổng thông tin điện tử Cần Thơ") {
			t.Error("search for 'can tho' did not find Cần Thơ")
		}
		if _, body := s.do(t, "op-b", "GET", "/inventory?q=can+tho", nil, ""); strings.Contains(body, "Cổng thông tin điện tử Cần Thơ") {
			t.Error("another agency sees the system")
		}
		if resp, _ := s.do(t, "op-b", "GET", sysPath, nil, ""); resp.StatusCode != 404 {
			t.Errorf("another agency opens the system: %d", resp.StatusCode)
		}
		if resp, _ := s.form(t, "op-b", sysPath+"/delete", nil); resp.StatusCode != 404 {
			t.Errorf("another agency deletes the system: %d", resp.StatusCode)
		}
		// Staff, qualifications.
		resp, body = s.form(t, "op-a", "/inventory/staff", url.Values{"org_id": {itoa(s.a.ID)}, "name": {"Trần Văn Bình"}, "email": {"binh@skhcn.cantho.gov.vn"}})
		if resp.StatusCode != 303 {
			t.Fatalf("staff: %d %s", resp.StatusCode, body)
		}
		person := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
		if resp, _ := s.form(t, "op-a", person+"/qualifications", url.Values{"course": {"Ứng cứu sự cố"}, "completed_on": {"2025-04-02"}}); resp.StatusCode != 303 {
			t.Fatalf("qualification: %d", resp.StatusCode)
		}
		if _, body := s.do(t, "op-a", "GET", "/inventory/staff?q=tran+van", nil, ""); !strings.Contains(body, "Trần Văn Bình") {
			t.Error("staff search")
		}
		// Every page renders, in both languages.
		for _, path := range []string{"/inventory", "/inventory/systems/new", sysPath + "/edit", "/inventory/assets", "/inventory/staff", person, "/inventory/import"} {
			for _, lang := range []string{"vi", "en"} {
				if resp, body := s.do(t, "op-a", "GET", path+"?lang="+lang, nil, ""); resp.StatusCode != 200 || strings.Contains(body, "inv.") {
					t.Errorf("%s (%s): %d, untranslated key: %v", path, lang, resp.StatusCode, strings.Contains(body, "inv."))
				}
			}
		}
		for _, path := range []string{"/inventory/conflicts", "/inventory/merge"} {
			if resp, _ := s.do(t, "coord", "GET", path, nil, ""); resp.StatusCode != 200 {
				t.Errorf("coordinator %s: %d", path, resp.StatusCode)
			}
			if resp, _ := s.do(t, "op-a", "GET", path, nil, ""); resp.StatusCode != 403 {
				t.Errorf("operator %s: %d", path, resp.StatusCode)
			}
		}
		resp, body = s.do(t, "op-a", "GET", "/inventory/template.xlsx", nil, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
			t.Fatalf("template: %d", resp.StatusCode)
		}
		// Export, then import: op-b may not import into SKHCN.
		_, file := s.do(t, "op-a", "GET", "/inventory/export.xlsx", nil, "")
		if resp, _ := s.upload(t, "op-b", s.a.ID, "x.xlsx", []byte(file)); resp.StatusCode != 404 {
			t.Errorf("op-b uploads into SKHCN: %d", resp.StatusCode)
		}
		resp, body = s.upload(t, "op-a", s.a.ID, "skhcn.xlsx", []byte(file))
		if resp.StatusCode != 200 || !strings.Contains(body, `id="import-confirm"`) {
			t.Fatalf("preview: %d %s", resp.StatusCode, body)
		}
	})
}

// TestEnumLabelsMatchCatalogue keeps the Vietnamese labels of the workbook
// and of the pages the same.
func TestEnumLabelsMatchCatalogue(t *testing.T) {
	for group, e := range map[string]inventory.Enum{"kind": inventory.SystemKinds, "level": inventory.Levels, "hosting": inventory.Hostings,
		"status": inventory.Statuses, "asset": inventory.AssetKinds, "device": inventory.DeviceKinds, "control": inventory.Controls, "cstatus": inventory.ControlStatuses} {
		for _, o := range e {
			if got := i18n.T("vi", "inv."+group+"."+o.Code); got != o.Label {
				t.Errorf("inv.%s.%s = %q, workbook says %q", group, o.Code, got, o.Label)
			}
		}
	}
}

// filledTemplate is the template with one system and its assets; badIP is
// the value of the second asset.
func filledTemplate(t *testing.T, badIP string) string {
	return filledWith(t, badIP, "Tiếp nhận hồ sơ", "Cấp độ 2")
}

// filledWith is the template with one system of the purpose and level
// given and its two assets.
func filledWith(t *testing.T, badIP, purpose, level string) string {
	var buf bytes.Buffer
	must(t, workbook.Write(&buf, &inventory.Batch{}))
	f, err := excelize.OpenReader(&buf)
	must(t, err)
	f.SetSheetRow(inventory.SystemsSheet.Name, "A2", &[]any{"", "Hệ thống một cửa điện tử", "Phần mềm nội bộ", purpose, "", "", "", level})
	f.SetSheetRow(inventory.AssetsSheet.Name, "A2", &[]any{"", "Hệ thống một cửa điện tử", "Tên miền", "motcua.cantho.gov.vn"})
	f.SetSheetRow(inventory.AssetsSheet.Name, "A3", &[]any{"", "Hệ thống một cửa điện tử", "Địa chỉ IP", badIP})
	path := filepath.Join(t.TempDir(), "danh-muc.xlsx")
	must(t, f.SaveAs(path))
	return path
}

// TestBrowserImportFixesAnError: an agency operator, signed in, fills the
// template, uploads it, reads the problem (sheet, row, column),
// fixes the file, uploads it again and imports it.
func TestBrowserImportFixesAnError(t *testing.T) {
	s := newSite(t, apptest.New(t, "sqlite"))
	ctx := s.app.Browser(t, s.users["op-a"])
	bad, good := filledTemplate(t, "10.0.0.300"), filledTemplate(t, "10.0.0.30")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/inventory/import"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{bad}),
		chromedp.Click(chromedp.CSS(`#import-check`)),
		chromedp.WaitVisible(chromedp.CSS(`#problems`)),
	))
	problems, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#problems`)))
	must(t, err)
	must(t, chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{good}),
		chromedp.Click(chromedp.CSS(`#import-check`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-confirm`)),
		chromedp.Click(chromedp.CSS(`#import-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-done`)),
	))
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#import-done`)))
	must(t, err)
	must(t, chromedp.Do(ctx, chromedp.Navigate(s.url+"/inventory?q=mot+cua")))
	list, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`table`)))
	must(t, err)
	for _, want := range []string{"Tài sản", "3", "D (Giá trị)", `địa chỉ IP "10.0.0.300" không hợp lệ`} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems lack %q: %s", want, problems)
		}
	}
	if done != "Đã ghi dữ liệu: 3 dòng thêm mới, 0 dòng cập nhật, 0 dòng không đổi." || !strings.Contains(list, "Hệ thống một cửa điện tử") {
		t.Fatalf("after import: %q / %q", done, list)
	}
	res, err := inventory.ListAssets(context.Background(), s.store, access.SystemActor("test"), inventory.AssetFilter{OrgID: s.a.ID}, storage.Page{})
	assets := res.Items
	must(t, err)
	if len(assets) != 2 {
		t.Fatalf("assets imported: %+v", assets)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestBrowserImportShowsChanges: re-importing a system with "-" in its
// purpose and another level previews each change, old → new as people
// read them, with the emptied field highlighted and counted.
func TestBrowserImportShowsChanges(t *testing.T) {
	s := newSite(t, apptest.New(t, "sqlite"))
	ctx := s.app.Browser(t, s.users["op-a"])
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/inventory/import"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{filledTemplate(t, "10.0.0.30")}),
		chromedp.Click(chromedp.CSS(`#import-check`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-confirm`)),
		chromedp.Click(chromedp.CSS(`#import-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-done`)),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{filledWith(t, "10.0.0.30", "-", "Cấp độ 3")}),
		chromedp.Click(chromedp.CSS(`#import-check`)),
		chromedp.WaitVisible(chromedp.CSS(`#changes`)),
	))
	changes, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#changes`)))
	must(t, err)
	cleared, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#changes tr.cleared`)))
	must(t, err)
	for _, want := range []string{"1 trường sẽ bị xóa", "Hệ thống một cửa điện tử", "Cấp độ\tCấp độ 2\tCấp độ 3"} {
		if !strings.Contains(changes, want) {
			t.Errorf("changes lack %q: %q", want, changes)
		}
	}
	if !strings.Contains(cleared, "Mục đích sử dụng") || !strings.Contains(cleared, "Tiếp nhận hồ sơ") {
		t.Errorf("highlighted row: %q", cleared)
	}
}

// TestImportValidRowsResult: after "import valid rows only" the page says
// what was written and what was skipped, never "nothing written".
func TestImportValidRowsResult(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		s := newSite(t, app)
		data, err := os.ReadFile(filledTemplate(t, "10.0.0.300"))
		must(t, err)
		_, body := s.upload(t, "op-a", s.a.ID, "x.xlsx", data)
		token := regexp.MustCompile(`action="/inventory/import/([^"]+)"`).FindStringSubmatch(body)
		if token == nil {
			t.Fatalf("no confirmation form: %s", body)
		}
		resp, body := s.form(t, "op-a", "/inventory/import/"+token[1], url.Values{"mode": {"valid"}})
		if resp.StatusCode != 200 {
			t.Fatalf("confirm: %d", resp.StatusCode)
		}
		for _, want := range []string{"Đã ghi dữ liệu: 2 dòng thêm mới, 0 dòng cập nhật, 0 dòng không đổi.", "Đã bỏ qua 1 dòng không hợp lệ", "Các lỗi của dòng đã bỏ qua"} {
			if !strings.Contains(body, want) {
				t.Errorf("result lacks %q", want)
			}
		}
		if strings.Contains(body, i18n.T(i18n.VI, "inv.import.not_written")) || strings.Contains(body, `id="import-not-written"`) {
			t.Errorf("result says nothing was written")
		}
	})
}

// TestSystemsPagesFollowTheCursor walks the systems page of 50 a page: the
// next link carries a cursor, the second page has the rest and a link back
// to the first, and a cursor that does not read shows the first page.
func TestSystemsPagesFollowTheCursor(t *testing.T) {
	s := newSite(t, apptest.New(t, "sqlite"))
	for i := range 53 {
		sys := inventory.System{OrgID: s.a.ID, Name: "Hệ thống " + strconv.Itoa(100+i), Kind: "web_portal"}
		must(t, inventory.CreateSystem(context.Background(), s.store, access.SystemActor("test"), &sys))
	}
	resp, body := s.do(t, "op-a", "GET", "/inventory", nil, "")
	next := regexp.MustCompile(`href="(/inventory\?cursor=[^"]+)"`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || next == nil || !strings.Contains(body, "Hệ thống 149") || strings.Contains(body, "Hệ thống 150") {
		t.Fatalf("first page: %d, next link %v", resp.StatusCode, next)
	}
	resp, body = s.do(t, "op-a", "GET", html.UnescapeString(next[1]), nil, "")
	if resp.StatusCode != 200 || !strings.Contains(body, "Hệ thống 152") || strings.Contains(body, "Hệ thống 149") || !strings.Contains(body, i18n.T(i18n.VI, "common.first_page")) {
		t.Fatalf("second page: %d", resp.StatusCode)
	}
	if strings.Contains(body, i18n.T(i18n.VI, "common.next_page")) {
		t.Fatal("the last page links to a next one")
	}
	if resp, body = s.do(t, "op-a", "GET", "/inventory?cursor=garbage", nil, ""); resp.StatusCode != 200 || !strings.Contains(body, "Hệ thống 100") {
		t.Fatalf("bad cursor: %d", resp.StatusCode)
	}
}
