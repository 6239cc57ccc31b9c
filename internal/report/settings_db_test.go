package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// signed are the settings the Sở Khoa học và Công nghệ stores in these tests.
var signed = report.Settings{NumberPrefix: "BC-KHCN-ATTT", SignerAuthority: "KT. GIÁM ĐỐC", SignerTitle: "Phó Giám đốc", SignerName: "Trần Thị Minh Thư",
	Recipients: []string{"Sở Thông tin và Truyền thông", "Ban Chỉ đạo chuyển đổi số thành phố", "Lưu: VT, CNTT"}}

func TestReportSettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		orgA := f.sys.OrgID
		adminA := access.Actor{UserID: 10, Email: "qt@skhcn.cantho.gov.vn", Role: access.AgencyAdmin, OrgID: orgA, OrgPath: f.opA.OrgPath}
		adminB := access.Actor{UserID: 11, Email: "qt@ninhkieu.cantho.gov.vn", Role: access.AgencyAdmin, OrgID: f.opB.OrgID, OrgPath: f.opB.OrgPath}

		// Nothing stored: the defaults from the tree, for every reader of the organisation.
		v, err := report.GetSettings(ctx, f.store, f.opA, orgA, i18n.VI)
		must(t, err)
		want := report.Settings{Issuer: "Sở Khoa học và Công nghệ", Parent: "UBND thành phố Cần Thơ", Place: "Cần Thơ", NumberPrefix: "BC-SKHCN",
			SignerTitle: "Thủ trưởng cơ quan", Recipients: []string{"UBND thành phố Cần Thơ", "Lưu: VT"}}
		if !equal(v.Effective, want) || !equal(v.Defaults, want) || !equal(v.Stored, report.Settings{Recipients: []string{}}) || v.UpdatedAt != nil || v.CanEdit {
			t.Fatalf("defaults: %+v", v)
		}

		// Who may save: the agency's administrator and the coordinator, not its operator nor
		// another agency (which does not even see it).
		for _, c := range []struct {
			actor access.Actor
			want  error
		}{
			{f.opA, access.ErrForbidden},
			{adminB, access.ErrNotFound},
			{f.opB, access.ErrNotFound},
		} {
			if err := report.SaveSettings(ctx, f.store, c.actor, orgA, signed); !errors.Is(err, c.want) {
				t.Errorf("%s saves: %v, want %v", c.actor.Email, err, c.want)
			}
			if _, err := report.GetSettings(ctx, f.store, c.actor, orgA, i18n.VI); c.want == access.ErrNotFound && !errors.Is(err, c.want) {
				t.Errorf("%s reads: %v", c.actor.Email, err)
			}
		}

		// Bad input names its field and writes nothing.
		bad := signed
		bad.NumberPrefix, bad.Recipients = "BC SKHCN", []string{"Sở Tài chính", "Ban\x07Chỉ đạo"}
		err = report.SaveSettings(ctx, f.store, adminA, orgA, bad)
		es, ok := validation.As(err)
		if !ok || len(es) != 2 || es[0].Field != "number_prefix" || es[1].Field != "recipients.1" {
			t.Fatalf("bad input: %v", err)
		}

		must(t, report.SaveSettings(ctx, f.store, adminA, orgA, signed))
		v, err = report.GetSettings(ctx, f.store, f.coordinator, orgA, i18n.VI)
		must(t, err)
		if !equal(v.Stored, signed) || v.Effective.SignerName != "Trần Thị Minh Thư" || v.Effective.NumberPrefix != "BC-KHCN-ATTT" || v.Effective.Place != "Cần Thơ" ||
			!slices.Equal(v.Effective.Recipients, signed.Recipients) || v.UpdatedBy != adminA.Email || v.UpdatedAt == nil || !v.CanEdit {
			t.Fatalf("stored: %+v", v)
		}
		// The coordinator changes one field; the others fall back to their defaults.
		must(t, report.SaveSettings(ctx, f.store, f.coordinator, orgA, report.Settings{Place: "Ninh Kiều"}))
		v, err = report.GetSettings(ctx, f.store, adminA, orgA, i18n.VI)
		must(t, err)
		if v.Effective.Place != "Ninh Kiều" || v.Effective.SignerName != "" || v.Effective.NumberPrefix != "BC-SKHCN" {
			t.Fatalf("after the coordinator's change: %+v", v.Effective)
		}

		// Two saves, two entries, each with what was and what became.
		entries, err := audit.List(ctx, f.store, f.coordinator, audit.Query{Action: "report.settings"}, storage.Page{})
		must(t, err)
		if entries.Total != 2 || entries.Items[1].Actor != adminA.Email || entries.Items[1].OrgID != orgA || entries.Items[1].ObjectType != "org" {
			t.Fatalf("audit: %+v", entries.Items)
		}
		var details struct{ Old, New report.Settings }
		must(t, json.Unmarshal([]byte(entries.Items[0].Details), &details))
		if details.Old.SignerName != "Trần Thị Minh Thư" || details.New.Place != "Ninh Kiều" || details.New.SignerName != "" {
			t.Errorf("audit details: %s", entries.Items[0].Details)
		}
	})
}

// TestSystemReportSettings: a report prints the signer, number prefix and recipients its
// organisation stored.
func TestSystemReportSettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		must(t, report.SaveSettings(ctx, f.store, f.coordinator, f.sys.OrgID, signed))
		d, err := report.System(ctx, f.store, f.opA, f.sys.ID, i18n.VI, now)
		must(t, err)
		var docx strings.Builder
		must(t, document.WriteDOCX(&docx, d))
		text, err := document.DOCXText([]byte(docx.String()))
		must(t, err)
		assertHas(t, "DOCX", text, []string{"UBND THÀNH PHỐ CẦN THƠ", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số:       /BC-KHCN-ATTT", "Cần Thơ, ngày 03 tháng 12 năm 2026",
			"- Sở Thông tin và Truyền thông;", "- Ban Chỉ đạo chuyển đổi số thành phố;", "- Lưu: VT, CNTT.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Minh Thư"})
		if strings.Contains(text, "/BC-SKHCN") || strings.Contains(text, "THỦ TRƯỞNG CƠ QUAN") {
			t.Errorf("the defaults are still printed:\n%s", text)
		}
	})
}

func equal(a, b report.Settings) bool { return reflect.DeepEqual(a, b) }
