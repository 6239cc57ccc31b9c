package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// DefaultTokenLifetime is how long a token lives when the caller names no expiry.
const DefaultTokenLifetime = 90 * 24 * time.Hour

// Me is the caller as GET /me describes it.
type Me struct {
	ID         int64       `json:"id"`
	Email      string      `json:"email"`
	Name       string      `json:"name"`
	Role       access.Role `json:"role"`
	OrgID      int64       `json:"org_id"`
	OrgName    string      `json:"org_name"`
	MFAEnabled bool        `json:"mfa_enabled"`
	// AssignedOrgIDs are an auditor's or responder's organisations.
	AssignedOrgIDs []int64 `json:"assigned_org_ids,omitempty"`
}

// TokenRequest signs in for an API token.
type TokenRequest struct {
	Email         string `json:"email"`
	Password      string `json:"password"`
	TOTP          string `json:"totp,omitempty"`
	Name          string `json:"name,omitempty"`
	ExpiresInDays int    `json:"expires_in_days,omitempty"`
}

// NewToken is a created token: the secret is shown this once.
type NewToken struct {
	Token     string     `json:"token"`
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// TokenCreate names a token made by a signed-in caller.
type TokenCreate struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days,omitempty"`
}

func (h *Handler) identityRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/api/v1/me", Tag: "identity", Summary: "The caller: e-mail, role and organisation",
			Response: Me{}, Handler: h.me},
		{Method: "POST", Path: "/api/v1/auth/token", Tag: "identity", Public: true,
			Summary: "Sign in with e-mail, password and TOTP code; returns an API token",
			Request: TokenRequest{}, Required: []string{"email", "password"}, Response: NewToken{}, Handler: h.signInForToken},
		{Method: "GET", Path: "/api/v1/tokens", Tag: "identity", Summary: "The caller's API tokens",
			Response: List[identity.Token]{}, Handler: h.listTokens},
		{Method: "POST", Path: "/api/v1/tokens", Tag: "identity", Summary: "Create an API token for the caller",
			Request: TokenCreate{}, Required: []string{"name"}, Response: NewToken{}, Handler: h.createToken},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", Tag: "identity", Summary: "Revoke an API token",
			Handler: h.revokeToken},
	}
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	a := httpx.Caller(r)
	u, err := identity.GetUser(r.Context(), h.Store, a, a.UserID)
	if err != nil {
		Fail(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, Me{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, OrgID: u.OrgID, OrgName: u.OrgName,
		MFAEnabled: u.MFAEnabled, AssignedOrgIDs: u.AssignedOrgIDs})
}

func (h *Handler) signInForToken(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	l, err := h.Auth.Login(r.Context(), req.Email, req.Password, req.TOTP, httpx.ClientIP(r))
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		httpx.RetryAfter(w, locked.Until, h.Store.Now())
		WriteError(w, http.StatusTooManyRequests, "locked", i18n.T(httpx.Lang(r), "login.locked", locked.Clock()))
		return
	case errors.Is(err, auth.ErrBadCredentials):
		WriteError(w, http.StatusUnauthorized, "unauthenticated", i18n.T(httpx.Lang(r), "login.bad_credentials"))
		return
	case errors.Is(err, auth.ErrCodeRequired):
		WriteError(w, http.StatusUnauthorized, "unauthenticated", i18n.T(httpx.Lang(r), "login.code_required"))
		return
	case errors.Is(err, auth.ErrBadCode):
		WriteError(w, http.StatusUnauthorized, "unauthenticated", i18n.T(httpx.Lang(r), "login.bad_code"))
		return
	case err != nil:
		Fail(w, r, err)
		return
	case l.NeedsEnrolment:
		WriteError(w, http.StatusForbidden, "mfa_enrolment_required", i18n.T(httpx.Lang(r), "identity.err.mfa_enrolment"))
		return
	}
	if req.Name == "" {
		req.Name = "API " + h.Store.Now().In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02 15:04")
	}
	h.issueToken(w, r, l.Actor, TokenCreate{Name: req.Name, ExpiresInDays: req.ExpiresInDays})
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	var req TokenCreate
	if err := httpx.Decode(w, r, &req); err != nil {
		Fail(w, r, err)
		return
	}
	h.issueToken(w, r, httpx.Caller(r), req)
}

func (h *Handler) issueToken(w http.ResponseWriter, r *http.Request, a access.Actor, req TokenCreate) {
	if req.ExpiresInDays < 0 || req.ExpiresInDays > 3660 {
		Fail(w, r, validation.Invalid("expires_in_days", "validation.token_days"))
		return
	}
	life := DefaultTokenLifetime
	if req.ExpiresInDays > 0 {
		life = time.Duration(req.ExpiresInDays) * 24 * time.Hour
	}
	expires := h.Store.Now().Add(life)
	secret, hash, prefix := auth.NewToken()
	t, err := identity.CreateToken(r.Context(), h.Store, a, a.UserID, req.Name, hash, prefix, &expires)
	respond(w, r, http.StatusCreated, NewToken{Token: secret, ID: t.ID, Name: t.Name, ExpiresAt: t.ExpiresAt}, err)
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) {
	writePage(w, r, func(p storage.Page) (storage.Paged[identity.Token], error) {
		return identity.ListTokens(r.Context(), h.Store, httpx.Caller(r), p)
	})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := identity.RevokeToken(r.Context(), h.Store, httpx.Caller(r), id); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
