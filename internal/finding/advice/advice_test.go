package advice

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

var (
	coordinator = access.Actor{UserID: 0, Email: "dieuphoi@cantho.gov.vn", Role: access.Coordinator, OrgPath: "/1/"}
	viewer      = access.Actor{Email: "xem@cantho.gov.vn", Role: access.Viewer, OrgPath: "/1/"}
	auditor     = access.Actor{Email: "kiemtra@cantho.gov.vn", Role: access.Auditor, OrgPath: "/1/"}
)

func TestOverrideAndReset(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		orig, overridden, err := Get(ctx, store, "CWE-79", "vi")
		if err != nil || overridden || !strings.Contains(orig.Summary, "XSS") || len(orig.Stacks) == 0 {
			t.Fatalf("embedded CWE-79 = %+v, %v, %v", orig, overridden, err)
		}
		edit := []Edit{
			{Lang: "vi", Summary: "  Lỗi XSS trên trang tra cứu hồ sơ.  ", Fix: "Mã hóa đầu ra; bật CSP.", Stacks: map[string]string{"nginx": "Thêm tiêu đề CSP.", "php": " "}},
			{Lang: "en", Summary: "XSS on the portal.", Fix: "Encode output; turn CSP on."},
		}
		if err := Override(ctx, store, coordinator, "CWE-79", edit...); err != nil {
			t.Fatal(err)
		}
		got, overridden, err := Get(ctx, store, "CWE-79", "vi")
		if err != nil || !overridden || got.Summary != "Lỗi XSS trên trang tra cứu hồ sơ." || got.Stacks["nginx"] != "Thêm tiêu đề CSP." || len(got.Stacks) != 1 {
			t.Errorf("after override: %+v, %v, %v", got, overridden, err)
		}
		if en, _, _ := Get(ctx, store, "CWE-79", "en"); en.Fix != "Encode output; turn CSP on." || len(en.Stacks) != 0 {
			t.Errorf("English after override: %+v", en)
		}
		// The list shows the edit and finds it without diacritics.
		items, err := List(ctx, store, "vi", "tra cuu ho so")
		if err != nil || len(items) != 1 || items[0].Key != "CWE-79" || !items[0].Overridden {
			t.Errorf("List(tra cuu ho so) = %+v, %v", items, err)
		}
		// Editing again replaces the edit.
		if err := Override(ctx, store, coordinator, "CWE-79", Edit{Lang: "vi", Summary: "Lần hai.", Fix: "Sửa."}); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := Get(ctx, store, "CWE-79", "vi"); got.Summary != "Lần hai." {
			t.Errorf("second edit: %+v", got)
		}
		if err := Reset(ctx, store, coordinator, "CWE-79"); err != nil {
			t.Fatal(err)
		}
		for _, lang := range Languages {
			got, overridden, err := Get(ctx, store, "CWE-79", lang)
			if err != nil || overridden || got.Summary == "Lần hai." || got.Summary == "XSS on the portal." {
				t.Errorf("%s after reset: %+v, %v, %v", lang, got, overridden, err)
			}
		}
		// Resetting an entry without edits changes nothing and audits nothing.
		if err := Reset(ctx, store, coordinator, "CWE-79"); err != nil {
			t.Fatal(err)
		}
		entries, err := audit.List(ctx, store, access.SystemActor("test"), audit.Query{}, storage.First(50))
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, e := range entries.Items {
			counts[e.Action]++
			if e.Action == "remediation.override" && !strings.Contains(string(e.Details), `"key":"CWE-79"`) {
				t.Errorf("audit details without the key: %s", e.Details)
			}
		}
		if counts["remediation.override"] != 3 || counts["remediation.reset"] != 1 {
			t.Errorf("audit entries %v, want 3 overrides and 1 reset", counts)
		}
	})
}

func TestOverrideRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		ok := Edit{Lang: "vi", Summary: "Tóm tắt.", Fix: "Cách sửa."}
		for _, actor := range []access.Actor{viewer, auditor} {
			if err := Override(ctx, store, actor, "CWE-79", ok); !errors.Is(err, access.ErrForbidden) {
				t.Errorf("%s: Override = %v, want forbidden", actor.Role, err)
			}
			if err := Reset(ctx, store, actor, "CWE-79"); !errors.Is(err, access.ErrForbidden) {
				t.Errorf("%s: Reset = %v, want forbidden", actor.Role, err)
			}
		}
		if err := Override(ctx, store, coordinator, "CWE-99999", ok); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("unknown key: %v", err)
		}
		if _, _, err := Get(ctx, store, "no.such-check", "vi"); !errors.Is(err, access.ErrNotFound) {
			t.Errorf("Get unknown key: %v", err)
		}
		tests := []struct {
			edit  Edit
			field string
		}{
			{Edit{Lang: "fr", Summary: "a", Fix: "b"}, "lang"},
			{Edit{Lang: "vi", Summary: " ", Fix: "b"}, "summary"},
			{Edit{Lang: "vi", Summary: "a", Fix: strings.Repeat("x", maxFix+1)}, "fix"},
			{Edit{Lang: "vi", Summary: "a", Fix: "b", Stacks: map[string]string{"tomcat": "c"}}, "stacks"},
			{Edit{Lang: "vi", Summary: "a", Fix: "b", Stacks: map[string]string{"nginx": strings.Repeat("x", maxSteps+1)}}, "stacks"},
		}
		for _, tt := range tests {
			var v validation.Error
			// A bad second edit stops the first too: nothing is written.
			err := Override(ctx, store, coordinator, "CWE-89", ok, tt.edit)
			if !errors.As(err, &v) || v.Field != tt.field {
				t.Errorf("Override(%+v) = %v, want invalid %s", tt.edit, err, tt.field)
			}
		}
		if _, overridden, _ := Get(ctx, store, "CWE-89", "vi"); overridden {
			t.Error("a refused edit was written in part")
		}
	})
}

func TestList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		all, err := List(ctx, store, "en", "")
		if err != nil || len(all) < 90 {
			t.Fatalf("List = %d items, %v", len(all), err)
		}
		// Checks first by ID, then CWE classes by number.
		var cwe []string
		for i, it := range all {
			if it.Kind == "cwe" {
				cwe = append(cwe, it.Key)
			} else if len(cwe) > 0 {
				t.Fatalf("check %s after CWE classes", it.Key)
			}
			if i > 0 && compareKeys(all[i-1].Key, it.Key) >= 0 {
				t.Errorf("%s listed after %s", it.Key, all[i-1].Key)
			}
		}
		if cwe[0] != "CWE-20" || cwe[len(cwe)-1] != "CWE-1395" {
			t.Errorf("CWE order %v", cwe)
		}
		tests := []struct {
			lang, query, want string
		}{
			{"vi", "mat khau", "CWE-256"},
			{"vi", "MẬT KHẨU", "CWE-256"},
			{"en", "clickjacking", "CWE-1021"},
			{"en", "cwe-89", "CWE-89"},
			{"vi", "tls.weak", "tls.weak-cipher"},
			{"en", "proxy_cookie_flags", "CWE-614"}, // stack steps are searched too
		}
		for _, tt := range tests {
			items, err := List(ctx, store, tt.lang, tt.query)
			if err != nil || !containsKey(items, tt.want) {
				t.Errorf("List(%s, %q) lacks %s: %v", tt.lang, tt.query, tt.want, err)
			}
		}
		if items, _ := List(ctx, store, "vi", "không có từ này zzqq"); len(items) != 0 {
			t.Errorf("nonsense query found %d items", len(items))
		}
	})
}

func containsKey(items []Item, key string) bool {
	for _, it := range items {
		if it.Key == key {
			return true
		}
	}
	return false
}
