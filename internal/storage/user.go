package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
)

// User is a person who signs in.
type User struct {
	ID           int64       `json:"id"`
	OrgID        int64       `json:"org_id"`
	Email        string      `json:"email"`
	Name         string      `json:"name"`
	Role         access.Role `json:"role"`
	PasswordHash string      `json:"-"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
	DisabledAt   *time.Time  `json:"disabled_at,omitempty"`
}

// CountUsers returns how many users exist (zero on a fresh database).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateFirstAdmin creates the root organisation and the first platform
// administrator on an empty database. It does nothing when users exist, so
// several replicas starting together create one administrator.
func (s *Store) CreateFirstAdmin(ctx context.Context, rootName, email, passwordHash string) (created bool, err error) {
	actor := access.SystemActor("first-start")
	err = s.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		root := Org{Code: "ROOT", Name: rootName, Kind: OrgProvince}
		if err := tx.QueryRow(ctx, "SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1").Scan(&root.ID, &root.Path); err != nil {
			if !isNoRows(err) {
				return err
			}
			if err := tx.createOrg(ctx, actor, &root, ""); err != nil {
				return err
			}
		}
		u := User{OrgID: root.ID, Email: email, Name: "Quản trị hệ thống", Role: access.Admin, PasswordHash: passwordHash}
		if err := tx.createUser(ctx, actor, &u); err != nil {
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

func (t *Tx) createUser(ctx context.Context, actor access.Actor, u *User) error {
	now := t.s.now()
	id, err := t.InsertID(ctx, `INSERT INTO users (org_id, email, name, name_search, role, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.OrgID, u.Email, u.Name, i18n.Fold(u.Name+" "+u.Email), string(u.Role), u.PasswordHash, now, now)
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Email, err)
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, now, now
	return t.Audit(ctx, actor, Change{Action: "user.create", ObjectType: "user", ObjectID: id, OrgID: u.OrgID, New: u})
}
