package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/validation"
)

// Helpers for the form posts of every capability's pages.

// MaxForm bounds an ordinary (URL-encoded) form post; the server parses such
// posts with this bound before any handler sees them.
const MaxForm = 64 << 10

func formInt(r *http.Request, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.FormValue(name)))
	return n
}

// parseForm reads a bounded ordinary form.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxForm)
	return r.ParseForm()
}

// redirect goes to path with a flash message key.
func redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "ok=" + url.QueryEscape(flash)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// idAndForm reads the {id} path parameter and a bounded form.
func idAndForm(w http.ResponseWriter, r *http.Request) (int64, error) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	return id, err
}

// saved finishes a form post: on success it redirects to path with the flash
// message, on invalid input it shows the form again with its problems, and
// otherwise the error page.
func (h *Handler) saved(w http.ResponseWriter, r *http.Request, err error, showProblems func(map[string]string), path, flash string) {
	if problems, ok := problemsOf(r, err); ok {
		showProblems(problems)
		return
	}
	h.done(w, r, err, path, flash)
}

// done finishes a post that has no form to show again (a deletion): the
// error page, or a redirect to path with the flash message.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, err error, path, flash string) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, path, flash)
}

// second keeps the error of a call whose value a form post does not need.
func second[T any](_ T, err error) error { return err }

// problemsOf lists validation errors by field for a form, in the page's language.
func problemsOf(r *http.Request, err error) (map[string]string, bool) {
	es, ok := validation.As(err)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, e := range es.Localize(httpx.Lang(r)) {
		out[e.Field] = e.Message
	}
	return out, true
}

// sendFile answers with a stored file as a download, never as a page of
// this site: the sandbox policy keeps even a browser that shows it from
// running it with the site's rights.
func sendFile(w http.ResponseWriter, name string, data []byte) {
	w.Header().Set("Content-Security-Policy", "sandbox")
	httpx.SendFile(w, name, data)
}
