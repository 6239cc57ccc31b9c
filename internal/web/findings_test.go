package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// findingSite is a site with a system per agency and findings on both,
// plus one on a host nobody registered.
type findingSite struct {
	site
	sysA, sysB inventory.System
	a, b       finding.View // a high finding of each agency
}

func newFindingSite(t *testing.T, app *apptest.App) findingSite {
	t.Helper()
	ctx := context.Background()
	s := findingSite{site: newSite(t, app)}
	admin := access.SystemActor("test")
	s.sysA = inventory.System{OrgID: s.site.a.ID, Name: "Cổng thông tin Sở", Kind: "web_portal", Level: 2}
	must(t, inventory.CreateSystem(ctx, s.store, admin, &s.sysA))
	s.sysB = inventory.System{OrgID: s.site.b.ID, Name: "Một cửa quận", Kind: "internal_app", Level: 2}
	must(t, inventory.CreateSystem(ctx, s.store, admin, &s.sysB))
	must(t, inventory.AddAsset(ctx, s.store, admin, s.sysA.ID, &inventory.Asset{Kind: "domain", Value: "skhcn.cantho.gov.vn"}))
	must(t, inventory.AddAsset(ctx, s.store, admin, s.sysB.ID, &inventory.Asset{Kind: "domain", Value: "ninhkieu.cantho.gov.vn"}))
	obs := []source.Observation{
		{Tool: "manual", RuleID: "PT-1", Title: "Thiếu xác thực hai lớp trên trang quản trị", Severity: finding.High, Host: "skhcn.cantho.gov.vn", Port: 443, URL: "https://skhcn.cantho.gov.vn/admin",
			Evidence: "<script>alert(1)</script>", References: []string{"https://owasp.org/Top10/"}},
		{Tool: "manual", RuleID: "PT-2", Title: "Lộ phiên bản máy chủ", Severity: finding.Low, Host: "skhcn.cantho.gov.vn", Port: 443},
		{Tool: "manual", RuleID: "PT-3", Title: "Lỗi SQL injection bí mật của quận", Severity: finding.High, Host: "ninhkieu.cantho.gov.vn", Port: 443},
		{Tool: "nuclei", RuleID: "CVE-2021-44228", Title: "Log4Shell", Severity: finding.Critical, CVEs: []string{"CVE-2021-44228"}, Host: "skhcn.cantho.gov.vn", Port: 8080},
		{Tool: "nmap", RuleID: "port.open", Title: "Cổng SSH mở", Severity: finding.Medium, Host: "la.example.org", Port: 22},
	}
	_, err := finding.ImportObservations(ctx, s.store, admin, finding.ImportRequest{}, obs, nil)
	must(t, err)
	for _, sys := range []*finding.View{&s.a, &s.b} {
		id := s.sysA.ID
		if sys == &s.b {
			id = s.sysB.ID
		}
		res, err := finding.List(ctx, s.store, admin, finding.Filter{SystemID: id, Severity: []string{"high"}}, storage.Page{})
		must(t, err)
		*sys = res.Items[0]
	}
	return s
}

func (s findingSite) uploadEvidence(t *testing.T, who string, id int64, name string, data []byte) (*http.Response, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return s.do(t, who, "POST", fmt.Sprintf("/findings/%d/files", id), &buf, mw.FormDataContentType())
}

func TestFindingPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		s := newFindingSite(t, app)
		aPath := fmt.Sprintf("/findings/%d", s.a.ID)
		// The list filters by severity and by text without diacritics.
		resp, body := s.do(t, "op-a", "GET", "/findings?severity=high&severity=critical&q=xac+thuc", nil, "")
		if resp.StatusCode != 200 || !strings.Contains(body, "Thiếu xác thực hai lớp") || strings.Contains(body, "Lộ phiên bản") || !strings.Contains(body, "Cao") {
			t.Fatalf("filtered list: %d %s", resp.StatusCode, body)
		}
		// The export buttons carry the filter.
		if !strings.Contains(body, `href="/findings/export?format=xlsx&amp;q=xac&#43;thuc&amp;severity=high&amp;severity=critical"`) {
			t.Errorf("export links lose the filter: %s", body)
		}
		if _, csv := s.do(t, "op-a", "GET", "/findings/export?format=csv&severity=low", nil, ""); !strings.Contains(csv, "Lộ phiên bản") || strings.Contains(csv, "Thiếu xác thực") {
			t.Errorf("filtered export: %s", csv)
		}
		// The finding page: evidence escaped, in <pre>; the moves the operator may make.
		resp, body = s.do(t, "op-a", "GET", aPath, nil, "")
		for _, want := range []string{"<pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre>", `href="https://owasp.org/Top10/"`, `value="fixed"`, "Mức độ Cao: +35"} {
			if !strings.Contains(body, want) {
				t.Errorf("finding page lacks %q", want)
			}
		}
		if strings.Contains(body, `value="false_positive"`) {
			t.Error("an operator is offered false positive")
		}
		// A fix needs evidence: the form comes back with the problem.
		resp, body = s.form(t, "op-a", aPath+"/status", url.Values{"status": {"fixed"}})
		if resp.StatusCode != 422 || !strings.Contains(body, "Cần mô tả cách đã khắc phục") {
			t.Fatalf("fix without evidence: %d", resp.StatusCode)
		}
		if resp, body := s.uploadEvidence(t, "op-a", s.a.ID, "nginx.conf", []byte("add_header Strict-Transport-Security max-age=31536000;")); resp.StatusCode != 303 {
			t.Fatalf("attach: %d %s", resp.StatusCode, body)
		}
		if resp, body := s.uploadEvidence(t, "op-a", s.a.ID, "empty.txt", nil); resp.StatusCode != 422 {
			t.Fatalf("empty attachment: %d %s", resp.StatusCode, body)
		}
		for path, form := range map[string]url.Values{
			"/assign":  {"assignee_org_id": {itoa(s.site.a.ID)}, "due_date": {"2030-01-31"}},
			"/comment": {"comment": {"Đã cấu hình lại nginx"}},
			"/status":  {"status": {"fixed"}, "note": {"Bật HSTS"}},
		} {
			if resp, body := s.form(t, "op-a", aPath+path, form); resp.StatusCode != 303 {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
			}
		}
		_, body = s.do(t, "op-a", "GET", aPath, nil, "")
		for _, want := range []string{"Đã khắc phục (chờ xác minh)", "Bật HSTS", "Đã cấu hình lại nginx", "nginx.conf", "31/01/2030", "SKHCN — Sở Khoa học và Công nghệ"} {
			if !strings.Contains(body, want) {
				t.Errorf("after the fix the page lacks %q", want)
			}
		}
		d, err := finding.GetDetail(context.Background(), s.store, access.SystemActor("test"), s.a.ID)
		must(t, err)
		resp, body = s.do(t, "op-a", "GET", fmt.Sprintf("%s/files/%d", aPath, d.Files[0].ID), nil, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(body, "Strict-Transport") {
			t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
		}
		// Bulk: the coordinator confirms B's finding and the stray one.
		_, list := s.do(t, "coord", "GET", "/findings?status=new", nil, "")
		if !strings.Contains(list, "Cổng SSH mở") || !strings.Contains(list, `id="select-all"`) {
			t.Fatalf("coordinator's list: %s", list)
		}
		if resp, body := s.form(t, "coord", "/findings/bulk/status", url.Values{"ids": {itoa(s.b.ID)}, "status": {"confirmed"}, "back": {"status=new"}}); resp.StatusCode != 303 || resp.Header.Get("Location") != "/findings?status=new&ok=findings.ok.status" {
			t.Fatalf("bulk status: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		if resp, _ := s.form(t, "coord", "/findings/bulk/status", url.Values{"ids": {itoa(s.b.ID)}, "status": {"verified"}}); resp.StatusCode != 422 {
			t.Fatalf("bulk status to an impossible state: %d", resp.StatusCode)
		}
		if resp, _ := s.form(t, "coord", "/findings/bulk/assign", url.Values{"ids": {itoa(s.b.ID)}, "due_date": {"2030-02-01"}}); resp.StatusCode != 303 {
			t.Fatalf("bulk assign: %d", resp.StatusCode)
		}
		// The unassigned queue: the host becomes an asset of system A.
		_, body = s.do(t, "coord", "GET", "/findings/unassigned", nil, "")
		if !strings.Contains(body, "la.example.org") {
			t.Fatalf("queue: %s", body)
		}
		if resp, body := s.form(t, "coord", "/findings/unassigned/asset", url.Values{"host": {"la.example.org"}, "system_id": {itoa(s.sysA.ID)}}); resp.StatusCode != 303 {
			t.Fatalf("host to asset: %d %s", resp.StatusCode, body)
		}
		if _, body := s.do(t, "op-a", "GET", "/findings?q=cong+ssh", nil, ""); !strings.Contains(body, "Cổng SSH mở") {
			t.Fatal("the stray finding did not reach system A")
		}
		// A dashboard's month link lands on a form that keeps its months, so filtering
		// further does not drop them.
		if _, body := s.do(t, "op-a", "GET", "/findings?found=2026-11&resolved=2026-12", nil, ""); !strings.Contains(body, `name="found" value="2026-11"`) || !strings.Contains(body, `name="resolved" value="2026-12"`) {
			t.Error("the filter form lost the months")
		}
		// The critical finding opened a hunt: the coordinator's badge says so.
		if _, body := s.do(t, "coord", "GET", "/hunts/badge", nil, ""); !strings.Contains(body, `id="hunts-badge"`) {
			t.Fatalf("badge: %q", body)
		}
		res, err := hunt.List(context.Background(), s.store, access.SystemActor("test"), hunt.Filter{Status: hunt.StatusOpen}, storage.Page{}, s.store.Now())
		must(t, err)
		if len(res.Items) != 1 {
			t.Fatalf("hunts: %+v", res.Items)
		}
		if resp, _ := s.form(t, "op-a", fmt.Sprintf("/hunts/%d/finish", res.Items[0].ID), url.Values{"result": {hunt.NoneFound}, "note": {"Đã rà nhật ký"}}); resp.StatusCode != 303 {
			t.Fatalf("finish hunt: %d", resp.StatusCode)
		}
		// The policy: the coordinator edits, the operator reads.
		if resp, body := s.form(t, "coord", "/findings/policy", url.Values{"days_critical": {"5"}, "days_high": {"20"}, "days_medium": {"60"}, "days_low": {"120"}, "halve_from_level": {"3"}}); resp.StatusCode != 303 {
			t.Fatalf("policy: %d %s", resp.StatusCode, body)
		}
		if _, body := s.do(t, "op-a", "GET", "/findings/policy", nil, ""); !strings.Contains(body, `name="days_critical" value="5"`) || !strings.Contains(body, "disabled") {
			t.Fatalf("policy as operator: %s", body)
		}
		// The system page sums up its findings, each figure a link.
		_, body = s.do(t, "op-a", "GET", fmt.Sprintf("/inventory/systems/%d", s.sysA.ID), nil, "")
		if !strings.Contains(body, `id="findings-summary"`) || !strings.Contains(body, fmt.Sprintf(`/findings?system=%d&amp;severity=high&amp;status=open`, s.sysA.ID)) {
			t.Fatalf("system summary: %s", body)
		}
		if _, body := s.do(t, "coord", "GET", fmt.Sprintf("/admin/orgs/%d", s.site.b.ID), nil, ""); !strings.Contains(body, "1 đang mở") {
			t.Fatalf("organisation summary: %s", body)
		}
	})
}

// TestFindingScoping: an agency never sees another agency's findings, in
// the list, the counts, the export or the attachments.
func TestFindingScoping(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		s := newFindingSite(t, app)
		secret := "Lỗi SQL injection bí mật của quận"
		f, err := finding.Attach(context.Background(), s.store, access.SystemActor("test"), s.b.ID, "poc.txt", []byte("bí mật"))
		must(t, err)
		for _, path := range []string{"/findings", "/findings?q=sql", fmt.Sprintf("/findings?system=%d", s.sysB.ID), fmt.Sprintf("/findings?org=%d", s.site.b.ID), "/hunts"} {
			if resp, body := s.do(t, "op-a", "GET", path, nil, ""); resp.StatusCode != 200 || strings.Contains(body, secret) {
				t.Errorf("%s as agency A: %d, shows B's finding: %v", path, resp.StatusCode, strings.Contains(body, secret))
			}
		}
		for _, format := range finding.ExportFormats {
			resp, body := s.do(t, "op-a", "GET", "/findings/export?format="+format, nil, "")
			if resp.StatusCode != 200 || strings.Contains(body, "SQL injection") || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("export %s as agency A: %d %v", format, resp.StatusCode, strings.Contains(body, "SQL injection"))
			}
		}
		if resp, _ := s.do(t, "op-a", "GET", "/findings/export?format=pdf", nil, ""); resp.StatusCode != 422 {
			t.Errorf("unknown export format: %d", resp.StatusCode)
		}
		for _, path := range []string{fmt.Sprintf("/findings/%d", s.b.ID), fmt.Sprintf("/findings/%d/files/%d", s.b.ID, f.ID), fmt.Sprintf("/findings/%d/files/%d", s.a.ID, f.ID),
			fmt.Sprintf("/admin/orgs/%d", s.site.b.ID), fmt.Sprintf("/inventory/systems/%d", s.sysB.ID)} {
			if resp, _ := s.do(t, "op-a", "GET", path, nil, ""); resp.StatusCode != 404 {
				t.Errorf("%s as agency A: %d, want 404", path, resp.StatusCode)
			}
		}
		if resp, _ := s.form(t, "op-a", fmt.Sprintf("/findings/%d/status", s.b.ID), url.Values{"status": {"confirmed"}}); resp.StatusCode != 404 {
			t.Errorf("changing B's finding: %d", resp.StatusCode)
		}
		if resp, _ := s.do(t, "op-a", "GET", "/findings/unassigned", nil, ""); resp.StatusCode != 403 {
			t.Errorf("the queue as an agency: %d", resp.StatusCode)
		}
		// The counts of agency A's own page count A only.
		c, err := finding.Count(context.Background(), s.store, s.users["op-a"].Actor(t, s.app), finding.Filter{})
		must(t, err)
		if c.Total != 3 {
			t.Errorf("agency A counts %d findings, want 3", c.Total)
		}
		if _, body := s.do(t, "op-b", "GET", fmt.Sprintf("/admin/orgs/%d", s.site.b.ID), nil, ""); !strings.Contains(body, "1 đang mở") {
			t.Errorf("agency B's own summary: %s", body)
		}
	})
}

// TestBrowserFindingFixedWithEvidence: an agency operator signs in,
// filters the list by severity and by text typed without diacritics, opens
// the finding, assigns it, attaches a file and marks it fixed with a note,
// and sees the new status and its history.
func TestBrowserFindingFixedWithEvidence(t *testing.T) {
	s := newFindingSite(t, apptest.New(t, "sqlite"))
	ctx := s.app.Browser(t, s.users["op-a"])
	evidence := filepath.Join(t.TempDir(), "nginx.conf")
	must(t, os.WriteFile(evidence, []byte("add_header Strict-Transport-Security max-age=31536000;\n"), 0o600))
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/findings"),
		chromedp.Click(`input[name=severity][value=high]`),
		chromedp.SendKeys(`input[name=q]`, "thieu xac thuc"),
		chromedp.Click(`#filter-apply`),
		// The list the server filtered shows the search in its value attribute.
		chromedp.WaitVisible(`input[name=q][value="thieu xac thuc"]`),
	))
	count, err := chromedp.Run(ctx, chromedp.Text(`#findings-count`))
	must(t, err)
	if count != "1 phát hiện" {
		t.Fatalf("filtered list: %q", count)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Click(`a.finding-link`),
		chromedp.WaitVisible(`#assign`),
		chromedp.SetValue(`#assign select[name=assignee_org_id]`, itoa(s.site.a.ID)),
		chromedp.SetValue(`#assign input[name=due_date]`, "2030-01-31"),
		chromedp.Click(`#assign-submit`),
		chromedp.WaitVisible(`.flash`),
		chromedp.SetUploadFiles(`#file-input`, []string{evidence}),
		chromedp.Click(`#file-submit`),
		chromedp.WaitVisible(`#files a`),
		chromedp.SetValue(`#status-to`, "fixed"),
		chromedp.SendKeys(`#status-note`, "Đã bật HSTS trên nginx"),
		chromedp.Click(`#status-submit`),
		chromedp.WaitVisible(`#finding-status.status-fixed`),
	))
	status, err := chromedp.Run(ctx, chromedp.Text(`#finding-status`))
	must(t, err)
	history, err := chromedp.Run(ctx, chromedp.Text(`#history`))
	must(t, err)
	files, err := chromedp.Run(ctx, chromedp.Text(`#files`))
	must(t, err)
	if status != "Đã khắc phục (chờ xác minh)" {
		t.Errorf("status: %q", status)
	}
	for _, want := range []string{"Giao việc", "Đính kèm", "nginx.conf", "Mới → Đã khắc phục (chờ xác minh)", "Đã bật HSTS trên nginx"} {
		if !strings.Contains(history+files, want) {
			t.Errorf("history lacks %q: %s", want, history)
		}
	}
}
