package app_test

import (
	"net/url"
	"strconv"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/identity"
)

// identityRows: sign-in, the shell, the caller's own account,
// organisations, users and the audit log.
var identityRows = map[string]rule{
	// Public.
	"GET /healthz":             public(),
	"GET /metrics":             public(),
	"GET /api/v1/openapi.json": public(),
	"GET /login":               public(),
	"POST /login":              public(),
	"GET /login/mfa":           public(),
	"POST /login/mfa":          public(),
	"POST /api/v1/auth/token":  public(),

	// Shell.
	"GET /{$}": unscoped(everyone...),

	// Own account.
	"GET /api/v1/me": self(nil),
	"POST /api/v1/me/password": self(func(c *cell) any {
		return map[string]string{"current_password": apptest.Password, "new_password": apptest.Password}
	}),
	"GET /api/v1/tokens":         self(nil),
	"POST /api/v1/tokens":        self(func(c *cell) any { return map[string]string{"name": "matrix"} }),
	"DELETE /api/v1/tokens/{id}": selfTarget(ownToken, nil),
	"POST /logout":               signOut(),
	"GET /account":               self(nil),
	"POST /account/password": self(func(c *cell) any {
		return url.Values{"current_password": {apptest.Password}, "new_password": {apptest.Password}, "confirm_password": {apptest.Password}}
	}),
	"POST /account/logout-everywhere":  signOut(),
	"GET /account/mfa":                 self(nil),
	"POST /account/mfa":                self(func(c *cell) any { return url.Values{"code": {"000000"}} }),
	"POST /account/mfa/recovery-codes": self(nil),
	"GET /account/tokens":              self(nil),
	"POST /account/tokens":             self(func(c *cell) any { return url.Values{"name": {"matrix"}} }),
	"POST /account/tokens/{id}/revoke": selfTarget(ownToken, nil),

	// Organisations.
	"GET /api/v1/orgs":               unscoped(everyone...),
	"POST /api/v1/orgs":              object(global, global, parentOrg, orgJSON),
	"GET /api/v1/orgs/{id}":          object(everyone, global, childOrg, nil),
	"PATCH /api/v1/orgs/{id}":        object(global, global, childOrg, orgJSON),
	"POST /api/v1/orgs/{id}/move":    object(global, global, childOrg, func(c *cell) any { return map[string]int64{"parent_id": c.org.ID} }),
	"POST /api/v1/orgs/{id}/archive": object(global, global, childOrg, nil),
	"POST /api/v1/orgs/{id}/restore": object(global, global, childOrg, nil),
	"GET /admin":                     unscoped(everyone...),
	"GET /admin/orgs":                unscoped(everyone...),
	"POST /admin/orgs":               object(global, global, parentOrg, orgForm),
	"GET /admin/orgs/{id}":           object(everyone, global, childOrg, nil),
	"POST /admin/orgs/{id}":          object(global, global, childOrg, orgForm),
	"POST /admin/orgs/{id}/move":     object(global, global, childOrg, func(c *cell) any { return url.Values{"parent_id": {c.orgID()}} }),
	"POST /admin/orgs/{id}/archive":  object(global, global, childOrg, func(c *cell) any { return url.Values{"archived": {"1"}} }),

	// Users.
	"GET /api/v1/users":                  unscoped(userReaders...),
	"POST /api/v1/users":                 object(userManagers, admins, parentOrg, userJSON),
	"GET /api/v1/users/{id}":             object(userReaders, global, operatorIn, nil),
	"PATCH /api/v1/users/{id}":           object(userManagers, admins, operatorIn, func(c *cell) any { return map[string]string{"name": "Đổi tên"} }),
	"PUT /api/v1/users/{id}/assignments": object(global, global, auditorIn, func(c *cell) any { return map[string][]int64{"org_ids": {c.org.ID}} }),
	"POST /api/v1/users/{id}/password":   object(userManagers, admins, operatorIn, func(c *cell) any { return map[string]string{"password": apptest.Password} }),
	"POST /api/v1/users/{id}/mfa-reset":  object(userManagers, admins, operatorIn, nil),
	"GET /admin/users":                   unscoped(userReaders...),
	"POST /admin/users":                  object(userManagers, admins, parentOrg, userForm),
	"GET /admin/users/{id}":              object(userReaders, global, operatorIn, nil),
	"POST /admin/users/{id}": object(userManagers, admins, operatorIn, func(c *cell) any {
		return url.Values{"name": {"Đổi tên"}, "role": {"agency_operator"}, "org_id": {c.orgID()}}
	}),
	"POST /admin/users/{id}/assignments": object(global, global, auditorIn, func(c *cell) any { return url.Values{"org_id": {c.orgID()}} }),
	"POST /admin/users/{id}/password":    object(userManagers, admins, operatorIn, nil),
	"POST /admin/users/{id}/mfa-reset":   object(userManagers, admins, operatorIn, nil),

	// Audit log.
	"GET /api/v1/audit":           unscoped(global...),
	"GET /admin/audit":            unscoped(global...),
	"GET /admin/audit/export.csv": unscoped(global...),
}

// Targets.
func parentOrg(c *cell) string { return "" }
func childOrg(c *cell) string {
	return strconv.FormatInt(c.app.ChildOrg(c.t, c.org.ID, c.unique("CHILD"), "Đơn vị con").ID, 10)
}
func operatorIn(c *cell) string {
	return strconv.FormatInt(c.app.User(c.t, access.AgencyOperator, c.org.ID).ID, 10)
}
func auditorIn(c *cell) string {
	return strconv.FormatInt(c.app.User(c.t, access.Auditor, c.org.ID).ID, 10)
}
func ownToken(c *cell) string {
	var tokens struct{ Items []identity.Token }
	c.app.JSON(c.t, c.app.Token(c.t, c.user), "GET", "/api/v1/tokens", nil, &tokens)
	return strconv.FormatInt(tokens.Items[0].ID, 10)
}

// Bodies.
func orgJSON(c *cell) any {
	return map[string]any{"code": c.unique("ORG"), "name": "Cơ quan thử", "parent_id": c.org.ID}
}
func orgForm(c *cell) any {
	return url.Values{"code": {c.unique("ORG")}, "name": {"Cơ quan thử"}, "parent_id": {c.orgID()}, "kind": {"unit"}}
}
func userJSON(c *cell) any {
	return map[string]any{"email": c.unique("new") + "@matrix.local", "name": "Mới", "role": "viewer", "org_id": c.org.ID, "password": apptest.Password}
}
func userForm(c *cell) any {
	return url.Values{"email": {c.unique("new") + "@matrix.local"}, "name": {"Mới"}, "role": {"viewer"}, "org_id": {c.orgID()}, "password": {apptest.Password}}
}
