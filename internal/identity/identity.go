// Package identity is who is who: the organisation tree, users and their
// roles, auditor and responder assignments, API tokens, browser sessions,
// multi-factor enrolment and failed sign-ins. Domain types and their rules
// are in org.go, user.go and this file; the SQL is in the *_db.go files.
package identity

import "time"

// Session is a signed-in browser. TokenHash is the SHA-256 of the cookie value.
type Session struct {
	TokenHash  string
	UserID     int64
	Stage      string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// Token is an API token. Only the SHA-256 of the secret is stored; Prefix is
// the first characters, so a user can tell tokens apart.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Active reports whether the token still authenticates at now.
func (t Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// MFAState is a user's TOTP state, for internal/auth.
type MFAState struct {
	Secret   string // confirmed secret; empty when MFA is not enrolled
	Pending  string // secret shown for enrolment, not yet confirmed
	LastStep int64  // last TOTP time step accepted
}
