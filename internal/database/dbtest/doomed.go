package dbtest

import (
	"cmp"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/khien/khien/internal/database"
)

// Crash tests run a second copy of the test binary as a server that dies
// mid-work (SIGKILL, no stop at all) on the test's database, then check
// that another server takes the work over.

// Target names the database of cfg in one string, for a copy of the test
// binary: the PostgreSQL URL or the SQLite data directory.
func Target(cfg database.Config) string { return cmp.Or(cfg.URL, cfg.DataDir) }

// OpenTarget opens the database a Target names, already migrated by the
// test that made it.
func OpenTarget(ctx context.Context, target string) (*database.DB, error) {
	cfg := database.Config{DataDir: target}
	if strings.HasPrefix(target, "postgres") {
		cfg = database.Config{URL: target}
	}
	return database.Open(ctx, cfg)
}

// Doomed is a copy of the test binary that its TestMain turns into a
// server, to be killed.
type Doomed struct {
	cmd    *exec.Cmd
	killed bool
}

// StartDoomed starts the test binary again, running no tests, with env set
// to value (what the copy serves: a Target and more). It is killed when the
// test ends if the test has not killed it.
func StartDoomed(t *testing.T, env, value string) *Doomed {
	t.Helper()
	d := &Doomed{cmd: exec.Command(os.Args[0], "-test.run=^$")}
	d.cmd.Env = append(os.Environ(), env+"="+value)
	d.cmd.Stdout, d.cmd.Stderr = t.Output(), t.Output()
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !d.killed {
			d.cmd.Process.Kill()
			d.cmd.Wait()
		}
	})
	return d
}

// Kill kills the copy at once and waits until it is gone.
func (d *Doomed) Kill(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	d.cmd.Wait()
	d.killed = true
}
