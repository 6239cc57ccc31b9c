package demo_test

import (
	"context"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/storage"
)

// checkAgent: the demo's agent authenticates, is online and has one
// internal-only system pinned to it.
func checkAgent(t *testing.T, store *storage.Store, sum demo.AgentSummary) {
	t.Helper()
	ctx := context.Background()
	a, err := agent.Authenticate(ctx, store, sum.Token)
	if err != nil {
		t.Fatalf("demo agent %q: %v", sum.Name, err)
	}
	got, err := agent.Get(ctx, store, access.SystemActor("test"), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != agent.StatusOnline || len(got.Systems) != 1 || sum.System == "" {
		t.Errorf("demo agent: %+v, system %q", got, sum.System)
	}
}
