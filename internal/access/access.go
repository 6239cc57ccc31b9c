// Package access decides who may do what to which organisation's data. Every
// storage call that reads or changes agency data takes an Actor and asks this
// package, so a new endpoint cannot forget the scope: the filter lives below
// the HTTP handlers, not in them.
package access

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/khien/khien/internal/validation"
)

// Role is what a user is allowed to do; scope (which organisations) comes
// from the user's organisation and, for auditors, their assignments.
type Role string

// The roles of SPEC.md "Who uses it". The string values are the API contract.
const (
	Admin          Role = "admin"
	Coordinator    Role = "coordinator"
	Auditor        Role = "auditor"
	AgencyAdmin    Role = "agency_admin"
	AgencyOperator Role = "agency_operator"
	Responder      Role = "responder"
	Viewer         Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{Admin, Coordinator, Auditor, AgencyAdmin, AgencyOperator, Responder, Viewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if k == r {
			return true
		}
	}
	return false
}

// RequiresMFA reports whether users with this role must enrol TOTP.
func (r Role) RequiresMFA() bool {
	return r == Admin || r == Coordinator || r == Auditor
}

// Action is a kind of operation on an organisation's data.
type Action int

// Actions checked by Can.
const (
	Read           Action = iota // see systems, findings, incidents, reports
	Write                        // change inventory, findings, incidents
	Scan                         // run scans, import scanner results
	ManageUsers                  // create and change users of the organisation
	ManageOrgs                   // create, move, archive organisations
	ReadAudit                    // read the audit log
	HandleIncident               // work incident cases
	ReadUsers                    // see the users of the organisation
)

// Errors returned by the storage layer when access is refused.
var (
	// ErrForbidden: the caller may see the object but not do this to it.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: the object does not exist or is outside the caller's scope;
	// the two are not told apart, so scope cannot be probed.
	ErrNotFound = errors.New("not found")
)

// Actor is the authenticated caller.
type Actor struct {
	UserID  int64
	Email   string
	Role    Role
	OrgID   int64
	OrgPath string // materialised path of the caller's organisation, "/1/4/"
	// AssignedPaths are the organisation subtrees an auditor or responder is
	// assigned to, in addition to nothing else.
	AssignedPaths []string
	IP            string
	// System is set for work khien does on its own (migrations, demo, first
	// administrator): it is audited as "system" and sees everything.
	System bool
}

// SystemActor is the actor for khien's own work.
func SystemActor(what string) Actor {
	return Actor{Email: "system:" + what, Role: Admin, System: true, OrgPath: "/"}
}

// Global reports whether the actor sees every organisation.
func (a Actor) Global() bool {
	return a.System || a.Role == Admin || a.Role == Coordinator
}

// scopePaths are the subtrees the actor may read.
func (a Actor) scopePaths() []string {
	switch a.Role {
	case Auditor, Responder:
		return a.AssignedPaths
	default:
		if a.OrgPath == "" {
			return nil
		}
		return []string{a.OrgPath}
	}
}

// InScope reports whether an organisation (by its path) is inside the actor's scope.
func (a Actor) InScope(orgPath string) bool {
	if a.Global() {
		return true
	}
	for _, p := range a.scopePaths() {
		if p != "" && strings.HasPrefix(orgPath, p) {
			return true
		}
	}
	return false
}

// Can reports whether the actor may do action on data of the organisation at orgPath.
func (a Actor) Can(action Action, orgPath string) bool {
	if !a.InScope(orgPath) {
		return false
	}
	if a.System || a.Role == Admin {
		return true
	}
	switch action {
	case Read:
		return true
	case Write:
		return a.Role == Coordinator || a.Role == Auditor || a.Role == AgencyAdmin || a.Role == AgencyOperator
	case Scan:
		return a.Role == Coordinator || a.Role == Auditor
	case ManageUsers:
		return a.Role == AgencyAdmin
	case ManageOrgs:
		return a.Role == Coordinator
	case ReadAudit:
		return a.Role == Coordinator
	case HandleIncident:
		return a.Role == Coordinator || a.Role == Responder || a.Role == AgencyAdmin || a.Role == AgencyOperator
	case ReadUsers:
		return a.Role == Coordinator || a.Role == AgencyAdmin
	}
	return false
}

// CanSomewhere reports whether the actor may do action on some organisation
// of its scope: whether a page offers the action at all before an
// organisation is chosen (a list's "add" button).
func (a Actor) CanSomewhere(action Action) bool {
	if a.Global() {
		return a.Can(action, "/")
	}
	for _, p := range a.scopePaths() {
		if p != "" && a.Can(action, p) {
			return true
		}
	}
	return false
}

// ParseAction returns the action named name ("write", "manage_orgs", …),
// as templates name them.
func ParseAction(name string) (Action, error) {
	for a, n := range actionNames {
		if n == name {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown action %q", name)
}

// CanGrant reports whether the actor may give role to a user. Platform
// administrators grant any role; an agency administrator only the roles of an
// agency, so nobody can create a user more powerful than themselves.
func (a Actor) CanGrant(role Role) bool {
	switch {
	case a.System || a.Role == Admin:
		return true
	case a.Role == AgencyAdmin:
		return role == AgencyAdmin || role == AgencyOperator || role == Viewer
	}
	return false
}

// Assignable reports whether users of the role are given organisations by
// assignment rather than by their own organisation.
func (r Role) Assignable() bool { return r == Auditor || r == Responder }

// Check is Can as an error: ErrForbidden when the object is visible but the
// action is not allowed, ErrNotFound when it is outside the scope.
func (a Actor) Check(action Action, orgPath string) error {
	if !a.InScope(orgPath) {
		return ErrNotFound
	}
	if !a.Can(action, orgPath) {
		return Denied(a.Role, action)
	}
	return nil
}

// actionNames name the actions in templates and in the catalogue
// (access.action.<name>).
var actionNames = map[Action]string{Read: "read", Write: "write", Scan: "scan", ManageUsers: "manage_users",
	ManageOrgs: "manage_orgs", ReadAudit: "read_audit", HandleIncident: "handle_incident", ReadUsers: "read_users"}

// Denied is ErrForbidden for role lacking action, with a detail that names
// both in the reader's language.
func Denied(role Role, action Action) error {
	return fmt.Errorf("%w: %w", ErrForbidden, validation.Say("access.denied",
		validation.Say("role."+string(role)), validation.Say("access.action."+actionNames[action])))
}

// OrgFilter returns an SQL condition restricting pathColumn (an organisation
// path column) to the actor's scope, with its arguments. Storage queries AND
// it into their WHERE clause.
func (a Actor) OrgFilter(pathColumn string) (string, []any) {
	if a.Global() {
		return "1=1", nil
	}
	paths := a.scopePaths()
	if len(paths) == 0 {
		return "1=0", nil
	}
	conds := make([]string, len(paths))
	args := make([]any, len(paths))
	for i, p := range paths {
		conds[i] = pathColumn + " LIKE ?"
		args[i] = escapeLike(p) + "%"
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// escapeLike guards the LIKE pattern; paths hold only digits and slashes, but
// the guard keeps that an invariant rather than an assumption.
func escapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

type actorKey struct{}

// WithActor stores the actor in the context for the layers below HTTP.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// FromContext returns the actor stored by WithActor.
func FromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
