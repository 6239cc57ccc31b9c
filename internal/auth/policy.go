package auth

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"unicode/utf8"
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

// CheckPasswordPolicy explains why a password is not acceptable, or returns nil.
func CheckPasswordPolicy(password string) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return fmt.Errorf("password too short: %d characters, at least %d needed / mật khẩu quá ngắn: cần ít nhất %d ký tự", n, MinPasswordLength, MinPasswordLength)
	}
	if commonPasswords[strings.ToLower(password)] {
		return fmt.Errorf("password is on the list of common passwords / mật khẩu nằm trong danh sách mật khẩu phổ biến")
	}
	if distinct(password) < 4 {
		return fmt.Errorf("password repeats too few characters / mật khẩu có quá ít ký tự khác nhau")
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
