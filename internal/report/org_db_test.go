package report_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
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

func TestOrgReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newOrgFixture(t, db)
		d, err := report.Org(context.Background(), f.store, f.opA, f.orgA.ID, i18n.VI, now)
		must(t, err)
		text := docxText(t, d)
		t.Log(text)
		t.Log(pdfText(t, d))
	})
}
