package identity

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
)

// MFA reads a user's TOTP state.
func MFA(ctx context.Context, db storage.Querier, userID int64) (MFAState, error) {
	var m MFAState
	err := db.QueryRow(ctx, "SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = ?", userID).Scan(&m.Secret, &m.Pending, &m.LastStep)
	if storage.IsNoRows(err) {
		return m, fmt.Errorf("user %d: %w", userID, access.ErrNotFound)
	}
	return m, err
}

// SetPendingTOTP remembers the secret offered to the actor for enrolment.
func SetPendingTOTP(ctx context.Context, db *storage.Store, actor access.Actor, secret string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE users SET totp_pending = ? WHERE id = ?", secret, actor.UserID)
		return err
	})
}

// UseTOTPStep marks a TOTP time step as used; false when it (or a later
// one) was already used, so the same code never works twice.
func UseTOTPStep(ctx context.Context, db *storage.Store, userID, step int64) (bool, error) {
	var ok bool
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", step, userID, step)
		if err != nil {
			return fmt.Errorf("use TOTP step: %w", err)
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}

// UseRecoveryCode spends a recovery code (by its hash); false when there is
// no unused code with that hash.
func UseRecoveryCode(ctx context.Context, db *storage.Store, actor access.Actor, userID int64, hash string) (bool, error) {
	var ok bool
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE mfa_recovery_codes SET used_at = ? WHERE id =
			(SELECT min(id) FROM mfa_recovery_codes WHERE user_id = ? AND code_hash = ? AND used_at IS NULL)`, tx.Now(), userID, hash)
		if err != nil {
			return fmt.Errorf("use recovery code: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		ok = true
		return audit.Record(ctx, tx, actor, audit.Change{Action: "user.mfa_recovery_code_used", ObjectType: "user", ObjectID: userID, OrgID: actor.OrgID})
	})
	return ok, err
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func RecoveryCodesLeft(ctx context.Context, db storage.Querier, userID int64) (int, error) {
	var n int
	err := db.QueryRow(ctx, "SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL", userID).Scan(&n)
	return n, err
}

// EnableMFA confirms the actor's TOTP enrolment: the secret becomes the
// user's, step is the step of the confirming code (so it cannot be replayed)
// and recoveryHashes replace any earlier recovery codes.
func EnableMFA(ctx context.Context, db *storage.Store, actor access.Actor, secret string, step int64, recoveryHashes []string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		now := tx.Now()
		if _, err := tx.Exec(ctx, "UPDATE users SET totp_secret = ?, totp_pending = '', totp_last_step = ?, mfa_enabled_at = ?, updated_at = ? WHERE id = ?",
			secret, step, now, now, actor.UserID); err != nil {
			return fmt.Errorf("enable MFA: %w", err)
		}
		if err := replaceRecoveryCodes(ctx, tx, actor.UserID, recoveryHashes); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "user.mfa_enable", ObjectType: "user", ObjectID: actor.UserID, OrgID: actor.OrgID})
	})
}

// ReplaceRecoveryCodes gives the actor a new set of recovery codes.
func ReplaceRecoveryCodes(ctx context.Context, db *storage.Store, actor access.Actor, hashes []string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if err := replaceRecoveryCodes(ctx, tx, actor.UserID, hashes); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "user.mfa_recovery_codes", ObjectType: "user", ObjectID: actor.UserID, OrgID: actor.OrgID})
	})
}

func replaceRecoveryCodes(ctx context.Context, tx *storage.Tx, userID int64, hashes []string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM mfa_recovery_codes WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("replace recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := tx.Exec(ctx, "INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?, ?)", userID, h); err != nil {
			return fmt.Errorf("replace recovery codes: %w", err)
		}
	}
	return nil
}

// ResetMFA removes a user's TOTP enrolment (a lost phone), so the user enrols
// again at the next sign-in; their sessions end and their tokens are revoked.
func ResetMFA(ctx context.Context, db *storage.Store, actor access.Actor, userID int64) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		u, err := getUserForChange(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET totp_secret = '', totp_pending = '', mfa_enabled_at = NULL, updated_at = ? WHERE id = ?", tx.Now(), userID); err != nil {
			return fmt.Errorf("reset MFA of user %d: %w", userID, err)
		}
		if err := replaceRecoveryCodes(ctx, tx, userID, nil); err != nil {
			return err
		}
		if err := deleteSessions(ctx, tx, userID, ""); err != nil {
			return err
		}
		if err := revokeTokens(ctx, tx, actor, userID, u.OrgID, "user.mfa_reset"); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "user.mfa_reset", ObjectType: "user", ObjectID: userID, OrgID: u.OrgID})
	})
}
