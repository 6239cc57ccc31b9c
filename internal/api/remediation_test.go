package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/finding/advice"
)

// TestRemediationAPI reads the knowledge base in both languages, edits an
// entry as the coordinator, is refused as a viewer, and resets the edit; the
// contract checker validates every exchange against the OpenAPI document.
func TestRemediationAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		org := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
		coord := app.Token(t, app.User(t, access.Coordinator, org.ID))
		viewer := app.Token(t, app.User(t, access.Viewer, org.ID))

		var list api.List[advice.Item]
		if st := app.JSON(t, viewer, "GET", "/api/v1/remediation?limit=10", nil, &list); st != 200 || len(list.Items) != 10 || list.Total < 90 || list.Next == "" {
			t.Fatalf("list: %d %d items of %d, next %q", st, len(list.Items), list.Total, list.Next)
		}
		var next api.List[advice.Item]
		if st := app.JSON(t, viewer, "GET", "/api/v1/remediation?limit=10&cursor="+list.Next, nil, &next); st != 200 || next.Items[0].Key == list.Items[0].Key {
			t.Errorf("second page: %d %+v", st, next.Items)
		}
		if st := app.JSON(t, viewer, "GET", "/api/v1/remediation?q=mat+khau", nil, &list); st != 200 || !hasKey(list.Items, "CWE-256") {
			t.Errorf("search: %d %+v", st, list.Items)
		}

		var a advice.Article
		if st := app.JSON(t, viewer, "GET", "/api/v1/remediation/CWE-79?lang=en", nil, &a); st != 200 || a.Lang != "en" || !strings.Contains(a.Summary, "XSS") || len(a.Steps) == 0 || a.Overridden {
			t.Fatalf("get en: %d %+v", st, a)
		}
		if st := app.JSON(t, viewer, "GET", "/api/v1/remediation/tls.expired", nil, &a); st != 200 || a.Lang != "vi" || a.Kind != "check" {
			t.Errorf("get check: %d %+v", st, a)
		}
		if st := app.JSON(t, viewer, "GET", "/api/v1/remediation/CWE-99999", nil, nil); st != 404 {
			t.Errorf("unknown key: %d", st)
		}

		edit := map[string]any{"lang": "vi", "summary": "Lỗi XSS trên cổng.", "fix": "Mã hóa đầu ra.", "stacks": map[string]string{"nginx": "Thêm CSP."}}
		if st := app.JSON(t, viewer, "PUT", "/api/v1/remediation/CWE-79", edit, nil); st != 403 {
			t.Errorf("viewer edit: %d", st)
		}
		if st := app.JSON(t, coord, "PUT", "/api/v1/remediation/CWE-79", edit, &a); st != 200 || !a.Overridden || a.Summary != "Lỗi XSS trên cổng." || len(a.Steps) != 1 {
			t.Errorf("coordinator edit: %d %+v", st, a)
		}
		var problem api.ErrorBody
		if st := app.JSON(t, coord, "PUT", "/api/v1/remediation/CWE-79", map[string]any{"lang": "vi", "summary": "x", "fix": "y", "stacks": map[string]string{"tomcat": "z"}}, &problem); st != 422 || problem.Error.Fields[0].Field != "stacks" {
			t.Errorf("bad stack: %d %+v", st, problem)
		}
		if st := app.JSON(t, viewer, "GET", "/api/v1/remediation/CWE-79", nil, &a); st != 200 || a.Summary != "Lỗi XSS trên cổng." {
			t.Errorf("viewer reads the edit: %d %+v", st, a)
		}
		if st := app.JSON(t, viewer, "DELETE", "/api/v1/remediation/CWE-79/override", nil, nil); st != 403 {
			t.Errorf("viewer reset: %d", st)
		}
		if st := app.JSON(t, coord, "DELETE", "/api/v1/remediation/CWE-79/override", nil, nil); st != http.StatusNoContent {
			t.Errorf("reset: %d", st)
		}
		if st := app.JSON(t, viewer, "GET", "/api/v1/remediation/CWE-79", nil, &a); st != 200 || a.Overridden {
			t.Errorf("after reset: %d %+v", st, a)
		}
	})
}

func hasKey(items []advice.Item, key string) bool {
	for _, it := range items {
		if it.Key == key {
			return true
		}
	}
	return false
}
