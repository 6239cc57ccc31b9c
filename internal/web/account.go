package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/validation"
)

// The signed-in user's own account: password, MFA, API tokens, sessions.
func (h *Handler) accountRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/account", Handler: h.accountPage},
		{Method: "POST", Path: "/account/password", Handler: h.changePassword},
		{Method: "POST", Path: "/account/logout-everywhere", Handler: h.logoutEverywhere},
		{Method: "GET", Path: "/account/mfa", Handler: h.mfaPage},
		{Method: "POST", Path: "/account/mfa", Handler: h.confirmMFA},
		{Method: "POST", Path: "/account/mfa/recovery-codes", Handler: h.newRecoveryCodes},
		{Method: "GET", Path: "/account/tokens", Handler: h.tokensPage},
		{Method: "POST", Path: "/account/tokens", Handler: h.createToken},
		{Method: "POST", Path: "/account/tokens/{id}/revoke", Handler: h.revokeToken},
	}
}

// accountData is the account page's data.
type accountData struct {
	User          identity.User
	Sessions      int
	RecoveryCodes int
	Errors        validation.Errors
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) {
	h.renderAccount(w, r, http.StatusOK, nil)
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, es validation.Errors) {
	a := httpx.Caller(r)
	u, err := identity.GetUser(r.Context(), h.Store, a, a.UserID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	es = es.Localize(httpx.Lang(r))
	d := accountData{User: u, Errors: es}
	if d.Sessions, err = identity.CountSessions(r.Context(), h.Store, a.UserID); err == nil {
		d.RecoveryCodes, err = identity.RecoveryCodesLeft(r.Context(), h.Store, a.UserID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := NewPage(r, "account.title", "", d)
	p.Flash = flash(r)
	if len(es) > 0 {
		p.Error = es.Error()
	}
	h.Render.Render(w, r, status, "identity/account", p)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if r.PostFormValue("new_password") != r.PostFormValue("confirm_password") {
		h.renderAccount(w, r, http.StatusUnprocessableEntity, validation.Errors{validation.Invalid("confirm_password", "account.password_mismatch")})
		return
	}
	err := h.Auth.ChangePassword(r.Context(), httpx.Caller(r), r.PostFormValue("current_password"), r.PostFormValue("new_password"), auth.CurrentSession(r))
	if es, ok := validation.As(err); ok {
		h.renderAccount(w, r, http.StatusUnprocessableEntity, es)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}

func (h *Handler) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	if err := identity.EndSessions(r.Context(), h.Store, httpx.Caller(r), ""); err != nil {
		h.fail(w, r, err)
		return
	}
	h.Auth.EndSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// mfaData is the MFA status page's data.
type mfaData struct {
	RecoveryCodes int
}

func (h *Handler) mfaPage(w http.ResponseWriter, r *http.Request) {
	a := httpx.Caller(r)
	u, err := identity.GetUser(r.Context(), h.Store, a, a.UserID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !u.MFAEnabled {
		h.renderEnrolment(w, r, a, "/account/mfa", "")
		return
	}
	n, err := identity.RecoveryCodesLeft(r.Context(), h.Store, a.UserID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "identity/mfa_status", NewPage(r, "mfa.status_title", "", mfaData{RecoveryCodes: n}))
}

func (h *Handler) confirmMFA(w http.ResponseWriter, r *http.Request) {
	a := httpx.Caller(r)
	codes, err := h.Auth.ConfirmEnrolment(r.Context(), a, r.PostFormValue("code"))
	if errors.Is(err, auth.ErrBadCode) {
		h.renderEnrolment(w, r, a, "/account/mfa", "mfa.bad_code")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "identity/recovery_codes", NewPage(r, "mfa.recovery_title", "", enrolment{RecoveryCodes: codes, Continue: "/account"}))
}

func (h *Handler) newRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	codes, err := h.Auth.NewRecoveryCodesFor(r.Context(), httpx.Caller(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "identity/recovery_codes", NewPage(r, "mfa.recovery_title", "", enrolment{RecoveryCodes: codes, Continue: "/account"}))
}

// tokensData is the API tokens page's data.
type tokensData struct {
	Tokens []identity.Token
	pager
	Now time.Time
	// Secret is a token just created, shown this once.
	Secret string
}

func (h *Handler) tokensPage(w http.ResponseWriter, r *http.Request) {
	h.renderTokens(w, r, http.StatusOK, "", "")
}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, status int, secret, errMsg string) {
	pg := listPage(r)
	tokens, err := identity.ListTokens(r.Context(), h.Store, httpx.Caller(r), pg)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := NewPage(r, "tokens.title", "", tokensData{Tokens: tokens.Items, pager: pagerOf(r, "/account/tokens", pg, tokens.Next), Now: h.Store.Now(), Secret: secret})
	p.Error, p.Flash = errMsg, flash(r)
	h.Render.Render(w, r, status, "identity/tokens", p)
}

// tokenLifetimes are the expiry choices of the token form, in days.
var tokenLifetimes = map[string]int{"30": 30, "90": 90, "365": 365}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	days, ok := tokenLifetimes[r.PostFormValue("expires_days")]
	if !ok {
		days = 90
	}
	expires := h.Store.Now().AddDate(0, 0, days)
	secret, hash, prefix := auth.NewToken()
	a := httpx.Caller(r)
	_, err := identity.CreateToken(r.Context(), h.Store, a, a.UserID, r.PostFormValue("name"), hash, prefix, &expires)
	if _, ok := validation.As(err); ok {
		h.renderTokens(w, r, http.StatusUnprocessableEntity, "", errorText(r, err))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderTokens(w, r, http.StatusOK, secret, "")
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = identity.RevokeToken(r.Context(), h.Store, httpx.Caller(r), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/tokens?done=token_revoked", http.StatusSeeOther)
}
