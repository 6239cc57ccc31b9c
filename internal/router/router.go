// Package router is the table of every HTTP route, web and API. Keeping the
// table as data lets the OpenAPI document and the authorisation matrix test be
// built from what is really registered, so neither can drift.
package router

import (
	"net/http"
	"sort"
	"strings"

	"github.com/khien/khien/internal/access"
)

// Route is one method and path pattern (net/http ServeMux syntax).
type Route struct {
	Method  string // GET, POST, PUT, PATCH, DELETE
	Path    string // "/api/v1/orgs/{id}"
	Summary string // one line for the OpenAPI document
	Tag     string // OpenAPI tag: the capability
	// Public routes need no authenticated caller (login, health, static files).
	Public bool
	// Request and Response are example values whose types describe the JSON
	// bodies in the OpenAPI document (API routes only).
	Request  any
	Response any
	// Required are the request body's required fields; Query its query
	// parameters besides those every list and every route takes (limit,
	// cursor, lang); Status its success statuses when they are not the
	// method's usual one (201 for a POST with a body, 204 without, …).
	Required []string
	Query    []Param
	Status   []int
	Handler  http.HandlerFunc
}

// Param is a query parameter of an API route, for the OpenAPI document.
type Param struct {
	Name        string
	Type        string // "string" (the default), "integer", "boolean"
	Description string
	Enum        []string
	Min, Max    int // bounds of an integer when Max > 0
}

// API reports whether the route belongs to the JSON API.
func (r Route) API() bool { return strings.HasPrefix(r.Path, "/api/") }

// Pattern is the ServeMux pattern.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Authenticator finds the caller of a request (session cookie or bearer token).
type Authenticator interface {
	Authenticate(r *http.Request) (access.Actor, bool)
}

// Unauthenticated answers for a route that needs a caller when there is none.
type Unauthenticated func(w http.ResponseWriter, r *http.Request)

// Router registers routes on a ServeMux, wrapping every non-public route so
// that it runs only with an authenticated actor in its context.
type Router struct {
	mux    *http.ServeMux
	routes []Route
	authn  Authenticator
	deny   Unauthenticated
}

// New returns a router that authenticates with authn and calls deny when a
// protected route has no caller.
func New(authn Authenticator, deny Unauthenticated) *Router {
	return &Router{mux: http.NewServeMux(), authn: authn, deny: deny}
}

// Handle registers routes.
func (rt *Router) Handle(routes ...Route) {
	for _, r := range routes {
		rt.routes = append(rt.routes, r)
		h := r.Handler
		if !r.Public {
			h = rt.protect(h)
		}
		rt.mux.Handle(r.Pattern(), h)
	}
}

// HandlePrefix registers a public subtree handler (static files) that is not
// listed as a route of its own.
func (rt *Router) HandlePrefix(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, h)
}

func (rt *Router) protect(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		actor, ok := rt.authn.Authenticate(r)
		if !ok {
			rt.deny(w, r)
			return
		}
		next(w, r.WithContext(access.WithActor(r.Context(), actor)))
	}
}

// Identify runs next with the caller in the context when there is one and
// without when there is none: a page anyone may reach (the "not found" page)
// still shows a signed-in user's menu.
func (rt *Router) Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if actor, ok := rt.authn.Authenticate(r); ok {
			r = r.WithContext(access.WithActor(r.Context(), actor))
		}
		next.ServeHTTP(w, r)
	})
}

// methods are the methods routes use, in the order an Allow header lists them.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// Allowed lists the methods that some route accepts for r's path, for the
// Allow header of a 405; it is empty for a path no route has. It asks the
// mux itself, so it agrees with the dispatch (patterns, wildcards, HEAD for
// GET); the catch-all "/" that answers 404 does not count.
func (rt *Router) Allowed(r *http.Request) []string {
	var out []string
	for _, m := range methods {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := rt.mux.Handler(probe); pattern != "" && pattern != "/" && !strings.HasSuffix(pattern, " /") {
			out = append(out, m)
		}
	}
	return out
}

// ServeHTTP dispatches to the registered routes.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

// Routes lists every registered route, sorted by path then method.
func (rt *Router) Routes() []Route {
	out := append([]Route(nil), rt.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}
