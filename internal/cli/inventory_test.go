package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
	"github.com/xuri/excelize/v2"
)

// configArgs are the flags that point a command at cfg.
func configArgs(cfg database.Config) []string {
	if cfg.URL != "" {
		return []string{"--database-url", cfg.URL}
	}
	return []string{"--data", cfg.DataDir}
}

// copyOrgs recreates the organisation tree of from in to (parents first).
func copyOrgs(t *testing.T, from, to database.Config) {
	t.Helper()
	ctx := context.Background()
	src, err := database.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := database.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if err := dst.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	actor := access.SystemActor("test")
	orgs, err := identity.AllOrgs(ctx, storage.New(src), actor, identity.OrgQuery{}) // parents first
	if err != nil {
		t.Fatal(err)
	}
	store := storage.New(dst)
	root, err := identity.RootOrg(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]int64{orgs[0].ID: root.ID}
	for _, o := range orgs[1:] {
		n, err := identity.CreateOrg(ctx, store, actor, identity.OrgInput{Code: o.Code, Name: o.Name, Kind: o.Kind, ParentID: ids[o.ParentID]})
		if err != nil {
			t.Fatal(err)
		}
		ids[o.ID] = n.ID
	}
}

// TestInventoryRoundTrip: demo → export → import into an empty database →
// export gives the same file, byte for byte; re-importing changes nothing.
func TestInventoryRoundTrip(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			first, second := dbtest.Config(t, kind), dbtest.Config(t, kind)
			dir := t.TempDir()
			a, b := filepath.Join(dir, "a.xlsx"), filepath.Join(dir, "b.xlsx")
			if code, out := run(append([]string{"demo"}, configArgs(first)...)...); code != 0 {
				t.Fatalf("demo: %s", out)
			}
			if code, out := run(append([]string{"demo"}, configArgs(first)...)...); code != 2 || !strings.Contains(out, "empty") {
				t.Fatalf("second demo: %d %s", code, out)
			}
			if code, out := run(append([]string{"inventory", "export", "-o", a}, configArgs(first)...)...); code != 0 {
				t.Fatalf("export: %s", out)
			}
			copyOrgs(t, first, second)
			code, out := run(append([]string{"inventory", "import", "--org", "ROOT", a}, configArgs(second)...)...)
			if code != 0 || !strings.Contains(out, "121") {
				t.Fatalf("import: %d %s", code, out)
			}
			if code, out := run(append([]string{"inventory", "export", "-o", b}, configArgs(second)...)...); code != 0 {
				t.Fatalf("export: %s", out)
			}
			da, _ := os.ReadFile(a)
			db, _ := os.ReadFile(b)
			if !bytes.Equal(da, db) {
				t.Fatal("export after import differs from the original export")
			}
			code, out = run(append([]string{"inventory", "import", "--org", "ROOT", a}, configArgs(second)...)...)
			if code != 0 {
				t.Fatalf("re-import: %s", out)
			}
			for _, line := range strings.Split(out, "\n")[1:6] {
				if f := strings.Fields(line); len(f) < 4 || f[len(f)-4] != "0" || f[len(f)-3] != "0" {
					t.Fatalf("re-import changed something: %s", out)
				}
			}
		})
	}
}

// TestInventoryImportBadFile: a file with a bad cell writes nothing and
// names the cell; --valid-only writes the rest; an unknown organisation
// code is reported per row.
func TestInventoryImportBadFile(t *testing.T) {
	cfg := dbtest.Config(t, "sqlite")
	dir := t.TempDir()
	ctx := context.Background()
	d, err := database.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	store := storage.New(d)
	root, err := identity.RootOrg(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.CreateOrg(ctx, store, access.SystemActor("test"), identity.OrgInput{ParentID: root.ID, Code: "SYT", Name: "Sở Y tế", Kind: identity.OrgDepartment}); err != nil {
		t.Fatal(err)
	}
	d.Close()

	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Hệ thống")
	f.SetSheetRow("Hệ thống", "A1", &[]any{"Mã đơn vị", "Tên hệ thống", "Loại hệ thống", "Cấp độ"})
	f.SetSheetRow("Hệ thống", "A2", &[]any{"", "Hồ sơ sức khỏe", "data_store", "Cấp độ 3"})
	f.SetSheetRow("Hệ thống", "A3", &[]any{"SXYZ", "Cổng", "web_portal", ""})
	f.NewSheet("Tài sản")
	f.SetSheetRow("Tài sản", "A1", &[]any{"Thuộc hệ thống", "Loại tài sản", "Giá trị"})
	f.SetSheetRow("Tài sản", "A2", &[]any{"Hồ sơ sức khỏe", "Địa chỉ IP", "10.0.0.300"})
	f.SetSheetRow("Tài sản", "A3", &[]any{"Hồ sơ sức khỏe", "Địa chỉ IP", "10.0.0.3"})
	file := filepath.Join(dir, "syt.xlsx")
	if err := f.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"inventory", "import", "--org", "SYT", file}, configArgs(cfg)...)
	code, out := run(args...)
	for _, want := range []string{`sheet "Hệ thống", dòng 3, cột A (Mã đơn vị): không có đơn vị mã "SXYZ"`, `sheet "Tài sản", dòng 2, cột C (Giá trị): địa chỉ IP "10.0.0.300" không hợp lệ`, "nothing imported"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	code, out = run(append(args, "--valid-only")...)
	if code != 0 || !strings.Contains(out, "Hệ thống          1        0        0          1") {
		t.Fatalf("valid-only: %d\n%s", code, out)
	}
	code, out = run(append([]string{"inventory", "import", "--org", "SYT", filepath.Join(dir, "missing.xlsx")}, configArgs(cfg)...)...)
	if code != 2 {
		t.Fatalf("missing file: %d %s", code, out)
	}
	os.WriteFile(filepath.Join(dir, "fake.xlsx"), []byte("hello"), 0o600)
	code, out = run(append([]string{"inventory", "import", "--org", "SYT", filepath.Join(dir, "fake.xlsx")}, configArgs(cfg)...)...)
	if code != 1 || !strings.Contains(out, "không phải là bảng tính Excel") {
		t.Fatalf("fake file: %d %s", code, out)
	}
	code, out = run(append([]string{"inventory", "import", "--org", "SYT", "--lang", "en", filepath.Join(dir, "fake.xlsx")}, configArgs(cfg)...)...)
	if code != 1 || !strings.Contains(out, "the file is not an Excel workbook") {
		t.Fatalf("fake file, English: %d %s", code, out)
	}
}
