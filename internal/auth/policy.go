package auth

import (
	"bufio"
	"context"
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
)

// MinPasswordLength is the shortest password the policy accepts.
const MinPasswordLength = 12

// PublishedDemoPassword is the password of the demo accounts, printed by
// `khien demo` and in the documentation: the policy refuses it for real
// accounts, and internal/demo hashes it without the policy (HashPassword).
const PublishedDemoPassword = "Khien-Demo-2026"

// productNames are the first words a guesser tries against this product.
var productNames = []string{"khien", "shield"}

// keyboardRuns are sequences whose stretches ("abcd", "4321", "qwer") make
// up guessable passwords.
var keyboardRuns = []string{"abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// minOwnCharacters is how many characters must be left when repeats and
// keyboard runs are taken out.
const minOwnCharacters = 8

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

// PasswordOwner is whose password is being set: it may not be built from
// their e-mail address or name.
type PasswordOwner struct {
	Email, Name string
}

// checkPolicy explains why a password is not acceptable (a
// validation.Error without a field, see validation.At), or returns nil.
func checkPolicy(password string, owner PasswordOwner) error {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return validation.Invalid("", "identity.err.password_short", n, MinPasswordLength)
	}
	if strings.EqualFold(password, PublishedDemoPassword) {
		return validation.Invalid("", "identity.err.password_published")
	}
	if commonPasswords[strings.ToLower(password)] {
		return validation.Invalid("", "identity.err.password_common")
	}
	if distinct(password) < 4 {
		return validation.Invalid("", "identity.err.password_repetitive")
	}
	plain := plainLetters(password)
	for _, name := range productNames {
		if strings.Contains(plain, name) {
			return validation.Invalid("", "identity.err.password_product")
		}
	}
	for _, word := range ownerWords(owner) {
		if strings.Contains(plain, word) {
			return validation.Invalid("", "identity.err.password_personal")
		}
	}
	if ownCharacters(i18n.Fold(password)) < minOwnCharacters || repeatsUnit(strings.ToLower(password)) {
		return validation.Invalid("", "identity.err.password_pattern")
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

// leet undoes the usual digit and symbol substitutions ("kh13n").
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s")

// plainLetters is the password folded (no case, no diacritics), with
// substitutions undone and only letters and digits kept, so "Kh1ên.2026"
// reads "khien2026".
func plainLetters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, leet.Replace(i18n.Fold(s)))
}

// ownerWords are the parts of the owner's e-mail address and name long
// enough to matter (short Vietnamese given names such as "An" would refuse
// half of all phrases), and the local part and the name as a whole.
func ownerWords(o PasswordOwner) []string {
	local, _, _ := strings.Cut(strings.ToLower(o.Email), "@")
	var out []string
	add := func(w string, min int) {
		if w = plainLetters(w); utf8.RuneCountInString(w) >= min {
			out = append(out, w)
		}
	}
	add(local, 3)
	add(o.Name, 4)
	for _, w := range strings.FieldsFunc(local+" "+i18n.Fold(o.Name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		add(w, 4)
	}
	return out
}

// ownCharacters counts the characters that are not part of a repeat
// ("aaa") or a keyboard run of three or more ("abc", "321", "qwe").
func ownCharacters(s string) int {
	rs := []rune(s)
	covered := make([]bool, len(rs))
	mark := func(follows func(a, b rune) bool) {
		for i := 0; i < len(rs); {
			j := i + 1
			for j < len(rs) && follows(rs[j-1], rs[j]) {
				j++
			}
			if j-i >= 3 {
				for k := i; k < j; k++ {
					covered[k] = true
				}
			}
			i = j
		}
	}
	mark(func(a, b rune) bool { return a == b })
	for _, run := range keyboardRuns {
		mark(func(a, b rune) bool { return adjacent(run, a, b, 1) })
		mark(func(a, b rune) bool { return adjacent(run, a, b, -1) })
	}
	n := 0
	for _, c := range covered {
		if !c {
			n++
		}
	}
	return n
}

// adjacent reports whether b follows a in run, in direction dir.
func adjacent(run string, a, b rune, dir int) bool {
	i, j := strings.IndexRune(run, a), strings.IndexRune(run, b)
	return i >= 0 && j >= 0 && j-i == dir
}

// repeatsUnit reports whether s is one shorter string over and over
// ("abc1abc1abc1").
func repeatsUnit(s string) bool {
	for k := 1; k <= len(s)/2; k++ {
		if len(s)%k == 0 && strings.Repeat(s[:k], len(s)/k) == s {
			return true
		}
	}
	return false
}

// NewPassword checks a new password against the policy and hashes it: the
// one way every form, API call and command sets a password. owner is whose
// password it is. A refusal is a validation error at field.
func NewPassword(ctx context.Context, field, password string, owner PasswordOwner) (string, error) {
	if err := checkPolicy(password, owner); err != nil {
		return "", validation.At(field, err)
	}
	return HashPassword(ctx, password)
}
