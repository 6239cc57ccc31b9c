package identity

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// CountUsers returns how many users exist (zero on a fresh database).
func CountUsers(ctx context.Context, db storage.Querier) (int, error) {
	var n int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateFirstAdmin creates the root organisation and the first platform
// administrator on an empty database. It does nothing when users exist, so
// several replicas starting together create one administrator.
func CreateFirstAdmin(ctx context.Context, db *storage.Store, rootName, email, passwordHash string) (created bool, err error) {
	actor := access.SystemActor("first-start")
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		root, err := ensureRoot(ctx, tx, actor, rootName)
		if err != nil {
			return err
		}
		u := User{OrgID: root.ID, Email: email, Name: "Quản trị hệ thống", Role: access.Admin, PasswordHash: passwordHash}
		if err := createUser(ctx, tx, actor, &u); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("create first administrator: %w", err)
	}
	return created, nil
}

// ensureRoot returns the root organisation, creating it on an empty database.
func ensureRoot(ctx context.Context, tx *storage.Tx, actor access.Actor, name string) (Org, error) {
	root := Org{Code: "ROOT", Name: name, Kind: OrgProvince}
	err := tx.QueryRow(ctx, "SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1").Scan(&root.ID, &root.Path)
	if storage.IsNoRows(err) {
		err = createOrg(ctx, tx, actor, &root, "")
	}
	return root, err
}

// RootOrg returns the root of the organisation tree (created on first start).
func RootOrg(ctx context.Context, db *storage.Store) (Org, error) {
	var root Org
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		var err error
		root, err = ensureRoot(ctx, tx, access.SystemActor("root"), "Thành phố")
		return err
	})
	return root, err
}

const userColumns = `u.id, u.org_id, o.name, o.path, u.email, u.name, u.role, u.password_hash,
	u.mfa_enabled_at, u.created_at, u.updated_at, u.disabled_at`

// scanUser reads userColumns, after the destinations in before (columns a
// query selects ahead of the user's).
func scanUser(row storage.Scanner, before ...any) (User, error) {
	var u User
	var role string
	var mfa, disabled sql.NullTime
	err := row.Scan(append(before, &u.ID, &u.OrgID, &u.OrgName, &u.orgPath, &u.Email, &u.Name, &role, &u.PasswordHash,
		&mfa, &u.CreatedAt, &u.UpdatedAt, &disabled)...)
	if err != nil {
		return u, err
	}
	u.Role = access.Role(role)
	u.MFAEnabled = mfa.Valid
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	if disabled.Valid {
		t := disabled.Time.UTC()
		u.DisabledAt = &t
	}
	return u, nil
}

// GetUser returns a user the actor may see.
func GetUser(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (User, error) {
	u, err := scanUser(db.QueryRow(ctx, "SELECT "+userColumns+userFrom+"WHERE u.id = ?", id))
	if storage.IsNoRows(err) || (err == nil && !canSeeUser(actor, u)) {
		return User{}, fmt.Errorf("user %d: %w", id, access.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	u.AssignedOrgIDs, err = assignedOrgIDs(ctx, db, u.ID)
	return u, err
}

// userOrder sorts users by their organisation in tree order, then e-mail.
var userOrder = storage.Keyset{Text: []string{"o.path", "u.email"}, ID: "u.id"}

// ListUsers returns page p of the users of the organisations in the actor's scope.
func ListUsers(ctx context.Context, db storage.Querier, actor access.Actor, q UserQuery, p storage.Page) (storage.Paged[User], error) {
	if !actor.Global() && actor.Role != access.AgencyAdmin {
		return storage.Paged[User]{}, fmt.Errorf("list users: %w", access.Denied(actor.Role, access.ReadUsers))
	}
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if q.OrgID != 0 {
		w.Add("u.org_id = ?", q.OrgID)
	}
	if q.Role != "" {
		w.Add("u.role = ?", string(q.Role))
	}
	if q.Search != "" {
		w.Add("u.name_search LIKE ?", storage.Contains(i18n.Fold(q.Search)))
	}
	res, err := storage.List[User]{Select: "SELECT " + userColumns, From: userFrom, Where: w, Order: userOrder,
		Scan: func(sc storage.Scanner) (User, error) { return scanUser(sc) },
		Key:  func(u User) []any { return []any{u.orgPath, u.Email, u.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list users: %w", err)
	}
	return res, nil
}

// CreateUser creates a user in an organisation where the actor manages users,
// with a role the actor may grant.
func CreateUser(ctx context.Context, db *storage.Store, actor access.Actor, in UserInput) (User, error) {
	if es := validateUser(&in.Email, &in.Name, in.Role); len(es) > 0 {
		return User{}, es
	}
	var u User
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		org, err := GetOrg(ctx, tx, actor, in.OrgID)
		if err != nil {
			return err
		}
		if err := actor.Check(access.ManageUsers, org.Path); err != nil {
			return err
		}
		if !actor.CanGrant(in.Role) {
			return fmt.Errorf("%w: role %s may not create users with role %s", access.ErrForbidden, actor.Role, in.Role)
		}
		if org.ArchivedAt != nil {
			return validation.Invalid("org_id", "identity.err.org_archived")
		}
		// A taken address is named as such only to a caller who can see its
		// user; others get a message that does not say the address exists.
		var path string
		err = tx.QueryRow(ctx, "SELECT o.path FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.email = ?", in.Email).Scan(&path)
		switch {
		case err == nil && (actor.Global() || actor.InScope(path)):
			return storage.Conflict("email", "identity.err.email_used")
		case err == nil:
			return storage.Conflict("email", "identity.err.email_unavailable")
		case !storage.IsNoRows(err):
			return err
		}
		u = User{OrgID: org.ID, OrgName: org.Name, Email: in.Email, Name: in.Name, Role: in.Role, PasswordHash: in.PasswordHash, orgPath: org.Path}
		return createUser(ctx, tx, actor, &u)
	})
	return u, err
}

func createUser(ctx context.Context, tx *storage.Tx, actor access.Actor, u *User) error {
	now := tx.Now()
	id, err := tx.InsertID(ctx, `INSERT INTO users (org_id, email, name, name_search, role, password_hash, password_changed_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.OrgID, u.Email, u.Name, i18n.Fold(u.Name+" "+u.Email), string(u.Role), u.PasswordHash, now, now, now)
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Email, err)
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, now, now
	return audit.Record(ctx, tx, actor, audit.Change{Action: "user.create", ObjectType: "user", ObjectID: id, OrgID: u.OrgID, New: u})
}

// getUserForChange reads a user the actor manages.
func getUserForChange(ctx context.Context, tx *storage.Tx, actor access.Actor, id int64) (User, error) {
	u, err := scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+userFrom+"WHERE u.id = ?", id))
	if storage.IsNoRows(err) || (err == nil && !canSeeUser(actor, u) && !actor.InScope(u.orgPath)) {
		return User{}, fmt.Errorf("user %d: %w", id, access.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %d: %w", id, err)
	}
	if err := actor.Check(access.ManageUsers, u.orgPath); err != nil {
		return User{}, err
	}
	if !actor.CanGrant(u.Role) {
		return User{}, fmt.Errorf("%w: role %s may not change a user with role %s", access.ErrForbidden, actor.Role, u.Role)
	}
	return u, nil
}

// UpdateUser changes a user's name, role, organisation or disabled state.
// Disabling a user or changing their role ends their sessions and revokes
// their tokens (a token must not outlive the role it was issued under); nobody changes their own role or
// disables themselves, so an administrator cannot lock everyone out by mistake.
func UpdateUser(ctx context.Context, db *storage.Store, actor access.Actor, id int64, up UserUpdate) (User, error) {
	var u User
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		old, err := getUserForChange(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		u = old
		if up.Name != nil {
			u.Name = *up.Name
		}
		if up.Role != nil {
			u.Role = *up.Role
		}
		if es := validateUser(&u.Email, &u.Name, u.Role); len(es) > 0 {
			return es
		}
		self := actor.UserID == id
		if self && (u.Role != old.Role || (up.Disabled != nil && *up.Disabled)) {
			return validation.Invalid("role", "identity.err.self_change")
		}
		if !actor.CanGrant(u.Role) {
			return fmt.Errorf("%w: role %s may not grant role %s", access.ErrForbidden, actor.Role, u.Role)
		}
		if up.OrgID != nil && *up.OrgID != old.OrgID {
			org, err := GetOrg(ctx, tx, actor, *up.OrgID)
			if err != nil {
				return err
			}
			if err := actor.Check(access.ManageUsers, org.Path); err != nil {
				return err
			}
			u.OrgID, u.OrgName, u.orgPath = org.ID, org.Name, org.Path
		}
		if up.Disabled != nil {
			switch {
			case *up.Disabled && old.DisabledAt == nil:
				now := tx.Now()
				u.DisabledAt = &now
			case !*up.Disabled:
				u.DisabledAt = nil
			}
		}
		u.UpdatedAt = tx.Now()
		if _, err := tx.Exec(ctx, "UPDATE users SET name = ?, name_search = ?, role = ?, org_id = ?, disabled_at = ?, updated_at = ? WHERE id = ?",
			u.Name, i18n.Fold(u.Name+" "+u.Email), string(u.Role), u.OrgID, u.DisabledAt, u.UpdatedAt, id); err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		if u.DisabledAt != nil || u.Role != old.Role {
			if err := deleteSessions(ctx, tx, id, ""); err != nil {
				return err
			}
			if err := revokeTokens(ctx, tx, actor, id, u.OrgID, "user.update"); err != nil {
				return err
			}
		}
		if u.Role != old.Role && !u.Role.Assignable() {
			if _, err := tx.Exec(ctx, "DELETE FROM org_assignments WHERE user_id = ?", id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "user.update", ObjectType: "user", ObjectID: id, OrgID: u.OrgID, Old: old, New: u})
	})
	return u, err
}

// SetPassword stores a new password hash for a user: the user themselves or
// someone who manages them. Every session of the user except keepSession (a
// session token hash, for a change made from that session) ends. A reset by
// someone else also revokes every token of the user (whoever knew the old
// password may have minted one); a user changing their own password keeps
// their tokens, and "sign out everywhere" revokes them.
func SetPassword(ctx context.Context, db *storage.Store, actor access.Actor, id int64, hash, keepSession string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		var u User
		var err error
		if actor.UserID == id {
			u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+userFrom+"WHERE u.id = ?", id))
		} else {
			u, err = getUserForChange(ctx, tx, actor, id)
		}
		if err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.Exec(ctx, "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?", hash, now, now, id); err != nil {
			return fmt.Errorf("set password of user %d: %w", id, err)
		}
		if err := deleteSessions(ctx, tx, id, keepSession); err != nil {
			return err
		}
		if actor.UserID != id {
			if err := revokeTokens(ctx, tx, actor, id, u.OrgID, "user.password"); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "user.password", ObjectType: "user", ObjectID: id, OrgID: u.OrgID})
	})
}

// UserByEmail finds a user for signing in and for the command line. It is
// not scoped: only internal/auth, the CLI and the demo (which act as the system) call it.
func UserByEmail(ctx context.Context, db storage.Querier, email string) (User, error) {
	u, err := scanUser(db.QueryRow(ctx, "SELECT "+userColumns+userFrom+"WHERE u.email = ?", strings.ToLower(strings.TrimSpace(email))))
	if storage.IsNoRows(err) {
		return User{}, fmt.Errorf("user %s: %w", email, access.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("find user %s: %w", email, err)
	}
	return u, nil
}

// ActorFor builds the actor of a user: role, organisation scope and assignments.
func ActorFor(ctx context.Context, db storage.Querier, u User) (access.Actor, error) {
	a := access.Actor{UserID: u.ID, Email: u.Email, Role: u.Role, OrgID: u.OrgID, OrgPath: u.orgPath}
	if !u.Role.Assignable() {
		return a, nil
	}
	rows, err := db.Query(ctx, "SELECT o.path FROM org_assignments a JOIN orgs o ON o.id = a.org_id WHERE a.user_id = ? AND o.archived_at IS NULL ORDER BY o.path", u.ID)
	if err != nil {
		return a, fmt.Errorf("read assignments of user %d: %w", u.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return a, err
		}
		a.AssignedPaths = append(a.AssignedPaths, p)
	}
	return a, rows.Err()
}
