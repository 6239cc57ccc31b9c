package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/web"
)

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/inventory", "/inventory"},
		{"/inventory/assets?org_id=3&q=a", "/inventory/assets?org_id=3&q=a"},
		{"/a/../b", "/b"},
		{"//evil.example/x", "/"},
		{"///evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{" /inventory", "/"},
		{"/x\x00y", "/"},
	}
	for _, tt := range tests {
		if got := web.SafeNext(tt.in); got != tt.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "/",
		"/":                 "/",
		"/inventory":        "/inventory",
		"//evil.example/x":  "/evil.example/x",
		"///evil.example/x": "/evil.example/x",
		"/a/./b/../c":       "/a/c",
	} {
		if got := web.CleanPath(in); got != want {
			t.Errorf("CleanPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNotFoundLinksStayOnSite asks for a scheme-relative path: the language
// links of the 404 page must point to this site, not to evil.example.
func TestNotFoundLinksStayOnSite(t *testing.T) {
	app := apptest.New(t, "sqlite")
	for _, p := range []string{"//evil.example/x", "///evil.example/x", "/%2F/evil.example/x"} {
		req, err := http.NewRequest("GET", app.URL+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		if strings.Contains(body, `href="//`) || strings.Contains(body, `href="///`) {
			t.Errorf("%s: %d, a link leaves the site:\n%s", p, resp.StatusCode, body)
		}
		if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "//") {
			t.Errorf("%s: redirect to %s", p, loc)
		}
		if resp.StatusCode == http.StatusNotFound && !strings.Contains(body, `href="/evil.example/x?lang=en"`) {
			t.Errorf("%s: the language link is not the cleaned path:\n%s", p, body)
		}
	}
}
