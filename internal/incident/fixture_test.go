package incident

import (
	"context"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// fixture is two agencies, a system each, and the people who work cases:
// a responder (assigned to A, on no case yet), A's operator and viewer, B's operator.
type fixture struct {
	store     *storage.Store
	admin     access.Actor
	a, b      identity.Org
	responder access.Actor
	operatorA access.Actor
	viewerA   access.Actor
	operatorB access.Actor
	portal    inventory.System // A's web portal, level 3
	mail      inventory.System // B's mail, level 2
	clock     time.Time
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: storage.New(db), admin: access.SystemActor("test"), clock: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)}
	f.store.SetClock(func() time.Time { return f.clock })
	root, err := identity.RootOrg(ctx, f.store)
	must(t, err)
	f.a, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment})
	must(t, err)
	f.b, err = identity.CreateOrg(ctx, f.store, f.admin, identity.OrgInput{ParentID: root.ID, Code: "NINHKIEU", Name: "UBND phường Ninh Kiều", Kind: identity.OrgDistrict})
	must(t, err)
	user := func(email string, role access.Role, org identity.Org) access.Actor {
		u, err := identity.CreateUser(ctx, f.store, f.admin, identity.UserInput{Email: email, Name: email, Role: role, OrgID: org.ID, PasswordHash: "x"})
		must(t, err)
		return access.Actor{UserID: u.ID, Email: u.Email, Role: role, OrgID: org.ID, OrgPath: org.Path}
	}
	f.responder = user("ungcuu@tinh.vn", access.Responder, root)
	must(t, identity.SetAssignments(ctx, f.store, f.admin, f.responder.UserID, []int64{f.a.ID}))
	f.responder.AssignedPaths = []string{f.a.Path}
	f.operatorA = user("op@a.vn", access.AgencyOperator, f.a)
	f.viewerA = user("xem@a.vn", access.Viewer, f.a)
	f.operatorB = user("op@b.vn", access.AgencyOperator, f.b)
	f.portal = inventory.System{OrgID: f.a.ID, Name: "Cổng thông tin", Kind: "web_portal", Level: 3}
	must(t, inventory.CreateSystem(ctx, f.store, f.admin, &f.portal))
	f.mail = inventory.System{OrgID: f.b.ID, Name: "Thư điện tử", Kind: "email", Level: 2}
	must(t, inventory.CreateSystem(ctx, f.store, f.admin, &f.mail))
	return f
}

// defacement opens a defacement case on A's portal as A's operator.
func (f *fixture) defacement(t *testing.T) Case {
	t.Helper()
	c, err := Create(context.Background(), f.store, f.operatorA, Input{Title: "Cổng thông tin bị thay đổi giao diện", Category: Defacement, Severity: "high", SystemIDs: []int64{f.portal.ID}})
	must(t, err)
	return c
}

// tick moves the clock on.
func (f *fixture) tick(d time.Duration) { f.clock = f.clock.Add(d) }
