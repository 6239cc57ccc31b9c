package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
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

// TestInventoryRoundTrip: demo → org export → org import into an empty
// database → org export gives the same files (xlsx and CSV), byte for byte;
// then the demo's inventory export imports there (its organisation codes
// resolve) and exports the same again; re-importing either changes nothing.
func TestInventoryRoundTrip(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			first, second := dbtest.Config(t, kind), dbtest.Config(t, kind)
			dir := t.TempDir()
			file := func(name string) string { return filepath.Join(dir, name) }
			mustRun := func(cfg database.Config, args ...string) string {
				t.Helper()
				code, out := run(append(args, configArgs(cfg)...)...)
				if code != 0 {
					t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, out)
				}
				return out
			}
			same := func(a, b string) {
				t.Helper()
				da, _ := os.ReadFile(file(a))
				db, _ := os.ReadFile(file(b))
				if len(da) == 0 || !bytes.Equal(da, db) {
					t.Fatalf("%s and %s differ", a, b)
				}
			}
			demo := mustRun(first, "demo", "--lang", "en")
			systems := regexp.MustCompile(`(\d+) systems`).FindStringSubmatch(demo)
			for _, want := range []string{"findings from ", " overdue; ", " unassigned", "threat hunts (Directive 18): ", "/findings/unassigned", "/hunts"} {
				if !strings.Contains(demo, want) {
					t.Errorf("the demo's summary lacks %q:\n%s", want, demo)
				}
			}
			if code, out := run(append([]string{"demo", "--lang", "en"}, configArgs(first)...)...); code != 2 || !strings.Contains(out, "empty") {
				t.Fatalf("second demo: %d %s", code, out)
			}
			for _, ext := range []string{".xlsx", ".csv"} {
				mustRun(first, "org", "export", "-o", file("orgs-a"+ext))
			}
			mustRun(second, "org", "import", file("orgs-a.xlsx"))
			if out := mustRun(second, "org", "import", "--lang", "en", file("orgs-a.csv")); !strings.Contains(out, " 0 new, 0 changed,") {
				t.Fatalf("re-import of the organisations changed something: %s", out)
			}
			for _, ext := range []string{".xlsx", ".csv"} {
				mustRun(second, "org", "export", "-o", file("orgs-b"+ext))
				same("orgs-a"+ext, "orgs-b"+ext)
			}

			// Counts read without English plurals in either language.
			if out := mustRun(first, "inventory", "export", "-o", file("a.xlsx")); systems == nil || !strings.Contains(out, ": "+systems[1]+" hệ thống, ") {
				t.Fatalf("export: %s", out)
			}
			if out := mustRun(second, "inventory", "import", "--org", "ROOT", file("a.xlsx")); systems == nil || !strings.Contains(out, " "+systems[1]+" ") {
				t.Fatalf("import (demo: %q): %s", demo, out)
			}
			mustRun(second, "inventory", "export", "-o", file("b.xlsx"))
			same("a.xlsx", "b.xlsx")
			out := mustRun(second, "inventory", "import", "--org", "ROOT", file("a.xlsx"))
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
	for _, want := range []string{`sheet "Hệ thống", dòng 3, cột A (Mã đơn vị): không có đơn vị mã "SXYZ"`, `sheet "Tài sản", dòng 2, cột C (Giá trị): địa chỉ IP "10.0.0.300" không hợp lệ`, "2 lỗi, chưa nhập gì", "THÊM MỚI  CẬP NHẬT  KHÔNG ĐỔI  BỎ QUA"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	if code, out := run(append(args, "--lang", "en")...); code != 1 || !strings.Contains(out, "SHEET             CREATED  UPDATED  UNCHANGED  SKIPPED") || !strings.Contains(out, "problems: 2; nothing imported") {
		t.Errorf("English import: %d\n%s", code, out)
	}
	code, out = run(append(args, "--valid-only")...)
	if code != 0 || !strings.Contains(out, "Hệ thống          1         0         0          1") {
		t.Fatalf("valid-only: %d\n%s", code, out)
	}
	// A dry run lists each change in the chosen language.
	f.SetSheetRow("Hệ thống", "A2", &[]any{"", "Hồ sơ sức khỏe", "data_store", "Cấp độ 2"})
	if err := f.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"vi": "Cấp độ: Cấp độ 3 → Cấp độ 2", "en": "Security level: Level 3 → Level 2"} {
		code, out = run(append(args, "--valid-only", "--dry-run", "--lang", lang)...)
		if !strings.Contains(out, ": Hồ sơ sức khỏe\n") || !strings.Contains(out, want) {
			t.Fatalf("dry run, %s: %d\n%s", lang, code, out)
		}
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
	if code != 1 || !strings.Contains(out, "the file is not an Excel workbook") || !strings.Contains(out, "problems: 1; nothing imported") {
		t.Fatalf("fake file, English: %d %s", code, out)
	}
}
