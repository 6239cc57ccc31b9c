package scanning

import (
	"context"
	"sync"
	"testing"

	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/inventory"
)

// TestAgentsNeverShareAScan: two runners claim at once, over and over,
// until no work is left; every scan is taken exactly once, and an agent
// gets only the scans of systems pinned to it.
func TestAgentsNeverShareAScan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		inside, _, err := agent.Register(ctx, f.store, f.admin, "trong-mang")
		must(t, err)
		outside, _, err := agent.Register(ctx, f.store, f.admin, "ben-ngoai")
		must(t, err)
		const n = 12
		for i := range n {
			sys := inventory.System{OrgID: f.a.ID, Name: "Hệ thống nội bộ " + string(rune('A'+i)), Kind: "internal_app", Level: 2}
			must(t, inventory.CreateSystem(ctx, f.store, f.admin, &sys))
			must(t, inventory.AddAsset(ctx, f.store, f.admin, sys.ID, &inventory.Asset{Kind: "ip", Value: "10.9.0." + string(rune('1'+i%9))}))
			must(t, agent.Pin(ctx, f.store, f.admin, sys.ID, inside.ID))
			f.authorize(t, sys.ID)
			if s := f.request(t, sys.ID); s.Runner != RunnerAgent {
				t.Fatalf("scan of a pinned system runs on %s", s.Runner)
			}
		}
		claimed := map[int64]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, id := range []int64{inside.ID, inside.ID, outside.ID} { // the same agent twice: two processes with one token
			wg.Go(func() {
				for {
					a, ok, err := Claim(ctx, f.store, id)
					if err != nil {
						t.Error(err)
						return
					}
					if !ok {
						return
					}
					mu.Lock()
					claimed[a.Scan.ID]++
					if id == outside.ID {
						t.Errorf("agent %d took scan %d of a system pinned elsewhere", id, a.Scan.ID)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(claimed) != n {
			t.Errorf("%d scans claimed, want %d", len(claimed), n)
		}
		for id, times := range claimed {
			if times != 1 {
				t.Errorf("scan %d claimed %d times", id, times)
			}
		}
	})
}
