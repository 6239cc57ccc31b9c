package server

import (
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
	"github.com/khien/khien/internal/web"
)

// checkInput refuses, before any handler, query parameters and URL-encoded
// form fields that hold control characters (NUL among them, which
// PostgreSQL cannot store), naming the parameter. Form posts to pages are
// parsed here with web.MaxForm as the bound, so an oversized form is a 413
// for every page; handlers then read the already parsed form.
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := validation.CheckValues(r.URL.Query(), false); err != nil {
			s.failInput(w, r, err)
			return
		}
		if isForm(r) && !strings.HasPrefix(r.URL.Path, "/api/") {
			r.Body = http.MaxBytesReader(w, r.Body, web.MaxForm)
			if err := r.ParseForm(); err != nil {
				s.failInput(w, r, err)
				return
			}
			if err := validation.CheckValues(r.PostForm, true); err != nil {
				s.failInput(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func isForm(r *http.Request) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return false
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/x-www-form-urlencoded"
}

// failInput answers input refused by checkInput: the API's error envelope or
// the error page with the problems in the reader's language.
func (s *Server) failInput(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) { // only page forms are parsed here
		s.render.Render(w, r, http.StatusRequestEntityTooLarge, "error", web.NewPage(r, "error.too_large", "", i18n.T(httpx.Lang(r), "error.too_large.detail")))
		return
	}
	es, ok := validation.As(err)
	if !ok {
		// A form that cannot be read (a broken encoding, a client gone).
		slog.DebugContext(r.Context(), "unreadable form", "path", r.URL.Path, "err", err)
		es = validation.Errors{validation.Invalid("body", "validation.form_unreadable")}
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		api.Fail(w, r, es)
		return
	}
	p := httpx.ProblemOf(es)
	s.render.Render(w, r, p.Status, "error", web.NewPage(r, "error.invalid", "", es.Localize(httpx.Lang(r)).Error()))
}
