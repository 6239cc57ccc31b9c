package content

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// vietnameseTerms are gambling phrases seen in SEO spam on Vietnamese sites,
// matched with diacritics and, folded to ASCII, without them. "Xổ số" is
// deliberately absent: the state lottery is ordinary news.
var vietnameseTerms = []string{
	"nhà cái", "cá cược", "nổ hũ", "tài xỉu", "đá gà", "lô đề", "game bài đổi thưởng", "xóc đĩa", "soi cầu", "bắn cá",
	"kèo nhà cái", "soi kèo", "tỷ lệ kèo", "cược bóng đá", "đánh bài", "casino trực tuyến", "game bài", "đổi thưởng", "cổng game",
}

// brandTerms are betting brands and international gambling phrases.
var brandTerms = []string{
	"fb88", "w88", "188bet", "m88", "fun88", "12bet", "bk8", "new88", "789bet", "jun88", "hi88", "shbet", "kubet", "8xbet",
	"f8bet", "sv388", "hb88", "789club", "sunwin", "go88", "rikvip", "b52club", "okvip", "mu88", "vn88", "five88", "v9bet",
	"typhu88", "33win", "8kbet", "j88", "qh88", "77bet", "fabet", "cmd368", "bet365", "1xbet", "sbobet", "dafabet", "betway",
	"online casino", "casino online", "slot gacor", "judi online", "situs slot", "togel", "sportsbook", "baccarat",
}

// variants holds every term with diacritics, folded to ASCII, and with
// dashes for spaces (as in URLs), without repeats.
var variants = sync.OnceValue(func() []string {
	var out []string
	for _, t := range append(slices.Clone(vietnameseTerms), brandTerms...) {
		marks, ascii := fold(t)
		for _, v := range []string{marks, ascii, strings.ReplaceAll(ascii, " ", "-")} {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
})

// Terms returns the distinct gambling terms found in s as whole words.
func Terms(s string) []string {
	marks, ascii := fold(s)
	var out []string
	for _, v := range variants() {
		if (containsWord(marks, v) || containsWord(ascii, v)) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// containsWord reports whether term occurs in text with no letter or digit
// on either side (\b does not know Vietnamese letters).
func containsWord(text, term string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], term)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(term)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if (start == 0 || !isWordRune(before)) && (end == len(text) || !isWordRune(after)) {
			return true
		}
		i = start + 1
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
