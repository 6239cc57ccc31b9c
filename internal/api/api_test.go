package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

func TestFail(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{validation.Errors{{Field: "name", Message: "bắt buộc"}}, 422, `"code":"invalid"`},
		{access.ErrNotFound, 404, `"code":"not_found"`},
		{access.ErrForbidden, 403, `"code":"forbidden"`},
		{storage.ErrConflict, 409, `"code":"conflict"`},
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
