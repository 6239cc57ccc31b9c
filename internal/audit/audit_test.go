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
		page, next, err := audit.List(ctx, s, system, audit.Query{Limit: 2})
		if err != nil || len(page) != 2 || next != page[1].ID {
			t.Fatalf("first page: %d entries, next %d, %v", len(page), next, err)
		}
		rest, next, _ := audit.List(ctx, s, system, audit.Query{Limit: 2, BeforeID: next, Action: "test."})
		if len(rest) != 1 || next != 0 {
			t.Fatalf("second page: %d entries, next %d", len(rest), next)
		}
		if _, _, err := audit.List(ctx, s, access.Actor{Role: access.AgencyAdmin, OrgPath: "/1/"}, audit.Query{}); !errors.Is(err, access.ErrForbidden) {
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
