package server_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/i18n"
)

// TestControlCharactersAreRefused sends a NUL through every entry point on
// both databases: PostgreSQL cannot store it, so each must be a validation
// problem naming the field, never a 500 or a database error.
func TestControlCharactersAreRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		org := app.Org(t, "SYT", "Sở Y tế")
		op := app.User(t, access.AgencyOperator, org.ID)
		token := app.Token(t, op)
		web := app.Client(t, op)
		var sys struct{ ID int64 }
		if status := app.JSON(t, token, "POST", "/api/v1/systems", map[string]any{"org_id": org.ID, "name": "Cổng thông tin", "kind": "web_portal"}, &sys); status != 201 {
			t.Fatalf("create system: %d", status)
		}
		orgID := strconv.FormatInt(org.ID, 10)
		csv := "Thuộc hệ thống,Loại tài sản,Giá trị,Ghi chú\nCổng thông tin,Địa chỉ IP,10.0.0.1,a\x00b\n"
		tests := []struct {
			name, method, path, ctype, body string
			client                          *http.Client
			want                            []string // in the answer
		}{
			{"JSON body", "POST", "/api/v1/systems", "application/json",
				`{"org_id":` + orgID + `,"name":"Cổng\u0000","kind":"web_portal"}`, nil, []string{`"field":"name"`, "ký tự điều khiển"}},
			{"API search", "GET", "/api/v1/systems?q=a%00b", "", "", nil, []string{`"field":"q"`, "ký tự điều khiển"}},
			{"API staff search", "GET", "/api/v1/staff?q=%1b", "", "", nil, []string{`"field":"q"`}},
			{"page search", "GET", "/inventory?q=a%00b", "", "", web, []string{"q: chứa ký tự điều khiển"}},
			{"form post", "POST", "/inventory/systems", "application/x-www-form-urlencoded",
				url.Values{"org_id": {orgID}, "name": {"Cổng\x00"}, "kind": {"web_portal"}}.Encode(), web, []string{"name: chứa ký tự điều khiển"}},
			{"imported cell", "POST", "/api/v1/inventory/import?name=assets.csv&org_id=" + orgID, "text/csv", csv, nil, []string{"ký tự điều khiển", `"column":"D"`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, _ := http.NewRequest(tt.method, app.URL+tt.path, strings.NewReader(tt.body))
				if tt.ctype != "" {
					req.Header.Set("Content-Type", tt.ctype)
				}
				client := tt.client
				if client == nil {
					client = http.DefaultClient
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 400 && resp.StatusCode != 422 {
					t.Fatalf("status %d: %s", resp.StatusCode, b)
				}
				for _, w := range tt.want {
					if !bytes.Contains(b, []byte(w)) {
						t.Errorf("answer lacks %q: %s", w, b)
					}
				}
			})
		}
		// Tab and newlines stay allowed in multi-line text.
		form := url.Values{"org_id": {orgID}, "name": {"Cổng 2"}, "kind": {"web_portal"}, "purpose": {"dòng 1\r\ndòng 2\tcuối"}}
		resp, err := web.PostForm(app.URL+"/inventory/systems", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 400 {
			t.Errorf("multi-line purpose: %d", resp.StatusCode)
		}
	})
}

// TestOversizedFormIs413 posts a form over web.MaxForm: the answer is 413
// with the localized page, not a 500.
func TestOversizedFormIs413(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "SYT", "Sở Y tế")
	web := app.Client(t, app.User(t, access.AgencyOperator, org.ID))
	resp, err := web.PostForm(app.URL+"/inventory/systems", url.Values{"name": {strings.Repeat("a", 65<<10)}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), i18n.T(i18n.VI, "error.too_large.detail")) {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
}
