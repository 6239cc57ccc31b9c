package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
)

// The authorisation matrix: every registered route, web and API, with who
// may use it. TestAuthorisationMatrix fails when a registered route has no
// row here, when a row names a route that is not registered, and when a
// route answers differently from its row.
//
// Each capability keeps its rows, targets and bodies in a file of its own,
// authz_<capability>_test.go, joined in matrix below. Adding a route: add one
// row keyed "METHOD /path" (exactly as registered) to its capability's rows:
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
var matrix = rowsOf(identityRows, inventoryRows, findingRows, findingWebRows, huntRows, remediationRows, scanningRows, scanningWebRows, agentRows, campaignRows, reportRows, reportSettingsRows, dashboardRows, responsePlanRows)

// rowsOf joins the capabilities' rows; a route in two of them is a mistake.
func rowsOf(parts ...map[string]rule) map[string]rule {
	all := map[string]rule{}
	for _, part := range parts {
		for k, r := range part {
			if _, dup := all[k]; dup {
				panic("authorisation matrix: route " + k + " has rows in two capabilities")
			}
			all[k] = r
		}
	}
	return all
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
	seq  *atomic.Int64
}

func (c *cell) unique(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, c.seq.Add(1))
}

func (c *cell) orgID() string { return strconv.FormatInt(c.org.ID, 10) }

func TestAuthorisationMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		own := app.Org(t, "OWN", "Sở của người dùng")
		other := app.Org(t, "OTHER", "Sở khác")
		users := map[access.Role]*apptest.User{}
		for _, role := range access.Roles {
			u := app.User(t, role, own.ID)
			if role.Assignable() {
				app.Assign(t, u, own.ID)
			}
			users[role] = u
		}
		seq := new(atomic.Int64)
		registered := map[string]bool{}
		var checked []router.Route
		for _, route := range app.Server.Routes() {
			key := route.Pattern()
			registered[key] = true
			r, ok := matrix[key]
			if !ok {
				t.Errorf("route %s is not in the authorisation matrix (internal/app/authz_<capability>_test.go): add a row", key)
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
			c := &cell{t: t, app: app, user: users[access.Admin], org: own, seq: seq}
			if status, loc := send(t, app, route.Method, pathFor(c, r, route.Path), "", nil, bodyFor(c, r)); !(status == 401 || (status == 303 && strings.HasPrefix(loc, "/login"))) {
				t.Errorf("%s without credentials answered %d %s", key, status, loc)
			}
			checked = append(checked, route)
		}
		// Each role works through every route on its own, in parallel.
		t.Run("roles", func(t *testing.T) {
			for _, role := range access.Roles {
				t.Run(string(role), func(t *testing.T) {
					t.Parallel()
					for _, route := range checked {
						checkRoute(t, app, route, matrix[route.Pattern()], role, users[role], own, other, seq)
					}
				})
			}
		})
		for key := range matrix {
			if !registered[key] {
				t.Errorf("matrix row %s names no registered route: remove or fix it", key)
			}
		}
	})
}

// checkRoute sends route as role, on an object in the user's own
// organisation and (for object routes) in another, and compares the answer
// with the row.
func checkRoute(t *testing.T, app *apptest.App, route router.Route, r rule, role access.Role, user *apptest.User, own, other identity.Org, seq *atomic.Int64) {
	key := route.Pattern()
	scopes := []identity.Org{own, other}
	if r.kind != "object" {
		scopes = scopes[:1]
	}
	for i, org := range scopes {
		c := &cell{t: t, app: app, user: user, org: org, seq: seq}
		want := r.kind == "self" || slices.Contains(r.own, role)
		if i == 1 {
			want = slices.Contains(r.other, role)
		}
		// A fresh token or session per request: signing out everywhere
		// (one of the routes) ends both.
		var cookie *http.Cookie
		var bearer string
		if strings.HasPrefix(route.Path, "/api/") {
			bearer = app.Token(t, user)
		} else {
			cookie = app.SessionCookie(t, user)
		}
		status, loc := send(t, app, route.Method, pathFor(c, r, route.Path), bearer, cookie, bodyFor(c, r))
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

// upload is a multipart body of one file.
type upload struct{ field, name, content string }

// send makes one request without following redirects and returns the status
// and the Location header.
func send(t *testing.T, app *apptest.App, method, path, token string, cookie *http.Cookie, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case upload:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile(b.field, b.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, b.content)
		mw.Close()
		rd, contentType = &buf, mw.FormDataContentType()
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
	client := &http.Client{Transport: app.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}
