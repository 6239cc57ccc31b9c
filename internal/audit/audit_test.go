package audit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/storage"
)

func TestChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		s := storage.New(db)
		system := access.SystemActor("test")
		head, err := audit.Verify(ctx, s, nil, nil)
		before := head.Count
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := audit.Write(ctx, s, system, audit.Change{Action: "test.write", ObjectType: "test", ObjectID: int64(i + 1), New: map[string]int{"n": i}}); err != nil {
				t.Fatal(err)
			}
		}
		head, err = audit.Verify(ctx, s, nil, nil)
		if err != nil || head.Count != before+3 {
			t.Fatalf("intact chain: %d entries (want %d), %v", head.Count, before+3, err)
		}
		first, err := audit.List(ctx, s, system, audit.Query{Action: "test."}, storage.First(2))
		page := first.Items
		if err != nil || len(page) != 2 || first.Next == "" || first.Total != 3 {
			t.Fatalf("first page: %d entries of %d, next %q, %v", len(page), first.Total, first.Next, err)
		}
		after, _ := storage.DecodeCursor(first.Next)
		rest, _ := audit.List(ctx, s, system, audit.Query{Action: "test."}, storage.Page{Limit: 2, After: after})
		if len(rest.Items) != 1 || rest.Next != "" || rest.Items[0].ID >= page[1].ID {
			t.Fatalf("second page: %+v", rest)
		}
		if _, err := audit.List(ctx, s, access.Actor{Role: access.AgencyAdmin, OrgPath: "/1/"}, audit.Query{}, storage.Page{}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("an agency administrator must not read the log: %v", err)
		}
		// Deleting an entry breaks the link of the one after it.
		if _, err := db.Write.Exec(db.Dialect.Rebind("DELETE FROM audit_log WHERE id = ?"), page[1].ID); err != nil {
			t.Fatal(err)
		}
		_, err = audit.Verify(ctx, s, nil, nil)
		var broken *audit.Break
		if !errors.As(err, &broken) || broken.Entry.ID != page[0].ID {
			t.Fatalf("after deleting entry %d: %v", page[1].ID, err)
		}
	})
}
