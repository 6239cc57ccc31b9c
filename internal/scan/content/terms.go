package content

import (
	"regexp"
	"slices"
	"strings"
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

var termRes = func() []*regexp.Regexp {
	var out []*regexp.Regexp
	seen := map[string]bool{}
	for _, t := range append(slices.Clone(vietnameseTerms), brandTerms...) {
		marks, ascii := fold(t)
		for _, v := range []string{marks, ascii, strings.ReplaceAll(ascii, " ", "-")} {
			if !seen[v] {
				seen[v] = true
				// \b does not know Vietnamese letters; require non-letters around.
				out = append(out, regexp.MustCompile(`(?:^|[^\p{L}\p{N}])`+regexp.QuoteMeta(v)+`(?:$|[^\p{L}\p{N}])`))
			}
		}
	}
	return out
}()

// Terms returns the distinct gambling terms found in s.
func Terms(s string) []string {
	marks, ascii := fold(s)
	var out []string
	for _, re := range termRes {
		for _, text := range []string{marks, ascii} {
			if m := re.FindString(text); m != "" {
				t := strings.Trim(m, " -/.,;:!?\"'()[]_=&")
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
				break
			}
		}
	}
	return out
}
