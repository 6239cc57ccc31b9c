package report_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/storage"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// now is 09:00 on 3 December 2026 in Vietnam.
var now = time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)

type fixture struct {
	store       *storage.Store
	sys         inventory.System
	opA, opB    access.Actor
	coordinator access.Actor
}

// newFixture is Cần Thơ with two agencies; the first has a system with two assets, a
// queued scan and five findings (critical, high with a knowledge-base entry, low, info, and
// one already verified).
func newFixture(t *testing.T, db *database.DB) fixture {
	ctx := context.Background()
	f := fixture{store: storage.New(db)}
	// The findings were seen on 1 November; the high one's due date has passed by now.
	f.store.SetClock(func() time.Time { return time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC) })
	admin := access.SystemActor("test")
	root, err := identity.RootOrg(ctx, f.store)
	must(t, err)
	_, err = identity.UpdateOrg(ctx, f.store, admin, root.ID, identity.OrgInput{Code: root.Code, Name: "Thành phố Cần Thơ", Kind: identity.OrgProvince})
	must(t, err)
	a, err := identity.CreateOrg(ctx, f.store, admin, identity.OrgInput{ParentID: root.ID, Code: "skhcn", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
	must(t, err)
	b, err := identity.CreateOrg(ctx, f.store, admin, identity.OrgInput{ParentID: root.ID, Code: "NINHKIEU", Name: "UBND phường Ninh Kiều", Kind: identity.OrgCommune})
	must(t, err)
	f.opA = access.Actor{UserID: 7, Email: "op@a.vn", Role: access.AgencyOperator, OrgID: a.ID, OrgPath: a.Path}
	f.opB = access.Actor{UserID: 8, Email: "op@b.vn", Role: access.AgencyOperator, OrgID: b.ID, OrgPath: b.Path}
	f.coordinator = access.Actor{UserID: 9, Email: "dp@cantho.gov.vn", Role: access.Coordinator, OrgID: root.ID, OrgPath: root.Path}
	f.sys = inventory.System{OrgID: a.ID, Name: "Cổng thông tin điện tử Sở KH&CN", Kind: "web_portal", Level: 3, LevelDecision: "12/QĐ-SKHCN", LevelDecisionDate: "2025-03-01", Status: "operating"}
	must(t, inventory.CreateSystem(ctx, f.store, admin, &f.sys))
	must(t, inventory.AddAsset(ctx, f.store, admin, f.sys.ID, &inventory.Asset{Kind: "domain", Value: "skhcn.cantho.gov.vn"}))
	must(t, inventory.AddAsset(ctx, f.store, admin, f.sys.ID, &inventory.Asset{Kind: "ip", Value: "203.162.10.5"}))
	_, err = scanning.RequestScans(ctx, f.store, admin, scanning.ScanRequest{SystemID: f.sys.ID, Profile: "safe"})
	must(t, err)
	obs := []source.Observation{
		{Tool: "nuclei", RuleID: "CVE-2021-44228", Title: "Log4Shell trên máy chủ ứng dụng", Severity: finding.Critical, CVEs: []string{"CVE-2021-44228"}, Host: "skhcn.cantho.gov.vn", Port: 8080,
			Evidence: "${jndi:ldap://127.0.0.1/a} được phản hồi"},
		{Tool: "khien", RuleID: "exposure.git", Title: "Lộ thư mục .git", Severity: finding.High, Host: "skhcn.cantho.gov.vn", Port: 443, URL: "https://skhcn.cantho.gov.vn/.git/config"},
		{Tool: "khien", RuleID: "http.server-version-disclosure", Title: "Lộ phiên bản máy chủ web", Severity: finding.Low, Host: "skhcn.cantho.gov.vn", Port: 443},
		{Tool: "khien", RuleID: "port.open", Title: "Cổng 443 mở", Severity: finding.Info, Host: "skhcn.cantho.gov.vn", Port: 443},
		{Tool: "manual", RuleID: "PT-9", Title: "Mật khẩu mặc định đã đổi", Severity: finding.Medium, Host: "skhcn.cantho.gov.vn", Port: 22},
	}
	_, err = finding.ImportObservations(ctx, f.store, admin, finding.ImportRequest{SystemID: f.sys.ID}, obs, nil)
	must(t, err)
	res, err := finding.List(ctx, f.store, admin, finding.Filter{SystemID: f.sys.ID, Severity: []string{"medium"}}, storage.Page{})
	must(t, err)
	for _, to := range []finding.Status{finding.Confirmed, finding.InRemediation, finding.Fixed, finding.Verified} {
		if _, err := finding.ChangeStatus(ctx, f.store, admin, res.Items[0].ID, finding.Move{To: to, Note: "Đã kiểm tra"}); err != nil {
			t.Fatalf("move to %s: %v", to, err)
		}
	}
	f.store.SetClock(func() time.Time { return now })
	return f
}

// wantSystem is what the Vietnamese report of the fixture's system says, exactly.
var wantSystem = []string{
	"UBND THÀNH PHỐ CẦN THƠ", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số:       /BC-SKHCN", "Cần Thơ, ngày 03 tháng 12 năm 2026",
	"BÁO CÁO", "Kết quả đánh giá an toàn thông tin hệ thống Cổng thông tin điện tử Sở KH&CN",
	"Số liệu tính đến 09:00 ngày 03/12/2026.",
	"I. Thông tin hệ thống", "Bảng 1. Thông tin chung của hệ thống", "Cấp độ 3 (Quyết định 12/QĐ-SKHCN)", "Đang vận hành",
	"1. Phạm vi đánh giá", "Phạm vi đánh giá gồm 2 tài sản đã khai báo của hệ thống:", "skhcn.cantho.gov.vn", "203.162.10.5",
	"II. Phương pháp đánh giá", "Khiên đã quét hệ thống 1 lượt; 1 lượt gần nhất:", "An toàn", "Bị từ chối", // a scan the guard refused (no scanning window) still counts as tried
	"khien: 3", "nuclei: 1",
	"III. Kết quả đánh giá", "1. Xếp loại chung", "Xếp loại chung của hệ thống: Nghiêm trọng.",
	"2. Thống kê phát hiện", "Tổng số 5 phát hiện; 4 phát hiện đang mở, trong đó 2 phát hiện đã quá hạn xử lý.",
	"Bảng 4. Phát hiện theo mức độ nghiêm trọng", "Bảng 5. Phát hiện theo trạng thái xử lý", "Hình 1. Phát hiện theo mức độ và trạng thái", "Bảng 6. Phát hiện theo mức độ và trạng thái", "Hình 2. Phát hiện mới và đã xử lý theo tháng", "Đã xác minh",
	"IV. Danh sách phát hiện và đề xuất khắc phục", "Bảng 8. Phát hiện đang mở theo thứ tự ưu tiên",
	"1. Log4Shell trên máy chủ ứng dụng", "Mã lỗ hổng: CVE-2021-44228.", "Bằng chứng: ${jndi:ldap://127.0.0.1/a} được phản hồi",
	"2. Lộ thư mục .git", "Đề xuất khắc phục: Thư mục .git được công bố trên web",
	"3. Lộ phiên bản máy chủ web",
	"Còn 1 phát hiện khác (kể cả mức Thông tin) được liệt kê trong Bảng 8.",
	"V. Kết luận, kiến nghị", "Có 2 phát hiện đã quá hạn xử lý",
	"Nơi nhận:", "- UBND thành phố Cần Thơ;", "- Lưu: VT.", "THỦ TRƯỞNG CƠ QUAN",
}

func TestSystemReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		d, err := report.System(ctx, f.store, f.opA, f.sys.ID, i18n.VI, now)
		must(t, err)
		var docx strings.Builder
		must(t, document.WriteDOCX(&docx, d))
		text, err := document.DOCXText([]byte(docx.String()))
		must(t, err)
		assertHas(t, "DOCX", text, wantSystem)
		// The critical finding comes first, the informational one is only in the table.
		if strings.Index(text, "Log4Shell") > strings.Index(text, "Lộ thư mục .git") || strings.Contains(text, "4. Cổng 443 mở") {
			t.Error("findings out of order")
		}

		if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
			path := filepath.Join(t.TempDir(), "report.pdf")
			var pdf strings.Builder
			must(t, document.WritePDF(&pdf, d))
			must(t, os.WriteFile(path, []byte(pdf.String()), 0o600))
			out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
			must(t, err)
			assertHas(t, "PDF", string(out), []string{"I. Thông tin hệ thống", "Xếp loại chung của hệ thống: Nghiêm trọng.", "Bảng 8. Phát hiện đang mở theo thứ tự ưu tiên", "1. Log4Shell trên máy chủ ứng dụng"})
		} else {
			t.Log("pdftotext is not installed (poppler-utils): the PDF's text is not checked")
		}

		en, err := report.System(ctx, f.store, f.coordinator, f.sys.ID, i18n.EN, now)
		must(t, err)
		docx.Reset()
		must(t, document.WriteDOCX(&docx, en))
		text, err = document.DOCXText([]byte(docx.String()))
		must(t, err)
		assertHas(t, "English DOCX", text, []string{"REPORT", "Overall rating of the system: Critical.", "The .git directory is published", "Data as of 09:00 on 03/12/2026."})
	})
}

func TestSystemReportScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if _, err := report.System(ctx, f.store, f.opB, f.sys.ID, i18n.VI, now); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("another agency's system: %v", err)
		}
		req := report.Request{Kind: "system", ID: f.sys.ID, Format: "xlsx"}
		if _, err := report.Generate(ctx, f.store, f.opB, req, now); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("another agency generates: %v", err)
		}
		file, err := report.Generate(ctx, f.store, f.opA, req, now)
		must(t, err)
		if file.Name != "bao-cao-system-"+itoa(f.sys.ID)+".xlsx" || !strings.HasPrefix(string(file.Data), "PK") || !strings.Contains(file.ContentType, "spreadsheetml") {
			t.Fatalf("file %s %s, %d bytes", file.Name, file.ContentType, len(file.Data))
		}
		// Generated once, audited once: the refused one left no entry.
		entries, err := audit.List(ctx, f.store, f.coordinator, audit.Query{Action: "report."}, storage.Page{})
		must(t, err)
		if entries.Total != 1 || entries.Items[0].Actor != "op@a.vn" || entries.Items[0].OrgID != f.sys.OrgID {
			t.Fatalf("audit: %+v", entries.Items)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func assertHas(t *testing.T, what, got string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, got)
	}
}
