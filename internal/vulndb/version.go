package vulndb

import (
	"strings"
)

// CompareVersions orders two real-world version strings: -1, 0 or +1.
//
// It splits versions into numeric and alphabetic runs ("8.9p1" → 8 9 p 1)
// and compares numbers as numbers. Pre-release words (alpha, beta, rc, dev,
// pre) sort before the release; other letters are patch levels and sort
// after it ("1.0.1f" > "1.0.1", "8.9p1" > "8.9"). Distribution revisions
// ("7.4.33-1+deb12u1", "2.4.52-1ubuntu4") are ignored because CPE versions
// name the upstream release.
func CompareVersions(a, b string) int {
	ta, tb := tokenize(Upstream(a)), tokenize(Upstream(b))
	for i := 0; ; i++ {
		switch {
		case i >= len(ta) && i >= len(tb):
			return 0
		case i >= len(ta):
			return -tail(tb[i])
		case i >= len(tb):
			return tail(ta[i])
		}
		if c := ta[i].compare(tb[i]); c != 0 {
			return c
		}
	}
}

// Upstream strips a distribution revision and build metadata from v.
func Upstream(v string) string {
	v = strings.TrimSpace(strings.ToLower(v))
	v = strings.TrimPrefix(v, "v")
	if i := strings.Index(v, ":"); i >= 0 && i < 3 && isDigits(v[:i]) {
		v = v[i+1:] // Debian epoch "1:2.4.58"
	}
	if i := strings.IndexAny(v, "+ "); i >= 0 {
		v = v[:i]
	}
	// A dash followed by a digit or a distribution word starts a package
	// revision; "1.0.0-rc1" keeps its pre-release suffix.
	if i := strings.LastIndex(v, "-"); i >= 0 {
		rest := v[i+1:]
		if rest != "" && (rest[0] >= '0' && rest[0] <= '9' || strings.HasPrefix(rest, "deb") || strings.HasPrefix(rest, "ubuntu") || strings.HasPrefix(rest, "el")) {
			v = v[:i]
		}
	}
	return v
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

type token struct {
	num   string // digits without leading zeros, when numeric
	alpha string
}

func tokenize(v string) []token {
	var out []token
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			for j < len(v) && v[j] >= '0' && v[j] <= '9' {
				j++
			}
			n := strings.TrimLeft(v[i:j], "0")
			if n == "" {
				n = "0"
			}
			out = append(out, token{num: n})
			i = j
		case c >= 'a' && c <= 'z':
			j := i
			for j < len(v) && v[j] >= 'a' && v[j] <= 'z' {
				j++
			}
			out = append(out, token{alpha: v[i:j]})
			i = j
		default:
			i++ // separators carry no order
		}
	}
	return out
}

func (t token) isNum() bool { return t.num != "" }

func (t token) compare(u token) int {
	switch {
	case t.isNum() && u.isNum():
		if len(t.num) != len(u.num) {
			return sign(len(t.num) - len(u.num))
		}
		return strings.Compare(t.num, u.num)
	case t.isNum():
		// 1.0.1 > 1.0rc1, but 1.0.1 < 1.0p1 is not meaningful; numbers win
		// over pre-release words and lose to nothing else.
		if preRelease(u.alpha) {
			return 1
		}
		return -1
	case u.isNum():
		return -u.compare(t)
	}
	pt, pu := preRelease(t.alpha), preRelease(u.alpha)
	if pt != pu {
		if pt {
			return -1
		}
		return 1
	}
	return strings.Compare(preRank(t.alpha), preRank(u.alpha))
}

// tail says how a version with extra token t compares with one that ended:
// "1.0rc1" < "1.0" < "1.0.1" and "1.0" < "1.0p1".
func tail(t token) int {
	if !t.isNum() && preRelease(t.alpha) {
		return -1
	}
	return 1
}

func preRelease(s string) bool {
	switch s {
	case "alpha", "beta", "rc", "dev", "pre", "preview", "snapshot":
		return true
	}
	return false
}

// preRank orders pre-release words: dev < alpha < beta < rc.
func preRank(s string) string {
	switch s {
	case "dev", "snapshot":
		return "0"
	case "alpha":
		return "1"
	case "beta":
		return "2"
	case "pre", "preview", "rc":
		return "3"
	}
	return s
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
