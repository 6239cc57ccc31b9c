package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
)

// Session stages: a full session, or one that may only enrol MFA.
const (
	StageFull      = "full"
	StageMFAEnrol  = "mfa_enrol"
	sessionColumns = "s.token_hash, s.user_id, s.stage, s.ip, s.user_agent, s.created_at, s.last_seen_at"
)

// CreateSession stores a new session (after a successful sign-in, which
// internal/auth audits).
func CreateSession(ctx context.Context, db *storage.Store, sess *Session) error {
	now := db.Now()
	sess.CreatedAt, sess.LastSeenAt = now, now
	if len(sess.UserAgent) > 300 {
		sess.UserAgent = sess.UserAgent[:300]
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO sessions (token_hash, user_id, stage, ip, user_agent, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			sess.TokenHash, sess.UserID, sess.Stage, sess.IP, sess.UserAgent, now, now)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionUser returns a session and its (enabled) user by token hash;
// access.ErrNotFound when there is none.
func SessionUser(ctx context.Context, db storage.Querier, tokenHash string) (Session, User, error) {
	var sess Session
	row := db.QueryRow(ctx, "SELECT "+sessionColumns+", "+userColumns+userFrom+"JOIN sessions s ON s.user_id = u.id WHERE s.token_hash = ? AND u.disabled_at IS NULL", tokenHash)
	u, err := scanUser(row, &sess.TokenHash, &sess.UserID, &sess.Stage, &sess.IP, &sess.UserAgent, &sess.CreatedAt, &sess.LastSeenAt)
	if storage.IsNoRows(err) {
		return sess, u, access.ErrNotFound
	}
	if err != nil {
		return sess, u, fmt.Errorf("read session: %w", err)
	}
	sess.CreatedAt, sess.LastSeenAt = sess.CreatedAt.UTC(), sess.LastSeenAt.UTC()
	return sess, u, nil
}

// TouchSession records activity on a session (for the idle timeout).
func TouchSession(ctx context.Context, db *storage.Store, tokenHash string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", tx.Now(), tokenHash)
		return err
	})
}

// DeleteSession ends one session.
func DeleteSession(ctx context.Context, db *storage.Store, tokenHash string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
		return err
	})
}

// EndSessions ends every session of the actor except keep ("log out
// everywhere"; keep is empty to end the current one too), revokes the
// actor's tokens and audits it.
func EndSessions(ctx context.Context, db *storage.Store, actor access.Actor, keep string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if err := deleteSessions(ctx, tx, actor.UserID, keep); err != nil {
			return err
		}
		if err := revokeTokens(ctx, tx, actor, actor.UserID, actor.OrgID, "user.logout_everywhere"); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "user.logout_everywhere", ObjectType: "user", ObjectID: actor.UserID, OrgID: actor.OrgID})
	})
}

// CountSessions returns how many sessions the user has open.
func CountSessions(ctx context.Context, db storage.Querier, userID int64) (int, error) {
	var n int
	err := db.QueryRow(ctx, "SELECT count(*) FROM sessions WHERE user_id = ? AND stage = ?", userID, StageFull).Scan(&n)
	return n, err
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore.
func DeleteExpiredSessions(ctx context.Context, db *storage.Store, idleBefore, createdBefore time.Time) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?", idleBefore, createdBefore)
		return err
	})
}

func deleteSessions(ctx context.Context, tx *storage.Tx, userID int64, keep string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", userID, keep); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	return nil
}
