package i18n

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and removes Vietnamese diacritics (đ becomes d), so that
// "can tho" matches "Cần Thơ". SQLite's LIKE does not fold Unicode, so every
// searchable column has a companion *_search column filled with Fold.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	// Invalid UTF-8 (from a damaged upload) is dropped rather than turned
	// into U+FFFD, which NFD would then combine with what follows.
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, "")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
