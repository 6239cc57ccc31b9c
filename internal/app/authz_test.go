package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
)

// The authorisation matrix: every registered route, web and API, with who
// may use it. TestAuthorisationMatrix fails when a registered route has no
// row here, when a row names a route that is not registered, and when a
// route answers differently from its row.
//
// Adding a route: add one row keyed "METHOD /path" (exactly as registered):
//
//	public()                          needs no sign-in (login, health, …)
//	self(body)                        acts on the caller's own account: every role
//	selfTarget(target, body)          the same, on an object of the caller's (a token)
//	signOut()                         ends the session: a redirect to /login is success
//	unscoped(roles...)                no object in the path; these roles are allowed
//	object(own, other, target, body)  acts on an object: own lists the roles
//	                                  allowed when the object is in the caller's
//	                                  organisation (for auditors and responders:
//	                                  their assigned organisation), other when it
//	                                  is in another organisation
//
// target makes a fresh object in the cell's organisation (c.org; c.app,
// c.user and c.unique help) and returns the value of the path parameter
// ({id}; "" for routes without one; for several, each by name URL-encoded:
// "id=4&asset_id=9"); body returns the request body:
// a JSON value for the API, url.Values for a web form (nil for none). Every
// request gets fresh objects and a fresh session, so destructive routes
// (archive, revoke, sign out) cannot disturb the next case.
//
// Allowed means a 2xx or 3xx answer (not a redirect to the login page) or 422
// (the input was judged, so access was granted); denied means 403 or 404.
// Anything else fails the test.
var matrix = map[string]rule{
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

	// Inventory.
	"GET /api/v1/systems":                                         unscoped(everyone...),
	"POST /api/v1/systems":                                        object(writers, global, parentOrg, systemJSON),
	"GET /api/v1/systems/{id}":                                    object(everyone, global, systemIn, nil),
	"PATCH /api/v1/systems/{id}":                                  object(writers, global, systemIn, func(c *cell) any { return map[string]string{"purpose": "Thử"} }),
	"DELETE /api/v1/systems/{id}":                                 object(writers, global, systemIn, nil),
	"GET /api/v1/systems/{id}/devices":                            object(everyone, global, systemIn, nil),
	"PUT /api/v1/systems/{id}/devices":                            object(writers, global, systemIn, func(c *cell) any { return map[string]int{"servers": 2} }),
	"GET /api/v1/systems/{id}/assets":                             object(everyone, global, systemIn, nil),
	"POST /api/v1/systems/{id}/assets":                            object(writers, global, systemIn, func(c *cell) any { return map[string]string{"kind": "ip", "value": "10.9.9.9"} }),
	"DELETE /api/v1/systems/{id}/assets/{asset_id}":               object(writers, global, systemAssetIn, nil),
	"GET /api/v1/systems/{id}/controls":                           object(everyone, global, systemIn, nil),
	"PUT /api/v1/systems/{id}/controls/{control}":                 object(writers, global, systemControlIn, func(c *cell) any { return map[string]string{"status": "yes"} }),
	"DELETE /api/v1/systems/{id}/controls/{control}":              object(writers, global, systemControlIn, nil),
	"GET /api/v1/assets":                                          unscoped(everyone...),
	"GET /api/v1/assets/conflicts":                                unscoped(global...),
	"GET /api/v1/assets/{id}":                                     object(everyone, global, assetIn, nil),
	"PATCH /api/v1/assets/{id}":                                   object(writers, global, assetIn, func(c *cell) any { return map[string]string{"notes": "Thử"} }),
	"GET /api/v1/staff":                                           unscoped(everyone...),
	"POST /api/v1/staff":                                          object(writers, global, parentOrg, staffJSON),
	"GET /api/v1/staff/{id}":                                      object(everyone, global, staffIn, nil),
	"PATCH /api/v1/staff/{id}":                                    object(writers, global, staffIn, func(c *cell) any { return map[string]string{"position": "Thử"} }),
	"DELETE /api/v1/staff/{id}":                                   object(writers, global, staffIn, nil),
	"POST /api/v1/staff/{id}/qualifications":                      object(writers, global, staffIn, func(c *cell) any { return map[string]string{"course": "Thử"} }),
	"DELETE /api/v1/staff/{id}/qualifications/{qualification_id}": object(writers, global, qualificationIn, nil),
	"POST /api/v1/orgs/{id}/merge": object(global, global, childOrg, func(c *cell) any {
		into, _ := strconv.ParseInt(childOrg(c), 10, 64)
		return map[string]int64{"into_org_id": into}
	}),
	"GET /api/v1/inventory/enums":                           unscoped(everyone...),
	"GET /api/v1/inventory/template":                        unscoped(everyone...),
	"GET /api/v1/inventory/export":                          unscoped(everyone...),
	"POST /api/v1/inventory/import":                         unscoped(writers...),
	"GET /inventory":                                        unscoped(everyone...),
	"GET /inventory/systems/new":                            unscoped(everyone...),
	"POST /inventory/systems":                               object(writers, global, parentOrg, systemForm),
	"GET /inventory/systems/{id}":                           object(everyone, global, systemIn, nil),
	"GET /inventory/systems/{id}/edit":                      object(everyone, global, systemIn, nil),
	"POST /inventory/systems/{id}":                          object(writers, global, systemIn, systemForm),
	"POST /inventory/systems/{id}/delete":                   object(writers, global, systemIn, nil),
	"POST /inventory/systems/{id}/assets":                   object(writers, global, systemIn, func(c *cell) any { return url.Values{"kind": {"ip"}, "value": {"10.9.9.9"}} }),
	"POST /inventory/systems/{id}/assets/{asset_id}/remove": object(writers, global, systemAssetIn, nil),
	"POST /inventory/systems/{id}/controls":                 object(writers, global, systemIn, func(c *cell) any { return url.Values{"control": {"mfa"}, "status": {"no"}} }),
	"POST /inventory/systems/{id}/devices":                  object(writers, global, systemIn, func(c *cell) any { return url.Values{"servers": {"2"}} }),
	"GET /inventory/assets":                                 unscoped(everyone...),
	"GET /inventory/assets/{id}":                            object(everyone, global, assetIn, nil),
	"POST /inventory/assets/{id}": object(writers, global, assetIn, func(c *cell) any {
		return url.Values{"kind": {"domain"}, "value": {c.unique("may") + ".cantho.gov.vn"}}
	}),
	"GET /inventory/conflicts":                               unscoped(global...),
	"GET /inventory/staff":                                   unscoped(everyone...),
	"POST /inventory/staff":                                  object(writers, global, parentOrg, staffForm),
	"GET /inventory/staff/{id}":                              object(everyone, global, staffIn, nil),
	"POST /inventory/staff/{id}":                             object(writers, global, staffIn, staffForm),
	"POST /inventory/staff/{id}/delete":                      object(writers, global, staffIn, nil),
	"POST /inventory/staff/{id}/qualifications":              object(writers, global, staffIn, func(c *cell) any { return url.Values{"course": {"Thử"}} }),
	"POST /inventory/staff/{id}/qualifications/{qid}/delete": object(writers, global, qualificationIn, nil),
	"GET /inventory/merge":                                   unscoped(global...),
	"POST /inventory/merge":                                  object(global, global, parentOrg, func(c *cell) any { return url.Values{"from": {childOrg(c)}, "into": {childOrg(c)}} }),
	"GET /inventory/template.xlsx":                           unscoped(everyone...),
	"GET /inventory/export.xlsx":                             unscoped(everyone...),
	"GET /inventory/import":                                  unscoped(everyone...),
	"POST /inventory/import":                                 object(writers, global, parentOrg, func(c *cell) any { return url.Values{"org_id": {c.orgID()}} }),
	"POST /inventory/import/{token}":                         object(writers, global, uploadOf, func(c *cell) any { return url.Values{"mode": {"all"}} }),
}

// Role sets used above.
var (
	everyone     = access.Roles
	global       = []access.Role{access.Admin, access.Coordinator}
	admins       = []access.Role{access.Admin}
	userReaders  = []access.Role{access.Admin, access.Coordinator, access.AgencyAdmin}
	userManagers = []access.Role{access.Admin, access.AgencyAdmin}
)

// rule is one row of the matrix.
type rule struct {
	kind       string // "public", "self", "any", "object"
	own, other []access.Role
	target     func(c *cell) string
	body       func(c *cell) any
	// toLogin: the route's success is a redirect to the login page (sign-out).
	toLogin bool
}

func public() rule                   { return rule{kind: "public"} }
func self(body func(*cell) any) rule { return rule{kind: "self", body: body} }
func signOut() rule                  { return rule{kind: "self", toLogin: true} }
func selfTarget(target func(*cell) string, body func(*cell) any) rule {
	return rule{kind: "self", target: target, body: body}
}
func unscoped(roles ...access.Role) rule { return rule{kind: "unscoped", own: roles} }
func object(own, other []access.Role, target func(*cell) string, body func(*cell) any) rule {
	return rule{kind: "object", own: own, other: other, target: target, body: body}
}

// cell is one case: a user acting on an object in an organisation.
type cell struct {
	t    *testing.T
	app  *apptest.App
	user *apptest.User
	org  identity.Org
	seq  *int
}

func (c *cell) unique(prefix string) string {
	*c.seq++
	return fmt.Sprintf("%s%d", prefix, *c.seq)
}

func (c *cell) orgID() string { return strconv.FormatInt(c.org.ID, 10) }

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

func TestAuthorisationMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		own := app.Org(t, "OWN", "Sở của người dùng")
		other := app.Org(t, "OTHER", "Sở khác")
		users := map[access.Role]*apptest.User{}
		tokens := map[access.Role]string{}
		for _, role := range access.Roles {
			u := app.User(t, role, own.ID)
			if role.Assignable() {
				app.Assign(t, u, own.ID)
			}
			users[role], tokens[role] = u, app.Token(t, u)
		}
		seq := 0
		registered := map[string]bool{}
		for _, route := range app.Server.Routes() {
			key := route.Pattern()
			registered[key] = true
			r, ok := matrix[key]
			if !ok {
				t.Errorf("route %s is not in the authorisation matrix (internal/app/authz_test.go): add a row", key)
				continue
			}
			if (r.kind == "public") != route.Public {
				t.Errorf("route %s: registered Public=%v, matrix says %s", key, route.Public, r.kind)
				continue
			}
			if r.kind == "public" {
				continue
			}
			// Without credentials every protected route is refused.
			c := &cell{t: t, app: app, user: users[access.Admin], org: own, seq: &seq}
			if status, loc := send(t, app, route.Method, pathFor(c, r, route.Path), "", nil, bodyFor(c, r)); !(status == 401 || (status == 303 && strings.HasPrefix(loc, "/login"))) {
				t.Errorf("%s without credentials answered %d %s", key, status, loc)
			}
			for _, role := range access.Roles {
				scopes := []identity.Org{own, other}
				if r.kind != "object" {
					scopes = scopes[:1]
				}
				for i, org := range scopes {
					c := &cell{t: t, app: app, user: users[role], org: org, seq: &seq}
					want := r.kind == "self" || slices.Contains(r.own, role)
					if i == 1 {
						want = slices.Contains(r.other, role)
					}
					var cookie *http.Cookie
					token := tokens[role]
					if !strings.HasPrefix(route.Path, "/api/") {
						cookie, token = app.SessionCookie(t, users[role]), ""
					}
					status, loc := send(t, app, route.Method, pathFor(c, r, route.Path), token, cookie, bodyFor(c, r))
					allowed := (status >= 200 && status < 300) || (status >= 300 && status < 400 && (r.toLogin || !strings.HasPrefix(loc, "/login"))) || status == 422
					denied := status == 403 || status == 404
					where := "own organisation"
					if i == 1 {
						where = "another organisation"
					}
					switch {
					case !allowed && !denied:
						t.Errorf("%s as %s on %s: unexpected %d %s", key, role, where, status, loc)
					case want && !allowed:
						t.Errorf("%s as %s on %s: denied (%d), matrix allows", key, role, where, status)
					case !want && allowed:
						t.Errorf("%s as %s on %s: allowed (%d), matrix denies", key, role, where, status)
					}
				}
			}
		}
		for key := range matrix {
			if !registered[key] {
				t.Errorf("matrix row %s names no registered route: remove or fix it", key)
			}
		}
	})
}

// pathParam matches a path parameter such as {id} (not the {$} anchor).
var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

func pathFor(c *cell, r rule, path string) string {
	if r.target != nil && pathParam.MatchString(path) {
		target := r.target(c)
		if len(pathParam.FindAllString(path, -1)) > 1 {
			// Several parameters: the target gives each by name, URL-encoded
			// ("id=4&asset_id=9").
			values, err := url.ParseQuery(target)
			if err != nil {
				c.t.Fatalf("target %q of %s: %v", target, path, err)
			}
			path = pathParam.ReplaceAllStringFunc(path, func(p string) string { return values.Get(strings.Trim(p, "{}")) })
		} else {
			path = pathParam.ReplaceAllString(path, target)
		}
	}
	return strings.Replace(path, "{$}", "", 1)
}

func bodyFor(c *cell, r rule) any {
	if r.body == nil {
		return nil
	}
	return r.body(c)
}

// send makes one request without following redirects and returns the status
// and the Location header.
func send(t *testing.T, app *apptest.App, method, path, token string, cookie *http.Cookie, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, contentType = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, app.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// Inventory targets and bodies.
var writers = []access.Role{access.Admin, access.Coordinator, access.Auditor, access.AgencyAdmin, access.AgencyOperator}

func inventoryActor() access.Actor { return access.SystemActor("matrix") }

func newSystem(c *cell) inventory.System {
	s := inventory.System{OrgID: c.org.ID, Name: c.unique("Hệ thống "), Kind: "internal_app"}
	if err := inventory.CreateSystem(context.Background(), c.app.Store, inventoryActor(), &s); err != nil {
		c.t.Fatal(err)
	}
	return s
}

func systemIn(c *cell) string { return strconv.FormatInt(newSystem(c).ID, 10) }

func systemAssetIn(c *cell) string {
	s := newSystem(c)
	a := inventory.Asset{Kind: "ip", Value: "10.7.7.7"}
	if err := inventory.AddAsset(context.Background(), c.app.Store, inventoryActor(), s.ID, &a); err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(s.ID, 10)}, "asset_id": {strconv.FormatInt(a.ID, 10)}}.Encode()
}

func assetIn(c *cell) string {
	v, _ := url.ParseQuery(systemAssetIn(c))
	return v.Get("asset_id")
}

func systemControlIn(c *cell) string {
	s := newSystem(c)
	ctl := inventory.Control{SystemID: s.ID, Control: "firewall", Status: "partial"}
	if err := inventory.SetControl(context.Background(), c.app.Store, inventoryActor(), &ctl); err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(s.ID, 10)}, "control": {"firewall"}}.Encode()
}

func newStaff(c *cell) inventory.Staff {
	p := inventory.Staff{OrgID: c.org.ID, Name: "Cán bộ thử", Email: c.unique("canbo") + "@matrix.local"}
	if err := inventory.CreateStaff(context.Background(), c.app.Store, inventoryActor(), &p); err != nil {
		c.t.Fatal(err)
	}
	return p
}

func staffIn(c *cell) string { return strconv.FormatInt(newStaff(c).ID, 10) }

func qualificationIn(c *cell) string {
	p := newStaff(c)
	q := inventory.Qualification{StaffID: p.ID, Course: "Khóa thử"}
	if err := inventory.AddQualification(context.Background(), c.app.Store, inventoryActor(), &q); err != nil {
		c.t.Fatal(err)
	}
	id, qid := strconv.FormatInt(p.ID, 10), strconv.FormatInt(q.ID, 10)
	return url.Values{"id": {id}, "qualification_id": {qid}, "qid": {qid}}.Encode()
}

// uploadOf keeps a (broken) file for the cell's user, as the preview does.
func uploadOf(c *cell) string {
	keeper := inventoryActor()
	keeper.UserID, keeper.Email = c.user.ID, c.user.Email
	token, err := importing.Stash(context.Background(), c.app.Store, keeper, c.org.ID, "thu.xlsx", []byte("not a workbook"))
	if err != nil {
		c.t.Fatal(err)
	}
	return token
}

func systemJSON(c *cell) any {
	return map[string]any{"org_id": c.org.ID, "name": c.unique("Hệ thống "), "kind": "web_portal", "level": 2}
}
func systemForm(c *cell) any {
	return url.Values{"org_id": {c.orgID()}, "name": {c.unique("Hệ thống ")}, "kind": {"web_portal"}, "level": {"2"}, "status": {"operating"}}
}
func staffJSON(c *cell) any {
	return map[string]any{"org_id": c.org.ID, "name": "Cán bộ mới", "email": c.unique("moi") + "@matrix.local"}
}
func staffForm(c *cell) any {
	return url.Values{"org_id": {c.orgID()}, "name": {"Cán bộ mới"}, "email": {c.unique("moi") + "@matrix.local"}}
}
