package scanning

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/jobs"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/storage"
)

// The crash test runs a second copy of this test binary as the server that
// dies mid-scan: crashEnv holds its database and the scanned port.
const crashEnv = "KHIEN_SCAN_CRASH"

func TestMain(m *testing.M) {
	if target := os.Getenv(crashEnv); target != "" {
		runDoomedServer(target)
		return
	}
	os.Exit(m.Run())
}

// runDoomedServer works scans until its first host is recorded, then hangs
// until the test kills it.
func runDoomedServer(target string) {
	port, dbTarget, _ := strings.Cut(target, " ")
	ctx := context.Background()
	db, err := dbtest.OpenTarget(ctx, dbTarget)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	p, _ := strconv.Atoi(port)
	w := &Worker{Store: storage.New(db), Base: scan.Config{Ports: []int{p}, Parallel: 1, Lang: "en", Checks: []string{"port", "http"}},
		Max: Limits{PerHost: 2, PerHostRate: 1000, HTTPBudget: 150}, afterHost: func() { select {} }}
	reg := jobs.NewRegistry()
	jobs.AddWorker(reg, w)
	e, err := jobs.New(ctx, w.Store, jobs.Config{WorkOnly: true}, reg)
	if err == nil {
		err = e.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	select {}
}

// TestScanSurvivesKill: the server is killed (SIGKILL) after the scan's
// first host; another server rescues the scan, skips the finished host,
// scans the other and completes the scan exactly once.
func TestScanSurvivesKill(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			cfg := dbtest.Config(t, kind)
			ctx := context.Background()
			db, err := database.Open(ctx, cfg)
			must(t, err)
			t.Cleanup(func() { db.Close() })
			must(t, db.Migrate(ctx))
			f := newFixture(t, db, "127.0.0.1", "127.0.0.2")
			var mu sync.Mutex
			byHost := map[string]int{}
			f.onRequest = func(r *http.Request) {
				host, _, _ := net.SplitHostPort(r.Context().Value(http.LocalAddrContextKey).(net.Addr).String())
				mu.Lock()
				byHost[host]++
				mu.Unlock()
			}
			f.authorize(t, f.sysA.ID)
			s := f.request(t, f.sysA.ID)

			doomed := dbtest.StartDoomed(t, crashEnv, strconv.Itoa(f.port)+" "+dbtest.Target(cfg))
			var done []string
			waitFor(t, 60*time.Second, func() bool {
				done, err = storage.Collect[string](f.store.Query(ctx, "SELECT host FROM scan_hosts WHERE scan_id = ?", s.ID))(scanHost)
				return err == nil && len(done) == 1
			})
			running := time.Now()
			doomed.Kill(t)
			mu.Lock()
			before := byHost[done[0]]
			mu.Unlock()

			// The rescuer takes the job once it has run longer than its
			// timeout (the slice and its margin) and RescueAfter.
			w := f.worker()
			w.Slice = 5 * time.Second
			time.Sleep(time.Until(running.Add(w.Timeout(nil))))
			reg := jobs.NewRegistry()
			jobs.AddWorker(reg, w)
			e, err := jobs.New(ctx, f.store, jobs.Config{RescueAfter: time.Second, JobTimeout: time.Second}, reg)
			must(t, err)
			must(t, e.Start(ctx))
			t.Cleanup(func() { e.Stop(ctx) })
			waitFor(t, 90*time.Second, func() bool { return f.get(t, s.ID).Status == StatusDone })

			s = f.get(t, s.ID)
			if s.HostsDone != 2 {
				t.Errorf("%d hosts done, want 2", s.HostsDone)
			}
			var ends int
			must(t, f.store.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'scan.done' AND object_id = ?", strconv.FormatInt(s.ID, 10)).Scan(&ends))
			if ends != 1 {
				t.Errorf("the scan completed %d times, want once", ends)
			}
			mu.Lock()
			defer mu.Unlock()
			if byHost[done[0]] != before {
				t.Errorf("the host finished before the crash was scanned again (%d requests, then %d)", before, byHost[done[0]])
			}
			if len(byHost) != 2 {
				t.Errorf("hosts scanned: %v", byHost)
			}
		})
	}
}

// waitFor polls cond until it holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
