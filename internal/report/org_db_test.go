package report_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
	"github.com/xuri/excelize/v2"
)

// orgFixture is the system report's Cần Thơ with more below the first agency: a unit (the
// centre) with a system and two findings, a mail system of the agency itself scanned in
// October and an active yearly review campaign; the second agency has a system with a
// critical finding the first must never see.
type orgFixture struct {
	fixture
	orgA, unit, orgB identity.Org
	mail, records    inventory.System
}

func newOrgFixture(t *testing.T, db *database.DB) orgFixture {
	ctx := context.Background()
	f := orgFixture{fixture: newFixture(t, db)}
	admin := access.SystemActor("test")
	var err error
	f.orgA, err = identity.GetOrg(ctx, f.store, admin, f.sys.OrgID)
	must(t, err)
	f.orgB, err = identity.GetOrg(ctx, f.store, admin, f.opB.OrgID)
	must(t, err)
	f.unit, err = identity.CreateOrg(ctx, f.store, admin, identity.OrgInput{ParentID: f.orgA.ID, Code: "TTUD", Name: "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ", Kind: identity.OrgUnit})
	must(t, err)
	f.store.SetClock(func() time.Time { return time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC) })
	f.mail = inventory.System{OrgID: f.orgA.ID, Name: "Hệ thống thư điện tử", Kind: "email", Level: 2, Status: "operating"}
	must(t, inventory.CreateSystem(ctx, f.store, admin, &f.mail))
	f.records = inventory.System{OrgID: f.unit.ID, Name: "Phần mềm quản lý hồ sơ công việc", Kind: "internal_app", Level: 2, Status: "operating"}
	must(t, inventory.CreateSystem(ctx, f.store, admin, &f.records))
	ward := inventory.System{OrgID: f.orgB.ID, Name: "Cổng thông tin phường Ninh Kiều", Kind: "web_portal", Level: 2, Status: "operating"}
	must(t, inventory.CreateSystem(ctx, f.store, admin, &ward))
	for _, in := range []struct {
		sys inventory.System
		obs []source.Observation
	}{
		{f.records, []source.Observation{
			{Tool: "khien", RuleID: "tls.weak-protocol", Title: "Máy chủ chấp nhận TLS 1.0", Severity: finding.High, Host: "hoso.ttud.vn", Port: 443},
			{Tool: "khien", RuleID: "http.missing-hsts", Title: "Thiếu HSTS", Severity: finding.Medium, Host: "hoso.ttud.vn", Port: 443},
		}},
		{ward, []source.Observation{{Tool: "nuclei", RuleID: "CVE-2023-0001", Title: "Lỗ hổng của phường", Severity: finding.Critical, Host: "ninhkieu.cantho.gov.vn", Port: 443}}},
	} {
		_, err = finding.ImportObservations(ctx, f.store, admin, finding.ImportRequest{SystemID: in.sys.ID}, in.obs, nil)
		must(t, err)
	}
	// The mail system was scanned in October, the portal in November.
	must(t, f.store.InTx(ctx, func(tx *storage.Tx) error {
		for sys, at := range map[int64]time.Time{f.mail.ID: time.Date(2026, 10, 15, 3, 0, 0, 0, time.UTC), f.sys.ID: time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)} {
			if _, err := tx.Exec(ctx, "INSERT INTO scans (system_id, profile, status, actor, created_at, finished_at, updated_at) VALUES (?, 'safe', 'done', 'test', ?, ?, ?)", sys, at, at, at); err != nil {
				return err
			}
		}
		return nil
	}))
	// The TLS finding is given to the centre's operator.
	minh, err := identity.CreateUser(ctx, f.store, admin, identity.UserInput{Email: "minh@ttud.vn", Name: "Trần Văn Minh", Role: access.AgencyOperator, OrgID: f.unit.ID, PasswordHash: "x"})
	must(t, err)
	tls, err := finding.List(ctx, f.store, admin, finding.Filter{SystemID: f.records.ID, Severity: []string{"high"}}, storage.Page{})
	must(t, err)
	must(t, finding.Assign(ctx, f.store, admin, []int64{tls.Items[0].ID}, finding.Assignment{OrgID: f.unit.ID, UserID: minh.ID}))
	_, err = campaign.Create(ctx, f.store, admin, campaign.CreateInput{Input: campaign.Input{Title: "Rà soát an toàn thông tin năm 2026", Year: 2026, Template: "yearly_review",
		OrgIDs: []int64{f.orgA.ID}, Status: campaign.Active}})
	must(t, err)
	f.store.SetClock(func() time.Time { return now })
	return f
}

// docxText writes d as DOCX and returns its text.
func docxText(t *testing.T, d *document.Document) string {
	t.Helper()
	var docx strings.Builder
	must(t, document.WriteDOCX(&docx, d))
	text, err := document.DOCXText([]byte(docx.String()))
	must(t, err)
	return text
}

// pdfText writes d as PDF and returns pdftotext's text, or "" when poppler-utils is missing.
func pdfText(t *testing.T, d *document.Document) string {
	t.Helper()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext is not installed (poppler-utils): the PDF's text is not checked")
		return ""
	}
	var pdf strings.Builder
	must(t, document.WritePDF(&pdf, d))
	path := filepath.Join(t.TempDir(), "report.pdf")
	must(t, os.WriteFile(path, []byte(pdf.String()), 0o600))
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	must(t, err)
	return string(out)
}

// wantOrg is what the Vietnamese report of the first agency says, exactly: its three
// systems, the centre below it, the figures, the risks, the overdue findings, the campaign
// and the conclusion drawn from them.
var wantOrg = []string{
	"UBND THÀNH PHỐ CẦN THƠ", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số:       /BC-SKHCN", "Cần Thơ, ngày 03 tháng 12 năm 2026",
	"BÁO CÁO", "Tình hình bảo đảm an toàn thông tin các hệ thống thông tin của Sở Khoa học và Công nghệ",
	"Số liệu tính đến 09:00 ngày 03/12/2026.",
	"I. Thông tin đơn vị", "Bảng 1. Thông tin chung của đơn vị", "Cơ quan cấp trên\nUBND thành phố Cần Thơ", "Số đơn vị trực thuộc\n1", "Số hệ thống đang sử dụng\n3",
	"II. Các hệ thống thông tin đang sử dụng",
	"Đơn vị có 3 hệ thống thông tin đang sử dụng, trong đó 2 hệ thống đã được Khiên rà soát trong 6 tháng gần nhất.",
	"Bảng 2. Hệ thống thông tin và phát hiện đang mở",
	// system, owner, level, status, last scan, open critical/high/medium/low, overdue, rating
	"Cổng thông tin điện tử Sở KH&CN\nSở Khoa học và Công nghệ\nCấp độ 3\nĐang vận hành\n20/11/2026\n1\n1\n0\n1\n2\nNghiêm trọng",
	"Hệ thống thư điện tử\nSở Khoa học và Công nghệ\nCấp độ 2\nĐang vận hành\n15/10/2026\n0\n0\n0\n0\n0\nĐạt",
	"Phần mềm quản lý hồ sơ công việc\nTrung tâm Ứng dụng tiến bộ khoa học và công nghệ\nCấp độ 2\nĐang vận hành\nChưa rà soát\n0\n1\n1\n0\n1\nCao",
	"III. Kết quả theo đơn vị trực thuộc", "Bảng 3. Kết quả rà soát theo đơn vị",
	// unit, systems, reviewed, all critical/high/medium/low, total, % fixed, overdue
	"1\nTrung tâm Ứng dụng tiến bộ khoa học và công nghệ\n1\n0\n0\n1\n1\n0\n2\n0\n1",
	"2\nSở Khoa học và Công nghệ (trực tiếp quản lý)\n2\n2\n1\n1\n1\n1\n5\n20\n2",
	"Tổng cộng\n3\n2\n1\n2\n2\n1\n7\n14\n3",
	"IV. Tổng hợp số liệu", "Tổng số 7 phát hiện; 6 phát hiện đang mở, trong đó 3 phát hiện đã quá hạn xử lý; đã khắc phục 14%.",
	"Hình 1. Phát hiện theo mức độ và trạng thái", "Hình 4. Mức độ bao phủ rà quét", "Đã quét trong 6 tháng\n2", "Hình 5. Tiến độ các đợt rà soát đang thực hiện",
	"V. Các rủi ro nghiêm trọng nhất", "Có 3 phát hiện mức Nghiêm trọng và Cao đang mở;",
	"1\nLog4Shell trên máy chủ ứng dụng\nNghiêm trọng\n\nCổng thông tin điện tử Sở KH&CN\nSở Khoa học và Công nghệ\n04/11/2026\nMới",
	"VI. Phát hiện quá hạn xử lý", "Bảng 11. Phát hiện đang mở và quá hạn theo mức độ", "Tổng cộng\n6\n3",
	"Có 3 phát hiện đã quá hạn xử lý; 3 phát hiện quá hạn lâu nhất:", "Lộ thư mục .git\nCao\nCổng thông tin điện tử Sở KH&CN\nSở Khoa học và Công nghệ\n16/11/2026\n17",
	"VII. Nhiệm vụ theo kế hoạch rà soát", "Rà soát an toàn thông tin năm 2026", "Quá hạn", "Chưa thực hiện",
	"VIII. Kết luận, kiến nghị",
	"Các hệ thống thông tin của Sở Khoa học và Công nghệ còn lỗ hổng mức Nghiêm trọng chưa được khắc phục",
	"Khắc phục ngay các lỗ hổng mức Nghiêm trọng trên 1 hệ thống (Cổng thông tin điện tử Sở KH&CN);",
	"Tổ chức rà soát, đánh giá 1 trên 3 hệ thống đang sử dụng chưa được rà soát trong 6 tháng gần nhất.",
	"Ưu tiên xử lý 3 phát hiện đã quá hạn", "Tỷ lệ phát hiện đã khắc phục (đã xác minh hoặc đã đóng) là 14% (1 trên 7 phát hiện)",
	"Hoàn thành 3 nhiệm vụ đã quá hạn của kế hoạch rà soát",
	"Nơi nhận:", "- UBND thành phố Cần Thơ;", "- Lưu: VT.", "THỦ TRƯỞNG CƠ QUAN",
}

// wantFollowup is what the Vietnamese follow-up list of the first agency says, exactly.
var wantFollowup = []string{
	"SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Danh sách theo dõi khắc phục lỗ hổng của Sở Khoa học và Công nghệ", "Số liệu tính đến 09:00 ngày 03/12/2026.",
	"I. Tổng hợp", "Đơn vị có 6 phát hiện đang mở, trong đó 3 phát hiện đã quá hạn xử lý.", "Bảng 1. Phát hiện đang mở theo mức độ",
	"Nghiêm trọng\n1\n1", "Cao\n2\n2", "Tổng cộng\n6\n3",
	"II. Danh sách phát hiện cần khắc phục", "Bảng 2. Danh sách theo dõi khắc phục",
	"Phát hiện lần đầu\nHạn xử lý\nSố ngày quá hạn\nTrạng thái\nNgười được giao\nKết quả xử lý",
	// no, system, severity, title, location, first seen, due, days overdue, status, assignee, outcome (empty)
	"1\nCổng thông tin điện tử Sở KH&CN\nNghiêm trọng\nLog4Shell trên máy chủ ứng dụng\nskhcn.cantho.gov.vn:8080\n01/11/2026\n04/11/2026\n29\nMới\n\n\n",
	"4\nCổng thông tin điện tử Sở KH&CN\nThông tin\nCổng 443 mở\nskhcn.cantho.gov.vn:443\n01/11/2026\n—\n\nMới",
	"5\nPhần mềm quản lý hồ sơ công việc\nCao\nMáy chủ chấp nhận TLS 1.0\nhoso.ttud.vn:443\n01/11/2026\n01/12/2026\n2\nMới\nTrần Văn Minh\n\n",
	"6\nPhần mềm quản lý hồ sơ công việc\nTrung bình\nThiếu HSTS",
	"Đơn vị ghi kết quả xử lý từng phát hiện vào cột “Kết quả xử lý”",
	"Nơi nhận:", "THỦ TRƯỞNG CƠ QUAN",
}

func TestOrgReports(t *testing.T) {
	for _, c := range []struct {
		kind  string
		build func(context.Context, *storage.Store, access.Actor, int64, string, time.Time) (*document.Document, error)
		want  []string
		pdf   []string // what pdftotext gives whole: lines the table layout does not split
		en    []string
	}{
		{"org", report.Org, wantOrg,
			[]string{"I. Thông tin đơn vị", "III. Kết quả theo đơn vị trực thuộc", "Bảng 3. Kết quả rà soát theo đơn vị", "Tổng số 7 phát hiện; 6 phát hiện đang mở, trong đó 3 phát hiện đã quá hạn xử",
				"VIII. Kết luận, kiến nghị", "Hình 1. Phát hiện theo mức độ và trạng thái"},
			[]string{"Information security of the information systems of Sở Khoa học và Công nghệ", "III. Results by unit", "7 findings in all; 6 open, 3 of them overdue; 14% fixed.",
				"Sở Khoa học và Công nghệ (directly)", "Not reviewed", "Data as of 09:00 on 03/12/2026."}},
		{"followup", report.Followup, wantFollowup,
			[]string{"I. Tổng hợp", "Đơn vị có 6 phát hiện đang mở, trong đó 3 phát hiện đã quá hạn xử lý.", "Bảng 2. Danh sách theo dõi khắc phục", "01/11/2026 04/11/2026", "Kết quả"},
			[]string{"Remediation follow-up list of Sở Khoa học và Công nghệ", "The organisation has 6 open findings, 3 of them overdue.", "Outcome", "Critical"}},
	} {
		t.Run(c.kind, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *database.DB) {
				ctx := context.Background()
				f := newOrgFixture(t, db)
				d, err := c.build(ctx, f.store, f.opA, f.orgA.ID, i18n.VI, now)
				must(t, err)
				text := docxText(t, d)
				assertHas(t, "DOCX", text, c.want)
				// The second agency's system and finding are not the first's.
				if strings.Contains(text, "Ninh Kiều") || strings.Contains(text, "Lỗ hổng của phường") {
					t.Error("the report shows another agency's data")
				}
				if pdf := pdfText(t, d); pdf != "" {
					assertHas(t, "PDF", pdf, c.pdf)
				}
				en, err := c.build(ctx, f.store, f.coordinator, f.orgA.ID, i18n.EN, now)
				must(t, err)
				assertHas(t, "English DOCX", docxText(t, en), c.en)
			})
		})
	}
}

// TestCityReport is the coordinator's report of the whole city: a row per agency, the
// second agency's system among the systems, and no row for the city itself (it has none).
func TestCityReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newOrgFixture(t, db)
		root, err := identity.RootOrg(context.Background(), f.store)
		must(t, err)
		d, err := report.Org(context.Background(), f.store, f.coordinator, root.ID, i18n.VI, now)
		must(t, err)
		text := docxText(t, d)
		assertHas(t, "DOCX", text, []string{
			"THÀNH PHỐ CẦN THƠ", "Số hệ thống đang sử dụng\n4",
			"Cổng thông tin phường Ninh Kiều\nUBND phường Ninh Kiều\nCấp độ 2\nĐang vận hành\nChưa rà soát\n1\n0\n0\n0\n1\nNghiêm trọng",
			"1\nSở Khoa học và Công nghệ\n3\n2\n1\n2\n2\n1\n7\n14\n3", "2\nUBND phường Ninh Kiều\n1\n0\n1\n0\n0\n0\n1\n0\n1",
			"Tổng cộng\n4\n2\n2\n2\n2\n1\n8\n12\n4",
			"Khắc phục ngay các lỗ hổng mức Nghiêm trọng trên 2 hệ thống (Cổng thông tin điện tử Sở KH&CN; Cổng thông tin phường Ninh Kiều);",
		})
		if strings.Contains(text, "(trực tiếp quản lý)") {
			t.Error("the city has a row of its own without systems")
		}
	})
}

func TestOrgReportScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newOrgFixture(t, db)
		for _, kind := range []string{"org", "followup"} {
			for _, c := range []struct {
				actor access.Actor
				org   int64
			}{{f.opB, f.orgA.ID}, {f.opB, f.unit.ID}, {f.opA, f.orgB.ID}} {
				for _, format := range []string{"docx", "xlsx"} {
					req := report.Request{Kind: kind, ID: c.org, Format: format}
					if _, err := report.Generate(ctx, f.store, c.actor, req, now); !errors.Is(err, access.ErrNotFound) {
						t.Errorf("%s generates the %s report of organisation %d: %v", c.actor.Email, kind, c.org, err)
					}
				}
			}
			// The unit's own report is the agency's to make, and holds only the unit's findings.
			file, err := report.Generate(ctx, f.store, f.opA, report.Request{Kind: kind, ID: f.unit.ID, Format: "xlsx"}, now)
			must(t, err)
			if file.Name != "bao-cao-"+kind+"-"+itoa(f.unit.ID)+".xlsx" {
				t.Fatalf("file %s", file.Name)
			}
			// The workbook opens; the follow-up list's data sheet has the empty column to fill.
			book, err := excelize.OpenReader(bytes.NewReader(file.Data))
			must(t, err)
			if kind == "followup" {
				sheets := book.GetSheetList()
				header, err := book.GetRows(sheets[len(sheets)-1])
				must(t, err)
				if len(header) < 5 || !slices.Contains(header[3], "Kết quả xử lý") || !slices.Contains(header[4], "Máy chủ chấp nhận TLS 1.0") {
					t.Errorf("follow-up sheets %v: %q", sheets, header)
				}
			}
			book.Close()
			d, err := report.Org(ctx, f.store, f.opA, f.unit.ID, i18n.VI, now)
			must(t, err)
			if text := docxText(t, d); strings.Contains(text, "Log4Shell") || !strings.Contains(text, "Máy chủ chấp nhận TLS 1.0") {
				t.Errorf("the unit's report:\n%s", text)
			}
		}
		entries, err := audit.List(ctx, f.store, f.coordinator, audit.Query{Action: "report."}, storage.Page{})
		must(t, err)
		if entries.Total != 2 || entries.Items[0].OrgID != f.unit.ID {
			t.Fatalf("audit: %+v", entries.Items)
		}
	})
}
