package web

import (
	"net/http"
	"net/url"

	"github.com/khien/khien/internal/storage"
)

// pageSize is the number of rows of a list page.
const pageSize = 50

// listPage is the page of a list that the request asks for: pageSize rows
// after its cursor. A cursor that does not read is the first page: links
// are not typed.
func listPage(r *http.Request) storage.Page {
	after, _ := storage.DecodeCursor(r.URL.Query().Get("cursor"))
	return storage.Page{Limit: pageSize, After: after}
}

// pager holds a list page's links, which the "pager" template shows: Prev
// back to the first page (keyset pages only go forward) unless this is it,
// Next to the following page when there is one.
type pager struct{ Prev, Next string }

// pagerOf builds the links of the list at path from the request's query,
// keeping its filters and dropping the flash message, for the page p and
// the cursor next of the page after it.
func pagerOf(r *http.Request, path string, p storage.Page, next string) pager {
	link := func(cursor string) string {
		v := url.Values{}
		for k, vals := range r.URL.Query() {
			v[k] = vals
		}
		v.Del("ok")
		v.Del("done")
		v.Del("cursor")
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	var pg pager
	if p.After != nil {
		pg.Prev = link("")
	}
	if next != "" {
		pg.Next = link(next)
	}
	return pg
}
