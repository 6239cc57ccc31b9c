package api

import (
	"net/http"
	"strconv"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// UserCreate is the body of POST /users.
type UserCreate struct {
	Email    string      `json:"email"`
	Name     string      `json:"name"`
	Role     access.Role `json:"role"`
	OrgID    int64       `json:"org_id"`
	Password string      `json:"password"`
}

// Assignments are the organisations of an auditor or responder.
type Assignments struct {
	OrgIDs []int64 `json:"org_ids"`
}

// PasswordSet sets a user's password (reset by an administrator).
type PasswordSet struct {
	Password string `json:"password"`
}

// PasswordChange changes the caller's own password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (h *Handler) userRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/api/v1/users", Tag: "users", Summary: "Users in the caller's scope (?org_id=, ?role=, ?q=)",
			Query:    []router.Param{{Name: "org_id", Type: "integer"}, {Name: "role", Enum: roleCodes()}, {Name: "q", Description: "search in names"}},
			Response: List[identity.User]{}, Handler: h.listUsers},
		{Method: "POST", Path: "/api/v1/users", Tag: "users", Summary: "Create a user (platform admin, or the agency's admin for agency roles)",
			Request: UserCreate{}, Required: []string{"email", "role", "org_id", "password"}, Response: identity.User{}, Handler: h.createUser},
		{Method: "GET", Path: "/api/v1/users/{id}", Tag: "users", Summary: "One user",
			Response: identity.User{}, Handler: h.getUser},
		{Method: "PATCH", Path: "/api/v1/users/{id}", Tag: "users", Summary: "Change a user's name, role, organisation or disabled state",
			Request: identity.UserUpdate{}, Response: identity.User{}, Handler: h.updateUser},
		{Method: "PUT", Path: "/api/v1/users/{id}/assignments", Tag: "users", Summary: "Set the organisations of an auditor or responder",
			Request: Assignments{}, Required: []string{"org_ids"}, Response: identity.User{}, Handler: h.assignUser},
		{Method: "POST", Path: "/api/v1/users/{id}/password", Tag: "users", Summary: "Set a user's password (ends their sessions)",
			Request: PasswordSet{}, Required: []string{"password"}, Handler: h.resetPassword},
		{Method: "POST", Path: "/api/v1/users/{id}/mfa-reset", Tag: "users", Summary: "Remove a user's MFA enrolment (they enrol again at next sign-in)",
			Handler: h.resetMFA},
		{Method: "POST", Path: "/api/v1/me/password", Tag: "identity", Summary: "Change the caller's password",
			Request: PasswordChange{}, Required: []string{"current_password", "new_password"}, Handler: h.changePassword},
	}
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	q := identity.UserQuery{Role: access.Role(r.URL.Query().Get("role")), Search: r.URL.Query().Get("q")}
	if v := r.URL.Query().Get("org_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			Fail(w, r, validation.Invalid("org_id", "validation.id"))
			return
		}
		q.OrgID = id
	}
	writePage(w, r, func(p storage.Page) (storage.Paged[identity.User], error) {
		return identity.ListUsers(r.Context(), h.Store, httpx.Caller(r), q, p)
	})
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	var in UserCreate
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	hash, err := auth.NewPassword(r.Context(), "password", in.Password, auth.PasswordOwner{Email: in.Email, Name: in.Name})
	if err != nil {
		Fail(w, r, err)
		return
	}
	u, err := identity.CreateUser(r.Context(), h.Store, httpx.Caller(r), identity.UserInput{Email: in.Email, Name: in.Name, Role: in.Role, OrgID: in.OrgID, PasswordHash: hash})
	respond(w, r, http.StatusCreated, u, err)
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	u, err := identity.GetUser(r.Context(), h.Store, httpx.Caller(r), id)
	respond(w, r, http.StatusOK, u, err)
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var up identity.UserUpdate
	if err := httpx.Decode(w, r, &up); err != nil {
		Fail(w, r, err)
		return
	}
	u, err := identity.UpdateUser(r.Context(), h.Store, httpx.Caller(r), id, up)
	respond(w, r, http.StatusOK, u, err)
}

func (h *Handler) assignUser(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in Assignments
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	a := httpx.Caller(r)
	if err := identity.SetAssignments(r.Context(), h.Store, a, id, in.OrgIDs); err != nil {
		Fail(w, r, err)
		return
	}
	u, err := identity.GetUser(r.Context(), h.Store, a, id)
	respond(w, r, http.StatusOK, u, err)
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var in PasswordSet
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	u, err := identity.GetUser(r.Context(), h.Store, httpx.Caller(r), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	hash, err := auth.NewPassword(r.Context(), "password", in.Password, auth.PasswordOwner{Email: u.Email, Name: u.Name})
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := identity.SetPassword(r.Context(), h.Store, httpx.Caller(r), id, hash, ""); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) resetMFA(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := identity.ResetMFA(r.Context(), h.Store, httpx.Caller(r), id); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	var in PasswordChange
	if err := httpx.Decode(w, r, &in); err != nil {
		Fail(w, r, err)
		return
	}
	if err := h.Auth.ChangePassword(r.Context(), httpx.Caller(r), in.CurrentPassword, in.NewPassword, auth.CurrentSession(r)); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
