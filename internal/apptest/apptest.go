// Package apptest runs the complete Khiên server for tests: app.NewServer
// over a fresh, migrated database (SQLite, or PostgreSQL when
// KHIEN_TEST_POSTGRES_URL is set) behind an httptest server, with helpers to
// make organisations and users of any role and to act as them through the
// API, the real login form or a headless browser.
//
// Typical use:
//
//	apptest.Each(t, func(t *testing.T, app *apptest.App) {  // SQLite and PostgreSQL
//		agency := app.Org(t, "SO-TTTT", "Sở Thông tin và Truyền thông")
//		other := app.Org(t, "SO-YT", "Sở Y tế")
//		op := app.User(t, access.AgencyOperator, agency.ID)
//		auditor := app.User(t, access.Auditor, app.Root.ID) // enrolled in TOTP
//		app.Assign(t, auditor, agency.ID)                   // auditors see assigned orgs only
//
//		token := app.Token(t, op)                           // Authorization: Bearer …
//		status := app.JSON(t, token, "GET", "/api/v1/orgs/"+strconv.FormatInt(other.ID, 10), nil, nil)
//		// status == 404: outside the operator's scope
//
//		client := app.Client(t, auditor) // signed in through POST /login, TOTP code computed
//		resp, _ := client.Get(app.URL + "/")
//
//		ctx := app.Browser(t, op) // chromedp context, signed in; run chromedp.Run(ctx, …)
//	})
//
// Objects made by Org and User are created directly in storage as the system
// actor (audited like any change); use the API when the request itself is
// under test. Every user gets the password Password. Users of roles that
// require MFA (admin, coordinator, auditor) are enrolled in TOTP with a known
// secret (User.TOTPSecret) unless created with NoMFA, so Client and Browser
// pass the MFA step by computing the current code; when codes of the current
// time window are used up (a code works once), a recovery code is used.
//
// Helpers take the test's t and stop it with t.Fatal on failure; call them
// from the goroutine of the test that passes t.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/khien/khien/internal/jobs"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/app"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/server"
	"github.com/khien/khien/internal/storage"
)

// Password is the password of every user the helper creates.
const Password = "apptest mật khẩu dài 2026"

// App is a running server over a fresh database.
type App struct {
	URL    string // base URL, "http://127.0.0.1:port"
	HTTP   *httptest.Server
	Server *server.Server // Routes() lists every route
	Store  *storage.Store
	DB     *database.DB
	Root   identity.Org // the root organisation (the province)
	// Transport checks every API request and answer against the server's
	// OpenAPI document (see contract); every client of the App uses it, and
	// tests that build their own client should too.
	Transport http.RoundTripper

	mu    sync.Mutex
	codes int // sequence for generated codes and e-mail addresses
}

// User is a user made by App.User, with what a test needs to sign in.
type User struct {
	identity.User
	Password      string
	TOTPSecret    string   // empty when the user has no MFA
	RecoveryCodes []string // unused recovery codes the helper knows
}

// Actor is the user's access.Actor, for calling storage directly.
func (u *User) Actor(t testing.TB, app *App) access.Actor {
	t.Helper()
	a, err := identity.ActorFor(context.Background(), app.Store, u.User)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Each runs fn against a fresh App on SQLite and on PostgreSQL (skipped
// without KHIEN_TEST_POSTGRES_URL), as subtests.
func Each(t *testing.T, fn func(t *testing.T, app *App)) {
	t.Helper()
	EachWith(t, fn)
}

// EachWith is Each with options.
func EachWith(t *testing.T, fn func(t *testing.T, app *App), opts ...Option) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, db *database.DB) { fn(t, newApp(t, db, opts...)) })
}

// New starts an App on a fresh database of kind ("sqlite" or "postgres").
func New(t testing.TB, kind string, opts ...Option) *App {
	t.Helper()
	return newApp(t, dbtest.Open(t, kind), opts...)
}

// Option changes the App that New starts.
type Option func(*options)

type options struct {
	jobs []app.JobOption
}

// Jobs passes options to the background work (app.Jobs): a test that runs
// scans points the scan worker at its own loopback server's port.
func Jobs(opts ...app.JobOption) Option {
	return func(o *options) { o.jobs = append(o.jobs, opts...) }
}

// ScanPorts makes the App's scans try these ports (default: the scanner's
// list), for a test that scans a server it started on loopback.
func ScanPorts(ports ...int) Option {
	return Jobs(func(w *scanning.Worker) { w.Base.Ports = ports })
}

// offline is the scanner of every test App: names resolve through a closed
// local port, so a scan in a test never reaches the internet whatever the
// assets registered; loopback servers answer fast.
func offline(w *scanning.Worker) {
	w.Base.Resolver, w.Base.PerHostRate, w.Base.Timeout = "127.0.0.1:9", 1000, 5*time.Second
}

func newApp(t testing.TB, db *database.DB, opts ...Option) *App {
	t.Helper()
	store := storage.New(db)
	store.SetAuditKey([]byte("apptest audit key, 32 bytes long")) // entries are signed, as in production
	srv, err := app.NewServer(store, server.Config{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	startJobs(t, store, append([]app.JobOption{offline}, o.jobs...))
	root, err := identity.RootOrg(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	return &App{URL: ts.URL, HTTP: ts, Server: srv, Store: store, DB: db, Root: root, Transport: newContract(t, srv.Routes(), ts.URL)}
}

func (a *App) next() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.codes++
	return a.codes
}

// Org creates an organisation directly under the root.
func (a *App) Org(t testing.TB, code, name string) identity.Org {
	t.Helper()
	return a.ChildOrg(t, a.Root.ID, code, name)
}

// ChildOrg creates an organisation under parentID.
func (a *App) ChildOrg(t testing.TB, parentID int64, code, name string) identity.Org {
	t.Helper()
	o, err := identity.CreateOrg(context.Background(), a.Store, access.SystemActor("apptest"), identity.OrgInput{Code: code, Name: name, ParentID: parentID})
	if err != nil {
		t.Fatalf("apptest: create organisation %s: %v", code, err)
	}
	return o
}

// UserOption changes how User creates a user.
type UserOption func(*userOptions)

type userOptions struct {
	email string
	noMFA bool
}

// Email gives the user this address instead of a generated one.
func Email(email string) UserOption { return func(o *userOptions) { o.email = email } }

// NoMFA leaves the user without MFA even when the role requires it, so the
// first sign-in leads to enrolment.
func NoMFA() UserOption { return func(o *userOptions) { o.noMFA = true } }

// passwordHash is the argon2id hash of Password, computed once: hashing
// costs 64 MiB and tens of milliseconds, too much for every user of a test.
var passwordHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(context.Background(), Password) })

// User creates a user of role in organisation orgID, enrolled in TOTP when
// the role requires MFA (unless NoMFA is given).
func (a *App) User(t testing.TB, role access.Role, orgID int64, opts ...UserOption) *User {
	t.Helper()
	ctx := context.Background()
	o := userOptions{email: fmt.Sprintf("%s%d@apptest.khien.local", strings.ReplaceAll(string(role), "_", "-"), a.next())}
	for _, opt := range opts {
		opt(&o)
	}
	hash, err := passwordHash()
	if err != nil {
		t.Fatal(err)
	}
	su, err := identity.CreateUser(ctx, a.Store, access.SystemActor("apptest"), identity.UserInput{
		Email: o.email, Name: "Người dùng " + string(role), Role: role, OrgID: orgID, PasswordHash: hash})
	if err != nil {
		t.Fatalf("apptest: create %s user: %v", role, err)
	}
	u := &User{User: su, Password: Password}
	if role.RequiresMFA() && !o.noMFA {
		a.EnrolMFA(t, u)
	}
	return u
}

// EnrolMFA enrols the user in TOTP (as the enrolment page would) and keeps
// the secret and recovery codes on u.
func (a *App) EnrolMFA(t testing.TB, u *User) {
	t.Helper()
	ctx := context.Background()
	actor := u.Actor(t, a)
	e, err := auth.NewEnrolment(u.Email)
	if err != nil {
		t.Fatal(err)
	}
	codes, hashes := auth.NewRecoveryCodes()
	if err := identity.EnableMFA(ctx, a.Store, actor, e.Secret, 0, hashes); err != nil {
		t.Fatalf("apptest: enrol MFA for %s: %v", u.Email, err)
	}
	u.TOTPSecret, u.RecoveryCodes, u.MFAEnabled = e.Secret, codes, true
}

// Assign gives an auditor or responder these organisations.
func (a *App) Assign(t testing.TB, u *User, orgIDs ...int64) {
	t.Helper()
	if err := identity.SetAssignments(context.Background(), a.Store, access.SystemActor("apptest"), u.ID, orgIDs); err != nil {
		t.Fatalf("apptest: assign %s: %v", u.Email, err)
	}
}

// Token creates an API token for the user (valid for a day) and returns the
// secret to send as "Authorization: Bearer <token>".
func (a *App) Token(t testing.TB, u *User) string {
	t.Helper()
	secret, hash, prefix := auth.NewToken()
	expires := a.Store.Now().Add(24 * time.Hour)
	if _, err := identity.CreateToken(context.Background(), a.Store, access.SystemActor("apptest"), u.ID, "apptest", hash, prefix, &expires); err != nil {
		t.Fatalf("apptest: token for %s: %v", u.Email, err)
	}
	return secret
}

// JSON sends an API request with the bearer token (none when empty), the
// body in encoded as JSON (none when nil), decodes the answer into out (when
// not nil) and returns the status code.
func (a *App) JSON(t testing.TB, token, method, path string, in, out any) int {
	t.Helper()
	status, _ := a.JSONHeader(t, token, method, path, in, out)
	return status
}

// JSONHeader is JSON that also returns the answer's header (Retry-After, Allow, …).
func (a *App) JSONHeader(t testing.TB, token, method, path string, in, out any) (int, http.Header) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Transport: a.Transport}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("apptest: %s %s: decode %d answer %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode, resp.Header
}

// SecondFactor returns a code that signs the user in now: the TOTP code of
// an unused time step within the accepted window, else a recovery code.
// Empty for users without MFA.
func (a *App) SecondFactor(t testing.TB, u *User) string {
	t.Helper()
	if u.TOTPSecret == "" {
		return ""
	}
	m, err := identity.MFA(context.Background(), a.Store, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if step := max(auth.TOTPStep(now), m.LastStep+1); step <= auth.TOTPStep(now)+1 {
		code, err := auth.TOTPCode(u.TOTPSecret, time.Unix(step*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	if len(u.RecoveryCodes) == 0 {
		t.Fatalf("apptest: %s has used every TOTP step and recovery code", u.Email)
	}
	code := u.RecoveryCodes[0]
	u.RecoveryCodes = u.RecoveryCodes[1:]
	return code
}

// Client returns an HTTP client signed in as the user through the real login
// form (POST /login with the TOTP code). It keeps cookies and follows
// redirects; set CheckRedirect on it to see 303 answers instead. A user made
// with NoMFA in a role that requires MFA ends on the enrolment page
// (/login/mfa) with a session that opens nothing else.
func (a *App) Client(t testing.TB, u *User) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Transport: a.Transport}
	form := url.Values{"email": {u.Email}, "password": {u.Password}, "totp": {a.SecondFactor(t, u)}}
	resp, err := c.PostForm(a.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" {
		t.Fatalf("apptest: sign-in of %s failed: %d at %s\n%s", u.Email, resp.StatusCode, resp.Request.URL.Path, body)
	}
	return c
}

// SessionCookie makes a session for the user directly in storage, without
// the login form: for tests that need many sessions cheaply (the
// authorisation matrix). Add it to requests with req.AddCookie.
func (a *App) SessionCookie(t testing.TB, u *User) *http.Cookie {
	t.Helper()
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/login", nil)
	if err := auth.NewAuthenticator(a.Store).StartSession(w, r, u.ID, identity.StageFull); err != nil {
		t.Fatal(err)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == auth.SessionCookie {
			return c
		}
	}
	t.Fatal("apptest: no session cookie")
	return nil
}

// startJobs runs the capabilities' background work, as serve does, until the test ends.
func startJobs(t testing.TB, store *storage.Store, opts []app.JobOption) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	engine, err := jobs.New(ctx, store, jobs.Config{Logger: quiet}, app.Jobs(store, nil, opts...))
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := engine.Stop(ctx); err != nil {
			t.Errorf("stop the job engine: %v", err)
		}
	})
}
