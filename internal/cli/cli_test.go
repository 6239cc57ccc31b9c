package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/storage"
)

// The test binary doubles as the khien binary: with KHIEN_TEST_MAIN=1 it runs
// the command line from os.Args, so tests can start real server processes
// and kill them.
func TestMain(m *testing.M) {
	if os.Getenv("KHIEN_TEST_MAIN") == "1" {
		if os.Getenv("KHIEN_TEST_WRITER") == "1" {
			go writeForever()
		}
		os.Exit(Execute())
	}
	os.Exit(m.Run())
}

// writeForever appends audit entries as fast as it can, so a kill lands mid-write.
func writeForever() {
	ctx := context.Background()
	// Let serve create and migrate the database: it answers /healthz once it has.
	if !poll(20*time.Second, func() bool { return healthy("http://" + argAfter("--addr")) }) {
		fmt.Fprintln(os.Stderr, "writer: the server did not become healthy")
		return
	}
	db, err := database.Open(ctx, database.Config{DataDir: os.Getenv("KHIEN_TEST_DATA")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		return
	}
	store := storage.New(db)
	key, err := audit.ReadKey(filepath.Join(os.Getenv("KHIEN_TEST_DATA"), audit.KeyFile))
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		return
	}
	store.SetAuditKey(key)
	for i := 0; ; i++ {
		err := audit.Write(ctx, store, access.SystemActor("test-writer"), audit.Change{Action: "test.write", ObjectType: "test", ObjectID: int64(i + 1), New: strings.Repeat("x", 200)})
		if err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			return
		}
	}
}

// startServer runs "khien serve" in a child process and waits for /healthz.
func startServer(t *testing.T, env []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(append(os.Environ(), "KHIEN_TEST_MAIN=1", "KHIEN_ADMIN_PASSWORD=correct horse battery"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "http://" + addr
	if !poll(20*time.Second, func() bool { return healthy(url) }) {
		t.Fatalf("server did not become healthy; stderr:\n%s", stderr.String())
	}
	return cmd, url
}

// healthy reports whether the server at url answers /healthz with 200.
func healthy(url string) bool {
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// argAfter returns the command-line argument that follows name ("--addr").
func argAfter(name string) string {
	for i, a := range os.Args[:len(os.Args)-1] {
		if a == name {
			return os.Args[i+1]
		}
	}
	return ""
}

// poll calls cond every 10 ms until it returns true or timeout passes, and
// reports whether it returned true.
func poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

// waitFor fails the test, saying what it waited for, when cond does not
// hold within timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !poll(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// waitForWrites waits until the test writer of the server on dir has added
// n audit rows since the call: the server is writing.
func waitForWrites(t *testing.T, dir string, n int) {
	t.Helper()
	base := -1
	waitFor(t, 20*time.Second, fmt.Sprintf("the writer to add %d audit rows", n), func() bool {
		rows, err := auditRows(dir)
		if err != nil {
			return false
		}
		if base < 0 {
			base = rows
		}
		return rows >= base+n
	})
}

// auditRows counts the audit rows of the SQLite database in dir while a
// server may be writing to it (countAudit also checks integrity, after a kill).
func auditRows(dir string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, database.SQLiteFile)+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRow("SELECT count(*) FROM audit_log").Scan(&n)
	return n, err
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// run executes the command line in-process and returns its exit code and output.
func run(args ...string) (int, string) {
	root := NewRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	code, msg := runRoot(root)
	return code, out.String() + msg
}

func countAudit(t *testing.T, dir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, database.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity check: %v %s", err, ok)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestServeSQLiteAndPostgres(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			cfg := dbtest.Config(t, kind)
			var env []string
			args := []string{"--data", t.TempDir()}
			if cfg.URL != "" {
				env = append(env, "KHIEN_DATABASE_URL="+cfg.URL)
			}
			_, url := startServer(t, env, args...)
			resp, err := http.Get(url + "/login")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			if !strings.Contains(body.String(), "Đăng nhập") {
				t.Fatalf("login page is not Vietnamese:\n%s", body.String())
			}
		})
	}
}

func TestDataSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	for round := 0; round < 3; round++ {
		cmd, _ := startServer(t, []string{"KHIEN_TEST_WRITER=1", "KHIEN_TEST_DATA=" + dir}, "--data", dir)
		// Kill while the writer writes, after more rows each round, so the
		// kills land at different points of the WAL's checkpoint cycle.
		waitForWrites(t, dir, 1000*(round+1))
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		before := countAudit(t, dir)
		if before == 0 && round > 0 {
			t.Fatalf("round %d: no rows survived", round)
		}
		// The database must open and migrate again after the kill.
		if code, out := run("migrate", "up", "--data", dir); code != 0 {
			t.Fatalf("round %d: reopen after kill -9 failed: %s", round, out)
		}
	}
}

func TestBackupWhileWritingRestores(t *testing.T) {
	dir := t.TempDir()
	startServer(t, []string{"KHIEN_TEST_WRITER=1", "KHIEN_TEST_DATA=" + dir}, "--data", dir)
	waitForWrites(t, dir, 1000) // back up while the writer writes
	file := filepath.Join(t.TempDir(), "backup.db")
	code, out := run("backup", "--data", dir, file)
	if code != 0 || !strings.Contains(out, filepath.Join(dir, audit.KeyFile)) {
		t.Fatalf("backup (must name the audit key to keep separately): %s", out)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if code, out := run("restore", "--data", restored, file); code != 0 {
		t.Fatalf("restore: %s", out)
	}
	n := countAudit(t, restored)
	if n < 2 {
		t.Fatalf("restored database holds %d audit rows; expected the writer's rows", n)
	}
	// Without its audit key the restored log cannot be extended: refused.
	if code, out := run("audit", "checkpoint", "--lang", "en", "--data", restored); code != 2 || !strings.Contains(out, "restore the key from its backup") {
		t.Fatalf("restored database without its audit key: exit %d, %s", code, out)
	}
	key, err := os.ReadFile(filepath.Join(dir, audit.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(restored, audit.KeyFile), key, 0o600)
	// The restored server starts and holds the same data: the administrator
	// created by the original server, and no new one.
	_, url := startServer(t, nil, "--data", restored)
	resp, err := http.Get(url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("restored server unhealthy: %v", err)
	}
	resp.Body.Close()
	if after := countAudit(t, restored); after != n {
		t.Fatalf("restored server changed the data: %d rows before start, %d after", n, after)
	}
	// Restoring over an existing database needs --force.
	if code, _ := run("restore", "--data", restored, file); code != 2 {
		t.Fatalf("restore over an existing database without --force: exit %d, want 2", code)
	}
	// A file that is not a backup is refused.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if code, out := run("restore", "--lang", "en", "--data", t.TempDir(), junk); code != 2 || !strings.Contains(out, "not a SQLite backup") {
		t.Fatalf("restore of junk: exit %d, %s", code, out)
	}
}

func TestBadConfigurationExitsWithOneClearLine(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	newer := t.TempDir()
	if code, out := run("migrate", "up", "--data", newer); code != 0 {
		t.Fatal(out)
	}
	db, _ := sql.Open("sqlite", "file:"+filepath.Join(newer, database.SQLiteFile))
	if _, err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cert, key := writeCert(t)
	tests := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"unwritable data directory", []string{"serve", "--lang", "en", "--addr", "127.0.0.1:0", "--data", "/proc/khien/data"}, nil, "cannot create data directory"},
		{"unreachable PostgreSQL", []string{"serve", "--lang", "en", "--addr", "127.0.0.1:0", "--database-url", "postgres://x@127.0.0.1:1/none?connect_timeout=2"}, nil, "cannot reach PostgreSQL"},
		{"port in use", []string{"serve", "--lang", "en", "--data", t.TempDir(), "--addr", busy.Addr().String()}, nil, "cannot listen"},
		{"port in use, in Vietnamese by default", []string{"serve", "--data", t.TempDir(), "--addr", busy.Addr().String()}, nil, "không lắng nghe được trên " + busy.Addr().String()},
		{"unreadable TLS files", []string{"serve", "--lang", "en", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", key}, nil, "cannot load TLS certificate"},
		{"TLS cert without key", []string{"serve", "--lang", "en", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--tls-cert", cert}, nil, "go together"},
		{"bad trusted proxy", []string{"serve", "--lang", "en", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--trusted-proxies", "nowhere"}, nil, `"nowhere" is not an address or CIDR range`},
		{"no job workers", []string{"serve", "--lang", "en", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--job-workers", "0"}, nil, "--job-workers must be at least 1, not 0"},
		{"no job timeout", []string{"serve", "--lang", "en", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--job-timeout", "-1s"}, nil, "--job-timeout must be positive, not -1s"},
		{"rescue before the job timeout", []string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--job-timeout", "1h", "--job-rescue-after", "30m"}, nil, "--job-rescue-after (30m0s) phải dài hơn --job-timeout (1h0m0s)"},
		{"database from a newer version", []string{"serve", "--lang", "en", "--addr", "127.0.0.1:0", "--data", newer}, nil, "newer than this khien"},
		{"database from a newer version, in Vietnamese by default", []string{"serve", "--addr", "127.0.0.1:0", "--data", newer}, nil, "lược đồ cơ sở dữ liệu mới hơn bản khien này"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tt.args...)
			cmd.Env = append(append(os.Environ(), "KHIEN_TEST_MAIN=1", "KHIEN_ADMIN_PASSWORD=correct horse battery"), tt.env...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() == 0 {
				t.Fatalf("expected a non-zero exit, got %v\n%s", err, out)
			}
			text := strings.TrimSpace(string(out))
			if !strings.Contains(text, tt.want) {
				t.Fatalf("output does not say %q:\n%s", tt.want, text)
			}
			if strings.Count(text, "\n") > 0 || strings.Contains(text, "goroutine") || strings.Contains(text, "panic") {
				t.Fatalf("want one clear line, got:\n%s", text)
			}
		})
	}
}

// writeCert writes a self-signed certificate and key for TLS configuration tests.
func writeCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

func TestVersion(t *testing.T) {
	code, out := run("version")
	if code != 0 || !strings.Contains(out, "khien dev") {
		t.Fatalf("version: %d %q", code, out)
	}
}

// TestGracefulShutdown: SIGTERM ends the server with exit 0, the write-ahead
// log is folded into the database, and a restart finds the same data.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	cmd, _ := startServer(t, nil, "--data", dir)
	before := countAudit(t, dir)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exited with %v after SIGTERM", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop within 15 s of SIGTERM")
	}
	if st, err := os.Stat(filepath.Join(dir, database.SQLiteFile+"-wal")); err == nil && st.Size() > 0 {
		t.Errorf("write-ahead log holds %d bytes after a clean shutdown", st.Size())
	}
	startServer(t, nil, "--data", dir)
	if after := countAudit(t, dir); after != before || after == 0 {
		t.Fatalf("restart changed the data: %d audit rows before, %d after", before, after)
	}
}
