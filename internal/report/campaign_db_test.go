package report_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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
)

type campaignFixture struct {
	fixture
	campaign campaign.Campaign
	police   access.Actor // the coordinator at the city police, who runs the campaign
	outsider access.Actor // an agency outside the campaign
}

// newCampaignFixture is the system fixture with the city's yearly review of 2026 over both
// agencies, run by a coordinator of the city police: the first agency's system was scanned
// in the campaign's scanning period; the second agency has a system, never scanned, with
// Log4Shell too.
func newCampaignFixture(t *testing.T, db *database.DB) campaignFixture {
	ctx := context.Background()
	f := campaignFixture{fixture: newFixture(t, db)}
	admin := access.SystemActor("test")
	police, err := identity.CreateOrg(ctx, f.store, admin, identity.OrgInput{ParentID: f.coordinator.OrgID, Code: "catp", Name: "Công an thành phố Cần Thơ", Kind: identity.OrgDepartment})
	must(t, err)
	u, err := identity.CreateUser(ctx, f.store, admin, identity.UserInput{Email: "anm@catp.cantho.gov.vn", Name: "Phòng An ninh mạng", Role: access.Coordinator, OrgID: police.ID, PasswordHash: "x"})
	must(t, err)
	f.police = access.Actor{UserID: u.ID, Email: u.Email, Role: access.Coordinator, OrgID: police.ID, OrgPath: police.Path}
	other, err := identity.CreateOrg(ctx, f.store, admin, identity.OrgInput{ParentID: f.coordinator.OrgID, Code: "syt", Name: "Sở Y tế", Kind: identity.OrgDepartment})
	must(t, err)
	f.outsider = access.Actor{UserID: 10, Email: "op@syt.vn", Role: access.AgencyOperator, OrgID: other.ID, OrgPath: other.Path}

	f.store.SetClock(func() time.Time { return time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC) })
	ward := inventory.System{OrgID: f.opB.OrgID, Name: "Cổng dịch vụ công phường Ninh Kiều", Kind: "web_portal", Level: 2, Status: "operating"}
	must(t, inventory.CreateSystem(ctx, f.store, admin, &ward))
	_, err = finding.ImportObservations(ctx, f.store, admin, finding.ImportRequest{SystemID: ward.ID}, []source.Observation{
		{Tool: "nuclei", RuleID: "CVE-2021-44228", Title: "Log4Shell trên máy chủ ứng dụng", Severity: finding.Critical, CVEs: []string{"CVE-2021-44228"}, Host: "dvc.ninhkieu.cantho.gov.vn", Port: 8080},
	}, nil)
	must(t, err)
	f.campaign, err = campaign.Create(ctx, f.store, f.police, campaign.CreateInput{Input: campaign.Input{Title: "Kế hoạch rà soát, đánh giá an toàn thông tin năm 2026", Year: 2026,
		OrgIDs: []int64{f.sys.OrgID, f.opB.OrgID}, Template: "yearly_review", DocumentNo: "45/KH-UBND", DocumentDate: "2026-04-15", IssuingBody: "UBND thành phố Cần Thơ"}})
	must(t, err)
	must(t, f.store.InTx(ctx, func(tx *storage.Tx) error {
		at := time.Date(2026, 11, 15, 3, 0, 0, 0, time.UTC)
		_, err := tx.Exec(ctx, "INSERT INTO scans (system_id, profile, status, actor, created_at, finished_at, updated_at) VALUES (?, 'standard', 'done', 'test', ?, ?, ?)", f.sys.ID, at, at, at)
		return err
	}))
	f.store.SetClock(func() time.Time { return now })
	return f
}

// wantCampaign is what the Vietnamese report of the fixture's campaign says, exactly.
var wantCampaign = []string{
	"UBND THÀNH PHỐ CẦN THƠ", "CÔNG AN THÀNH PHỐ CẦN THƠ", "Số:       /BC-CATP", "Cần Thơ, ngày 03 tháng 12 năm 2026",
	"BÁO CÁO", "Tổng hợp kết quả thực hiện Kế hoạch rà soát, đánh giá an toàn thông tin năm 2026",
	"Số liệu tính đến 09:00 ngày 03/12/2026.",
	"I. Thông tin kế hoạch", "Bảng 1. Thông tin chung của kế hoạch", "45/KH-UBND ngày 15/04/2026", "Đang thực hiện",
	"1. Các giai đoạn và thời hạn", "Bảng 2. Các giai đoạn của kế hoạch", "Báo cáo kết quả thực hiện (trước ngày 10/10)", "Hạn hoàn thành", "09/10/2026", "0/2",
	"II. Phạm vi, phương pháp thực hiện", "Kế hoạch áp dụng đối với 2 cơ quan, đơn vị với 2 hệ thống thông tin đang sử dụng.",
	"trong thời gian rà quét của kế hoạch (từ ngày 01/06/2026 đến ngày 31/12/2026)",
	"III. Kết quả rà soát, đánh giá theo cơ quan, đơn vị", "Đã rà soát 1/2 hệ thống (50%); tổng số 6 phát hiện, đã khắc phục 16%; 3 phát hiện đã quá hạn xử lý.",
	"Bảng 3. Kết quả rà soát, đánh giá theo cơ quan, đơn vị", "Sở Khoa học và Công nghệ", "UBND phường Ninh Kiều", "Tỷ lệ đã rà soát (%)", "Đã khắc phục (%)",
	"Bảng 4. Phát hiện theo mức độ nghiêm trọng và cơ quan, đơn vị",
	"IV. Tiến độ thực hiện nhiệm vụ của các cơ quan, đơn vị", "Tiến độ thực hiện nhiệm vụ của 2 cơ quan, đơn vị theo từng giai đoạn (Bảng 5); có 6 nhiệm vụ đã quá hạn.",
	"Bảng 5. Tiến độ thực hiện nhiệm vụ theo cơ quan, đơn vị", "Giai đoạn 1", "Quá hạn", "Chưa thực hiện",
	"V. Các nguy cơ nổi bật", "Bảng 6. Các lỗ hổng, điểm yếu xuất hiện trên nhiều hệ thống nhất", "CVE-2021-44228", "exposure.git",
	"VI. Xu hướng", "Hình 1. Phát hiện theo mức độ và trạng thái", "Hình 2. Phát hiện mới và đã xử lý theo tháng",
	"VII. Kiến nghị, đề xuất",
	"Còn 3 phát hiện đã quá hạn xử lý; đề nghị các cơ quan, đơn vị sau khẩn trương khắc phục và cập nhật trạng thái trên Khiên: UBND phường Ninh Kiều (1), Sở Khoa học và Công nghệ (2).",
	"Còn 1 hệ thống chưa được rà quét trong thời gian của kế hoạch: Cổng dịch vụ công phường Ninh Kiều;",
	"Các điểm yếu phổ biến nhất: Log4Shell trên máy chủ ứng dụng (2 hệ thống);",
	"Đề nghị UBND phường Ninh Kiều, Sở Khoa học và Công nghệ hoàn thành các nhiệm vụ đã quá hạn của kế hoạch.",
	"Nơi nhận:", "- UBND thành phố Cần Thơ;", "- Lưu: VT.",
}

func TestCampaignReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newCampaignFixture(t, db)
		file, err := report.Generate(ctx, f.store, f.coordinator, report.Request{Kind: "campaign", ID: f.campaign.ID, Format: "docx"}, now)
		must(t, err)
		text, err := document.DOCXText(file.Data)
		must(t, err)
		assertHas(t, "DOCX", text, wantCampaign)
		// Log4Shell is on both systems: the first risk, on 2 systems of 2 organisations.
		if i := strings.Index(text, "CVE-2021-44228"); i < 0 || strings.Index(text, "exposure.git") < i {
			t.Error("risks out of order")
		}

		if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
			pdf, err := report.Generate(ctx, f.store, f.coordinator, report.Request{Kind: "campaign", ID: f.campaign.ID, Format: "pdf"}, now)
			must(t, err)
			path := filepath.Join(t.TempDir(), "report.pdf")
			must(t, os.WriteFile(path, pdf.Data, 0o600))
			out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
			must(t, err)
			assertHas(t, "PDF", string(out), []string{"CÔNG AN THÀNH PHỐ CẦN THƠ", "I. Thông tin kế hoạch", "Bảng 3. Kết quả rà soát, đánh giá theo cơ quan, đơn vị",
				"Sở Khoa học và Công nghệ", "V. Các nguy cơ nổi bật", "CVE-2021-44228", "VII. Kiến nghị, đề xuất"})
		} else {
			t.Log("pdftotext is not installed (poppler-utils): the PDF's text is not checked")
		}

		en, err := report.Generate(ctx, f.store, f.coordinator, report.Request{Kind: "campaign", ID: f.campaign.ID, Format: "docx", Lang: i18n.EN}, now)
		must(t, err)
		text, err = document.DOCXText(en.Data)
		must(t, err)
		assertHas(t, "English DOCX", text, []string{"REPORT", "Consolidated results of Kế hoạch rà soát", "I. The campaign", "1 of 2 systems reviewed (50%); 6 findings in all, 16% fixed; 3 findings past their due date.",
			"V. Top risks", "VII. Recommendations", "Data as of 09:00 on 03/12/2026."})
	})
}

func TestCampaignReportScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newCampaignFixture(t, db)
		req := report.Request{Kind: "campaign", ID: f.campaign.ID, Format: "docx"}
		if _, err := report.Generate(ctx, f.store, f.outsider, req, now); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("an agency outside the campaign: %v", err)
		}
		// An agency taking part gets its own part, issued by itself, without the other's rows.
		file, err := report.Generate(ctx, f.store, f.opA, req, now)
		must(t, err)
		text, err := document.DOCXText(file.Data)
		must(t, err)
		assertHas(t, "agency DOCX", text, []string{"SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số:       /BC-SKHCN",
			"Kế hoạch áp dụng đối với 1 cơ quan, đơn vị với 1 hệ thống thông tin đang sử dụng.",
			"Báo cáo này chỉ gồm số liệu của các cơ quan, đơn vị thuộc phạm vi quản lý của đơn vị lập báo cáo.",
			"Đã rà soát 1/1 hệ thống (100%); tổng số 5 phát hiện, đã khắc phục 20%; 2 phát hiện đã quá hạn xử lý."})
		for _, other := range []string{"Ninh Kiều", "2 hệ thống"} {
			if strings.Contains(text, other) {
				t.Errorf("the agency's report shows %q", other)
			}
		}
		entries, err := audit.List(ctx, f.store, f.coordinator, audit.Query{Action: "report."}, storage.Page{})
		must(t, err)
		if entries.Total != 1 || entries.Items[0].Actor != "op@a.vn" || entries.Items[0].OrgID != f.sys.OrgID || entries.Items[0].ObjectType != "campaign" {
			t.Fatalf("audit: %+v", entries.Items)
		}
		// A draft is the coordinator's alone.
		draft, err := campaign.Create(ctx, f.store, f.police, campaign.CreateInput{Input: campaign.Input{Title: "Kế hoạch dự thảo", Year: 2026, OrgIDs: []int64{f.sys.OrgID}, Status: campaign.Draft},
			Phases: []campaign.PhaseInput{{Kind: "scanning", Title: "Rà quét", DueOn: "2026-12-31"}}})
		must(t, err)
		if _, err := report.Generate(ctx, f.store, f.opA, report.Request{Kind: "campaign", ID: draft.ID, Format: "pdf"}, now); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("an agency's draft campaign: %v", err)
		}
	})
}

// A campaign that lists its systems covers those alone, as campaign.SystemsOf counts them.
func TestCampaignReportListedSystems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newCampaignFixture(t, db)
		listed, err := campaign.Create(ctx, f.store, f.police, campaign.CreateInput{Input: campaign.Input{Title: "Rà soát cổng thông tin", Year: 2026,
			OrgIDs: []int64{f.sys.OrgID, f.opB.OrgID}, SystemIDs: []int64{f.sys.ID}},
			Phases: []campaign.PhaseInput{{Kind: "scanning", Title: "Rà quét", StartsOn: "2026-11-01", DueOn: "2026-11-30"}}})
		must(t, err)
		ids, err := campaign.SystemsOf(ctx, f.store, listed.ID)
		must(t, err)
		file, err := report.Generate(ctx, f.store, f.coordinator, report.Request{Kind: "campaign", ID: listed.ID, Format: "docx"}, now)
		must(t, err)
		text, err := document.DOCXText(file.Data)
		must(t, err)
		assertHas(t, "DOCX", text, []string{"Kế hoạch áp dụng đối với 2 cơ quan, đơn vị với " + itoa(int64(len(ids))) + " hệ thống thông tin đang sử dụng.",
			"(từ ngày 01/11/2026 đến ngày 30/11/2026)", "Đã rà soát 1/1 hệ thống (100%); tổng số 5 phát hiện, đã khắc phục 20%; 2 phát hiện đã quá hạn xử lý."})
		if strings.Contains(text, "Cổng dịch vụ công phường Ninh Kiều") {
			t.Error("a system the campaign does not list is in the report")
		}
	})
}
