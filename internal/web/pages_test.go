package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
)

// fixtures is agency A's inventory: a sub-unit that operates a system, an
// organisation merged into the sub-unit, a contact person with a
// qualification, two systems sharing one server.
type fixtures struct {
	site
	child, merged identity.Org
	portal, maps  inventory.System
	asset         inventory.Asset
	person        inventory.Staff
}

func seed(t *testing.T, app *apptest.App) fixtures {
	t.Helper()
	ctx, sys := context.Background(), access.SystemActor("test")
	f := fixtures{site: newSite(t, app)}
	f.child = app.ChildOrg(t, f.a.ID, "SKHCN-TTCNS", "Trung tâm Chuyển đổi số")
	f.merged = app.ChildOrg(t, f.a.ID, "SKHCN-TTTT", "Trung tâm Thông tin cũ")
	f.person = inventory.Staff{OrgID: f.a.ID, Name: "Nguyễn Văn An", Position: "Chuyên viên", Email: "an@skhcn.cantho.gov.vn"}
	must(t, inventory.CreateStaff(ctx, f.store, sys, &f.person))
	must(t, inventory.AddQualification(ctx, f.store, sys, &inventory.Qualification{StaffID: f.person.ID, Course: "An toàn thông tin cơ bản", CompletedOn: "2025-03-01"}))
	f.portal = inventory.System{OrgID: f.a.ID, Name: "Cổng dịch vụ công", Kind: "web_portal", Level: 2, Status: "operating",
		OperatorOrgID: f.child.ID, ContactStaffID: f.person.ID, GoLive: "2024-07-15"}
	f.maps = inventory.System{OrgID: f.a.ID, Name: "Bản đồ số", Kind: "web_portal", Level: 2, Status: "operating"}
	for _, s := range []*inventory.System{&f.portal, &f.maps} {
		must(t, inventory.CreateSystem(ctx, f.store, sys, s))
		f.asset = inventory.Asset{Kind: "ip", Value: "10.20.0.10"}
		must(t, inventory.AddAsset(ctx, f.store, sys, s.ID, &f.asset))
	}
	_, err := inventory.MergeOrgs(ctx, f.store, sys, f.merged.ID, f.child.ID)
	must(t, err)
	return f
}

// writeActions lists what a page offers that changes data: forms posted
// anywhere but sign-out and the report buttons (a report reads the data, as
// every role may), buttons outside search forms, links to forms (but
// the language switch, which links to the page itself).
const writeActions = `(() => {
  const out = [];
  const post = f => f && (f.getAttribute('method') || 'get').toLowerCase() === 'post' && !['/logout', '/reports'].includes(f.getAttribute('action'));
  for (const f of document.querySelectorAll('form')) if (post(f)) out.push('form ' + f.getAttribute('action'));
  for (const b of document.querySelectorAll('button')) { const f = b.closest('form'); if (!f || post(f)) out.push('button ' + b.textContent.trim()); }
  for (const a of document.querySelectorAll('a[href]')) { if (a.closest('nav.lang')) continue; const h = a.getAttribute('href'); if (/\/(new|edit)(\?|$)|^\/inventory\/import/.test(h)) out.push('link ' + h); }
  return out;
})()`

// pageActions visits each path in the browser and returns the write actions
// it offers, failing when a page lost the signed-in layout.
func pageActions(t *testing.T, ctx context.Context, base string, paths []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range paths {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+p), chromedp.WaitReady(`body`)))
		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](writeActions))
		must(t, err)
		menu, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('nav.sidebar a[href="/inventory"]')`))
		must(t, err)
		if !menu {
			t.Errorf("%s: no signed-in menu", p)
		}
		out[p] = found
	}
	return out
}

// TestBrowserPagesMatchRights: a viewer is offered no change anywhere in the
// inventory or the administration; agency officers are offered no
// organisation changes; the pages offer writers what they may do.
func TestBrowserPagesMatchRights(t *testing.T) {
	app := apptest.New(t, "sqlite")
	f := seed(t, app)
	viewer := app.User(t, access.Viewer, f.a.ID)
	agencyAdmin := app.User(t, access.AgencyAdmin, f.a.ID)
	sysPath, assetPath, personPath, orgPath := "/inventory/systems/"+itoa(f.portal.ID), "/inventory/assets/"+itoa(f.asset.ID), "/inventory/staff/"+itoa(f.person.ID), "/admin/orgs/"+itoa(f.a.ID)
	inventoryPages := []string{"/inventory", sysPath, sysPath + "/edit", "/inventory/systems/new", "/inventory/assets", assetPath,
		"/inventory/staff", personPath, "/inventory/import", "/inventory/merge", "/inventory/conflicts", "/inventory/nowhere"}
	adminPages := []string{"/admin", "/admin/orgs", orgPath, "/admin/orgs/" + itoa(f.child.ID), "/admin/users"}
	offered := func(found []string, prefix string) bool {
		for _, a := range found {
			if strings.HasPrefix(a, prefix) {
				return true
			}
		}
		return false
	}

	responder := app.User(t, access.Responder, app.Root.ID)
	app.Assign(t, responder, f.a.ID)
	for _, u := range []*apptest.User{viewer, responder} {
		t.Run(string(u.Role), func(t *testing.T) {
			for p, found := range pageActions(t, app.Browser(t, u), app.URL, append(inventoryPages, adminPages...)) {
				if len(found) > 0 {
					t.Errorf("%s on %s is offered %q", u.Role, p, found)
				}
			}
		})
	}
	for _, u := range []*apptest.User{f.users["op-a"], agencyAdmin} {
		t.Run(string(u.Role), func(t *testing.T) {
			ctx := app.Browser(t, u)
			for p, found := range pageActions(t, ctx, app.URL, adminPages) {
				if offered(found, "form /admin/orgs") {
					t.Errorf("%s on %s is offered organisation changes: %q", u.Role, p, found)
				}
			}
			got := pageActions(t, ctx, app.URL, []string{"/inventory", sysPath, personPath})
			if !offered(got["/inventory"], "link /inventory/systems/new") || !offered(got[sysPath], "form "+sysPath+"/assets") || !offered(got[personPath], "form "+personPath) {
				t.Errorf("%s is not offered the inventory changes it may make: %q", u.Role, got)
			}
			must(t, chromedp.Do(ctx, chromedp.Navigate(app.URL+"/admin")))
			tile, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.grid .tile`)))
			must(t, err)
			if strings.Contains(tile, "tạo") || strings.Contains(tile, "chuyển") {
				t.Errorf("%s's administration card offers to create or move organisations: %q", u.Role, tile)
			}
		})
	}
	t.Run("coordinator", func(t *testing.T) {
		coord := app.User(t, access.Coordinator, app.Root.ID)
		got := pageActions(t, app.Browser(t, coord), app.URL, []string{"/admin/orgs", "/admin/orgs/" + itoa(f.child.ID), "/inventory/merge"})
		if !offered(got["/admin/orgs"], "form /admin/orgs") || !offered(got["/admin/orgs/"+itoa(f.child.ID)], "form /admin/orgs/"+itoa(f.child.ID)+"/move") || !offered(got["/inventory/merge"], "form /inventory/merge") {
			t.Errorf("coordinator is not offered organisation changes: %q", got)
		}
	})
}

// TestObjectPagesNameRelatedObjects: pages name what an object links to,
// never a bare "#7".
func TestObjectPagesNameRelatedObjects(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		f := seed(t, app)
		tests := []struct {
			path string
			want []string
		}{
			{"/inventory/assets/" + itoa(f.asset.ID), []string{
				`<a href="/inventory/systems/` + itoa(f.maps.ID) + `">Bản đồ số</a>, <a href="/inventory/systems/` + itoa(f.portal.ID) + `">Cổng dịch vụ công</a>`}},
			{"/inventory/assets", []string{`>Bản đồ số</a>, <a`}},
			{"/inventory/systems/" + itoa(f.portal.ID), []string{">Trung tâm Chuyển đổi số</a> (SKHCN-TTCNS)",
				`<a href="/inventory/staff/` + itoa(f.person.ID) + `">Nguyễn Văn An</a> (an@skhcn.cantho.gov.vn)`, "15/07/2024"}},
			{"/inventory/staff/" + itoa(f.person.ID), []string{"01/03/2025"}},
			{"/admin/orgs/" + itoa(f.a.ID), []string{"Đang hoạt động", `id="org-children"`, ">Trung tâm Chuyển đổi số</a>", ">Trung tâm Thông tin cũ</a>",
				`">Bản đồ số</a>`, `">Cổng dịch vụ công</a>`, `">Nguyễn Văn An</a>`}},
			{"/admin/orgs/" + itoa(f.merged.ID), []string{"đã sáp nhập vào Trung tâm Chuyển đổi số (SKHCN-TTCNS) ngày"}},
			{"/admin/orgs/" + itoa(f.child.ID), []string{"Sáp nhập từ", "Trung tâm Thông tin cũ (<code>SKHCN-TTTT</code>)"}},
		}
		for _, tt := range tests {
			resp, body := f.do(t, "coord", "GET", tt.path, nil, "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", tt.path, resp.StatusCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %q", tt.path, w)
				}
			}
			if strings.Contains(body, ">#") {
				t.Errorf("%s names an object by number", tt.path)
			}
		}
		// Systems list by name: "Bản đồ số" before "Cổng dịch vụ công".
		_, body := f.do(t, "coord", "GET", "/admin/orgs/"+itoa(f.a.ID), nil, "")
		if i, j := strings.Index(body, ">Bản đồ số<"), strings.Index(body, ">Cổng dịch vụ công<"); i < 0 || j < i {
			t.Errorf("organisation page lists systems out of order")
		}
	})
}

// TestBrowserSmallScreen: at 360 px the page does not scroll sideways, the
// menu is folded away and the menu button opens it.
func TestBrowserSmallScreen(t *testing.T) {
	app := apptest.New(t, "sqlite")
	f := seed(t, app)
	ctx := app.Browser(t, f.users["op-a"])
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)))
	for _, p := range []string{"/", "/inventory", "/inventory/systems/" + itoa(f.portal.ID), "/inventory/systems/" + itoa(f.portal.ID) + "/edit",
		"/inventory/assets", "/inventory/assets/" + itoa(f.asset.ID), "/inventory/staff", "/inventory/import", "/admin", "/admin/orgs", "/admin/orgs/" + itoa(f.a.ID),
		"/account", "/account/tokens", "/nowhere"} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(app.URL+p), chromedp.WaitReady(`body`)))
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		must(t, err)
		if overflow[0] > overflow[1] {
			t.Errorf("%s at 360 px: %d px wide in a %d px window", p, overflow[0], overflow[1])
		}
		hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('nav.sidebar')).display === 'none'`))
		must(t, err)
		if !hidden {
			t.Errorf("%s at 360 px: the menu is open before it is asked for", p)
		}
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`label.menu-button`)), chromedp.WaitVisible(chromedp.CSS(`nav.sidebar a[href="/inventory"]`))))
	// Signed out there is no menu to fold; the sign-in page fits too.
	out := app.NewBrowser(t)
	must(t, chromedp.Do(out, chromedp.EmulateViewport(360, 740), chromedp.Navigate(app.URL+"/login"), chromedp.WaitVisible(`input[name=email]`)))
	if fits, err := chromedp.Run(out, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= document.documentElement.clientWidth && !document.querySelector('.menu-button')`)); err != nil || !fits {
		t.Errorf("sign-in page at 360 px: fits and has no menu button = %v (%v)", fits, err)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav.sidebar a[href="/inventory"]`)), chromedp.WaitReady(`table`)))
}

// TestErrorAndOptionalPages: "not found" and "forbidden" keep a signed-in
// user's layout; the MFA page of a role that need not enrol says it is
// optional and recommended.
func TestErrorAndOptionalPages(t *testing.T) {
	app := apptest.New(t, "sqlite")
	s := newSite(t, app)
	viewer := app.User(t, access.Viewer, s.a.ID)
	s.sessions["viewer"] = app.SessionCookie(t, viewer)
	tests := []struct {
		who, path string
		status    int
		want      []string
	}{
		{"viewer", "/khong-co-trang-nay", http.StatusNotFound, []string{`class="sidebar"`, "/logout", "Không tìm thấy"}},
		{"viewer", "/inventory/systems/999999", http.StatusNotFound, []string{`class="sidebar"`, "/logout"}},
		{"viewer", "/inventory/merge", http.StatusForbidden, []string{`class="sidebar"`, "/logout"}},
		{"viewer", "/account/mfa", http.StatusOK, []string{`id="mfa-optional"`, "không bắt buộc", "nên bật"}},
		{"coord", "/khong-co-trang-nay", http.StatusNotFound, []string{`class="sidebar"`}},
	}
	for _, tt := range tests {
		resp, body := s.do(t, tt.who, "GET", tt.path, nil, "")
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.who, tt.path, resp.StatusCode, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %s lacks %q", tt.who, tt.path, w)
			}
		}
	}
	if _, body := s.do(t, "coord", "GET", "/account/mfa", nil, ""); strings.Contains(body, "mfa-optional") {
		t.Error("the coordinator, who must enrol, is told MFA is optional")
	}
}

// TestAdminTilesMatchRights: the administration page offers the users and the
// audit log to exactly the roles the routes let in.
func TestAdminTilesMatchRights(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
	tests := []struct {
		role         access.Role
		users, audit bool
	}{
		{access.Admin, true, true},
		{access.Coordinator, true, true},
		{access.AgencyAdmin, true, false},
		{access.AgencyOperator, false, false},
		{access.Auditor, false, false},
		{access.Responder, false, false},
		{access.Viewer, false, false},
	}
	for _, tt := range tests {
		orgID := org.ID
		if tt.role.Assignable() || tt.role == access.Admin || tt.role == access.Coordinator {
			orgID = app.Root.ID
		}
		c := app.Client(t, app.User(t, tt.role, orgID))
		resp, err := c.Get(app.URL + "/admin")
		must(t, err)
		var body strings.Builder
		_, err = io.Copy(&body, resp.Body)
		resp.Body.Close()
		must(t, err)
		if got := strings.Contains(body.String(), `href="/admin/users"`); got != tt.users {
			t.Errorf("%s: users tile shown = %v, want %v", tt.role, got, tt.users)
		}
		if got := strings.Contains(body.String(), `href="/admin/audit"`); got != tt.audit {
			t.Errorf("%s: audit tile shown = %v, want %v", tt.role, got, tt.audit)
		}
	}
}
