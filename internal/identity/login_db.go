package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/storage"
)

// Throttle is how many failed sign-ins an account and an address may have
// within Window before attempts are refused.
type Throttle struct {
	PerAccount, PerIP int
	Window            time.Duration
}

// errLocked rolls back a reservation that met a lock.
var errLocked = errors.New("locked")

func throttleKeys(email, ip string) (account, address string) {
	return "email:" + strings.ToLower(email), "ip:" + ip
}

// ReserveLoginAttempt counts a sign-in attempt as a failure of the account
// and of the address before the password is checked, each counter in one
// INSERT … ON CONFLICT … RETURNING inside a write transaction: of any number
// of parallel attempts only the first PerAccount (PerIP) get through. A
// counter whose last attempt is older than the window starts again. When a
// limit is reached nothing is counted and locked reports until when (the
// last counted attempt plus the window). An attempt that turns out well gives
// its reservation back with ReleaseLoginAttempt.
func ReserveLoginAttempt(ctx context.Context, db *storage.Store, th Throttle, email, ip string) (until time.Time, locked bool, err error) {
	account, address := throttleKeys(email, ip)
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		now := tx.Now()
		cutoff := now.Add(-th.Window)
		for _, c := range []struct {
			key   string
			limit int
		}{{account, th.PerAccount}, {address, th.PerIP}} {
			var n int
			err := tx.QueryRow(ctx, `INSERT INTO login_throttle (throttle_key, failures, last_at) VALUES (?, 1, ?)
				ON CONFLICT (throttle_key) DO UPDATE SET
					failures = CASE WHEN login_throttle.last_at < ? THEN 1 ELSE login_throttle.failures + 1 END,
					last_at = excluded.last_at
				WHERE login_throttle.failures < ? OR login_throttle.last_at < ?
				RETURNING failures`, c.key, now, cutoff, c.limit, cutoff).Scan(&n)
			if storage.IsNoRows(err) {
				var last time.Time
				if err := tx.QueryRow(ctx, "SELECT last_at FROM login_throttle WHERE throttle_key = ?", c.key).Scan(&last); err != nil {
					return fmt.Errorf("read sign-in lock: %w", err)
				}
				until = last.UTC().Add(th.Window)
				return errLocked
			}
			if err != nil {
				return fmt.Errorf("count sign-in attempt: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, errLocked) {
		return until, true, nil
	}
	return until, false, err
}

// ReleaseLoginAttempt gives back a reservation that was not a failure. After
// a successful sign-in (signedIn) the account's counter is cleared; the
// address keeps its other failures. Counters idle for a day are dropped, so
// the table stays small.
func ReleaseLoginAttempt(ctx context.Context, db *storage.Store, email, ip string, signedIn bool) error {
	account, address := throttleKeys(email, ip)
	return db.InTx(ctx, func(tx *storage.Tx) error {
		release := "UPDATE login_throttle SET failures = failures - 1 WHERE throttle_key IN (?, ?) AND failures > 0"
		args := []any{account, address}
		if signedIn {
			if _, err := tx.Exec(ctx, "DELETE FROM login_throttle WHERE throttle_key = ? OR last_at < ?", account, tx.Now().Add(-24*time.Hour)); err != nil {
				return fmt.Errorf("clear sign-in failures: %w", err)
			}
			release, args = "UPDATE login_throttle SET failures = failures - 1 WHERE throttle_key = ? AND failures > 0", []any{address}
		}
		if _, err := tx.Exec(ctx, release, args...); err != nil {
			return fmt.Errorf("release sign-in attempt: %w", err)
		}
		return nil
	})
}
