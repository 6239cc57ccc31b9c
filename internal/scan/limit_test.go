package scan

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	b := newBucket(100, 1)
	start := time.Now()
	for range 11 {
		if err := b.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// 1 immediate token and 10 more at 100/s: at least 100 ms.
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("11 tokens at 100/s took %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slow := newBucket(0.1, 1)
	_ = slow.wait(ctx)
	if err := slow.wait(ctx); err == nil {
		t.Error("wait ignored a cancelled context")
	}
	if newBucket(0, 1).wait(context.Background()) != nil {
		t.Error("unlimited bucket waited")
	}
}

// TestBucketPacing: a token of a bucket without burst leaves at least
// 1/rate after the previous one did, even when it is due: the previous
// waiter may have been woken late.
func TestBucketPacing(t *testing.T) {
	const rate = 20
	b := newBucket(rate, 1) // one token saved: due at once
	released := time.Now()
	b.mu.Lock()
	b.released = released // the previous token, let out just now
	b.mu.Unlock()
	if err := b.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if gap := time.Since(released); gap < time.Second/rate {
		t.Errorf("token let out %v after the previous one, want at least %v", gap, time.Second/rate)
	}
}

// TestGlobalBurst: the global rate must not let a thousand SYNs out at
// once; 1100 tokens at 10000/s need about 100 ms once the burst is spent.
func TestGlobalBurst(t *testing.T) {
	tests := []struct {
		rate float64
		max  int
	}{{10000, 100}, {1000, 10}, {50, 1}, {1, 1}}
	for _, tt := range tests {
		if got := globalBurst(tt.rate); got > tt.max || got < 1 {
			t.Errorf("globalBurst(%v) = %d, want 1..%d", tt.rate, got, tt.max)
		}
	}
	b := newBucket(10000, globalBurst(10000))
	start := time.Now()
	for range 1100 {
		if err := b.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("1100 tokens at 10000/s took %v: the burst is too large", d)
	}
}

func TestHostLimiterConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var open, peak atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				n := open.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				buf := make([]byte, 1)
				c.Read(buf) // until the client closes
				c.Close()
				open.Add(-1)
			}()
		}
	}()
	cfg := Config{PerHost: 2, PerHostRate: -1, Timeout: time.Second, HTTPBudget: 10}
	h := newHostLimiter(netip.MustParseAddr("127.0.0.1"), &cfg, nil, nil, func(error) {})
	port := ln.Addr().(*net.TCPAddr).Port
	var wg sync.WaitGroup
	var clientPeak, clientOpen atomic.Int64
	const clients = 12
	var started, done atomic.Int64
	for range clients {
		wg.Go(func() {
			defer done.Add(1)
			started.Add(1)
			c, err := h.connect(context.Background(), port)
			if err != nil {
				t.Error(err)
				return
			}
			n := clientOpen.Add(1)
			if n > clientPeak.Load() {
				clientPeak.Store(n)
			}
			// Hold the connection while every other client contends for a
			// slot, until the limiter is full (or no client is left to come):
			// a limiter that let more through would show them open at once.
			waitFor(t, 10*time.Second, "the connection slots to fill", func() bool {
				return started.Load() == clients && (len(h.slots) == cap(h.slots) || clientOpen.Load()+done.Load() == clients)
			})
			clientOpen.Add(-1)
			c.Close()
		})
	}
	wg.Wait()
	if p := clientPeak.Load(); p > 2 {
		t.Errorf("%d connections open at once, limit 2", p)
	}
}

func TestBackoffStops(t *testing.T) {
	var stopped error
	cfg := Config{PerHost: 2, PerHostRate: 1000, Timeout: time.Second, HTTPBudget: 10}
	h := newHostLimiter(netip.MustParseAddr("127.0.0.1"), &cfg, nil, nil, func(err error) { stopped = err })
	for i := range stopAfter {
		if !h.stopped().IsZero() {
			t.Fatalf("stopped after %d failures", i)
		}
		h.record(nil, http.StatusServiceUnavailable)
	}
	if h.stopped().IsZero() || stopped == nil {
		t.Fatal("host not stopped after repeated 503s")
	}
	if h.rate.rate >= 1000 {
		t.Errorf("rate not reduced before stopping: %v", h.rate.rate)
	}
	if _, err := h.connect(context.Background(), 1); err == nil {
		t.Error("stopped host still dialled")
	}
	ok := newHostLimiter(netip.MustParseAddr("127.0.0.1"), &cfg, nil, nil, func(error) {})
	for range stopAfter * 2 {
		ok.record(nil, http.StatusTooManyRequests)
		ok.record(nil, http.StatusOK) // successes in between reset the count
	}
	if !ok.stopped().IsZero() {
		t.Error("host with intermittent 429s was stopped")
	}
}

// waitFor polls cond every millisecond until it holds and reports whether it
// did; after timeout it fails the test, saying what it waited for. It uses
// t.Errorf, so it may be called from any goroutine.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("timed out after %v waiting for %s", timeout, what)
			return false
		}
		<-tick.C
	}
	return true
}
