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
	// The refusal is Vietnamese unless --lang says otherwise.
	for _, tt := range []struct{ lang, holder string }{
		{"", fmt.Sprintf("đang được khien serve (tiến trình %d) sử dụng", cmd.Process.Pid)},
		{"en", fmt.Sprintf("in use by khien serve (process %d)", cmd.Process.Pid)},
	} {
		args := []string{"restore", "--force", "--data", dir, file}
		if tt.lang != "" {
			args = append(args, "--lang", tt.lang)
		}
		code, out := run(args...)
		if code != 2 || !strings.Contains(out, tt.holder) || strings.Count(strings.TrimSpace(out), "\n") > 0 {
			t.Fatalf("restore under a running server (--lang %q): exit %d, want 2 and one line saying %s:\n%s", tt.lang, code, tt.holder, out)
		}
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, database.SQLiteFile+".before-restore-*")); len(kept) > 0 {
		t.Fatalf("a refused restore moved the database: %v", kept)
	}
	// A second server on the same directory is refused as well.
	if code, out := run("serve", "--lang", "en", "--addr", freeAddr(t), "--data", dir); code != 2 || !strings.Contains(out, fmt.Sprintf("khien serve (process %d)", cmd.Process.Pid)) {
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
	if code, out := run("restore", "--lang", "en", "--force", "--data", dir, newer); code != 2 || !strings.Contains(out, "9999") || !strings.Contains(out, "newer") {
		t.Fatalf("restore of a newer backup: exit %d %s", code, out)
	}
	after, err := os.ReadFile(filepath.Join(dir, database.SQLiteFile))
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("a refused newer backup changed the database: %v", err)
	}

	// With the server stopped the restore runs and keeps the old database.
	code, out := run("restore", "--lang", "en", "--force", "--data", dir, file)
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

// migrate status and up speak the --lang, Vietnamese by default.
func TestMigrateFollowsLang(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		lang         string
		up, header   string
		state, other string
	}{
		{"", "cơ sở dữ liệu đã được cập nhật", "PHIÊN BẢN", "đã áp dụng", "applied"},
		{"en", "database is up to date", "VERSION", "applied", "đã áp dụng"},
	}
	for _, tt := range tests {
		with := func(args ...string) []string {
			args = append(args, "--data", dir)
			if tt.lang != "" {
				args = append(args, "--lang", tt.lang)
			}
			return args
		}
		if code, out := run(with("migrate", "up")...); code != 0 || !strings.Contains(out, tt.up) {
			t.Fatalf("migrate up (--lang %q): exit %d %s, want %q", tt.lang, code, out, tt.up)
		}
		code, out := run(with("migrate", "status")...)
		if code != 0 || !strings.HasPrefix(out, tt.header) || !strings.Contains(out, tt.state) || strings.Contains(out, tt.other) {
			t.Fatalf("migrate status (--lang %q): exit %d\n%s", tt.lang, code, out)
		}
	}
}
