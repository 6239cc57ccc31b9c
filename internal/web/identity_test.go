package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/i18n"
)

func newClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var secretPattern = regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`)

// TestFirstLoginEnrolsMFA follows an administrator's first sign-in: password,
// enrolment with the QR code, recovery codes, then sign-ins with codes.
func TestFirstLoginEnrolsMFA(t *testing.T) {
	app := apptest.New(t, "sqlite")
	admin := app.User(t, access.Admin, app.Root.ID, apptest.NoMFA())
	c := newClient(t)
	resp, body := post(t, c, app.URL+"/login", url.Values{"email": {admin.Email}, "password": {admin.Password}})
	if resp.Request.URL.Path != "/login/mfa" || !strings.Contains(body, `src="data:image/png;base64,`) || !strings.Contains(body, "otpauth://totp/") {
		t.Fatalf("first sign-in must lead to enrolment, got %s:\n%s", resp.Request.URL.Path, body)
	}
	// Until enrolment is done, nothing else opens.
	if resp, _ := get(t, c, app.URL+"/account"); resp.Request.URL.Path != "/login" {
		t.Fatalf("protected page before enrolment: %s", resp.Request.URL.Path)
	}
	if status := app.JSON(t, "", "POST", "/api/v1/auth/token", map[string]string{"email": admin.Email, "password": admin.Password}, nil); status != http.StatusForbidden {
		t.Fatalf("API token before enrolment: %d", status)
	}
	_, body = get(t, c, app.URL+"/login/mfa")
	m := secretPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", body)
	}
	secret := m[1]
	if resp, _ := post(t, c, app.URL+"/login/mfa", url.Values{"code": {"000000"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: %d", resp.StatusCode)
	}
	code, _ := auth.TOTPCode(secret, time.Now())
	resp, body = post(t, c, app.URL+"/login/mfa", url.Values{"code": {code}})
	codes := regexp.MustCompile(`<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>`).FindAllStringSubmatch(body, -1)
	if resp.StatusCode != 200 || len(codes) != 10 {
		t.Fatalf("after enrolment: %d, %d recovery codes\n%s", resp.StatusCode, len(codes), body)
	}
	if resp, body := get(t, c, app.URL+"/account"); resp.Request.URL.Path != "/account" || !strings.Contains(body, admin.Email) {
		t.Fatalf("account page after enrolment: %s", resp.Request.URL.Path)
	}
	// The code used to enrol cannot sign in again; a recovery code can, once.
	c2 := newClient(t)
	if resp, body := post(t, c2, app.URL+"/login", url.Values{"email": {admin.Email}, "password": {admin.Password}, "totp": {code}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("reused code: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := post(t, c2, app.URL+"/login", url.Values{"email": {admin.Email}, "password": {admin.Password}, "totp": {codes[0][1]}}); resp.Request.URL.Path != "/" {
		t.Fatalf("recovery code sign-in ended at %s", resp.Request.URL.Path)
	}
	// Log out ends the session.
	post(t, c2, app.URL+"/logout", nil)
	if resp, _ := get(t, c2, app.URL+"/account"); resp.Request.URL.Path != "/login" {
		t.Fatalf("after log out: %s", resp.Request.URL.Path)
	}
}

func TestLoginMessages(t *testing.T) {
	app := apptest.New(t, "sqlite")
	op := app.User(t, access.AgencyOperator, app.Root.ID)
	c := newClient(t)
	for i := range auth.MaxFailuresPerAccount {
		resp, body := post(t, c, app.URL+"/login?lang=en", url.Values{"email": {op.Email}, "password": {"not the password " + string(rune('a'+i))}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong e-mail address or password") {
			t.Fatalf("wrong password %d: %d", i, resp.StatusCode)
		}
	}
	resp, body := post(t, c, app.URL+"/login", url.Values{"email": {op.Email}, "password": {op.Password}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-ins") {
		t.Fatalf("locked: %d\n%s", resp.StatusCode, body)
	}
	// Pages and the API both say when to come back, in seconds.
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 || s > int(auth.FailureWindow.Seconds())+1 {
		t.Fatalf("page Retry-After %q", resp.Header.Get("Retry-After"))
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	status, hdr := app.JSONHeader(t, "", "POST", "/api/v1/auth/token?lang=en", map[string]string{"email": op.Email, "password": op.Password}, &e)
	if s, err := strconv.Atoi(hdr.Get("Retry-After")); status != http.StatusTooManyRequests || err != nil || s < 1 || e.Error.Code != "locked" || !strings.Contains(e.Error.Message, "Too many") {
		t.Fatalf("API lockout: %d Retry-After %q %+v", status, hdr.Get("Retry-After"), e)
	}
}

// TestTokensAndPasswordThroughTheAPI covers the API contract of the issue.
func TestTokensAndPasswordThroughTheAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		coord := app.User(t, access.Coordinator, app.Root.ID)
		var tok api.NewToken
		status := app.JSON(t, "", "POST", "/api/v1/auth/token", map[string]string{"email": coord.Email, "password": coord.Password, "totp": app.SecondFactor(t, coord)}, &tok)
		if status != http.StatusCreated || !strings.HasPrefix(tok.Token, auth.TokenPrefix) {
			t.Fatalf("sign in for a token: %d %+v", status, tok)
		}
		var me api.Me
		if app.JSON(t, tok.Token, "GET", "/api/v1/me", nil, &me); me.Email != coord.Email || me.Role != access.Coordinator || me.OrgID != app.Root.ID {
			t.Fatalf("me: %+v", me)
		}
		var org struct{ ID int64 }
		if status := app.JSON(t, tok.Token, "POST", "/api/v1/orgs", map[string]any{"code": "SO-TTTT", "name": "Sở Thông tin và Truyền thông", "parent_id": app.Root.ID}, &org); status != 201 || org.ID == 0 {
			t.Fatalf("create organisation: %d", status)
		}
		other := app.Org(t, "SO-YT", "Sở Y tế")
		var user struct{ ID int64 }
		adminTok := app.Token(t, app.User(t, access.Admin, app.Root.ID))
		if status := app.JSON(t, adminTok, "POST", "/api/v1/users", map[string]any{"email": "lan@tttt.gov.vn", "name": "Lan", "role": "agency_admin", "org_id": org.ID, "password": apptest.Password}, &user); status != 201 {
			t.Fatalf("create user: %d", status)
		}
		var lanTok api.NewToken
		app.JSON(t, "", "POST", "/api/v1/auth/token", map[string]string{"email": "lan@tttt.gov.vn", "password": apptest.Password}, &lanTok)
		idPath := func(id int64) string { return "/api/v1/orgs/" + strconvI(id) }
		if status := app.JSON(t, lanTok.Token, "GET", idPath(other.ID), nil, nil); status != 404 && status != 403 {
			t.Fatalf("agency admin reading another organisation: %d", status)
		}
		if status := app.JSON(t, lanTok.Token, "GET", idPath(org.ID), nil, nil); status != 200 {
			t.Fatalf("agency admin reading its organisation: %d", status)
		}
		if status := app.JSON(t, lanTok.Token, "POST", "/api/v1/users", map[string]any{"email": "op@tttt.gov.vn", "role": "agency_operator", "org_id": org.ID, "password": "short"}, nil); status != 422 {
			t.Fatalf("weak password: %d", status)
		}
		if status := app.JSON(t, lanTok.Token, "POST", "/api/v1/users", map[string]any{"email": "op@tttt.gov.vn", "role": "agency_operator", "org_id": org.ID, "password": apptest.Password}, nil); status != 201 {
			t.Fatalf("agency admin creating an operator: %d", status)
		}
		if status := app.JSON(t, lanTok.Token, "POST", "/api/v1/me/password", map[string]string{"current_password": "wrong", "new_password": "một mật khẩu mới dài"}, nil); status != 422 {
			t.Fatalf("password change with the wrong current password: %d", status)
		}
		if status := app.JSON(t, lanTok.Token, "POST", "/api/v1/me/password", map[string]string{"current_password": apptest.Password, "new_password": "một mật khẩu mới dài"}, nil); status != 204 {
			t.Fatalf("password change: %d", status)
		}
		if status := app.JSON(t, lanTok.Token, "DELETE", "/api/v1/tokens/"+strconvI(lanTok.ID), nil, nil); status != 204 {
			t.Fatalf("revoke: %d", status)
		}
		if status := app.JSON(t, lanTok.Token, "GET", "/api/v1/me", nil, nil); status != 401 {
			t.Fatalf("revoked token: %d", status)
		}
	})
}

// TestSecurityHeadersUnderTLS checks the headers and cookie flags that only
// apply over HTTPS.
func TestSecurityHeadersUnderTLS(t *testing.T) {
	app := apptest.New(t, "sqlite")
	op := app.User(t, access.AgencyOperator, app.Root.ID)
	ts := tlsServer(t, app)
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.PostForm(ts.URL+"/login", url.Values{"email": {op.Email}, "password": {op.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	for name, want := range map[string]string{
		"Strict-Transport-Security": "max-age=31536000",
		"Content-Security-Policy":   "frame-ancestors 'none'",
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "same-origin",
		"X-Frame-Options":           "DENY",
	} {
		if !strings.Contains(h.Get(name), want) {
			t.Errorf("%s = %q, want %q", name, h.Get(name), want)
		}
	}
	if strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") || strings.Contains(h.Get("Content-Security-Policy"), "unsafe-eval") {
		t.Errorf("CSP allows unsafe code: %s", h.Get("Content-Security-Policy"))
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == auth.SessionCookie {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("sign-in over TLS: %d, cookie %+v", resp.StatusCode, session)
	}
	// A state-changing request from another site is refused even with the cookie.
	req, _ := http.NewRequest("POST", ts.URL+"/account/logout-everywhere", nil)
	req.AddCookie(session)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST with a session: %d", resp.StatusCode)
	}
}

// TestBrowserEnrolsAndManagesTokens drives the pages in Chromium: MFA
// enrolment at first sign-in, then an API token created in the UI.
func TestBrowserEnrolsAndManagesTokens(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	app := apptest.New(t, "sqlite")
	auditor := app.User(t, access.Auditor, app.Root.ID, apptest.NoMFA())
	ctx := app.NewBrowser(t)
	var secret string
	err := chromedp.Do(ctx,
		chromedp.Navigate(app.URL+"/login"),
		chromedp.SendKeys(`input[name=email]`, auditor.Email),
		chromedp.SendKeys(`input[name=password]`, auditor.Password),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`img.qr`),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			var err error
			secret, err = chromedp.Run(ctx, chromedp.TextContent(`code.secret`))
			return err
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(html.UnescapeString(secret), time.Now())
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`input[name=code]`, code),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`ul.codes`),
		chromedp.Navigate(app.URL+"/account/tokens"),
		chromedp.SendKeys(`input[name=name]`, "máy quét"),
		chromedp.Click(`form[action="/account/tokens"] button`),
		chromedp.WaitVisible(`#new-token`),
	)
	if err != nil {
		t.Fatal(err)
	}
	token, err := chromedp.Run(ctx, chromedp.Text(`#new-token`))
	if err != nil {
		t.Fatal(err)
	}
	var me api.Me
	if status := app.JSON(t, strings.TrimSpace(token), "GET", "/api/v1/me", nil, &me); status != 200 || me.Email != auditor.Email || !me.MFAEnabled {
		t.Fatalf("token made in the browser: %d %+v", status, me)
	}
}

func strconvI(id int64) string { return strconv.FormatInt(id, 10) }

// tlsServer serves the app's handler over HTTPS.
func tlsServer(t *testing.T, app *apptest.App) *httptest.Server {
	ts := httptest.NewTLSServer(app.Server.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func TestAuditPageAndExport(t *testing.T) {
	app := apptest.New(t, "sqlite")
	coord := app.User(t, access.Coordinator, app.Root.ID)
	app.Org(t, "CMD", "=HYPERLINK(\"x\")")
	c := app.Client(t, coord)
	resp, body := get(t, c, app.URL+"/admin/audit?action=user.login&from=2020-01-01")
	if resp.StatusCode != 200 || !strings.Contains(body, coord.Email) || strings.Contains(body, "org.create") ||
		!strings.Contains(body, `href="/admin/audit/export.csv?action=user.login&amp;from=2020-01-01"`) {
		t.Fatalf("filtered audit page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = get(t, c, app.URL+"/admin/audit/export.csv?object_type=org")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(body, "org.create") || strings.Contains(body, ",=") {
		t.Fatalf("export: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	var entries struct{ Items []struct{ Actor string } }
	app.JSON(t, app.Token(t, coord), "GET", "/api/v1/audit?action=audit.export", nil, &entries)
	if len(entries.Items) != 1 || entries.Items[0].Actor != coord.Email {
		t.Fatalf("the export is not audited: %+v", entries)
	}
}

// TestUserAndTokenPagesFollowTheCursor walks the users and tokens pages of 50
// a page: the first has a next link with a cursor, the second the rest, a
// link back to the first and none further, and no row of the first.
func TestUserAndTokenPagesFollowTheCursor(t *testing.T) {
	app := apptest.New(t, "sqlite")
	coord := app.User(t, access.Coordinator, app.Root.ID)
	tests := []struct {
		path string
		seed func() // makes more than one page
		row  *regexp.Regexp
	}{
		{"/admin/users", func() {
			for range 55 {
				app.User(t, access.Viewer, app.Root.ID)
			}
		}, regexp.MustCompile(`href="/admin/users/(\d+)"`)},
		{"/account/tokens", func() {
			for range 55 {
				app.Token(t, coord)
			}
		}, regexp.MustCompile(`action="/account/tokens/(\d+)/revoke"`)},
	}
	c := app.Client(t, coord)
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			tt.seed()
			resp, body := get(t, c, app.URL+tt.path)
			first := tt.row.FindAllStringSubmatch(body, -1)
			next := regexp.MustCompile(`href="(` + regexp.QuoteMeta(tt.path) + `\?cursor=[^"]+)"`).FindStringSubmatch(body)
			if resp.StatusCode != 200 || len(first) != 50 || next == nil || strings.Contains(body, "« ") {
				t.Fatalf("first page: %d, %d rows, next link %v", resp.StatusCode, len(first), next)
			}
			seen := map[string]bool{}
			for _, m := range first {
				seen[m[1]] = true
			}
			resp, body = get(t, c, app.URL+html.UnescapeString(next[1]))
			second := tt.row.FindAllStringSubmatch(body, -1)
			if resp.StatusCode != 200 || len(second) == 0 || !strings.Contains(body, `<nav class="pager"><a href="`+tt.path+`">`) || strings.Contains(body, "?cursor=") {
				t.Fatalf("second page: %d, %d rows, want a link to the first page and none further:\n%s", resp.StatusCode, len(second), body)
			}
			for _, m := range second {
				if seen[m[1]] {
					t.Fatalf("row %s is on both pages", m[1])
				}
			}
		})
	}
}

// TestAuditPageFollowsTheCursor walks the audit page a few entries a page:
// the older link carries the cursor and the filter, the last page has none,
// and each entry's time is dd/mm/yyyy HH:MM in Vietnam time.
func TestAuditPageFollowsTheCursor(t *testing.T) {
	app := apptest.New(t, "sqlite")
	coord := app.User(t, access.Coordinator, app.Root.ID)
	for i := range 7 {
		app.Org(t, "P"+strconv.Itoa(i), "Phường "+strconv.Itoa(i))
	}
	var entries struct {
		Items []struct {
			ID int64     `json:"id"`
			At time.Time `json:"at"`
		}
	}
	app.JSON(t, app.Token(t, coord), "GET", "/api/v1/audit?object_type=org", nil, &entries)
	want := map[string]string{} // id → the time the page shows
	for _, e := range entries.Items {
		want[strconv.FormatInt(e.ID, 10)] = e.At.In(i18n.Vietnam).Format("02/01/2006 15:04")
	}
	total := len(want) // the seven and the root's
	if total < 7 || total > 10 {
		t.Fatalf("%d org entries, want 7 to 10", total)
	}
	c := app.Client(t, coord)
	row := regexp.MustCompile(`<tr><td>(\d+)</td><td>(\d\d/\d\d/\d{4} \d\d:\d\d)</td>`)
	older := regexp.MustCompile(`<a href="(/admin/audit\?[^"]*cursor=[^"]+)">`)
	path, seen := "/admin/audit?object_type=org&limit=5", 0
	for _, rows := range []int{5, total - 5} {
		resp, body := get(t, c, app.URL+path)
		got := row.FindAllStringSubmatch(body, -1)
		if resp.StatusCode != 200 || len(got) != rows {
			t.Fatalf("%s: %d, %d entries, want %d:\n%s", path, resp.StatusCode, len(got), rows, body)
		}
		for _, m := range got {
			if want[m[1]] != m[2] {
				t.Fatalf("entry %s shows %q, want %q (Vietnam time)", m[1], m[2], want[m[1]])
			}
			delete(want, m[1])
		}
		seen += len(got)
		next := older.FindStringSubmatch(body)
		if seen == total {
			if next != nil {
				t.Fatalf("the last page links to an older one: %s", next[1])
			}
			break
		}
		if next == nil || !strings.Contains(next[1], "object_type=org") {
			t.Fatalf("page of %d entries: older link %v keeps no filter", rows, next)
		}
		path = html.UnescapeString(next[1])
	}
	if len(want) != 0 {
		t.Fatalf("entries on no page: %v", want)
	}
}
