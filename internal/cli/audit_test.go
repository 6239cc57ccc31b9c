package cli

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
)

// TestAuditVerifyAgainstCheckpoint: `khien audit verify` reports truncation
// and a wipe after a checkpoint in one line with exit 1, on both databases.
func TestAuditVerifyAgainstCheckpoint(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			cfg := dbtest.Config(t, kind)
			dir := t.TempDir()
			args := []string{"--data", dir}
			if cfg.URL != "" {
				args = append(args, "--database-url", cfg.URL, "--audit-key", filepath.Join(t.TempDir(), "shared.key"))
			}
			cli := func(cmd ...string) (int, string) { return run(append(append(cmd, "--lang", "en"), args...)...) }
			if code, out := cli("audit", "checkpoint"); code != 0 {
				t.Fatalf("first checkpoint: %d %s", code, out)
			}
			f := dbFlags{dataDir: dir, url: cfg.URL}
			if cfg.URL != "" {
				f.auditKey = args[len(args)-1]
			}
			store, closeDB, err := f.openStore(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB()
			for range 4 {
				if err := audit.Write(context.Background(), store, access.SystemActor("test"), audit.Change{Action: "test.write"}); err != nil {
					t.Fatal(err)
				}
			}
			if code, out := cli("audit", "checkpoint"); code != 0 || !strings.Contains(out, "checkpoint written") {
				t.Fatalf("checkpoint: %d %s", code, out)
			}
			if code, out := cli("audit", "verify"); code != 0 || !strings.Contains(out, "audit log intact") || !strings.Contains(out, "matches the checkpoint") {
				t.Fatalf("verify intact: %d %s", code, out)
			}
			execSQL(t, store.DB(), "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
			code, out := cli("audit", "verify")
			if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "audit log BROKEN") || !strings.Contains(out, "deleted from the end") {
				t.Fatalf("verify after truncation: exit %d, %q", code, out)
			}
			execSQL(t, store.DB(), "DELETE FROM audit_log")
			if code, out := cli("audit", "verify"); code != 1 || !strings.Contains(out, "the log was wiped") {
				t.Fatalf("verify after a wipe: exit %d, %q", code, out)
			}
			if code, out := cli("audit", "checkpoint"); code != 1 || !strings.Contains(out, "no checkpoint written") {
				t.Fatalf("checkpoint of a wiped log: exit %d, %q", code, out)
			}
		})
	}
}

func execSQL(t *testing.T, db *database.DB, query string) {
	t.Helper()
	if _, err := db.Write.Exec(query); err != nil {
		t.Fatal(err)
	}
}

// TestAuditWitness: checkpoints are also posted to the witness URL, and
// `khien audit verify` checks the log against the witness's copy.
func TestAuditWitness(t *testing.T) {
	witness := filepath.Join(t.TempDir(), "witness.jsonl")
	var mu sync.Mutex
	var refuse atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse.Load() {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		f, _ := os.OpenFile(witness, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		io.Copy(f, r.Body)
		f.Close()
	}))
	defer srv.Close()
	dir := t.TempDir()
	f := dbFlags{dataDir: dir}
	store, closeDB, err := f.openStore(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	if err := audit.Write(context.Background(), store, access.SystemActor("test"), audit.Change{Action: "test.write"}); err != nil {
		t.Fatal(err)
	}
	if code, out := run("audit", "checkpoint", "--lang", "en", "--data", dir, "--audit-witness-url", srv.URL); code != 0 {
		t.Fatalf("checkpoint: %d %s", code, out)
	}
	os.Remove(filepath.Join(dir, audit.CheckpointFile)) // the local copy is gone (rolled back)
	code, out := run("audit", "verify", "--lang", "en", "--data", dir, "--audit-checkpoints", witness)
	if code != 0 || !strings.Contains(out, "matches the checkpoint") {
		t.Fatalf("verify against the witness: %d %s", code, out)
	}
	execSQL(t, store.DB(), "DELETE FROM audit_log")
	if code, out := run("audit", "verify", "--lang", "en", "--data", dir, "--audit-checkpoints", witness); code != 1 || !strings.Contains(out, "wiped") {
		t.Fatalf("verify a wiped log against the witness: %d %s", code, out)
	}
	// A witness that refuses is an error of the checkpoint command.
	refuse.Store(true)
	if code, out := run("audit", "checkpoint", "--lang", "en", "--data", t.TempDir(), "--audit-witness-url", srv.URL); code == 0 || !strings.Contains(out, "403") {
		t.Fatalf("checkpoint with a refusing witness: %d %s", code, out)
	}
}

// TestServeCheckpointsAsAJob: `khien migrate up` creates the job engine's
// tables, and `khien serve` writes audit checkpoints as a periodic job, at
// start and every --audit-checkpoint-every, on both databases.
func TestServeCheckpointsAsAJob(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			cfg := dbtest.Config(t, kind)
			dir := cmp.Or(cfg.DataDir, t.TempDir())
			checkpoints := filepath.Join(t.TempDir(), "checkpoints")
			args := []string{"--data", dir}
			if cfg.URL != "" {
				args = append(args, "--database-url", cfg.URL)
			}
			if code, out := run(append([]string{"migrate", "up", "--lang", "en"}, args...)...); code != 0 {
				t.Fatalf("migrate up: %d %s", code, out)
			}
			db, err := database.Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var jobs int
			if err := db.Read.QueryRow("SELECT COUNT(*) FROM river_job").Scan(&jobs); err != nil {
				t.Fatalf("river_job after khien migrate up: %v", err)
			}
			args = append(args, "--audit-checkpoints", checkpoints, "--audit-key", filepath.Join(t.TempDir(), "audit.key"))
			cmd, _ := startServer(t, nil, append(args, "--audit-checkpoint-every", "300ms")...)
			waitFor(t, 20*time.Second, "two checkpoints (start and one period)", func() bool {
				b, _ := os.ReadFile(checkpoints)
				return strings.Count(string(b), "\n") >= 2
			})
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("server exited with %v after SIGTERM", err)
			}
			var done int
			if err := db.Read.QueryRow("SELECT COUNT(*) FROM river_job WHERE kind = 'audit_checkpoint' AND state = 'completed'").Scan(&done); err != nil || done < 2 {
				t.Errorf("completed checkpoint jobs: %d, %v; want 2 or more", done, err)
			}
		})
	}
}
