package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// dbArgs are the database flags of a fresh database of kind.
func dbArgs(t *testing.T, kind string) []string {
	cfg := dbtest.Config(t, kind)
	if cfg.URL != "" {
		return []string{"--database-url", cfg.URL}
	}
	return []string{"--data", cfg.DataDir}
}

func TestUserTokenAndAuditCommands(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			db := dbArgs(t, kind)
			args := func(a ...string) []string { return append(a, db...) }

			code, out := run(args("user", "create", "--email", "Lan@So.gov.vn", "--name", "Nguyễn Thị Lan", "--role", "agency_operator")...)
			if code != 0 || !strings.Contains(out, "lan@so.gov.vn") || !strings.Contains(out, "mật khẩu (chỉ hiển thị lần này): ") || !strings.Contains(out, "(Cán bộ chuyên trách)") {
				t.Fatalf("user create: %d %s", code, out)
			}
			if code, out := run(args("user", "create", "--lang", "en", "--email", "x@y.vn", "--role", "king")...); code != 2 || !strings.Contains(out, `unknown role "king"`) {
				t.Fatalf("bad role: %d %s", code, out)
			}
			// The CLI's own errors follow --lang, Vietnamese by default.
			for _, tt := range []struct{ lang, want string }{
				{"", "không có người dùng với e-mail ai@so.gov.vn"},
				{"en", "no user with e-mail ai@so.gov.vn"},
			} {
				a := args("token", "create", "--user", "ai@so.gov.vn", "--name", "x")
				if tt.lang != "" {
					a = append(a, "--lang", tt.lang)
				}
				if code, out := run(a...); code != 2 || !strings.Contains(out, tt.want) {
					t.Fatalf("token for an unknown user (--lang %q): %d %s, want %q", tt.lang, code, out, tt.want)
				}
			}

			code, out = run(args("token", "create", "--user", "lan@so.gov.vn", "--name", "scanner", "--expires", "30d")...)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			token := lines[len(lines)-1]
			if code != 0 || !strings.HasPrefix(token, auth.TokenPrefix) || strings.Contains(token, " ") {
				t.Fatalf("token create: %d %s", code, out)
			}
			d := openDB(t, db)
			store := storage.New(d)
			tok, u, err := identity.TokenUser(context.Background(), store, auth.HashToken(token))
			if err != nil || u.Email != "lan@so.gov.vn" || tok.ExpiresAt == nil {
				t.Fatalf("token not stored for the user: %v %+v %+v", err, tok, u)
			}

			if code, out := run(args("user", "reset-password", "--email", "lan@so.gov.vn", "--reset-mfa", "--lang", "en")...); code != 0 || !strings.Contains(out, "password (shown once)") {
				t.Fatalf("reset-password: %d %s", code, out)
			}
			if tok, _, err := identity.TokenUser(context.Background(), store, auth.HashToken(token)); err != nil || tok.RevokedAt == nil {
				t.Fatalf("token survived a password and MFA reset: %v %+v", err, tok)
			}

			// An auditor who has not enrolled MFA gets no token.
			if code, out := run(args("user", "create", "--email", "kiem@so.gov.vn", "--name", "Kiểm Toán", "--role", "auditor")...); code != 0 {
				t.Fatalf("user create auditor: %d %s", code, out)
			}
			code, out = run(args("token", "create", "--lang", "en", "--user", "kiem@so.gov.vn", "--name", "audit")...)
			if code != 2 || !strings.Contains(out, "kiem@so.gov.vn has role Auditor, which requires MFA") || strings.Contains(out, auth.TokenPrefix) {
				t.Fatalf("token for an unenrolled auditor: %d %s", code, out)
			}

			code, out = run(args("audit", "verify")...)
			if code != 0 || !strings.Contains(out, "nhật ký kiểm toán nguyên vẹn: đã kiểm tra") || strings.Contains(out, "entries") {
				t.Fatalf("audit verify on an intact log: %d %s", code, out)
			}
			code, out = run(args("audit", "verify", "--lang", "en")...)
			if code != 0 || !strings.Contains(out, "audit log intact") {
				t.Fatalf("audit verify on an intact log: %d %s", code, out)
			}
			// Change one row behind khien's back: verify names it.
			var id int64
			if err := d.Read.QueryRow("SELECT min(id) FROM audit_log WHERE action = 'user.create'").Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Write.Exec(d.Dialect.Rebind("UPDATE audit_log SET details = ? WHERE id = ?"), `{"new":{"role":"admin"}}`, id); err != nil {
				t.Fatal(err)
			}
			code, out = run(args("audit", "verify")...)
			if code == 0 || !strings.Contains(out, fmt.Sprintf("audit entry %d ", id)) {
				t.Fatalf("audit verify after tampering with entry %d: %d %s", id, code, out)
			}
		})
	}
}

// openDB opens the database the flags name, for checking what commands did.
func openDB(t *testing.T, flags []string) *database.DB {
	t.Helper()
	cfg := database.Config{DataDir: flags[1]}
	if flags[0] == "--database-url" {
		cfg = database.Config{URL: flags[1]}
	}
	d, err := database.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
