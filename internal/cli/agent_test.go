package cli

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/validation"
)

func TestAgentFlags(t *testing.T) {
	ok := agentFlags{server: "https://khien.cantho.gov.vn", token: "khag_abc", interval: 30 * time.Second}
	for _, c := range []struct {
		name string
		edit func(*agentFlags)
		key  string
	}{
		{"fine", func(*agentFlags) {}, ""},
		{"no server", func(f *agentFlags) { f.server = "" }, "cli.agent.server"},
		{"no scheme", func(f *agentFlags) { f.server = "khien.cantho.gov.vn" }, "cli.agent.server"},
		{"ftp", func(f *agentFlags) { f.server = "ftp://khien.cantho.gov.vn" }, "cli.agent.server"},
		{"a user's token", func(f *agentFlags) { f.token = "khien_abc" }, "cli.agent.token"},
		{"the prefix alone", func(f *agentFlags) { f.token = "khag_" }, "cli.agent.token"},
		{"too often", func(f *agentFlags) { f.interval = time.Millisecond }, "cli.agent.interval"},
	} {
		f := ok
		c.edit(&f)
		_, err := f.loop()
		var m validation.Message
		switch {
		case c.key == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.key != "" && (!errors.As(err, &m) || m.Key != c.key):
			t.Errorf("%s: %v, want %s", c.name, err, c.key)
		}
	}
}

// TestAgentCommand runs `khien agent` against the real server until it has
// sent a heartbeat, then stops it as SIGINT would.
func TestAgentCommand(t *testing.T) {
	app := apptest.New(t, "sqlite")
	admin := access.SystemActor("cli test")
	a, token, err := agent.Register(context.Background(), app.Store, admin, "Máy quét Sở Y tế")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := NewRoot()
	root.SetArgs([]string{"agent", "--server", app.URL, "--token", token, "--name", "scanner-syt", "--interval", "1s"})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	online := poll(20*time.Second, func() bool {
		got, err := agent.Get(context.Background(), app.Store, admin, a.ID)
		return err == nil && got.Status == agent.StatusOnline && got.Hostname == "scanner-syt" && got.Version == Version
	})
	cancel()
	if !online {
		t.Fatal("no heartbeat from the agent")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("stopped: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the agent did not stop")
	}
}
