package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// AgentSummary is the demo's scan agent: registered by the coordinator, with
// a heartbeat at load time, pinned to one internal-only system. Its token is
// printed by `khien demo` so that `khien agent` can be tried against it.
type AgentSummary struct {
	Name, Token, System string
}

// loadAgent registers an agent inside an agency's network
// and pins to it an internal application hosted on premises.
func loadAgent(ctx context.Context, store *storage.Store) (AgentSummary, error) {
	var sum AgentSummary
	coord, err := coordinator(ctx, store)
	if err != nil {
		return sum, err
	}
	systems, err := storage.All(func(p storage.Page) (storage.Paged[inventory.SystemView], error) {
		return inventory.ListSystems(ctx, store, coord, inventory.SystemFilter{Level: -1}, p)
	})
	if err != nil {
		return sum, err
	}
	// An internal application on the agency's premises, else any system there.
	i := slices.IndexFunc(systems, func(s inventory.SystemView) bool { return s.Hosting == "on_premises" && s.Kind == "internal_app" })
	if i < 0 {
		i = slices.IndexFunc(systems, func(s inventory.SystemView) bool { return s.Hosting == "on_premises" })
	}
	if i < 0 {
		return sum, fmt.Errorf("demo agent: no system hosted on premises")
	}
	sys := systems[i]
	a, token, err := agent.Register(ctx, store, coord, "Máy quét nội bộ "+sys.OrgName)
	if err != nil {
		return sum, fmt.Errorf("demo agent: %w", err)
	}
	if err := agent.Heartbeat(ctx, store, a.ID, agent.HeartbeatInfo{Version: "demo", Hostname: "khien-agent-01", Address: "10.20.0.15"}); err != nil {
		return sum, fmt.Errorf("demo agent heartbeat: %w", err)
	}
	if err := agent.Pin(ctx, store, coord, sys.ID, a.ID); err != nil {
		return sum, fmt.Errorf("demo agent pin: %w", err)
	}
	return AgentSummary{Name: a.Name, Token: token, System: sys.Name}, nil
}

// coordinator is the demo's coordinator, who records what the city's
// security team does.
func coordinator(ctx context.Context, store *storage.Store) (access.Actor, error) {
	u, err := identity.UserByEmail(ctx, store, coordinatorEmail)
	if err != nil {
		return access.Actor{}, err
	}
	return identity.ActorFor(ctx, store, u)
}
