package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/agent/client"
	"github.com/khien/khien/internal/apptest"
)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		failures int
		want     time.Duration
	}{{0, 30 * time.Second}, {1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {4, 5 * time.Minute}, {40, 5 * time.Minute}} {
		if got := client.Backoff(30*time.Second, 5*time.Minute, c.failures); got != c.want {
			t.Errorf("%d failures: %s, want %s", c.failures, got, c.want)
		}
	}
}

// TestLoop runs the agent's loop against the real server: heartbeats land,
// Work runs after each, a failing Work is retried, cancelling stops the loop
// cleanly, and a revoked token stops it with the server's refusal.
func TestLoop(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		ctx := context.Background()
		admin := access.SystemActor("client test")
		a, token, err := agent.Register(ctx, app.Store, admin, "Máy quét thử")
		if err != nil {
			t.Fatal(err)
		}
		c := client.New(app.URL, token, &http.Client{Transport: app.Transport})
		c.UserAgent = "khien-agent/test"

		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		calls := 0
		loop := client.Loop{Client: c, Interval: time.Millisecond, MaxBackoff: 4 * time.Millisecond,
			Info: agent.HeartbeatInfo{Version: "1.4.0", Hostname: "scanner-test"},
			Work: func(ctx context.Context, got *client.Client) error {
				calls++
				switch {
				case got != c:
					t.Error("Work got another client")
				case calls == 2:
					return errors.New("a claim failed") // retried after a back-off
				case calls == 4:
					cancel()
				}
				return nil
			}}
		if err := loop.Run(runCtx); err != nil {
			t.Fatalf("stopped by cancel: %v", err)
		}
		if calls != 4 {
			t.Errorf("Work ran %d times", calls)
		}
		got, err := agent.Get(ctx, app.Store, admin, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != agent.StatusOnline || got.Version != "1.4.0" || got.Hostname != "scanner-test" {
			t.Fatalf("after the loop: %+v", got)
		}

		// Do: an answer that is not a success is a StatusError.
		err = c.Do(ctx, http.MethodPost, "/api/v1/agent/heartbeat", map[string]string{"unknown": "x"}, nil)
		var se *client.StatusError
		if !errors.As(err, &se) || se.Status != 422 || se.Message == "" {
			t.Errorf("bad body: %v", err)
		}

		if err := agent.Revoke(ctx, app.Store, admin, a.ID); err != nil {
			t.Fatal(err)
		}
		loop.Work = nil
		if err := loop.Run(ctx); !client.IsUnauthorized(err) {
			t.Fatalf("revoked: %v", err)
		}
	})
}
