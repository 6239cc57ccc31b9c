package api_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/auth"
)

// errorAnswer is the error envelope as a client reads it.
type errorAnswer struct {
	Error struct {
		Code, Message string
		Fields        []struct{ Field, Message string }
	}
}

type systemPage struct {
	Items []struct {
		ID   int64
		Name string
	}
	Total int
	Next  string
}

// TestListsPageWithCursors walks the systems of an agency in pages of 3
// while systems are added before and after the reader's place: every system
// that was there from the start comes once, total counts the matches, and
// next is an opaque cursor, empty at the end.
func TestListsPageWithCursors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		org := app.Org(t, "SYT", "Sở Y tế")
		token := app.Token(t, app.User(t, access.AgencyOperator, org.ID))
		create := func(name string) {
			t.Helper()
			if status := app.JSON(t, token, "POST", "/api/v1/systems", map[string]any{"org_id": org.ID, "name": name, "kind": "web_portal"}, nil); status != 201 {
				t.Fatalf("create %s: %d", name, status)
			}
		}
		want := map[string]bool{}
		for i := range 8 {
			name := fmt.Sprintf("Hệ thống %02d", i)
			create(name)
			want[name] = true
		}
		seen := map[int64]bool{}
		path := "/api/v1/systems?limit=3"
		for pages := 1; ; pages++ {
			var p systemPage
			if status := app.JSON(t, token, "GET", path, nil, &p); status != 200 {
				t.Fatalf("GET %s: %d", path, status)
			}
			if pages == 1 && p.Total != 8 {
				t.Fatalf("total %d, want 8", p.Total)
			}
			for _, s := range p.Items {
				if seen[s.ID] {
					t.Fatalf("system %d (%s) on two pages", s.ID, s.Name)
				}
				seen[s.ID] = true
				delete(want, s.Name)
			}
			if p.Next == "" {
				if pages < 3 {
					t.Fatalf("ended after %d pages", pages)
				}
				break
			}
			if _, err := strconv.Atoi(p.Next); err == nil {
				t.Fatalf("next %q is an offset, not a cursor", p.Next)
			}
			if pages == 1 {
				create("Ánh sáng") // sorts before the reader: skipped
				create("Zeta")     // sorts after: read
			}
			path = "/api/v1/systems?limit=3&cursor=" + p.Next
		}
		if len(want) > 0 {
			t.Fatalf("never listed: %v", want)
		}
	})
}

// TestEveryListBoundsItsPage asks every list for pages it must refuse.
func TestEveryListBoundsItsPage(t *testing.T) {
	app := apptest.New(t, "sqlite")
	org := app.Org(t, "SYT", "Sở Y tế")
	coord := app.Token(t, app.User(t, access.Coordinator, app.Root.ID))
	var sys struct{ ID int64 }
	if status := app.JSON(t, coord, "POST", "/api/v1/systems", map[string]any{"org_id": org.ID, "name": "Cổng", "kind": "web_portal"}, &sys); status != 201 {
		t.Fatalf("create system: %d", status)
	}
	id := strconv.FormatInt(sys.ID, 10)
	lists := []string{"/api/v1/systems", "/api/v1/assets", "/api/v1/assets/conflicts", "/api/v1/assets/shared", "/api/v1/staff", "/api/v1/orgs",
		"/api/v1/users", "/api/v1/tokens", "/api/v1/audit", "/api/v1/merges", "/api/v1/systems/" + id + "/assets", "/api/v1/systems/" + id + "/controls"}
	for _, list := range lists {
		for _, tt := range []struct {
			query, field string
		}{
			{"", ""}, {"limit=1", ""}, {"limit=500", ""},
			{"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=-5", "limit"}, {"limit=many", "limit"},
			{"cursor=not-a-cursor", "cursor"}, {"cursor=WyJ4Il0", "cursor"}, // ["x"]: a key of another shape
		} {
			var e errorAnswer
			status := app.JSON(t, coord, "GET", list+"?"+tt.query, nil, &e)
			switch {
			case tt.field == "" && status != 200:
				t.Errorf("GET %s?%s: %d %+v", list, tt.query, status, e)
			case tt.field != "" && (status != 422 || e.Error.Code != "invalid" || len(e.Error.Fields) == 0 || e.Error.Fields[0].Field != tt.field):
				t.Errorf("GET %s?%s: %d %+v, want 422 naming %s", list, tt.query, status, e, tt.field)
			}
		}
	}
}

// TestRefusalsAndConflictsSpeakTheCallersLanguage checks the 409 of a
// duplicate organisation code and the 403 of a viewer, in Vietnamese and
// English, and that no English context leaks into them.
func TestRefusalsAndConflictsSpeakTheCallersLanguage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		org := app.Org(t, "SYT", "Sở Y tế")
		coord := app.Token(t, app.User(t, access.Coordinator, app.Root.ID))
		viewer := app.Token(t, app.User(t, access.Viewer, org.ID))
		for _, tt := range []struct {
			name, token, method, path string
			body                      any
			status                    int
			code, field               string
			vi, en                    string
		}{
			{"duplicate code", coord, "POST", "/api/v1/orgs", map[string]any{"code": "syt", "name": "Trùng", "parent_id": app.Root.ID},
				409, "conflict", "code", "đã", "already"},
			{"viewer may not write", viewer, "POST", "/api/v1/systems", map[string]any{"org_id": org.ID, "name": "Cổng", "kind": "web_portal"},
				403, "forbidden", "", "Chỉ xem", "Viewer"},
		} {
			for lang, want := range map[string]string{"vi": tt.vi, "en": tt.en} {
				var e errorAnswer
				status := app.JSON(t, tt.token, tt.method, tt.path+"?lang="+lang, tt.body, &e)
				if status != tt.status || e.Error.Code != tt.code || !strings.Contains(e.Error.Message, want) {
					t.Errorf("%s (%s): %d %+v, want %d %s mentioning %q", tt.name, lang, status, e, tt.status, tt.code, want)
				}
				if lang == "vi" && (strings.Contains(e.Error.Message, "may not") || strings.Contains(e.Error.Message, "organisation")) {
					t.Errorf("%s: English in a Vietnamese answer: %q", tt.name, e.Error.Message)
				}
				if tt.field != "" && (len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != tt.field) {
					t.Errorf("%s (%s): fields %+v, want %s", tt.name, lang, e.Error.Fields, tt.field)
				}
			}
		}
	})
}

// TestAuditDetailsAreObjects reads the audit entry of a change: details
// are the old and new values as a JSON object, not a string of JSON.
func TestAuditDetailsAreObjects(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		app.Org(t, "SYT", "Sở Y tế")
		coord := app.Token(t, app.User(t, access.Coordinator, app.Root.ID))
		var page struct {
			Items []struct {
				Action  string
				Details any
			}
		}
		if status := app.JSON(t, coord, "GET", "/api/v1/audit?action=org.create", nil, &page); status != 200 || len(page.Items) == 0 {
			t.Fatalf("audit: %d, %d entries", status, len(page.Items))
		}
		d, ok := page.Items[0].Details.(map[string]any)
		if !ok || d["new"] == nil {
			t.Fatalf("details %T %v, want an object with new", page.Items[0].Details, page.Items[0].Details)
		}
	})
}

// TestPasswordGuessesAreThrottled: wrong current passwords at a password
// change count as failed sign-ins; past the limit the API answers 429 with
// Retry-After.
func TestPasswordGuessesAreThrottled(t *testing.T) {
	app := apptest.New(t, "sqlite")
	token := app.Token(t, app.User(t, access.AgencyOperator, app.Org(t, "SYT", "Sở Y tế").ID))
	body := map[string]string{"current_password": "not the password", "new_password": "một mật khẩu mới dài"}
	for i := range auth.MaxFailuresPerAccount {
		if status := app.JSON(t, token, "POST", "/api/v1/me/password", body, nil); status != 422 {
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	var e errorAnswer
	status, hdr := app.JSONHeader(t, token, "POST", "/api/v1/me/password?lang=en", body, &e)
	if s, err := strconv.Atoi(hdr.Get("Retry-After")); status != 429 || err != nil || s < 1 || e.Error.Code != "locked" || !strings.Contains(e.Error.Message, "Too many") {
		t.Fatalf("locked: %d Retry-After %q %+v", status, hdr.Get("Retry-After"), e)
	}
}
