package inventory_test

import (
	"context"
	"testing"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/validation"
)

// An operator organisation outside the caller's scope reads like one that
// does not exist (issue 10, item 6): before, an agency operator could tell
// the ids of other agencies from the answers. The global view may name any
// operator, and a system keeps the operator it has.
func TestOperatorLookupRevealsNoOutsideOrg(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		key := func(err error) string {
			if es, ok := validation.As(err); ok && len(es) == 1 && es[0].Field == "operator_org_id" {
				return es[0].Key
			}
			return ""
		}
		outside := inventory.System{OrgID: f.a.ID, Name: "Hệ thống A", Kind: "web_portal", Level: 1, OperatorOrgID: f.b.ID}
		missing := inventory.System{OrgID: f.a.ID, Name: "Hệ thống B", Kind: "web_portal", Level: 1, OperatorOrgID: 99999}
		errOutside := inventory.CreateSystem(ctx, f.store, f.operatorA, &outside)
		errMissing := inventory.CreateSystem(ctx, f.store, f.operatorA, &missing)
		if key(errOutside) != "inv.err.no_operator" || key(errMissing) != key(errOutside) {
			t.Fatalf("operator outside the scope: %v; operator that does not exist: %v", errOutside, errMissing)
		}
		// The global view sets it; the agency operator may then change other fields.
		must(t, inventory.CreateSystem(ctx, f.store, f.admin, &outside))
		outside.Level = 2
		must(t, inventory.UpdateSystem(ctx, f.store, f.operatorA, &outside))
		inside := inventory.System{OrgID: f.a.ID, Name: "Hệ thống C", Kind: "web_portal", Level: 1, OperatorOrgID: f.a.ID}
		must(t, inventory.CreateSystem(ctx, f.store, f.operatorA, &inside))
	})
}
