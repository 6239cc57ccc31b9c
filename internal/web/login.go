package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/router"
)

// Sign-in, sign-out and the MFA enrolment that users of roles requiring MFA
// complete at their first sign-in.
func (h *Handler) loginRoutes() []router.Route {
	return []router.Route{
		{Method: "GET", Path: "/login", Public: true, Handler: h.loginPage},
		{Method: "POST", Path: "/login", Public: true, Handler: h.login},
		// Public because the caller holds only a password-stage session;
		// the handlers accept nothing else (Authenticator.PendingEnrolment).
		{Method: "GET", Path: "/login/mfa", Public: true, Handler: h.enrolPage},
		{Method: "POST", Path: "/login/mfa", Public: true, Handler: h.enrol},
		{Method: "POST", Path: "/logout", Handler: h.logout},
	}
}

// loginForm is the login page's data.
type loginForm struct {
	Next  string
	Email string
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	form := loginForm{Next: SafeNext(r.URL.Query().Get("next"))}
	h.Render.Render(w, r, http.StatusOK, "login", NewPage(r, "login.title", "", form))
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	form := loginForm{Next: SafeNext(r.PostFormValue("next")), Email: r.PostFormValue("email")}
	l, err := h.Auth.Login(r.Context(), form.Email, r.PostFormValue("password"), r.PostFormValue("totp"), httpx.ClientIP(r))
	if err != nil {
		lang := httpx.Lang(r)
		p := NewPage(r, "login.title", "", form)
		status := http.StatusUnauthorized
		var locked *auth.LockedError
		switch {
		case errors.As(err, &locked):
			status = http.StatusTooManyRequests
			httpx.RetryAfter(w, locked.Until, h.Store.Now())
			p.Error = i18n.T(lang, "login.locked", locked.Clock())
		case errors.Is(err, auth.ErrBadCredentials):
			p.Error = i18n.T(lang, "login.bad_credentials")
		case errors.Is(err, auth.ErrCodeRequired):
			p.Error = i18n.T(lang, "login.code_required")
		case errors.Is(err, auth.ErrBadCode):
			p.Error = i18n.T(lang, "login.bad_code")
		default:
			h.fail(w, r, err)
			return
		}
		h.Render.Render(w, r, status, "login", p)
		return
	}
	stage, target := identity.StageFull, form.Next
	if l.NeedsEnrolment {
		stage, target = identity.StageMFAEnrol, "/login/mfa"
	}
	if err := h.Auth.StartSession(w, r, l.User.ID, stage); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	a := httpx.Caller(r)
	h.Auth.EndSession(w, r)
	if err := audit.Write(r.Context(), h.Store, a, audit.Change{Action: "user.logout", ObjectType: "user", ObjectID: a.UserID, OrgID: a.OrgID}); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// enrolment is the data of the MFA enrolment pages.
type enrolment struct {
	Action        string // where the confirmation form posts
	QR            template.URL
	URI           string
	Secret        string
	RecoveryCodes []string
	Continue      string
}

func (h *Handler) enrolPage(w http.ResponseWriter, r *http.Request) {
	_, a, ok := h.Auth.PendingEnrolment(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	h.renderEnrolment(w, r, a, "/login/mfa", "")
}

// renderEnrolment shows the secret being enrolled (a new one if none is
// pending) with its QR code, and an error from a failed confirmation.
func (h *Handler) renderEnrolment(w http.ResponseWriter, r *http.Request, a access.Actor, action, errKey string) {
	e, err := h.Auth.CurrentEnrolment(r.Context(), a)
	if err == nil && e.Secret == "" {
		e, err = h.Auth.BeginEnrolment(r.Context(), a)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := enrolment{Action: action, URI: e.URI, Secret: e.Secret,
		// The PNG is ours, so it is safe as a data: URL (CSP allows img-src data:).
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG))}
	p := NewPage(r, "mfa.title", "", data)
	status := http.StatusOK
	if errKey != "" {
		p.Error, status = i18n.T(httpx.Lang(r), errKey), http.StatusUnprocessableEntity
	}
	h.Render.Render(w, r, status, "identity/mfa_enrol", p)
}

func (h *Handler) enrol(w http.ResponseWriter, r *http.Request) {
	u, a, ok := h.Auth.PendingEnrolment(r)
	if !ok {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	codes, err := h.Auth.ConfirmEnrolment(r.Context(), a, r.PostFormValue("code"))
	if errors.Is(err, auth.ErrBadCode) {
		h.renderEnrolment(w, r, a, "/login/mfa", "mfa.bad_code")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The password-stage session is replaced by a full one.
	if err := h.Auth.StartSession(w, r, u.ID, identity.StageFull); err != nil {
		h.fail(w, r, err)
		return
	}
	h.Render.Render(w, r, http.StatusOK, "identity/recovery_codes", NewPage(r, "mfa.recovery_title", "", enrolment{RecoveryCodes: codes, Continue: "/"}))
}
