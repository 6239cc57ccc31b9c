package orgsheet_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/identity/orgsheet"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/storage"
)

const tree = `Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Đã lưu trữ
X-TRUNGAN,Ủy ban nhân dân xã Trung An,commune,CODO,
CODO,Ủy ban nhân dân huyện Cờ Đỏ,district,ROOT,Có
ROOT,Thành phố Cần Thơ,province,,
SKHCN,Sở Khoa học và Công nghệ,department,ROOT,
`

func read(t *testing.T, csv string) *orgsheet.File {
	t.Helper()
	f, err := orgsheet.Read("don-vi.csv", strings.NewReader(csv))
	if err != nil || len(f.Problems) > 0 {
		t.Fatalf("read: %v %v", err, f.Problems)
	}
	return f
}

func export(t *testing.T, store *storage.Store, orgID int64) string {
	t.Helper()
	rows, err := orgsheet.Export(context.Background(), store, access.SystemActor("test"), orgID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := orgsheet.Write(&buf, "don-vi.csv", rows); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(buf.String(), "\ufeff")
}

func TestImportExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		actor := access.SystemActor("test")
		// auditRows is the id of the latest audit entry: entries only append.
		auditRows := func() int {
			entriesPage, err := audit.List(ctx, store, actor, audit.Query{}, storage.First(1))
			entries := entriesPage.Items
			if err != nil || len(entries) == 0 {
				t.Fatal(err)
			}
			return int(entries[0].ID)
		}

		// A dry run says what it would do and writes nothing.
		res, err := orgsheet.Import(ctx, store, actor, read(t, tree), importing.Options{DryRun: true, Source: "tree.csv"})
		if err != nil {
			t.Fatal(err)
		}
		before := auditRows()
		if res.Written || len(res.Created) != 3 || res.Counts[orgsheet.SheetName].Updated != 1 {
			t.Fatalf("dry run: %+v", res)
		}
		if got := export(t, store, 0); strings.Count(got, "\n") != 2 {
			t.Fatalf("dry run wrote:\n%s", got)
		}

		// The import, children before parents in the file.
		if res, err = orgsheet.Import(ctx, store, actor, read(t, tree), importing.Options{Source: "tree.csv"}); err != nil || !res.Written {
			t.Fatalf("import: %+v %v", res, err)
		}
		if auditRows() <= before {
			t.Error("the import was not audited")
		}
		want := "Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Đã lưu trữ\n" +
			"ROOT,Thành phố Cần Thơ,\"Tỉnh, thành phố\",,\n" +
			"CODO,Ủy ban nhân dân huyện Cờ Đỏ,\"Quận, huyện\",ROOT,Có\n" +
			"X-TRUNGAN,Ủy ban nhân dân xã Trung An,\"Xã, phường\",CODO,\n" +
			"SKHCN,Sở Khoa học và Công nghệ,\"Sở, ban, ngành\",ROOT,\n"
		got := export(t, store, 0)
		if got != want {
			t.Fatalf("export:\n%s\nwant:\n%s", got, want)
		}
		codo, err := identity.OrgByCode(ctx, store, actor, "codo")
		if err != nil || codo.ArchivedAt == nil {
			t.Fatalf("CODO: %+v %v", codo, err)
		}

		// The export imports again and changes nothing.
		n := auditRows()
		res, err = orgsheet.Import(ctx, store, actor, read(t, got), importing.Options{Source: "again.csv"})
		if err != nil || res.Counts[orgsheet.SheetName].Unchanged != 4 || len(res.Changes) > 0 {
			t.Fatalf("re-import: %+v %v", res, err)
		}
		if auditRows() != n+1 { // the import's own entry only
			t.Errorf("re-import wrote %d audit entries", auditRows()-n)
		}

		// Moves, restores and renames; a subtree export names its parent.
		moved := strings.Replace(got, "X-TRUNGAN,Ủy ban nhân dân xã Trung An,\"Xã, phường\",CODO,", "X-TRUNGAN,Ủy ban nhân dân xã Trung An,\"Xã, phường\",SKHCN,", 1)
		moved = strings.Replace(moved, "CODO,Ủy ban nhân dân huyện Cờ Đỏ,\"Quận, huyện\",ROOT,Có", "CODO,Huyện Cờ Đỏ (cũ),\"Quận, huyện\",ROOT,", 1)
		if res, err = orgsheet.Import(ctx, store, actor, read(t, moved), importing.Options{}); err != nil || res.Counts[orgsheet.SheetName].Updated != 2 {
			t.Fatalf("move: %+v %v", res, err)
		}
		skhcn, _ := identity.OrgByCode(ctx, store, actor, "SKHCN")
		if sub := export(t, store, skhcn.ID); !strings.Contains(sub, "SKHCN,Sở Khoa học và Công nghệ,\"Sở, ban, ngành\",ROOT,\nX-TRUNGAN,") {
			t.Errorf("subtree export:\n%s", sub)
		}

		// A swap of parent and child: the child moves out first.
		swapped := strings.Replace(moved, "\"Xã, phường\",SKHCN,", "\"Xã, phường\",ROOT,", 1)
		swapped = strings.Replace(swapped, "SKHCN,Sở Khoa học và Công nghệ,\"Sở, ban, ngành\",ROOT,", "SKHCN,Sở Khoa học và Công nghệ,\"Sở, ban, ngành\",X-TRUNGAN,", 1)
		if res, err = orgsheet.Import(ctx, store, actor, read(t, swapped), importing.Options{}); err != nil || res.Counts[orgsheet.SheetName].Updated != 2 {
			t.Fatalf("swap: %+v %v", res, err)
		}
		if sk, _ := identity.OrgByCode(ctx, store, actor, "SKHCN"); sk.Depth() != 2 {
			t.Errorf("SKHCN after the swap: %+v", sk)
		}
		moved = swapped

		// A file with any problem writes nothing.
		n = auditRows()
		bad := moved + "NEW,Đơn vị mới,unit,NOWHERE,\n"
		res, err = orgsheet.Import(ctx, store, actor, read(t, bad), importing.Options{})
		if err != nil || res.Written || len(res.Problems) != 1 || auditRows() != n {
			t.Fatalf("bad file: %+v %v", res, err)
		}
	})
}

// TestRoundTripIntoAnEmptyDatabase: what one database exports, an empty one
// imports into the same tree, and exports byte for byte.
func TestRoundTripIntoAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	actor := access.SystemActor("test")
	first := storage.New(dbtest.Open(t, "sqlite"))
	if _, err := orgsheet.Import(ctx, first, actor, read(t, tree), importing.Options{}); err != nil {
		t.Fatal(err)
	}
	// Ids differ in the second database: organisations created in another order.
	second := storage.New(dbtest.Open(t, "sqlite"))
	root, _ := identity.RootOrg(ctx, second)
	if _, err := identity.CreateOrg(ctx, second, actor, identity.OrgInput{Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment, ParentID: root.ID}); err != nil {
		t.Fatal(err)
	}
	want := export(t, first, 0)
	if _, err := orgsheet.Import(ctx, second, actor, read(t, want), importing.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := export(t, second, 0); got != want {
		t.Fatalf("second export:\n%s\nwant:\n%s", got, want)
	}
}
