package source

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// Helpers that turn what tools write into the Observation's conventions.

// toolSeverity maps the severity words tools use (any case) to a severity:
// "unknown", "none" and "" are info.
func toolSeverity(s string) (check.Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return check.Critical, nil
	case "high":
		return check.High, nil
	case "medium", "moderate":
		return check.Medium, nil
	case "low":
		return check.Low, nil
	case "info", "informational", "information", "unknown", "none", "":
		return check.Info, nil
	}
	return "", fmt.Errorf("unknown severity %q (want critical, high, medium, low, info or unknown)", Excerpt(s))
}

// isCVE reports whether s (upper-case) is a CVE id: CVE-yyyy-nnnn…
func isCVE(s string) bool {
	if len(s) < 13 || len(s) > 24 || !strings.HasPrefix(s, "CVE-") || s[8] != '-' {
		return false
	}
	for i, c := range s[4:] {
		if i != 4 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// cveList upper-cases the CVE ids among ids, without duplicates, at most
// maxListSize; what is not a CVE id is left out.
func cveList(ids ...string) []string {
	var out []string
	for _, id := range ids {
		id = strings.ToUpper(strings.TrimSpace(id))
		if isCVE(id) && !slices.Contains(out, id) && len(out) < maxListSize {
			out = append(out, id)
		}
	}
	return out
}

// maxItem bounds one tag or reference.
const maxItem = 2 << 10

// itemList trims the items, dropping empty ones and duplicates, at most
// maxListSize of at most maxItem bytes each.
func itemList(items ...string) []string {
	var out []string
	for _, s := range items {
		s = check.Truncate(s, maxItem)
		if s != "" && !slices.Contains(out, s) && len(out) < maxListSize {
			out = append(out, s)
		}
	}
	return out
}

// cweID reads a CWE reference in the spellings tools use ("79", "CWE-79",
// "cwe-079", "external/cwe/cwe-079", "CWE-79: Improper …") as "CWE-79";
// "" when s names none.
func cweID(s string) string {
	s = strings.TrimSpace(s)
	for i := len(s) - 4; i >= 0; i-- {
		if strings.EqualFold(s[i:i+3], "cwe") && (s[i+3] == '-' || s[i+3] == '/') {
			s = s[i+4:]
			break
		}
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil || n <= 0 || end > 7 {
		return ""
	}
	return "CWE-" + strconv.Itoa(n)
}

// text bounds a description or a remediation.
func text(s string) string { return check.Truncate(s, MaxText) }

// cvssVectors sorts a vector into its version: (CVSS 3.x, CVSS 4.0).
func cvssVectors(v string) (string, string) {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, "CVSS:3."):
		return check.Truncate(v, 256), ""
	case strings.HasPrefix(v, "CVSS:4."):
		return "", check.Truncate(v, 256)
	}
	return "", ""
}

// hostAndIP sorts a name: an IP address is both the host and the IP.
func hostAndIP(name string) (host, ip string) {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if name == "" || !(name[0] >= '0' && name[0] <= '9' || strings.Contains(name, ":")) {
		return name, "" // not an address: skip the costly failed parse
	}
	if a, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		s := a.String()
		return s, s
	}
	return name, ""
}

// splitTarget reads the host name and port of a URL ("https://a.vn:8443/x"),
// of host:port or of a bare host; port is the scheme's when the URL has
// none, 0 when unknown.
func splitTarget(s string) (host string, port int, scheme string) {
	s = strings.TrimSpace(s)
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		u, err := url.Parse(s)
		if err != nil {
			rest, _, _ = strings.Cut(rest, "/")
			return rest, 0, strings.ToLower(scheme)
		}
		scheme = strings.ToLower(u.Scheme)
		port := 0
		if p := u.Port(); p != "" {
			port, _ = strconv.Atoi(p)
		}
		if port == 0 {
			port = map[string]int{"http": 80, "https": 443}[scheme]
		}
		return u.Hostname(), port, scheme
	}
	s, _, _ = strings.Cut(s, "/")
	if h, p, err := net.SplitHostPort(s); err == nil {
		port, _ := strconv.Atoi(p)
		return h, port, ""
	}
	return s, 0, ""
}

// stripHTML turns the small HTML tools put in texts (<p>, <br>, <li>) into
// plain text: block ends become line breaks, other tags go, the common
// entities are decoded.
func stripHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexAny(s, "<&")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		if s[0] == '&' {
			end := strings.IndexByte(s, ';')
			if end < 0 || end > 8 {
				b.WriteByte('&')
				s = s[1:]
				continue
			}
			if r, ok := htmlEntities[s[:end+1]]; ok {
				b.WriteString(r)
			} else {
				b.WriteString(s[:end+1])
			}
			s = s[end+1:]
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			b.WriteString(s)
			break
		}
		tag := strings.ToLower(strings.Trim(s[1:end], "/ "))
		tag, _, _ = strings.Cut(tag, " ")
		switch tag {
		case "p", "br", "li", "div", "tr", "ul", "ol", "h1", "h2", "h3", "h4":
			b.WriteByte('\n')
		}
		s = s[end+1:]
	}
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

var htmlEntities = map[string]string{"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": `"`, "&#39;": "'", "&apos;": "'", "&nbsp;": " "}
