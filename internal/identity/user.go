package identity

import (
	"net/mail"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/validation"
)

// User is a person who signs in.
type User struct {
	ID           int64       `json:"id"`
	OrgID        int64       `json:"org_id"`
	OrgName      string      `json:"org_name,omitempty"`
	Email        string      `json:"email"`
	Name         string      `json:"name"`
	Role         access.Role `json:"role"`
	PasswordHash string      `json:"-"`
	MFAEnabled   bool        `json:"mfa_enabled"`
	// AssignedOrgIDs are the organisations an auditor or responder works on.
	AssignedOrgIDs []int64    `json:"assigned_org_ids,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`

	orgPath string
}

// UserInput is what a caller gives to create a user. The password arrives
// hashed: hashing belongs to internal/auth.
type UserInput struct {
	Email        string
	Name         string
	Role         access.Role
	OrgID        int64
	PasswordHash string
}

func validateUser(email, name *string, role access.Role) validation.Errors {
	*email = strings.ToLower(strings.TrimSpace(*email))
	*name = strings.TrimSpace(*name)
	var es validation.Errors
	if a, err := mail.ParseAddress(*email); err != nil || a.Address != *email || len(*email) > 254 {
		es.Add("email", "identity.err.email")
	}
	if len(*name) > 200 {
		es.Add("name", "identity.err.user_name")
	}
	if !role.Valid() {
		es.Add("role", "identity.err.role")
	}
	return es
}

const userFrom = " FROM users u JOIN orgs o ON o.id = u.org_id "

// canSeeUser: everyone sees themselves; others need ReadUsers on the user's
// organisation or, for assigned roles, on one of the assignments.
func canSeeUser(actor access.Actor, u User) bool {
	return (actor.UserID != 0 && actor.UserID == u.ID) || actor.Can(access.ReadUsers, u.orgPath)
}

// UserQuery filters ListUsers.
type UserQuery struct {
	OrgID  int64
	Role   access.Role
	Search string
}

// UserUpdate changes a user; nil fields stay as they are.
type UserUpdate struct {
	Name     *string      `json:"name,omitempty"`
	Role     *access.Role `json:"role,omitempty"`
	OrgID    *int64       `json:"org_id,omitempty"`
	Disabled *bool        `json:"disabled,omitempty"`
}
