package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
)

func TestReport(t *testing.T) {
	cfg := dbtest.Config(t, "sqlite")
	ctx := context.Background()
	d, err := database.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	store := storage.New(d)
	admin := access.SystemActor("test")
	root, err := identity.RootOrg(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	org, err := identity.CreateOrg(ctx, store, admin, identity.OrgInput{ParentID: root.ID, Code: "SYT", Name: "Sở Y tế", Kind: identity.OrgDepartment})
	if err != nil {
		t.Fatal(err)
	}
	sys := inventory.System{OrgID: org.ID, Name: "Hồ sơ sức khỏe điện tử", Kind: "data_store", Level: 3}
	if err := inventory.CreateSystem(ctx, store, admin, &sys); err != nil {
		t.Fatal(err)
	}
	plan, err := campaign.Create(ctx, store, admin, campaign.CreateInput{Input: campaign.Input{Title: "Kế hoạch rà soát năm 2026", Year: 2026, OrgIDs: []int64{org.ID}, Template: "yearly_review"}})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	id := strconv.FormatInt(sys.ID, 10)
	out := filepath.Join(t.TempDir(), "bao-cao.docx")
	pdf := filepath.Join(t.TempDir(), "bao-cao-ke-hoach.pdf")
	orgID, orgOut := strconv.FormatInt(org.ID, 10), filepath.Join(t.TempDir(), "bao-cao-don-vi")

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", "--kind", "incident", "--id", id, "-o", out}, 1, `loại báo cáo "incident" chưa được hỗ trợ; hiện có: `},
		{[]string{"report", "--kind", "incident", "--id", id, "-o", out, "--lang", "en"}, 1, `report kind "incident" is not supported yet; supported: `},
		{[]string{"report", "--kind", "org", "--id", orgID, "--format", "pdf", "-o", orgOut}, 0, "đã ghi báo cáo vào " + orgOut},
		{[]string{"report", "--kind", "followup", "--id", orgID, "--format", "xlsx", "-o", orgOut, "--lang", "en"}, 0, "report written to " + orgOut},
		{[]string{"report", "--kind", "campaign", "--id", strconv.FormatInt(plan.ID, 10), "--format", "pdf", "-o", pdf}, 0, "đã ghi báo cáo vào " + pdf},
		{[]string{"report", "--id", id, "--format", "odt", "-o", out}, 1, `định dạng "odt" không hợp lệ`},
		{[]string{"report", "--id", "99999", "-o", out}, 1, ""},
		{[]string{"report", "--kind", "system", "--id", id, "--format", "docx", "-o", out}, 0, "đã ghi báo cáo vào " + out},
	} {
		code, msg := run(append(c.args, configArgs(cfg)...)...)
		if code != c.code || !strings.Contains(msg, c.want) {
			t.Errorf("%s: exit %d: %s", strings.Join(c.args, " "), code, msg)
		}
	}
	if data, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("the campaign report: %v", err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text, err := document.DOCXText(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SỞ Y TẾ", "Kết quả đánh giá an toàn thông tin hệ thống Hồ sơ sức khỏe điện tử", "Xếp loại chung của hệ thống: Đạt."} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
}
