package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/httpx"
)

// TestFormProblemsFollowThePageLanguage posts the same bad form in
// Vietnamese (the default), with ?lang=en and with the language cookie.
func TestFormProblemsFollowThePageLanguage(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "SYT", "Sở Y tế")
	// A session cookie without a cookie jar: the ?lang= answer's cookie must
	// not carry over to the next case.
	session := app.SessionCookie(t, app.User(t, access.AgencyOperator, org.ID))
	form := url.Values{"org_id": {itoa(org.ID)}, "name": {""}, "kind": {"web_portal"}, "level": {"9"}}
	vi := []string{"tên hệ thống là bắt buộc", "cấp độ phải từ 1 đến 5, hoặc 0 nếu chưa xác định"}
	en := []string{"the system name is required", "the level must be 1 to 5, or 0 if not yet determined"}
	tests := []struct {
		name, query, cookie string
		want, not           []string
	}{
		{"default", "", "", vi, en},
		{"query", "?lang=en", "", en, vi},
		{"cookie", "", "en", en, vi},
		{"query over cookie", "?lang=vi", "en", vi, en},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", app.URL+"/inventory/systems"+tt.query, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(session)
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: httpx.LangCookie, Value: tt.cookie})
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			body := string(b)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, m := range tt.want {
				if !strings.Contains(body, m) {
					t.Errorf("missing %q", m)
				}
			}
			for _, m := range tt.not {
				if strings.Contains(body, m) {
					t.Errorf("%q in the wrong language", m)
				}
			}
		})
	}
}
