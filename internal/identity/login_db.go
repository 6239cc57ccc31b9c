package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/storage"
)

// RecentLoginFailures counts the failed sign-ins since since for the e-mail
// address and the client address.
func RecentLoginFailures(ctx context.Context, db storage.Querier, email, ip string, since time.Time) (LoginFailures, error) {
	var f LoginFailures
	var err error
	if f.ByEmail, f.LastByEmail, err = loginFailures(ctx, db, "email", strings.ToLower(email), since); err != nil {
		return f, err
	}
	f.ByIP, f.LastByIP, err = loginFailures(ctx, db, "ip", ip, since)
	return f, err
}

// loginFailures counts failures by one column (a fixed name, never input)
// and finds the latest. max(at) is not used: SQLite returns it untyped.
func loginFailures(ctx context.Context, db storage.Querier, column, value string, since time.Time) (int, time.Time, error) {
	var n int
	var last time.Time
	where := " FROM login_failures WHERE " + column + " = ? AND at >= ?"
	if err := db.QueryRow(ctx, "SELECT count(*)"+where, value, since).Scan(&n); err != nil {
		return 0, last, fmt.Errorf("count failed sign-ins: %w", err)
	}
	if n == 0 {
		return 0, last, nil
	}
	if err := db.QueryRow(ctx, "SELECT at"+where+" ORDER BY at DESC LIMIT 1", value, since).Scan(&last); err != nil {
		return 0, last, fmt.Errorf("latest failed sign-in: %w", err)
	}
	return n, last.UTC(), nil
}

// RecordLoginFailure remembers a failed sign-in and drops failures older
// than forget, so the table stays small.
func RecordLoginFailure(ctx context.Context, db *storage.Store, email, ip string, forget time.Time) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE at < ?", forget); err != nil {
			return fmt.Errorf("forget old failed sign-ins: %w", err)
		}
		_, err := tx.Exec(ctx, "INSERT INTO login_failures (at, email, ip) VALUES (?, ?, ?)", tx.Now(), strings.ToLower(email), ip)
		return err
	})
}

// ClearLoginFailures forgets an account's failures after it signs in.
func ClearLoginFailures(ctx context.Context, db *storage.Store, email string) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE email = ?", strings.ToLower(email))
		return err
	})
}
