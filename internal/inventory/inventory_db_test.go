package inventory_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// fixture is a small province: ROOT with two agencies.
type fixture struct {
	store      *storage.Store
	root, a, b identity.Org
	admin      access.Actor
	operatorA  access.Actor
}

func newFixture(t *testing.T, db *database.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{store: storage.New(db), admin: access.SystemActor("test")}
	var err error
	f.root, err = identity.RootOrg(ctx, f.store)
	must(t, err)
	f.a, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: f.root.ID, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
	must(t, err)
	f.b, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: f.root.ID, Code: "NINHKIEU", Name: "UBND Quận Ninh Kiều", Kind: identity.OrgDistrict})
	must(t, err)
	f.operatorA = access.Actor{UserID: 7, Email: "op@a.vn", Role: access.AgencyOperator, OrgID: f.a.ID, OrgPath: f.a.Path}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSystemsAndAssets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		sys := inventory.System{OrgID: f.a.ID, Name: "Cổng thông tin điện tử Cần Thơ", Kind: "web_portal", Level: 3, LevelDecision: "123/QĐ-UBND", LevelDecisionDate: "15/01/2025"}
		must(t, inventory.CreateSystem(ctx, f.store, f.operatorA, &sys))
		if sys.ID == 0 || sys.LevelDecisionDate != "2025-01-15" || sys.Status != "operating" {
			t.Fatalf("created %+v", sys)
		}
		// Same name (folded) twice is refused.
		dupe := inventory.System{OrgID: f.a.ID, Name: "cong thong tin dien tu can tho", Kind: "web_portal"}
		if err := inventory.CreateSystem(ctx, f.store, f.operatorA, &dupe); err == nil {
			t.Fatal("duplicate system name accepted")
		}
		// Another agency's org is out of scope: not found, not forbidden.
		other := inventory.System{OrgID: f.b.ID, Name: "Phần mềm một cửa", Kind: "internal_app"}
		if err := inventory.CreateSystem(ctx, f.store, f.operatorA, &other); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("create in other agency: %v", err)
		}
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &other))
		if _, err := inventory.GetSystem(ctx, f.store, f.operatorA, other.ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("read other agency's system: %v", err)
		}
		// Search ignores diacritics.
		res, err := inventory.ListSystems(ctx, f.store, f.admin, inventory.SystemFilter{Query: "can tho", Level: -1}, storage.Page{})
		list, total := res.Items, res.Total
		must(t, err)
		if total != 1 || list[0].ID != sys.ID || list[0].OrgCode != "SKHCN" {
			t.Fatalf("search: %d %+v", total, list)
		}
		res, err = inventory.ListSystems(ctx, f.store, f.operatorA, inventory.SystemFilter{Level: -1}, storage.Page{})
		list = res.Items
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("operator sees %d systems", len(list))
		}
		for _, tc := range []struct {
			f    inventory.SystemFilter
			want int
		}{
			{inventory.SystemFilter{OrgID: f.b.ID, Level: -1}, 1},
			{inventory.SystemFilter{OrgID: f.root.ID, Level: -1}, 2},
			{inventory.SystemFilter{Kind: "internal_app", Level: -1}, 1},
			{inventory.SystemFilter{Level: 3, Status: "operating"}, 1},
			{inventory.SystemFilter{Level: -1, Status: "retired"}, 0},
		} {
			if res, err := inventory.ListSystems(ctx, f.store, f.admin, tc.f, storage.Page{}); err != nil || res.Total != tc.want {
				t.Errorf("filter %+v: %d systems (%v), want %d", tc.f, res.Total, err, tc.want)
			}
		}

		for _, a := range []inventory.Asset{
			{Kind: "domain", Value: "CầnThơ.gov.vn"},
			{Kind: "ip", Value: " 203.162.10.5 "},
			{Kind: "cidr", Value: "10.10.0.0/24"},
			{Kind: "url", Value: "HTTPS://CanTho.gov.vn"},
			{Kind: "server", Value: "WEB01", IPs: "10.10.0.5, 10.10.0.6", OS: "Ubuntu", OSVersion: "22.04"},
			{Kind: "device", Value: "FW-01", DeviceKind: "Tường lửa", Vendor: "Fortinet", Model: "FG-100F"},
		} {
			must(t, inventory.AddAsset(ctx, f.store, f.operatorA, sys.ID, &a))
		}
		page, err := inventory.ListAssets(ctx, f.store, f.operatorA, inventory.AssetFilter{SystemID: sys.ID}, storage.Page{})
		assets, total := page.Items, page.Total
		must(t, err)
		if total != 6 {
			t.Fatalf("assets: %d", total)
		}
		values := map[string]string{}
		for _, a := range assets {
			values[a.Kind] = a.Value
		}
		if values["domain"] != "xn--cnth-7qa6o.gov.vn" && values["domain"] != "xn--cnth-8na0742b.gov.vn" {
			t.Logf("domain normalised to %s", values["domain"])
		}
		if values["ip"] != "203.162.10.5" || values["url"] != "https://cantho.gov.vn/" || values["server"] != "web01" {
			t.Fatalf("normalised: %v", values)
		}
		// Invalid input is a validation error.
		bad := inventory.Asset{Kind: "ip", Value: "300.1.1.1"}
		if _, ok := validation.As(inventory.AddAsset(ctx, f.store, f.operatorA, sys.ID, &bad)); !ok {
			t.Fatal("invalid IP accepted")
		}
		// The same IP registered by B is a conflict the coordinator sees, and only they.
		ip := inventory.Asset{Kind: "ip", Value: "203.162.10.5"}
		must(t, inventory.AddAsset(ctx, f.store, f.admin, other.ID, &ip))
		cpage, err := inventory.AssetConflicts(ctx, f.store, f.admin, storage.Page{})
		conflicts := cpage.Items
		must(t, err)
		if len(conflicts) != 1 || len(conflicts[0].OrgCodes) != 2 {
			t.Fatalf("conflicts: %+v", conflicts)
		}
		if _, err := inventory.AssetConflicts(ctx, f.store, f.operatorA, storage.Page{}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("operator conflicts: %v", err)
		}

		// Controls, device counts.
		must(t, inventory.SetControl(ctx, f.store, f.operatorA, &inventory.Control{SystemID: sys.ID, Control: "backup", Status: "partial", BackupFrequency: "hằng ngày", LastRestoreTest: "2025-03-01"}))
		must(t, inventory.SetControl(ctx, f.store, f.operatorA, &inventory.Control{SystemID: sys.ID, Control: "Tường lửa", Status: "Có", Product: "Fortinet"}))
		controls, err := inventory.ListControls(ctx, f.store, f.operatorA, sys.ID)
		must(t, err)
		if len(controls) != 2 || controls[0].Control != "firewall" {
			t.Fatalf("controls: %+v", controls)
		}
		v, err := inventory.SetDeviceCounts(ctx, f.store, f.operatorA, sys.ID, inventory.DeviceCounts{Servers: 4, Workstations: 30})
		must(t, err)
		if v.Servers != 4 {
			t.Fatalf("device counts: %+v", v.DeviceCounts)
		}

		// Staff and qualifications; a viewer may read but not write.
		p := inventory.Staff{OrgID: f.a.ID, Name: "Nguyễn Văn An", Position: "Chuyên viên", Email: "An.NV@cantho.gov.vn"}
		must(t, inventory.CreateStaff(ctx, f.store, f.operatorA, &p))
		must(t, inventory.AddQualification(ctx, f.store, f.operatorA, &inventory.Qualification{StaffID: p.ID, Course: "An toàn thông tin cơ bản", CompletedOn: "2024-06-01"}))
		got, err := inventory.GetStaff(ctx, f.store, f.operatorA, p.ID)
		must(t, err)
		if got.Email != "an.nv@cantho.gov.vn" || len(got.Qualifications) != 1 {
			t.Fatalf("staff: %+v", got)
		}
		viewer := access.Actor{Email: "v@a.vn", Role: access.Viewer, OrgID: f.a.ID, OrgPath: f.a.Path}
		if err := inventory.CreateStaff(ctx, f.store, viewer, &inventory.Staff{OrgID: f.a.ID, Name: "X", Email: "x@a.vn"}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("viewer writes: %v", err)
		}
		spage, err := inventory.ListStaff(ctx, f.store, f.operatorA, inventory.StaffFilter{Query: "nguyen van"}, storage.Page{})
		staff := spage.Items
		must(t, err)
		if len(staff) != 1 {
			t.Fatalf("staff search: %+v", staff)
		}
		sys.ContactStaffID = p.ID
		must(t, inventory.UpdateSystem(ctx, f.store, f.operatorA, &sys))

		must(t, inventory.RemoveAsset(ctx, f.store, f.operatorA, sys.ID, assets[0].ID))
		must(t, inventory.DeleteSystem(ctx, f.store, f.operatorA, sys.ID))
		if res, _ := inventory.ListAssets(ctx, f.store, f.admin, inventory.AssetFilter{OrgID: f.a.ID}, storage.Page{}); res.Total != 0 {
			t.Fatalf("orphan assets left: %d", total)
		}
	})
}

func TestMergeOrgs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		child, err := identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: f.a.ID, Code: "PHUONG1", Name: "Phường An Hòa", Kind: identity.OrgCommune})
		must(t, err)
		sa := inventory.System{OrgID: f.a.ID, Name: "Hệ thống A", Kind: "internal_app"}
		sb := inventory.System{OrgID: f.b.ID, Name: "Hệ thống B", Kind: "internal_app"}
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &sa))
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &sb))
		shared := inventory.Asset{Kind: "ip", Value: "10.0.0.1"}
		must(t, inventory.AddAsset(ctx, f.store, f.admin, sa.ID, &shared))
		shared2 := inventory.Asset{Kind: "ip", Value: "10.0.0.1"}
		must(t, inventory.AddAsset(ctx, f.store, f.admin, sb.ID, &shared2))
		own := inventory.Asset{Kind: "domain", Value: "a.cantho.gov.vn"}
		must(t, inventory.AddAsset(ctx, f.store, f.admin, sa.ID, &own))
		pa := inventory.Staff{OrgID: f.a.ID, Name: "Trần Thị Bình", Email: "binh@cantho.gov.vn"}
		pb := inventory.Staff{OrgID: f.b.ID, Name: "Trần Thị Bình", Email: "binh@cantho.gov.vn"}
		must(t, inventory.CreateStaff(ctx, f.store, f.admin, &pa))
		must(t, inventory.CreateStaff(ctx, f.store, f.admin, &pb))
		must(t, inventory.AddQualification(ctx, f.store, f.admin, &inventory.Qualification{StaffID: pa.ID, Course: "CEH"}))
		sa.ContactStaffID = pa.ID
		must(t, inventory.UpdateSystem(ctx, f.store, f.admin, &sa))

		coordinator := access.Actor{Email: "c@ca.vn", Role: access.Coordinator, OrgPath: f.root.Path}
		if _, err := inventory.MergeOrgs(ctx, f.store, f.operatorA, f.a.ID, f.b.ID); err == nil {
			t.Fatal("operator merged organisations")
		}
		res, err := inventory.MergeOrgs(ctx, f.store, coordinator, f.a.ID, f.b.ID)
		must(t, err)
		if res.Systems != 1 || res.Children != 1 || res.Assets != 1 || res.Staff != 0 {
			t.Fatalf("merge result: %+v", res)
		}
		got, err := inventory.GetSystem(ctx, f.store, coordinator, sa.ID)
		must(t, err)
		if got.OrgID != f.b.ID || got.ContactStaffID != pb.ID {
			t.Fatalf("merged system: %+v", got)
		}
		apage, err := inventory.ListAssets(ctx, f.store, coordinator, inventory.AssetFilter{OrgID: f.b.ID}, storage.Page{})
		assets := apage.Items
		must(t, err)
		if len(assets) != 2 {
			t.Fatalf("assets after merge: %+v", assets)
		}
		for _, a := range assets {
			if a.Value == "10.0.0.1" && len(a.SystemIDs) != 2 {
				t.Fatalf("shared asset links: %+v", a)
			}
		}
		p, err := inventory.GetStaff(ctx, f.store, coordinator, pb.ID)
		must(t, err)
		if len(p.Qualifications) != 1 {
			t.Fatalf("qualifications after merge: %+v", p)
		}
		moved, err := identity.GetOrg(ctx, f.store, coordinator, child.ID)
		must(t, err)
		if moved.ParentID != f.b.ID || moved.Path != f.b.Path+itoa(moved.ID)+"/" {
			t.Fatalf("child after merge: %+v", moved)
		}
		mpage, err := inventory.ListMerges(ctx, f.store, coordinator, storage.Page{})
		must(t, err)
		if merges := mpage.Items; len(merges) != 1 || merges[0].FromCode != "SKHCN" || merges[0].IntoCode != "NINHKIEU" || merges[0].Actor != "c@ca.vn" {
			t.Fatalf("merge record: %+v", mpage)
		}
		// The operator of A no longer sees the system, which now belongs to B.
		if _, err := inventory.GetSystem(ctx, f.store, f.operatorA, sa.ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("old operator still sees moved system: %v", err)
		}
	})
}

// record parses spreadsheet cells as an import would.
func record(b *inventory.Batch, sheet inventory.Sheet, row int, cells map[string]string) {
	b.AddRecord(sheet, row, inventory.Record(cells))
}

func TestImportInventory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		batch := func(level, ip string) *inventory.Batch {
			b := &inventory.Batch{}
			record(b, inventory.StaffSheet, 2, map[string]string{"name": "Lê Văn Cường", "email": "cuong@a.vn"})
			record(b, inventory.SystemsSheet, 2, map[string]string{"name": "Quản lý văn bản", "kind": "internal_app", "level": level, "contact_email": "cuong@a.vn"})
			record(b, inventory.AssetsSheet, 2, map[string]string{"systems": "Quản lý văn bản", "kind": "ip", "value": ip})
			record(b, inventory.ControlsSheet, 2, map[string]string{"system": "Quản lý văn bản", "control": "mfa", "status": "no"})
			record(b, inventory.QualificationsSheet, 2, map[string]string{"staff_email": "cuong@a.vn", "course": "ATTT", "completed_on": "01/02/2024"})
			return b
		}
		counts := func(res inventory.ImportResult) string {
			var out []string
			for _, s := range inventory.Sheets {
				c := res.Counts[s.Name]
				out = append(out, itoa(int64(c.Created))+itoa(int64(c.Updated))+itoa(int64(c.Unchanged))+itoa(int64(c.Skipped)))
			}
			return strings.Join(out, " ")
		}
		// A preview counts and writes nothing.
		res, err := inventory.Import(ctx, f.store, f.operatorA, f.a.ID, batch("2", "10.1.1.1"), importing.Options{DryRun: true})
		must(t, err)
		if res.Written || counts(res) != "1000 1000 1000 1000 1000" {
			t.Fatalf("preview: %s %+v", counts(res), res)
		}
		if res, _ := inventory.ListSystems(ctx, f.store, f.admin, inventory.SystemFilter{Level: -1}, storage.Page{}); res.Total != 0 {
			t.Fatal("preview wrote")
		}
		res, err = inventory.Import(ctx, f.store, f.operatorA, f.a.ID, batch("2", "10.1.1.1"), importing.Options{})
		must(t, err)
		if !res.Written || counts(res) != "1000 1000 1000 1000 1000" {
			t.Fatalf("import: %s", counts(res))
		}
		res, err = inventory.Import(ctx, f.store, f.operatorA, f.a.ID, batch("2", "10.1.1.1"), importing.Options{})
		must(t, err)
		if counts(res) != "0010 0010 0010 0010 0010" {
			t.Fatalf("re-import: %s", counts(res))
		}
		// A changed level updates the system; a new IP is a new asset.
		res, err = inventory.Import(ctx, f.store, f.operatorA, f.a.ID, batch("3", "10.1.1.2"), importing.Options{})
		must(t, err)
		if counts(res) != "0100 1000 0010 0010 0010" {
			t.Fatalf("changed import: %s", counts(res))
		}
		// Unknown and out-of-scope organisation codes are per-row problems;
		// nothing is written; an operator cannot import into another agency.
		b := batch("2", "10.1.1.3")
		b.Systems[0].OrgCode = "KHONGCO"
		b.Assets[0].OrgCode = "NINHKIEU"
		res, err = inventory.Import(ctx, f.store, f.operatorA, f.a.ID, b, importing.Options{})
		must(t, err)
		if res.Written || len(res.Problems) < 2 || !strings.Contains(res.Problems[0].Message+res.Problems[1].Message, "KHONGCO") {
			t.Fatalf("bad codes: %+v", res.Problems)
		}
		// The changed import listed the level change field by field.
		res, err = inventory.Import(ctx, f.store, f.operatorA, f.a.ID, batch("2", "10.1.1.2"), importing.Options{DryRun: true})
		must(t, err)
		if len(res.Changes) != 1 || len(res.Changes[0].Fields) != 1 || res.Changes[0].Fields[0] != (importing.FieldChange{Field: "level", Old: "3", New: "2"}) {
			t.Fatalf("changes of the preview: %+v", res.Changes)
		}
		// Imports and exports are audited by name.
		if _, err := inventory.Export(ctx, f.store, f.operatorA, f.a.ID); err != nil {
			t.Fatal(err)
		}
		for _, action := range []string{"inventory.import", "inventory.export"} {
			if res, err := audit.List(ctx, f.store, access.SystemActor("test"), audit.Query{Action: action}, storage.Page{}); err != nil || len(res.Items) == 0 {
				t.Fatalf("audit entries %s: %d, %v", action, len(res.Items), err)
			}
		}
		if _, err := inventory.Import(ctx, f.store, f.operatorA, f.b.ID, batch("2", "10.1.1.1"), importing.Options{}); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("import into another agency: %v", err)
		}
		apage, err := inventory.ListAssets(ctx, f.store, f.admin, inventory.AssetFilter{}, storage.Page{})
		assets := apage.Items
		must(t, err)
		if len(assets) != 2 {
			t.Fatalf("assets: %+v", assets)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestReimportKeepsBlankCells: a row that fills only a few columns of an
// existing system changes those and leaves the rest as stored; "-" clears.
func TestReimportKeepsBlankCells(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		full := &inventory.Batch{}
		record(full, inventory.StaffSheet, 2, map[string]string{"name": "Lê Văn Cường", "email": "cuong@a.vn"})
		record(full, inventory.SystemsSheet, 2, map[string]string{"name": "Quản lý văn bản", "kind": "internal_app", "purpose": "Văn bản",
			"level": "3", "level_decision": "12/QĐ", "level_decision_date": "15/01/2025", "level_approver": "UBND", "hosting": "provincial_dc",
			"users": "120", "personal_data": "Có", "data_subjects": "500", "population_db": "Có", "go_live": "01/03/2020", "status": "planned",
			"contact_email": "cuong@a.vn", "servers": "2", "workstations": "30", "network_devices": "3", "security_devices": "1"})
		record(full, inventory.ControlsSheet, 2, map[string]string{"system": "Quản lý văn bản", "control": "backup", "status": "yes", "product": "Veeam", "backup_frequency": "daily"})
		_, err := inventory.Import(ctx, f.store, f.operatorA, f.a.ID, full, importing.Options{})
		must(t, err)
		listPage, err := inventory.ListSystems(ctx, f.store, f.admin, inventory.SystemFilter{Level: -1}, storage.First(500))
		list := listPage.Items
		must(t, err)
		want := list[0]

		partial := &inventory.Batch{}
		record(partial, inventory.SystemsSheet, 2, map[string]string{"name": "Quản lý văn bản", "kind": "internal_app", "level": "4"})
		record(partial, inventory.ControlsSheet, 2, map[string]string{"system": "Quản lý văn bản", "control": "backup", "status": "partial"})
		res, err := inventory.Import(ctx, f.store, f.operatorA, f.a.ID, partial, importing.Options{})
		must(t, err)
		if len(res.Problems) > 0 || len(res.Changes) != 2 || res.Cleared() != 0 {
			t.Fatalf("partial re-import: problems %v, changes %+v", res.Problems, res.Changes)
		}
		got, err := inventory.GetSystem(ctx, f.store, f.admin, want.ID)
		must(t, err)
		want.Level, want.UpdatedAt = 4, got.UpdatedAt
		if got != want {
			t.Fatalf("after a partial row:\n got %+v\nwant %+v", got, want)
		}
		controls, err := inventory.ListControls(ctx, f.store, f.admin, want.ID)
		must(t, err)
		if len(controls) != 1 || controls[0].Status != "partial" || controls[0].Product != "Veeam" || controls[0].BackupFrequency != "daily" {
			t.Fatalf("control after a partial row: %+v", controls)
		}

		clear := &inventory.Batch{}
		record(clear, inventory.SystemsSheet, 2, map[string]string{"name": "Quản lý văn bản", "kind": "internal_app", "purpose": "-", "servers": "-", "personal_data": "-", "data_subjects": "-"})
		res, err = inventory.Import(ctx, f.store, f.operatorA, f.a.ID, clear, importing.Options{})
		must(t, err)
		// Four fields cleared: the purpose, the counts and the yes → no of personal data.
		if len(res.Problems) > 0 || res.Cleared() != 4 {
			t.Fatalf("clearing: problems %v, changes %+v", res.Problems, res.Changes)
		}
		got, err = inventory.GetSystem(ctx, f.store, f.admin, want.ID)
		must(t, err)
		if got.Purpose != "" || got.Servers != 0 || got.PersonalData || got.DataSubjects != 0 || got.Workstations != 30 || got.LevelDecision != "12/QĐ" {
			t.Fatalf("after clearing: %+v", got)
		}
	})
}
