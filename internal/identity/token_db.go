package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

const tokenColumns = "t.id, t.user_id, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at"

func scanToken(row storage.Scanner, after ...any) (Token, error) {
	var t Token
	var exp, used, revoked sql.NullTime
	err := row.Scan(append([]any{&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.CreatedAt, &exp, &used, &revoked}, after...)...)
	t.CreatedAt = t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = storage.TimePtr(exp), storage.TimePtr(used), storage.TimePtr(revoked)
	return t, err
}

// ErrMFANotEnrolled refuses a token to a user whose role requires MFA and who
// has not enrolled: a token must not be a way around the second factor.
var ErrMFANotEnrolled = fmt.Errorf("%w: %w", access.ErrForbidden,
	errors.New("the user's role requires MFA and the user has not enrolled; sign in to the web UI and enrol TOTP first / vai trò của người dùng bắt buộc xác thực hai lớp nhưng người dùng chưa đăng ký; hãy đăng nhập giao diện web và đăng ký TOTP trước"))

// CreateToken stores a token (already hashed by internal/auth) for the actor
// itself; the system actor (the CLI) may create one for any user. Users who
// must enrol MFA and have not get ErrMFANotEnrolled.
func CreateToken(ctx context.Context, db *storage.Store, actor access.Actor, userID int64, name, hash, prefix string, expires *time.Time) (Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return Token{}, validation.Invalid("name", "identity.err.token_name")
	}
	if !actor.System && actor.UserID != userID {
		return Token{}, fmt.Errorf("%w: tokens are created by their owner", access.ErrForbidden)
	}
	t := Token{UserID: userID, Name: name, Prefix: prefix, ExpiresAt: expires}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		var orgID int64
		var role string
		var mfa sql.NullTime
		if err := tx.QueryRow(ctx, "SELECT org_id, role, mfa_enabled_at FROM users WHERE id = ? AND disabled_at IS NULL", userID).Scan(&orgID, &role, &mfa); err != nil {
			if storage.IsNoRows(err) {
				return fmt.Errorf("user %d: %w", userID, access.ErrNotFound)
			}
			return err
		}
		if access.Role(role).RequiresMFA() && !mfa.Valid {
			return ErrMFANotEnrolled
		}
		t.CreatedAt = tx.Now()
		id, err := tx.InsertID(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
			userID, name, hash, prefix, t.CreatedAt, expires)
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		t.ID = id
		return audit.Record(ctx, tx, actor, audit.Change{Action: "token.create", ObjectType: "token", ObjectID: id, OrgID: orgID, New: t})
	})
	return t, err
}

// tokenOrder is newest first.
var tokenOrder = storage.Keyset{ID: "t.id", Desc: true}

// ListTokens returns page p of the actor's own tokens, newest first.
func ListTokens(ctx context.Context, db storage.Querier, actor access.Actor, p storage.Page) (storage.Paged[Token], error) {
	res, err := storage.List[Token]{Select: "SELECT " + tokenColumns, From: " FROM api_tokens t", Where: storage.NewWhere("t.user_id = ?", actor.UserID), Order: tokenOrder,
		Scan: func(sc storage.Scanner) (Token, error) { return scanToken(sc) },
		Key:  func(t Token) []any { return []any{t.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list tokens: %w", err)
	}
	return res, nil
}

// RevokeToken revokes one of the actor's tokens; a platform administrator
// may revoke anyone's.
func RevokeToken(ctx context.Context, db *storage.Store, actor access.Actor, id int64) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		var orgID int64
		t, err := scanToken(tx.QueryRow(ctx, "SELECT "+tokenColumns+", u.org_id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?", id), &orgID)
		if storage.IsNoRows(err) || (err == nil && t.UserID != actor.UserID && !actor.System && actor.Role != access.Admin) {
			return fmt.Errorf("token %d: %w", id, access.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read token %d: %w", id, err)
		}
		if t.RevokedAt != nil {
			return nil
		}
		now := tx.Now()
		if _, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", now, id); err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "token.revoke", ObjectType: "token", ObjectID: id, OrgID: orgID})
	})
}

// revokeTokens revokes every live token of a user, each audited with the
// reason: a role change, an MFA reset, a password change or "sign out
// everywhere" ends tokens as it ends sessions.
func revokeTokens(ctx context.Context, tx *storage.Tx, actor access.Actor, userID, orgID int64, reason string) error {
	ids, err := storage.IDs(tx.Query(ctx, "SELECT id FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id", userID))
	if err != nil {
		return fmt.Errorf("tokens of user %d: %w", userID, err)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", tx.Now(), userID); err != nil {
		return fmt.Errorf("revoke tokens of user %d: %w", userID, err)
	}
	for _, id := range ids {
		if err := audit.Record(ctx, tx, actor, audit.Change{Action: "token.revoke", ObjectType: "token", ObjectID: id, OrgID: orgID,
			New: map[string]string{"reason": reason}}); err != nil {
			return err
		}
	}
	return nil
}

// TokenUser returns the token with this hash and its enabled user;
// access.ErrNotFound when there is none. Expiry and revocation are the
// caller's to check (Token.Active), so it can say why a token is refused.
func TokenUser(ctx context.Context, db storage.Querier, hash string) (Token, User, error) {
	var t Token
	var exp, used, revoked sql.NullTime
	u, err := scanUser(db.QueryRow(ctx, "SELECT "+tokenColumns+", "+userColumns+userFrom+"JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = ? AND u.disabled_at IS NULL", hash),
		&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.CreatedAt, &exp, &used, &revoked)
	if storage.IsNoRows(err) {
		return t, u, access.ErrNotFound
	}
	if err != nil {
		return t, u, fmt.Errorf("read token: %w", err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = storage.TimePtr(exp), storage.TimePtr(used), storage.TimePtr(revoked)
	return t, u, nil
}

// TouchToken records that a token was used.
func TouchToken(ctx context.Context, db *storage.Store, id int64) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", tx.Now(), id)
		return err
	})
}
