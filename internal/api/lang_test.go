package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/httpx"
)

// TestMessagesFollowTheRequestLanguage sends the same bad input in
// Vietnamese (the default), with ?lang=en and with the khien_lang cookie:
// status and field stay, only the message's language changes.
func TestMessagesFollowTheRequestLanguage(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "SYT", "Sở Y tế")
	token := app.Token(t, app.User(t, access.AgencyOperator, org.ID))
	var sys struct{ ID int64 }
	if status := app.JSON(t, token, "POST", "/api/v1/systems", map[string]any{"org_id": org.ID, "name": "Cổng thông tin", "kind": "web_portal"}, &sys); status != 201 {
		t.Fatalf("create system: %d", status)
	}
	assets := "/api/v1/systems/" + strconv.FormatInt(sys.ID, 10) + "/assets"
	csv := []byte("Thuộc hệ thống,Loại tài sản,Giá trị\nCổng thông tin,Địa chỉ IP,10.0.0.256\n")
	tests := []struct {
		name, path, ctype string
		body              []byte
		status            int
		vi, en            string
	}{
		{"validation", assets, "application/json", []byte(`{"kind":"ip","value":"10.0.0.256"}`), 422,
			`địa chỉ IP "10.0.0.256" không hợp lệ`, `IP address "10.0.0.256" is not valid`},
		{"JSON decoding", assets, "application/json", []byte(`{"kind":"ip","valu":"10.0.0.1"}`), 422,
			`không có trường "valu"`, `unknown field "valu"`},
		{"import problem", "/api/v1/inventory/import?name=assets.csv", "text/csv", csv, 422,
			`địa chỉ IP "10.0.0.256" không hợp lệ`, `IP address "10.0.0.256" is not valid`},
		{"sign-in refused", "/api/v1/auth/token", "application/json", []byte(`{"email":"nobody@so.gov.vn","password":"wrong password"}`), 401,
			"Sai thư điện tử hoặc mật khẩu.", "Wrong e-mail address or password."},
		{"file that is no workbook", "/api/v1/inventory/import", "application/octet-stream", []byte("not a workbook"), 422,
			`tệp không phải là bảng tính Excel (.xlsx); hãy lưu lại bằng Excel với định dạng "Excel Workbook (*.xlsx)"`,
			`the file is not an Excel workbook (.xlsx); save it again in Excel as "Excel Workbook (*.xlsx)"`},
	}
	for _, tt := range tests {
		for _, lang := range []struct {
			name, query, cookie string
			want, not           string
		}{
			{"default", "", "", tt.vi, tt.en},
			{"query", "lang=en", "", tt.en, tt.vi},
			{"cookie", "", "en", tt.en, tt.vi},
			{"unsupported", "lang=fr", "", tt.vi, tt.en},
		} {
			t.Run(tt.name+"/"+lang.name, func(t *testing.T) {
				path := tt.path
				if lang.query != "" && strings.Contains(path, "?") {
					path += "&" + lang.query
				} else if lang.query != "" {
					path += "?" + lang.query
				}
				req, _ := http.NewRequest("POST", app.URL+path, bytes.NewReader(tt.body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", tt.ctype)
				if lang.cookie != "" {
					req.AddCookie(&http.Cookie{Name: httpx.LangCookie, Value: lang.cookie})
				}
				resp, err := (&http.Client{Transport: app.Transport}).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				var doc any
				if err := json.Unmarshal(body, &doc); err != nil {
					t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
				}
				msgs := messages(doc)
				if resp.StatusCode != tt.status || !slices.Contains(msgs, lang.want) || slices.Contains(msgs, lang.not) {
					t.Fatalf("want %d with %q, got %d %q", tt.status, lang.want, resp.StatusCode, msgs)
				}
			})
		}
	}
}

// messages collects every "message" of a JSON document (the error envelope
// and its fields, or an import result's problems).
func messages(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "message" {
				out = append(out, s)
			}
			out = append(out, messages(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, messages(x)...)
		}
	}
	return out
}
