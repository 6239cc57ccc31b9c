package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/khien/khien/internal/finding/advice"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/validation"
)

// The remediation knowledge base: the list with search, one entry in the
// reader's language, and (for the coordinator) the form that edits its
// Vietnamese and English texts.

func (h *Handler) remediationRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/remediation", Handler: h.remediationList},
		{Method: "GET", Path: "/remediation/{key}", Handler: h.remediationEntry},
		{Method: "POST", Path: "/remediation/{key}", Handler: h.remediationSave},
	}
}

// remediationListData is the list page.
type remediationListData struct {
	Items   []advice.Item
	Query   string
	CanEdit bool
}

func (h *Handler) remediationList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	items, err := advice.List(r.Context(), h.Store, httpx.Lang(r), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := remediationListData{Items: items, Query: q, CanEdit: advice.CanEdit(httpx.Caller(r))}
	h.Render.Render(w, r, http.StatusOK, "remediation/list", remediationPage(r, "remediation.title", d))
}

// remediationData is one entry's page: the article in the reader's language
// and, for an editor, the form with both languages.
type remediationData struct {
	Article  advice.Article
	Forms    []editForm // one per language, for an editor
	Problems map[string]string
}

// editForm is one language's part of the edit form.
type editForm struct {
	Lang, Summary, Fix string
	Overridden         bool
	Stacks             []remediation.StackSteps // every stack, empty steps included
}

func (h *Handler) remediationEntry(w http.ResponseWriter, r *http.Request) {
	h.renderRemediation(w, r, http.StatusOK, nil, nil)
}

// renderRemediation shows the entry; edits, when set, refill the form after
// a refused save.
func (h *Handler) renderRemediation(w http.ResponseWriter, r *http.Request, status int, edits []advice.Edit, problems map[string]string) {
	key, lang := r.PathValue("key"), httpx.Lang(r)
	t, overridden, err := advice.Get(r.Context(), h.Store, key, lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := remediationData{Article: advice.NewArticle(key, lang, t, overridden), Problems: problems}
	if advice.CanEdit(httpx.Caller(r)) {
		for i, l := range advice.Languages {
			t, overridden, err := advice.Get(r.Context(), h.Store, key, l)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if edits != nil {
				t = remediation.Text{Summary: edits[i].Summary, Fix: edits[i].Fix, Stacks: edits[i].Stacks}
			}
			f := editForm{Lang: l, Summary: t.Summary, Fix: t.Fix, Overridden: overridden}
			for _, s := range remediation.Stacks {
				f.Stacks = append(f.Stacks, remediation.StackSteps{Stack: s, Steps: t.Stacks[s]})
			}
			d.Forms = append(d.Forms, f)
		}
	}
	p := remediationPage(r, "remediation.title", d)
	p.Title = key
	h.Render.Render(w, r, status, "remediation/entry", p)
}

// remediationSave saves the edit form (both languages at once) or, with
// reset=1, drops the edits.
func (h *Handler) remediationSave(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	key := r.PathValue("key")
	back := "/remediation/" + url.PathEscape(key)
	if r.FormValue("reset") == "1" {
		h.done(w, r, advice.Reset(r.Context(), h.Store, httpx.Caller(r), key), back, "remediation.ok.reset")
		return
	}
	edits := editsFromForm(r)
	err := advice.Override(r.Context(), h.Store, httpx.Caller(r), key, edits...)
	if _, invalid := validation.As(err); invalid {
		h.renderRemediation(w, r, http.StatusUnprocessableEntity, edits, problemsByLang(r, edits))
		return
	}
	h.done(w, r, err, back, "remediation.ok.saved")
}

// problemsByLang checks each language's edit on its own, so that a problem
// is shown next to the field of its language ("vi.fix").
func problemsByLang(r *http.Request, edits []advice.Edit) map[string]string {
	out := map[string]string{}
	for _, e := range edits {
		if problems, ok := problemsOf(r, e.Validate()); ok {
			for field, msg := range problems {
				out[e.Lang+"."+field] = msg
			}
		}
	}
	return out
}

// editsFromForm reads the two languages' fields: vi.summary, vi.fix,
// vi.stack.nginx, …
func editsFromForm(r *http.Request) []advice.Edit {
	var edits []advice.Edit
	for _, l := range advice.Languages {
		e := advice.Edit{Lang: l, Summary: r.FormValue(l + ".summary"), Fix: r.FormValue(l + ".fix"), Stacks: map[string]string{}}
		for _, s := range remediation.Stacks {
			if steps := strings.TrimSpace(r.FormValue(l + ".stack." + s)); steps != "" {
				e.Stacks[s] = steps
			}
		}
		edits = append(edits, e)
	}
	return edits
}

// remediationPage is a page of the knowledge base, with its flash message.
func remediationPage(r *http.Request, title string, data any) Page {
	p := NewPage(r, title, "nav.remediation", data)
	p.Flash = okFlash(r, "remediation.ok.")
	return p
}
