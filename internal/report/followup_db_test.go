package report

import (
	"context"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/report/document"
	"github.com/khien/khien/internal/storage"
)

// TestFollowupBound lists at most the bound, the most urgent first, and says how many more
// there are and where to find them.
func TestFollowupBound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		admin := access.SystemActor("test")
		check := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		root, err := identity.RootOrg(ctx, store)
		check(err)
		sys := inventory.System{OrgID: root.ID, Name: "Cổng dịch vụ công", Kind: "web_portal", Level: 3, Status: "operating"}
		check(inventory.CreateSystem(ctx, store, admin, &sys))
		_, err = finding.ImportObservations(ctx, store, admin, finding.ImportRequest{SystemID: sys.ID}, []source.Observation{
			{Tool: "khien", RuleID: "a", Title: "Lỗ hổng thấp", Severity: finding.Low, Host: "dvc.vn"},
			{Tool: "khien", RuleID: "b", Title: "Lỗ hổng nghiêm trọng", Severity: finding.Critical, Host: "dvc.vn"},
			{Tool: "khien", RuleID: "c", Title: "Lỗ hổng cao", Severity: finding.High, Host: "dvc.vn"},
		}, nil)
		check(err)
		now := store.Now()
		var d followupData
		check(store.InReadTx(ctx, func(tx *storage.Tx) error {
			d, err = readFollowup(ctx, tx, admin, root.ID, campaign.Day(now), 2)
			return err
		}))
		text, err := docxText(followupDocument(d, i18n.VI, now))
		check(err)
		for _, want := range []string{"Đơn vị có 3 phát hiện đang mở", "1\nCổng dịch vụ công\nNghiêm trọng\nLỗ hổng nghiêm trọng", "2\nCổng dịch vụ công\nCao\nLỗ hổng cao",
			"Còn 1 phát hiện đang mở khác chưa được liệt kê (danh sách gồm 2 phát hiện cần xử lý sớm nhất)"} {
			if !strings.Contains(text, want) {
				t.Errorf("lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "Lỗ hổng thấp") {
			t.Error("the least urgent finding is listed past the bound")
		}
	})
}

func docxText(d *document.Document) (string, error) {
	var b strings.Builder
	if err := document.WriteDOCX(&b, d); err != nil {
		return "", err
	}
	return document.DOCXText([]byte(b.String()))
}
