package api

import (
	"net/http"

	"github.com/khien/khien/internal/finding/advice"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// Example values describing the knowledge base's JSON bodies in the OpenAPI document.
var (
	exAdviceItem = advice.Item{Key: "CWE-79", Kind: "cwe", Summary: "Dữ liệu người dùng được đưa vào trang web mà không mã hóa đầu ra (XSS)…"}
	exArticle    = advice.NewArticle("CWE-79", "vi", advice.Edit{Summary: "Lỗi XSS", Fix: "Mã hóa đầu ra", Stacks: map[string]string{"nginx": "add_header Content-Security-Policy …"}}.Text(), true)
	exEdit       = advice.Edit{Lang: "vi", Summary: "Lỗi XSS trên cổng thông tin", Fix: "Mã hóa đầu ra theo ngữ cảnh; bật Content-Security-Policy.", Stacks: map[string]string{"nginx": "add_header Content-Security-Policy \"default-src 'self'\" always;"}}
)

func (h *Handler) remediationRoutes() []router.Route {
	const tag = "remediation"
	return []router.Route{
		{Method: "GET", Path: "/api/v1/remediation", Tag: tag, Summary: "List the remediation knowledge base (checks, then CWE classes) in the language of ?lang=, with q searching keys and texts ignoring diacritics", Query: []router.Param{qParam}, Response: NewList([]advice.Item{exAdviceItem}, 1, ""), Handler: h.listRemediation},
		{Method: "GET", Path: "/api/v1/remediation/{key}", Tag: tag, Summary: "Get one entry (a check ID or CWE-n) in the language of ?lang=: summary, fix and per-stack steps, with the coordinator's edit when there is one", Response: exArticle, Handler: h.getRemediation},
		{Method: "PUT", Path: "/api/v1/remediation/{key}", Tag: tag, Summary: "Replace one language of an entry with the body's text (coordinator, admin); audited", Request: exEdit, Required: []string{"lang", "summary", "fix"}, Response: exArticle, Handler: h.overrideRemediation},
		{Method: "DELETE", Path: "/api/v1/remediation/{key}/override", Tag: tag, Summary: "Drop the edits of an entry in every language, back to the built-in text (coordinator, admin); audited", Handler: h.resetRemediation},
	}
}

func (h *Handler) listRemediation(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p storage.Page) (storage.Paged[advice.Item], error) {
		items, err := advice.List(r.Context(), h.Store, httpx.Lang(r), r.URL.Query().Get("q"))
		if err != nil {
			return storage.Paged[advice.Item]{}, err
		}
		return storage.PageSlice(items, p, func(it advice.Item) string { return it.Key })
	})
}

func (h *Handler) getRemediation(w http.ResponseWriter, r *http.Request) {
	h.writeArticle(w, r, r.PathValue("key"), httpx.Lang(r))
}

func (h *Handler) writeArticle(w http.ResponseWriter, r *http.Request, key, lang string) {
	t, overridden, err := advice.Get(r.Context(), h.Store, key, lang)
	respond(w, r, http.StatusOK, advice.NewArticle(key, lang, t, overridden), err)
}

func (h *Handler) overrideRemediation(w http.ResponseWriter, r *http.Request) {
	var e advice.Edit
	if err := httpx.Decode(w, r, &e); err != nil {
		Fail(w, r, err)
		return
	}
	key := r.PathValue("key")
	if err := advice.Override(r.Context(), h.Store, httpx.Caller(r), key, e); err != nil {
		Fail(w, r, err)
		return
	}
	h.writeArticle(w, r, key, e.Lang)
}

func (h *Handler) resetRemediation(w http.ResponseWriter, r *http.Request) {
	if err := advice.Reset(r.Context(), h.Store, httpx.Caller(r), r.PathValue("key")); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
