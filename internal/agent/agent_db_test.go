package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestStatusOf(t *testing.T) {
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(-d); return &v }
	for _, c := range []struct {
		name string
		a    agent.Agent
		want string
	}{
		{"never seen", agent.Agent{}, agent.StatusNever},
		{"just now", agent.Agent{LastHeartbeatAt: at(0)}, agent.StatusOnline},
		{"at the limit", agent.Agent{LastHeartbeatAt: at(agent.OnlineWithin)}, agent.StatusOnline},
		{"past the limit", agent.Agent{LastHeartbeatAt: at(agent.OnlineWithin + time.Second)}, agent.StatusOffline},
		{"revoked while online", agent.Agent{LastHeartbeatAt: at(0), RevokedAt: at(0)}, agent.StatusRevoked},
		{"revoked, never seen", agent.Agent{RevokedAt: at(time.Hour)}, agent.StatusRevoked},
	} {
		if got := agent.StatusOf(c.a, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestNewToken(t *testing.T) {
	secret, hash, prefix := agent.NewToken()
	if !strings.HasPrefix(secret, agent.TokenPrefix) || len(secret) != len(agent.TokenPrefix)+43 || !strings.HasPrefix(secret, prefix) {
		t.Fatalf("token %q prefix %q", secret, prefix)
	}
	if hash != agent.HashToken(secret) || len(hash) != 64 {
		t.Fatalf("hash %q", hash)
	}
	if again, _, _ := agent.NewToken(); again == secret {
		t.Fatal("two tokens alike")
	}
}

func TestAgents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		clock := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
		store.SetClock(func() time.Time { return clock })
		sysActor := access.SystemActor("test")
		root, err := identity.RootOrg(ctx, store)
		must(t, err)
		org, err := identity.CreateOrg(ctx, store, sysActor, identity.OrgInput{ParentID: root.ID, Code: "SYT", Name: "Sở Y tế", Kind: identity.OrgDepartment})
		must(t, err)
		sys := inventory.System{OrgID: org.ID, Name: "Phần mềm quản lý bệnh viện", Kind: "web_portal"}
		must(t, inventory.CreateSystem(ctx, store, sysActor, &sys))
		coord := access.Actor{UserID: 1, Email: "dieuphoi@cantho.gov.vn", Role: access.Coordinator, OrgID: root.ID, OrgPath: root.Path}
		agencyAdmin := access.Actor{UserID: 2, Email: "qtv@syt.vn", Role: access.AgencyAdmin, OrgID: org.ID, OrgPath: org.Path}

		// Who may register, and what names.
		for _, c := range []struct {
			name  string
			actor access.Actor
			input string
			want  error
		}{
			{"agency admin", agencyAdmin, "Máy quét Sở Y tế", access.ErrForbidden},
			{"empty name", coord, "  ", validation.Errors{}},
			{"too long", coord, strings.Repeat("á", 101), validation.Errors{}},
		} {
			_, _, err := agent.Register(ctx, store, c.actor, c.input)
			switch c.want.(type) {
			case validation.Errors:
				if _, ok := validation.As(err); !ok {
					t.Errorf("%s: %v, want a validation error", c.name, err)
				}
			default:
				if !errors.Is(err, c.want) {
					t.Errorf("%s: %v, want %v", c.name, err, c.want)
				}
			}
		}
		a, token, err := agent.Register(ctx, store, coord, " Máy quét Sở Y tế ")
		must(t, err)
		if a.ID == 0 || a.Name != "Máy quét Sở Y tế" || a.Status != agent.StatusNever || !strings.HasPrefix(token, a.TokenPrefix) || a.CreatedBy != coord.Email {
			t.Fatalf("registered %+v, token %q", a, token)
		}
		if _, _, err := agent.Register(ctx, store, coord, "Máy quét Sở Y tế"); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("same name again: %v", err)
		}

		// The token authenticates; anything else does not.
		got, err := agent.Authenticate(ctx, store, token)
		must(t, err)
		if got.ID != a.ID {
			t.Fatalf("authenticated %+v", got)
		}
		for _, bad := range []string{"", "khag_", token + "x", "khien_" + strings.TrimPrefix(token, agent.TokenPrefix)} {
			if _, err := agent.Authenticate(ctx, store, bad); !errors.Is(err, access.ErrNotFound) {
				t.Errorf("token %q: %v", bad, err)
			}
		}

		// Heartbeats: the first enrols, the status follows the clock.
		must(t, agent.Heartbeat(ctx, store, a.ID, agent.HeartbeatInfo{Version: "1.2.0", Hostname: "scanner-syt", Address: "10.1.2.3"}))
		enrolled := clock
		clock = clock.Add(time.Minute)
		must(t, agent.Heartbeat(ctx, store, a.ID, agent.HeartbeatInfo{Version: "1.2.1", Hostname: "scanner-syt", Address: "10.1.2.3"}))
		got, err = agent.Get(ctx, store, coord, a.ID)
		must(t, err)
		if got.Status != agent.StatusOnline || got.Version != "1.2.1" || got.Hostname != "scanner-syt" || got.Address != "10.1.2.3" ||
			got.EnrolledAt == nil || !got.EnrolledAt.Equal(enrolled) || got.LastHeartbeatAt == nil || !got.LastHeartbeatAt.Equal(clock) {
			t.Fatalf("after heartbeats %+v", got)
		}
		clock = clock.Add(agent.OnlineWithin + time.Minute)
		if got, _ = agent.Get(ctx, store, coord, a.ID); got.Status != agent.StatusOffline {
			t.Fatalf("later: %s", got.Status)
		}
		if _, err := agent.Get(ctx, store, agencyAdmin, a.ID); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("agency admin reads an agent: %v", err)
		}
		if _, err := agent.Get(ctx, store, coord, a.ID+100); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("unknown agent: %v", err)
		}

		// Pins.
		if id, err := agent.PinnedAgent(ctx, store, sys.ID); err != nil || id != 0 {
			t.Fatalf("before pinning: %d %v", id, err)
		}
		if err := agent.Pin(ctx, store, agencyAdmin, sys.ID, a.ID); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("agency admin pins: %v", err)
		}
		if err := agent.Pin(ctx, store, coord, sys.ID+100, a.ID); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("unknown system: %v", err)
		}
		if err := agent.Pin(ctx, store, coord, sys.ID, a.ID+100); err == nil {
			t.Fatal("pinned to an unknown agent")
		}
		must(t, agent.Pin(ctx, store, coord, sys.ID, a.ID))
		must(t, agent.Pin(ctx, store, coord, sys.ID, a.ID)) // again: nothing changes
		if id, _ := agent.PinnedAgent(ctx, store, sys.ID); id != a.ID {
			t.Fatalf("pinned to %d", id)
		}
		if pins, _ := agent.PinsOf(ctx, store, a.ID); len(pins) != 1 || pins[0] != sys.ID {
			t.Fatalf("pins %v", pins)
		}
		views, err := agent.Pins(ctx, store, coord)
		must(t, err)
		if len(views) != 1 || views[0].SystemName != sys.Name || views[0].OrgName != org.Name {
			t.Fatalf("pin views %+v", views)
		}
		page, err := agent.List(ctx, store, coord, storage.Page{})
		must(t, err)
		if page.Total != 1 || len(page.Items) != 1 || len(page.Items[0].Systems) != 1 {
			t.Fatalf("list %+v", page)
		}
		must(t, agent.Pin(ctx, store, coord, sys.ID, 0))
		if id, _ := agent.PinnedAgent(ctx, store, sys.ID); id != 0 {
			t.Fatalf("unpinned, still %d", id)
		}
		must(t, agent.Pin(ctx, store, coord, sys.ID, a.ID))

		// Revocation: the token stops working, the pin stays, no new pins.
		if err := agent.Revoke(ctx, store, agencyAdmin, a.ID); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("agency admin revokes: %v", err)
		}
		must(t, agent.Revoke(ctx, store, coord, a.ID))
		must(t, agent.Revoke(ctx, store, coord, a.ID)) // twice: no error
		if _, err := agent.Authenticate(ctx, store, token); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("revoked token: %v", err)
		}
		if err := agent.Heartbeat(ctx, store, a.ID, agent.HeartbeatInfo{}); !errors.Is(err, access.ErrNotFound) {
			t.Fatalf("heartbeat of a revoked agent: %v", err)
		}
		if got, _ = agent.Get(ctx, store, coord, a.ID); got.Status != agent.StatusRevoked {
			t.Fatalf("revoked: %s", got.Status)
		}
		if id, _ := agent.PinnedAgent(ctx, store, sys.ID); id != a.ID {
			t.Fatalf("pin after revocation: %d", id)
		}
		if _, ok := validation.As(agent.Pin(ctx, store, coord, sys.ID, 0)); ok {
			t.Fatal("unpinning from a revoked agent refused")
		}
		if _, ok := validation.As(agent.Pin(ctx, store, coord, sys.ID, a.ID)); !ok {
			t.Fatal("pinned to a revoked agent")
		}

		// Everything was audited.
		var n int
		must(t, db.Read.QueryRowContext(ctx, "SELECT count(*) FROM audit_log WHERE action LIKE 'agent.%'").Scan(&n))
		if n != 7 { // register, enrol, pin, unpin, pin, revoke, unpin
			t.Fatalf("%d audit entries", n)
		}
	})
}
