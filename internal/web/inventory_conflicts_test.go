package web_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// TestBrowserConflicts: an agency importing an address another agency
// registered is warned without the other's name and sees the asset flagged;
// the coordinator marks it as shared infrastructure on the conflicts page
// and it is no longer listed, then takes the mark back and it is again.
func TestBrowserConflicts(t *testing.T) {
	s := newSite(t, apptest.New(t, "sqlite"))
	ctx := context.Background()
	admin := access.SystemActor("test")
	other := inventory.System{OrgID: s.b.ID, Name: "Cổng quận", Kind: "web_portal"}
	must(t, inventory.CreateSystem(ctx, s.store, admin, &other))
	must(t, inventory.AddAsset(ctx, s.store, admin, other.ID, &inventory.Asset{Kind: "ip", Value: "10.0.0.30"}))

	// filledTemplate registers 10.0.0.30 for SKHCN.
	data, err := os.ReadFile(filledTemplate(t, "10.0.0.30"))
	must(t, err)
	_, body := s.upload(t, "op-a", s.a.ID, "x.xlsx", data)
	if !strings.Contains(body, `id="warnings"`) || !strings.Contains(body, "10.0.0.30 đã được một đơn vị khác kê khai") || strings.Contains(body, "NINHKIEU") {
		t.Fatalf("preview warning: %s", body)
	}

	op := s.app.Browser(t, s.users["op-a"])
	must(t, chromedp.Do(op,
		chromedp.Navigate(s.url+"/inventory/import"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{filledTemplate(t, "10.0.0.30")}),
		chromedp.Click(chromedp.CSS(`#import-check`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-confirm`)),
		chromedp.Click(chromedp.CSS(`#import-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-done`)),
	))
	minePage, err := inventory.ListAssets(ctx, s.store, admin, inventory.AssetFilter{OrgID: s.a.ID, Kind: "ip"}, storage.First(500))
	mine := minePage.Items
	must(t, err)
	if len(mine) != 1 {
		t.Fatalf("imported: %+v", mine)
	}
	must(t, chromedp.Do(op, chromedp.Navigate(s.url+"/inventory/assets/"+itoa(mine[0].ID))))
	flag, err := chromedp.Run(op, chromedp.Text(chromedp.CSS(`#elsewhere`)))
	must(t, err)
	if !strings.Contains(flag, "đơn vị khác") || strings.Contains(flag, "NINHKIEU") {
		t.Fatalf("agency's flag: %q", flag)
	}

	coord := s.app.Browser(t, s.users["coord"])
	must(t, chromedp.Do(coord, chromedp.Navigate(s.url+"/inventory/conflicts")))
	listed, err := chromedp.Run(coord, chromedp.Text(chromedp.CSS(`#conflicts`)))
	must(t, err)
	if !strings.Contains(listed, "10.0.0.30") || !strings.Contains(listed, "NINHKIEU") || !strings.Contains(listed, "SKHCN") {
		t.Fatalf("conflicts: %q", listed)
	}
	must(t, chromedp.Do(coord,
		chromedp.SendKeys(chromedp.CSS(`form.shared input[name=note]`), "Reverse proxy"),
		chromedp.Click(chromedp.CSS(`form.shared button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	))
	listed, err = chromedp.Run(coord, chromedp.Text(chromedp.CSS(`#conflicts`)))
	must(t, err)
	if strings.Contains(listed, "10.0.0.30") {
		t.Fatalf("still listed after marking shared: %q", listed)
	}

	// The shared value is listed below, with its note; "no longer shared"
	// makes it a conflict again.
	shared, err := chromedp.Run(coord, chromedp.Text(chromedp.CSS(`#shared`)))
	must(t, err)
	if !strings.Contains(shared, "10.0.0.30") || !strings.Contains(shared, "Reverse proxy") {
		t.Fatalf("shared values: %q", shared)
	}
	must(t, chromedp.Do(coord,
		chromedp.Click(chromedp.CSS(`form.unshare button`)),
		chromedp.WaitVisible(chromedp.CSS(`#conflicts tr.conflict`)),
	))
	flash, err := chromedp.Run(coord, chromedp.Text(chromedp.CSS(`.flash`)))
	must(t, err)
	listed, err = chromedp.Run(coord, chromedp.Text(chromedp.CSS(`#conflicts`)))
	must(t, err)
	shared, err = chromedp.Run(coord, chromedp.Text(chromedp.CSS(`#shared`)))
	must(t, err)
	if !strings.Contains(flash, "Đã bỏ đánh dấu hạ tầng dùng chung") || !strings.Contains(listed, "10.0.0.30") || strings.Contains(shared, "10.0.0.30") {
		t.Fatalf("after unsharing: flash %q, conflicts %q, shared %q", flash, listed, shared)
	}
	must(t, chromedp.Do(op, chromedp.Navigate(s.url+"/inventory/assets/"+itoa(mine[0].ID)), chromedp.WaitVisible(chromedp.CSS(`#elsewhere`))))
}
