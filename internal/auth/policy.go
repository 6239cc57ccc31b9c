package auth

import (
	"bufio"
	"context"
	_ "embed"
	"strings"
	"unicode/utf8"

	"github.com/khien/khien/internal/validation"
)

// MinPasswordLength is the shortest password the policy accepts.
const MinPasswordLength = 12

// commonPasswords is a list of passwords seen in breaches and guessing lists,
// one per line, lower case; a password equal to one of them is refused.
//
//go:embed common-passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// checkPolicy explains why a password is not acceptable (a
// validation.Error without a field, see validation.At), or returns nil.
func checkPolicy(password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return validation.Invalid("", "identity.err.password_short", n, MinPasswordLength)
	}
	if commonPasswords[strings.ToLower(password)] {
		return validation.Invalid("", "identity.err.password_common")
	}
	if distinct(password) < 4 {
		return validation.Invalid("", "identity.err.password_repetitive")
	}
	return nil
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// NewPassword checks a new password against the policy and hashes it: the
// one way every form, API call and command sets a password. A refusal is a
// validation error at field.
func NewPassword(ctx context.Context, field, password string) (string, error) {
	if err := checkPolicy(password); err != nil {
		return "", validation.At(field, err)
	}
	return HashPassword(ctx, password)
}
