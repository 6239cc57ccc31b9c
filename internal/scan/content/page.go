// Package content checks the integrity of a site's pages: injected
// gambling links and hidden SEO spam, cloaking for search engines, off-site
// redirects for search-engine visitors, cryptominers and defacement.
package content

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// Link is an anchor with its text and whether it was hidden from visitors.
type Link struct {
	Href   string
	Text   string
	Hidden string // why it is hidden ("" when visible)
}

// Page is what the content checks need from an HTML document.
type Page struct {
	Title   string
	Text    string // visible text
	Hidden  []Snippet
	Links   []Link
	Scripts string // inline script bodies and script URLs
	Refresh string // meta refresh target
	// ScriptTags are the page's scripts in order: inline code, or the URL
	// of an external one.
	ScriptTags []ScriptTag
	// Elements are the page's elements that have an id (at most
	// maxElements), for scripts that look them up.
	Elements map[string]Element
}

// ScriptTag is one <script> element: its inline code or its src.
type ScriptTag struct {
	Src, Code string
	Type      string // the type attribute, lowercased
}

// IsJavaScript reports whether a browser would run the script.
func (s ScriptTag) IsJavaScript() bool {
	t, _, _ := strings.Cut(s.Type, ";")
	switch strings.TrimSpace(t) {
	case "", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript", "module":
		return true
	}
	return false
}

// maxElements bounds the elements with an id that a page records.
const maxElements = 512

// Snippet is text found inside a hidden element.
type Snippet struct {
	Text, Why string
}

var voidElements = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true, atom.Hr: true, atom.Img: true,
	atom.Input: true, atom.Link: true, atom.Meta: true, atom.Source: true, atom.Track: true, atom.Wbr: true,
}

var (
	reHiddenRule  = regexp.MustCompile(`([.#][\w-]+)\s*\{([^}]*)\}`)
	reOffscreen   = regexp.MustCompile(`(?:left|top|text-indent|margin-left)\s*:\s*-\d{3,}`)
	reZeroSize    = regexp.MustCompile(`(?:^|;)\s*(?:height|width|font-size|max-height)\s*:\s*0(?:px|pt|em)?\s*(?:;|$|!)`)
	reColor       = regexp.MustCompile(`(?:^|;)\s*color\s*:\s*([^;!]+)`)
	reBackground  = regexp.MustCompile(`background(?:-color)?\s*:\s*([^;!]+)`)
	reMetaRefresh = regexp.MustCompile(`(?i)url\s*=\s*['"]?([^'";]+)`)
)

// hiddenBy explains why an inline style hides an element ("" when it does not).
func hiddenBy(style string) string {
	s := strings.ToLower(strings.Join(strings.Fields(style), ""))
	switch {
	case s == "":
		return ""
	case strings.Contains(s, "display:none"):
		return "display:none"
	case strings.Contains(s, "visibility:hidden"):
		return "visibility:hidden"
	case strings.Contains(s, "opacity:0;") || strings.HasSuffix(s, "opacity:0"):
		return "opacity:0"
	case reOffscreen.MatchString(s):
		return "positioned off-screen"
	case reZeroSize.MatchString(s):
		return "zero size"
	}
	if c := reColor.FindStringSubmatch(s); c != nil {
		if b := reBackground.FindStringSubmatch(s); b != nil && strings.TrimSpace(c[1]) == strings.TrimSpace(b[1]) {
			return "text coloured like its background"
		}
	}
	return ""
}

// Parse extracts text, links and hidden content from an HTML document.
func Parse(body []byte) Page {
	return parse(body, hiddenSelectors(body))
}

// parse is Parse with the classes and ids that style rules hide, which for
// markup written by scripts are those of the page it was written into.
func parse(body []byte, hiddenSel map[string]string) Page {
	p := Page{Elements: map[string]Element{}}
	type frame struct {
		tag    atom.Atom
		name   string
		hidden string
	}
	var stack []frame
	var text, hiddenText, scripts, title strings.Builder
	var link *Link
	var linkText strings.Builder
	inTitle, inScript, inStyle := false, false, false
	z := html.NewTokenizer(bytes.NewReader(body))
	curHidden := func() string {
		if len(stack) == 0 {
			return ""
		}
		return stack[len(stack)-1].hidden
	}
	flushHidden := func(why string) {
		if t := strings.TrimSpace(hiddenText.String()); t != "" {
			p.Hidden = append(p.Hidden, Snippet{Text: t, Why: why})
		}
		hiddenText.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			p.Text = strings.Join(strings.Fields(text.String()), " ")
			p.Scripts, p.Title = scripts.String(), strings.TrimSpace(title.String())
			return p
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[strings.ToLower(a.Key)] = a.Val
			}
			why := curHidden()
			if why == "" {
				why = hiddenBy(attrs["style"])
				if _, ok := attrs["hidden"]; ok && why == "" {
					why = "hidden attribute"
				}
				for _, c := range strings.Fields(attrs["class"]) {
					if r, ok := hiddenSel["."+c]; ok && why == "" {
						why = r
					}
				}
				if r, ok := hiddenSel["#"+attrs["id"]]; ok && why == "" && attrs["id"] != "" {
					why = r
				}
			}
			if id := attrs["id"]; id != "" && len(p.Elements) < maxElements {
				p.Elements[id] = Element{Tag: tok.Data, Attrs: attrs}
			}
			switch tok.DataAtom {
			case atom.Title:
				inTitle = true
			case atom.Script:
				inScript = tt == html.StartTagToken
				scripts.WriteString(" " + attrs["src"])
				p.ScriptTags = append(p.ScriptTags, ScriptTag{Src: attrs["src"], Type: strings.ToLower(attrs["type"])})
			case atom.Iframe, atom.Frame:
				// A frame shows another page as part of this one: a link
				// without text.
				if src := attrs["src"]; src != "" {
					hidden := why
					if hidden == "" && (attrs["width"] == "0" || attrs["height"] == "0") {
						hidden = "zero size"
					}
					p.Links = append(p.Links, Link{Href: src, Hidden: hidden})
				}
			case atom.Style:
				inStyle = tt == html.StartTagToken
			case atom.A:
				link = &Link{Href: attrs["href"], Hidden: why}
				linkText.Reset()
			case atom.Meta:
				if strings.EqualFold(attrs["http-equiv"], "refresh") {
					if m := reMetaRefresh.FindStringSubmatch(attrs["content"]); m != nil {
						p.Refresh = strings.TrimSpace(m[1])
					}
				}
			}
			if tt == html.StartTagToken && !voidElements[tok.DataAtom] {
				if why != "" && curHidden() == "" {
					flushHidden("")
				}
				stack = append(stack, frame{tag: tok.DataAtom, name: tok.Data, hidden: why})
			}
		case html.EndTagToken:
			tok := z.Token()
			switch tok.DataAtom {
			case atom.Title:
				inTitle = false
			case atom.Script:
				inScript = false
			case atom.Style:
				inStyle = false
			case atom.A:
				if link != nil {
					link.Text = strings.Join(strings.Fields(linkText.String()), " ")
					p.Links = append(p.Links, *link)
					link = nil
				}
			}
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].name == tok.Data {
					wasHidden := stack[i].hidden
					stack = stack[:i]
					if wasHidden != "" && curHidden() == "" {
						flushHidden(wasHidden)
					}
					break
				}
			}
		case html.TextToken:
			t := string(z.Text())
			switch {
			case inScript:
				scripts.WriteString(" " + t)
				if n := len(p.ScriptTags); n > 0 && p.ScriptTags[n-1].Src == "" {
					p.ScriptTags[n-1].Code += t
				}
			case inStyle:
			case inTitle:
				title.WriteString(t)
			default:
				if link != nil {
					linkText.WriteString(t + " ")
				}
				if curHidden() != "" {
					hiddenText.WriteString(t + " ")
				} else {
					text.WriteString(t + " ")
				}
			}
		}
	}
}

// hiddenSelectors finds classes and IDs that <style> blocks hide.
func hiddenSelectors(body []byte) map[string]string {
	out := map[string]string{}
	low := bytes.ToLower(body)
	for {
		i := bytes.Index(low, []byte("<style"))
		if i < 0 {
			return out
		}
		low = low[i:]
		j := bytes.Index(low, []byte("</style"))
		if j < 0 {
			j = len(low)
		}
		for _, m := range reHiddenRule.FindAllSubmatch(low[:j], -1) {
			if why := hiddenBy(string(m[2])); why != "" {
				out[string(m[1])] = why
			}
		}
		low = low[j:]
	}
}

// fold lowercases s in NFC and, for the ASCII variant, strips Vietnamese
// diacritics (đ → d) so that "nha cai" matches "nhà cái".
func fold(s string) (withMarks, ascii string) {
	withMarks = norm.NFC.String(strings.ToLower(s))
	var b strings.Builder
	for _, r := range norm.NFD.String(withMarks) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		default:
			b.WriteRune(r)
		}
	}
	return withMarks, b.String()
}

// hostOf returns the lowercased host of a link relative to base.
func hostOf(base *url.URL, href string) string {
	u, err := base.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}
