package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
)

func TestDecode(t *testing.T) {
	type body struct {
		Name  string `json:"name"`
		Level int    `json:"level"`
	}
	tests := []struct {
		name, in  string
		wantField string
		wantMsg   string
	}{
		{"ok", `{"name":"Cổng","level":2}`, "", ""},
		{"empty", ``, "body", "empty body"},
		{"syntax", `{"name":`, "body", "invalid JSON"},
		{"wrong type", `{"level":"two"}`, "level", "must be int"},
		{"unknown field", `{"nme":"x"}`, "body", "unknown field"},
		{"trailing data", `{"name":"a"} {"name":"b"}`, "body", "unexpected data"},
		{"too big", `{"name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, "body", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.in))
			var b body
			err := Decode(httptest.NewRecorder(), r, &b)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			es, ok := validation.As(err)
			if !ok || len(es) != 1 {
				t.Fatalf("want one validation error, got %v", err)
			}
			// Messages are Vietnamese by default; the English text is checked here.
			if en := es[0].Localize(i18n.EN); es[0].Field != tt.wantField || !strings.Contains(en.Message, tt.wantMsg) {
				t.Fatalf("got %s: %s", en.Field, en.Message)
			}
		})
	}
}

func TestFail(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{validation.Errors{{Field: "name", Message: "bắt buộc"}}, 400, `"code":"invalid"`},
		{access.ErrNotFound, 404, `"code":"not_found"`},
		{access.ErrForbidden, 403, `"code":"forbidden"`},
		{ErrConflict, 409, `"code":"conflict"`},
		{errors.New("database on fire"), 500, `"code":"internal"`},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		Fail(w, httptest.NewRequest("GET", "/api/v1/x", nil), tt.err)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.code) {
			t.Errorf("%v: %d %s", tt.err, w.Code, w.Body.String())
		}
		if strings.Contains(w.Body.String(), "fire") {
			t.Errorf("internal error details leaked: %s", w.Body.String())
		}
	}
}

func TestListNeverEncodesNull(t *testing.T) {
	w := httptest.NewRecorder()
	WriteJSON(w, http.StatusOK, NewList[int](nil, 0, ""))
	if got := strings.TrimSpace(w.Body.String()); got != `{"items":[],"total":0,"next":""}` {
		t.Fatalf("got %s", got)
	}
}
