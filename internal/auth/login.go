package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/validation"
)

// Throttling: after MaxFailuresPerAccount failed sign-ins within
// FailureWindow an account is locked until FailureWindow has passed since
// the last failure; an address gets MaxFailuresPerIP (it may be an agency's
// shared NAT). Each attempt is counted before the password is checked, in one
// atomic step (identity.ReserveLoginAttempt), so parallel guesses cannot
// overrun the limit; while locked, attempts are refused without checking the
// password, so a guesser learns nothing.
const (
	MaxFailuresPerAccount = 5
	MaxFailuresPerIP      = 30
	FailureWindow         = 15 * time.Minute
)

var throttle = identity.Throttle{PerAccount: MaxFailuresPerAccount, PerIP: MaxFailuresPerIP, Window: FailureWindow}

// Sign-in errors. The web and API show them from the catalogue (login.*)
// in the reader's language; these texts are for logs and the CLI.
var (
	ErrBadCredentials = errors.New("wrong e-mail address or password / sai thư điện tử hoặc mật khẩu")
	ErrCodeRequired   = errors.New("enter the code from your authenticator app / nhập mã xác thực từ ứng dụng OTP")
	ErrBadCode        = errors.New("wrong or already used authentication code / mã xác thực sai hoặc đã được dùng")
)

// LockedError refuses a sign-in during a lockout.
type LockedError struct{ Until time.Time }

// Clock is the end of the lockout as Vietnam's wall clock shows it (15:04).
func (e *LockedError) Clock() string {
	return e.Until.In(time.FixedZone("ICT", 7*3600)).Format("15:04")
}

// RetryAt is when the lockout ends (httpx.Throttled: a 429 with Retry-After).
func (e *LockedError) RetryAt() time.Time { return e.Until }

func (e *LockedError) Error() string {
	t := e.Clock()
	return fmt.Sprintf("too many failed sign-ins; try again after %s / đăng nhập sai quá nhiều lần, tài khoản tạm khoá; thử lại sau %s", t, t)
}

// Login is a signed-in user. NeedsEnrolment is set when the role requires
// MFA and the user has not enrolled yet: only enrolment may follow.
type Login struct {
	User           identity.User
	Actor          access.Actor
	NeedsEnrolment bool
}

// dummyHash is verified against when the account does not exist, so the
// answer takes as long as for a real account.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(context.Background(), GeneratePassword())
	if err != nil {
		panic(err)
	}
	return h
})

// Login checks a sign-in: throttling, password, then the TOTP or recovery
// code when the user has MFA. Every outcome is audited. The attempt counts as
// a failure from the start; only a success or a missing code gives it back.
func (a *Authenticator) Login(ctx context.Context, email, password, code, ip string) (Login, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	who := access.Actor{Email: email, IP: ip}
	if err := a.reserveAttempt(ctx, who); err != nil {
		return Login{}, err
	}
	u, err := identity.UserByEmail(ctx, a.store, email)
	switch {
	case errors.Is(err, access.ErrNotFound):
		_ = VerifyPassword(ctx, dummyHash(), password)
		return Login{}, a.fail(ctx, who, "unknown account", ErrBadCredentials)
	case err != nil:
		return Login{}, err
	}
	who.UserID, who.OrgID = u.ID, u.OrgID
	if err := VerifyPassword(ctx, u.PasswordHash, password); err != nil {
		if !errors.Is(err, ErrMismatch) {
			return Login{}, err
		}
		return Login{}, a.fail(ctx, who, "wrong password", ErrBadCredentials)
	}
	if u.DisabledAt != nil {
		return Login{}, a.fail(ctx, who, "account disabled", ErrBadCredentials)
	}
	method := "password"
	if u.MFAEnabled {
		if strings.TrimSpace(code) == "" {
			// The form asks for the code next; the right password is no failure.
			if err := identity.ReleaseLoginAttempt(ctx, a.store, email, ip, false); err != nil {
				return Login{}, err
			}
			return Login{}, ErrCodeRequired
		}
		if method, err = a.checkSecondFactor(ctx, who, code); err != nil {
			if errors.Is(err, ErrBadCode) {
				return Login{}, a.fail(ctx, who, "wrong code", ErrBadCode)
			}
			return Login{}, err
		}
	}
	if err := identity.ReleaseLoginAttempt(ctx, a.store, email, ip, true); err != nil {
		return Login{}, err
	}
	actor, err := identity.ActorFor(ctx, a.store, u)
	if err != nil {
		return Login{}, err
	}
	actor.IP = ip
	l := Login{User: u, Actor: actor, NeedsEnrolment: u.Role.RequiresMFA() && !u.MFAEnabled}
	a.audit(ctx, actor, "user.login", map[string]any{"method": method, "mfa_enrolment_required": l.NeedsEnrolment})
	return l, nil
}

// reserveAttempt counts an attempt against the account and the address, or
// refuses it (with a *LockedError, audited) while either is locked.
func (a *Authenticator) reserveAttempt(ctx context.Context, who access.Actor) error {
	until, locked, err := identity.ReserveLoginAttempt(ctx, a.store, throttle, who.Email, who.IP)
	if err != nil || !locked {
		return err
	}
	a.audit(ctx, who, "user.login_locked", nil)
	return &LockedError{Until: until}
}

// checkSecondFactor accepts an unused TOTP code or an unused recovery code.
func (a *Authenticator) checkSecondFactor(ctx context.Context, who access.Actor, code string) (string, error) {
	m, err := identity.MFA(ctx, a.store, who.UserID)
	if err != nil {
		return "", err
	}
	if step, ok := matchTOTP(m.Secret, code, a.store.Now()); ok {
		fresh, err := identity.UseTOTPStep(ctx, a.store, who.UserID, step)
		if err != nil {
			return "", err
		}
		if fresh {
			return "totp", nil
		}
		return "", ErrBadCode
	}
	ok, err := identity.UseRecoveryCode(ctx, a.store, who, who.UserID, HashRecoveryCode(code))
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrBadCode
	}
	return "recovery_code", nil
}

// fail audits a failed attempt; it was counted when it was reserved.
func (a *Authenticator) fail(ctx context.Context, who access.Actor, reason string, err error) error {
	a.audit(ctx, who, "user.login_failed", map[string]string{"reason": reason})
	return err
}

func (a *Authenticator) audit(ctx context.Context, who access.Actor, action string, details any) {
	err := audit.Write(ctx, a.store, who, audit.Change{Action: action, ObjectType: "user", ObjectID: who.UserID, OrgID: who.OrgID, New: details})
	if err != nil {
		slog.ErrorContext(ctx, "audit sign-in", "action", action, "err", err)
	}
}

// BeginEnrolment offers the actor a new TOTP secret, remembered until confirmed.
func (a *Authenticator) BeginEnrolment(ctx context.Context, actor access.Actor) (Enrolment, error) {
	e, err := NewEnrolment(actor.Email)
	if err != nil {
		return e, err
	}
	return e, identity.SetPendingTOTP(ctx, a.store, actor, e.Secret)
}

// CurrentEnrolment returns the enrolment offered to the actor and not yet confirmed.
func (a *Authenticator) CurrentEnrolment(ctx context.Context, actor access.Actor) (Enrolment, error) {
	m, err := identity.MFA(ctx, a.store, actor.UserID)
	if err != nil || m.Pending == "" {
		return Enrolment{}, err
	}
	key, err := totpKey(actor.Email, m.Pending)
	if err != nil {
		return Enrolment{}, err
	}
	return enrolmentFor(key)
}

// ConfirmEnrolment checks a code against the offered secret and, when it
// matches, turns MFA on and returns the new recovery codes (shown once).
func (a *Authenticator) ConfirmEnrolment(ctx context.Context, actor access.Actor, code string) ([]string, error) {
	m, err := identity.MFA(ctx, a.store, actor.UserID)
	if err != nil {
		return nil, err
	}
	if m.Pending == "" {
		return nil, ErrBadCode
	}
	step, ok := matchTOTP(m.Pending, code, a.store.Now())
	if !ok {
		return nil, ErrBadCode
	}
	codes, hashes := NewRecoveryCodes()
	if err := identity.EnableMFA(ctx, a.store, actor, m.Pending, step, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// NewRecoveryCodesFor replaces the actor's recovery codes and returns them.
func (a *Authenticator) NewRecoveryCodesFor(ctx context.Context, actor access.Actor) ([]string, error) {
	codes, hashes := NewRecoveryCodes()
	return codes, identity.ReplaceRecoveryCodes(ctx, a.store, actor, hashes)
}

// ChangePassword changes the actor's own password after checking the
// current one and the policy; every other session of the user ends.
func (a *Authenticator) ChangePassword(ctx context.Context, actor access.Actor, current, next, keepSession string) error {
	// Guesses of the current password count as failed sign-ins, so a stolen
	// session cannot be used to find the password.
	if err := a.reserveAttempt(ctx, actor); err != nil {
		var locked *LockedError
		if errors.As(err, &locked) {
			// Both: a 429 for the API, the field's message for the form.
			return fmt.Errorf("%w: %w", locked, validation.Invalid("current_password", "login.locked", locked.Clock()))
		}
		return err
	}
	u, err := identity.UserByEmail(ctx, a.store, actor.Email)
	if err != nil {
		return err
	}
	if err := VerifyPassword(ctx, u.PasswordHash, current); err != nil {
		if errors.Is(err, ErrMismatch) {
			return a.fail(ctx, actor, "wrong current password at password change",
				validation.Invalid("current_password", "identity.err.current_password"))
		}
		return err
	}
	if err := identity.ReleaseLoginAttempt(ctx, a.store, actor.Email, actor.IP, true); err != nil {
		return err
	}
	hash, err := NewPassword(ctx, "new_password", next, PasswordOwner{Email: u.Email, Name: u.Name})
	if err != nil {
		return err
	}
	return identity.SetPassword(ctx, a.store, actor, actor.UserID, hash, keepSession)
}
