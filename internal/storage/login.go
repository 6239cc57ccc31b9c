package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// LoginFailures counts recent failed sign-ins for one account and one address.
type LoginFailures struct {
	ByEmail, ByIP         int
	LastByEmail, LastByIP time.Time
}

// RecentLoginFailures counts the failed sign-ins since since for the e-mail
// address and the client address.
func (s *Store) RecentLoginFailures(ctx context.Context, email, ip string, since time.Time) (LoginFailures, error) {
	var f LoginFailures
	var err error
	if f.ByEmail, f.LastByEmail, err = s.loginFailures(ctx, "email", strings.ToLower(email), since); err != nil {
		return f, err
	}
	f.ByIP, f.LastByIP, err = s.loginFailures(ctx, "ip", ip, since)
	return f, err
}

// loginFailures counts failures by one column (a fixed name, never input)
// and finds the latest. max(at) is not used: SQLite returns it untyped.
func (s *Store) loginFailures(ctx context.Context, column, value string, since time.Time) (int, time.Time, error) {
	var n int
	var last time.Time
	where := " FROM login_failures WHERE " + column + " = ? AND at >= ?"
	if err := s.queryRow(ctx, "SELECT count(*)"+where, value, since).Scan(&n); err != nil {
		return 0, last, fmt.Errorf("count failed sign-ins: %w", err)
	}
	if n == 0 {
		return 0, last, nil
	}
	if err := s.queryRow(ctx, "SELECT at"+where+" ORDER BY at DESC LIMIT 1", value, since).Scan(&last); err != nil {
		return 0, last, fmt.Errorf("latest failed sign-in: %w", err)
	}
	return n, last.UTC(), nil
}

// RecordLoginFailure remembers a failed sign-in and drops failures older
// than forget, so the table stays small.
func (s *Store) RecordLoginFailure(ctx context.Context, email, ip string, forget time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE at < ?", forget); err != nil {
			return fmt.Errorf("forget old failed sign-ins: %w", err)
		}
		_, err := tx.Exec(ctx, "INSERT INTO login_failures (at, email, ip) VALUES (?, ?, ?)", tx.s.now(), strings.ToLower(email), ip)
		return err
	})
}

// ClearLoginFailures forgets an account's failures after it signs in.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM login_failures WHERE email = ?", strings.ToLower(email))
		return err
	})
}
