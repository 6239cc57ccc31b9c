package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/httpx"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// SessionCookie names the browser session cookie.
const SessionCookie = "khien_session"

// Session lifetimes: a session ends after IdleTimeout without a request and
// AbsoluteTimeout after sign-in, whichever comes first. An MFA enrolment
// started at sign-in must finish within enrolTimeout.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	enrolTimeout    = 15 * time.Minute
	// touchEvery limits last-seen writes to one a minute per session.
	touchEvery = time.Minute
)

// TokenPrefix starts every API token, so leaked tokens are easy to search for.
const TokenPrefix = "khien_"

// Authenticator finds the caller of a request from its session cookie or its
// bearer token, and signs people in (login.go).
type Authenticator struct {
	store *storage.Store
}

// NewAuthenticator returns an authenticator over the store.
func NewAuthenticator(store *storage.Store) *Authenticator {
	return &Authenticator{store: store}
}

// Authenticate returns the request's actor: a bearer token when the request
// carries an Authorization header, else the session cookie.
func (a *Authenticator) Authenticate(r *http.Request) (access.Actor, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return access.Actor{}, false
		}
		return a.tokenActor(r.Context(), strings.TrimSpace(secret), httpx.ClientIP(r))
	}
	sess, u, ok := a.session(r, identity.StageFull)
	if !ok {
		return access.Actor{}, false
	}
	actor, err := identity.ActorFor(r.Context(), a.store, u)
	if err != nil {
		slog.ErrorContext(r.Context(), "build actor", "user", u.ID, "err", err)
		return access.Actor{}, false
	}
	if a.store.Now().Sub(sess.LastSeenAt) > touchEvery {
		if err := identity.TouchSession(r.Context(), a.store, sess.TokenHash); err != nil {
			slog.WarnContext(r.Context(), "touch session", "err", err)
		}
	}
	actor.IP = httpx.ClientIP(r)
	return actor, true
}

func (a *Authenticator) tokenActor(ctx context.Context, secret, ip string) (access.Actor, bool) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return access.Actor{}, false
	}
	t, u, err := identity.TokenUser(ctx, a.store, HashToken(secret))
	if err != nil {
		if !errors.Is(err, access.ErrNotFound) {
			slog.ErrorContext(ctx, "read token", "err", err)
		}
		return access.Actor{}, false
	}
	// A token carries the same MFA guarantee as a session: none for a user
	// who must enrol and has not (tokens issued before a role change or an
	// MFA reset are revoked as well; this holds for any that slipped by).
	if !t.Active(a.store.Now()) || (u.Role.RequiresMFA() && !u.MFAEnabled) {
		return access.Actor{}, false
	}
	actor, err := identity.ActorFor(ctx, a.store, u)
	if err != nil {
		slog.ErrorContext(ctx, "build actor", "user", u.ID, "err", err)
		return access.Actor{}, false
	}
	if t.LastUsedAt == nil || a.store.Now().Sub(*t.LastUsedAt) > touchEvery {
		if err := identity.TouchToken(ctx, a.store, t.ID); err != nil {
			slog.WarnContext(ctx, "touch token", "err", err)
		}
	}
	actor.IP = ip
	return actor, true
}

// session returns the request's live session of the given stage and its user,
// ending it when it has timed out.
func (a *Authenticator) session(r *http.Request, stage string) (identity.Session, identity.User, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return identity.Session{}, identity.User{}, false
	}
	sess, u, err := identity.SessionUser(r.Context(), a.store, HashToken(c.Value))
	if err != nil {
		if !errors.Is(err, access.ErrNotFound) {
			slog.ErrorContext(r.Context(), "read session", "err", err)
		}
		return sess, u, false
	}
	now := a.store.Now()
	idle, absolute := IdleTimeout, AbsoluteTimeout
	if sess.Stage == identity.StageMFAEnrol {
		idle, absolute = enrolTimeout, enrolTimeout
	}
	if now.Sub(sess.LastSeenAt) > idle || now.Sub(sess.CreatedAt) > absolute {
		if err := identity.DeleteSession(r.Context(), a.store, sess.TokenHash); err != nil {
			slog.WarnContext(r.Context(), "end expired session", "err", err)
		}
		return sess, u, false
	}
	if sess.Stage != stage {
		return sess, u, false
	}
	return sess, u, true
}

// PendingEnrolment returns the user of a session that signed in with a
// password but must enrol MFA before anything else.
func (a *Authenticator) PendingEnrolment(r *http.Request) (identity.User, access.Actor, bool) {
	_, u, ok := a.session(r, identity.StageMFAEnrol)
	if !ok {
		return u, access.Actor{}, false
	}
	actor, err := identity.ActorFor(r.Context(), a.store, u)
	if err != nil {
		slog.ErrorContext(r.Context(), "build actor", "user", u.ID, "err", err)
		return u, actor, false
	}
	actor.IP = httpx.ClientIP(r)
	return u, actor, true
}

// StartSession creates a session of stage for the user and sets the cookie.
// Any session the browser had is ended first, so a session identifier fixed
// before sign-in is never promoted.
func (a *Authenticator) StartSession(w http.ResponseWriter, r *http.Request, userID int64, stage string) error {
	a.EndSession(w, r)
	// Sign-ins are rare enough to sweep sessions that timed out without a
	// request noticing.
	now := a.store.Now()
	if err := identity.DeleteExpiredSessions(r.Context(), a.store, now.Add(-IdleTimeout), now.Add(-AbsoluteTimeout)); err != nil {
		slog.WarnContext(r.Context(), "remove expired sessions", "err", err)
	}
	token := randomToken()
	sess := identity.Session{TokenHash: HashToken(token), UserID: userID, Stage: stage, IP: httpx.ClientIP(r), UserAgent: r.UserAgent()}
	if err := identity.CreateSession(r.Context(), a.store, &sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return nil
}

// EndSession ends the request's session, if any, and clears the cookie.
func (a *Authenticator) EndSession(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return
	}
	if err := identity.DeleteSession(r.Context(), a.store, HashToken(c.Value)); err != nil {
		slog.WarnContext(r.Context(), "end session", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// CurrentSession is the hash of the request's session token ("" without
// one), for changes that keep the current session and end the others.
func CurrentSession(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	return HashToken(c.Value)
}

// NewToken returns a new API token secret, its hash (what is stored) and its
// display prefix.
func NewToken() (secret, hash, prefix string) {
	secret = TokenPrefix + randomToken()
	return secret, HashToken(secret), secret[:len(TokenPrefix)+6]
}

// HashToken is the stored form of a session or API token: they are random,
// so SHA-256 is enough and lookups stay indexable.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
