package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/inventory"
)

// TestBrowserArchiveAndDeleteSystem: an operator archives a system (it
// leaves the list, shows as archived, comes back with the filter), restores
// it, then deletes it after a confirmation page that names what goes.
func TestBrowserArchiveAndDeleteSystem(t *testing.T) {
	s := newSite(t, apptest.New(t, "sqlite"))
	ctx := context.Background()
	op := s.users["op-a"].Actor(t, s.app)
	sys := inventory.System{OrgID: s.a.ID, Name: "Phần mềm cũ", Kind: "internal_app"}
	must(t, inventory.CreateSystem(ctx, s.store, op, &sys))
	must(t, inventory.AddAsset(ctx, s.store, op, sys.ID, &inventory.Asset{Kind: "ip", Value: "10.20.30.40"}))
	must(t, inventory.SetControl(ctx, s.store, op, &inventory.Control{SystemID: sys.ID, Control: "backup", Status: "yes"}))
	sysURL := fmt.Sprintf("%s/inventory/systems/%d", s.url, sys.ID)

	b := s.app.Browser(t, s.users["op-a"])
	must(t, chromedp.Do(b,
		chromedp.Navigate(sysURL),
		chromedp.Click(chromedp.CSS(`#archive`)),
		chromedp.WaitVisible(chromedp.CSS(`#archived`)),
	))
	archived, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#archived`)))
	must(t, err)
	must(t, chromedp.Do(b, chromedp.Navigate(s.url+"/inventory")))
	list, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`main`)))
	must(t, err)
	must(t, chromedp.Do(b, chromedp.Navigate(s.url+"/inventory?archived=1")))
	archivedList, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`main`)))
	must(t, err)
	if !strings.Contains(archived, "đã được lưu trữ") || strings.Contains(list, sys.Name) || !strings.Contains(archivedList, sys.Name) {
		t.Fatalf("archived: %q; list has it: %v; archived list has it: %v", archived, strings.Contains(list, sys.Name), strings.Contains(archivedList, sys.Name))
	}

	must(t, chromedp.Do(b,
		chromedp.Navigate(sysURL),
		chromedp.Click(chromedp.CSS(`#restore`)),
		chromedp.WaitVisible(chromedp.CSS(`#archive`)),
		chromedp.Click(chromedp.CSS(`#delete`)),
		chromedp.WaitVisible(chromedp.CSS(`#delete-confirm`)),
	))
	removal, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#removal`)))
	must(t, err)
	for _, want := range []string{"1 tài sản chỉ thuộc hệ thống này sẽ bị xóa", "10.20.30.40", "1 biện pháp bảo vệ sẽ bị xóa", "Sao lưu"} {
		if !strings.Contains(removal, want) {
			t.Errorf("confirmation lacks %q: %q", want, removal)
		}
	}
	if _, err := inventory.GetSystem(ctx, s.store, op, sys.ID); err != nil {
		t.Fatalf("the confirmation page deleted: %v", err)
	}
	must(t, chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`#delete-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	))
	if _, err := inventory.GetSystem(ctx, s.store, op, sys.ID); err == nil {
		t.Fatal("system not deleted")
	}
}
