package cli

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/khien/khien/internal/database"
)

// Restore refuses while a server holds the data directory (issue 10, item
// 3: the server kept writing to the old, unlinked file and acknowledged
// writes were lost), keeps the database it replaces, and refuses a backup
// from a newer schema before replacing anything (item 4).
func TestRestoreRefusesUnderARunningServer(t *testing.T) {
	dir := t.TempDir()
	cmd, _ := startServer(t, nil, "--data", dir)
	file := filepath.Join(t.TempDir(), "backup.db")
	if code, out := run("backup", "--data", dir, file); code != 0 {
		t.Fatalf("backup: %s", out)
	}
	code, out := run("restore", "--force", "--data", dir, file)
	holder := fmt.Sprintf("khien serve (process %d)", cmd.Process.Pid)
	if code != 2 || !strings.Contains(out, holder) || strings.Count(strings.TrimSpace(out), "\n") > 0 {
		t.Fatalf("restore under a running server: exit %d, want 2 and one line naming %s:\n%s", code, holder, out)
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, database.SQLiteFile+".before-restore-*")); len(kept) > 0 {
		t.Fatalf("a refused restore moved the database: %v", kept)
	}
	// A second server on the same directory is refused as well.
	if code, out := run("serve", "--addr", freeAddr(t), "--data", dir); code != 2 || !strings.Contains(out, holder) {
		t.Fatalf("second server on the data directory: exit %d %s", code, out)
	}

	// A backup from a newer khien is refused before anything is replaced.
	newer := filepath.Join(t.TempDir(), "newer.db")
	copyTestFile(t, file, newer)
	bdb, err := sql.Open("sqlite", "file:"+newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bdb.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)"); err != nil {
		t.Fatal(err)
	}
	bdb.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("server stopped with %v", err)
	}
	before, err := os.ReadFile(filepath.Join(dir, database.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	if code, out := run("restore", "--force", "--data", dir, newer); code != 2 || !strings.Contains(out, "9999") || !strings.Contains(out, "newer") {
		t.Fatalf("restore of a newer backup: exit %d %s", code, out)
	}
	after, err := os.ReadFile(filepath.Join(dir, database.SQLiteFile))
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("a refused newer backup changed the database: %v", err)
	}

	// With the server stopped the restore runs and keeps the old database.
	code, out = run("restore", "--force", "--data", dir, file)
	kept, _ := filepath.Glob(filepath.Join(dir, database.SQLiteFile+".before-restore-*"))
	if code != 0 || len(kept) != 1 || !strings.Contains(out, "kept as "+kept[0]) {
		t.Fatalf("restore with the server stopped: exit %d, kept %v:\n%s", code, kept, out)
	}
	if n := countAudit(t, dir); n == 0 {
		t.Fatal("restored database is empty")
	}
}

func copyTestFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
