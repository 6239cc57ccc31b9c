package app_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// Tokens carry the MFA guarantee of sessions (issue 10, item 1): a role
// change, an MFA reset, a password reset and "sign out everywhere" revoke
// them, and no token is issued to or accepted for a user who must enrol MFA
// and has not.
func TestTokensKeepTheMFARequirement(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		ctx := context.Background()
		org := app.Org(t, "SO", "Sở")
		admin := app.User(t, access.Admin, app.Root.ID)
		adminToken := app.Token(t, admin)
		works := func(token string) bool {
			return app.JSON(t, token, "GET", "/api/v1/me", nil, nil) == http.StatusOK
		}
		revocations := func() int {
			entries, err := storage.All(func(p storage.Page) (storage.Paged[audit.Entry], error) {
				return audit.List(ctx, app.Store, access.SystemActor("test"), audit.Query{Action: "token.revoke", ObjectType: "token"}, p)
			})
			if err != nil {
				t.Fatal(err)
			}
			return len(entries)
		}

		// A viewer promoted to coordinator loses its token: it may not read
		// the audit log, create organisations or mint tokens with it.
		viewer := app.User(t, access.Viewer, org.ID)
		old := app.Token(t, viewer)
		before := revocations()
		coordinator := access.Coordinator
		if code := app.JSON(t, adminToken, "PATCH", fmt.Sprintf("/api/v1/users/%d", viewer.ID), identity.UserUpdate{Role: &coordinator}, nil); code != http.StatusOK {
			t.Fatalf("promote: %d", code)
		}
		for _, req := range []struct{ method, path string }{{"GET", "/api/v1/audit"}, {"POST", "/api/v1/orgs"}, {"POST", "/api/v1/tokens"}} {
			if code := app.JSON(t, old, req.method, req.path, map[string]any{"name": "x", "code": "X", "parent_id": app.Root.ID}, nil); code != http.StatusUnauthorized {
				t.Errorf("%s %s with the token of a promoted, unenrolled user: %d", req.method, req.path, code)
			}
		}
		if revocations() != before+1 {
			t.Error("the revocation on a role change is not audited")
		}

		// No token is issued to the unenrolled coordinator.
		_, hash, prefix := auth.NewToken()
		if _, err := identity.CreateToken(ctx, app.Store, access.SystemActor("test"), viewer.ID, "x", hash, prefix, nil); !errors.Is(err, identity.ErrMFANotEnrolled) || !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("token for an unenrolled coordinator: %v", err)
		}

		// A token that slipped by (the role changed behind khien's back) is
		// refused at authentication.
		other := app.User(t, access.Viewer, org.ID)
		slipped := app.Token(t, other)
		if _, err := app.DB.Write.Exec(app.DB.Dialect.Rebind("UPDATE users SET role = ? WHERE id = ?"), string(access.Auditor), other.ID); err != nil {
			t.Fatal(err)
		}
		if works(slipped) {
			t.Error("token of an unenrolled auditor accepted")
		}

		// An MFA reset, a password reset and "sign out everywhere" revoke
		// the user's tokens.
		for name, end := range map[string]func(u *apptest.User) int{
			"mfa reset": func(u *apptest.User) int {
				return app.JSON(t, adminToken, "POST", fmt.Sprintf("/api/v1/users/%d/mfa-reset", u.ID), nil, nil)
			},
			"password reset": func(u *apptest.User) int {
				return app.JSON(t, adminToken, "POST", fmt.Sprintf("/api/v1/users/%d/password", u.ID), map[string]string{"password": "Ngựa-Vằn-Đi-Bộ-Trên-Cỏ"}, nil)
			},
			"sign out everywhere": func(u *apptest.User) int {
				if err := identity.EndSessions(ctx, app.Store, u.Actor(t, app), ""); err != nil {
					t.Fatal(err)
				}
				return http.StatusNoContent
			},
		} {
			u := app.User(t, access.Auditor, org.ID)
			token := app.Token(t, u)
			if !works(token) {
				t.Fatalf("%s: fresh token refused", name)
			}
			before := revocations()
			if code := end(u); code >= 300 {
				t.Fatalf("%s: %d", name, code)
			}
			if works(token) {
				t.Errorf("token survived %s", name)
			}
			if revocations() != before+1 {
				t.Errorf("%s: revocation not audited", name)
			}
		}
	})
}
