package check

import (
	"fmt"
	"strings"
)

// DefaultLang is the language of a finding until the engine renders it in
// the scan's: Vietnamese first.
const DefaultLang = "vi"

// Text is evidence waiting to be rendered in a language, gettext-style: its
// Format is an English fmt format and also its key in the Vietnamese
// catalogue (evidenceVI), which must use the same verbs for the same
// arguments. Arguments that are Text, []Text or Severity are rendered in the
// same language; everything else (names, banners, URLs) is shown as it is.
type Text struct {
	Format string
	Args   []any
}

// Evidencef records evidence to be rendered in the scan's language. format
// must be a string literal with a translation in evidenceVI (a test reads
// the source and fails otherwise). Text arguments are copied: a finding
// kept until the report is written must not hold on to the page body a
// quote was cut from.
func Evidencef(format string, args ...any) Text {
	own := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			own[i] = strings.Clone(v)
		case []byte:
			own[i] = string(v)
		default:
			own[i] = a
		}
	}
	return Text{Format: format, Args: own}
}

// IsZero reports whether t holds no evidence.
func (t Text) IsZero() bool { return t.Format == "" }

// String renders t in English.
func (t Text) String() string { return t.In("en") }

// In renders t in lang ("vi" or "en"); a format without a Vietnamese
// translation falls back to English.
func (t Text) In(lang string) string {
	format := t.Format
	if vi, ok := evidenceVI[format]; ok && lang != "en" {
		format = vi
	}
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		switch v := a.(type) {
		case Text:
			args[i] = v.In(lang)
		case []Text:
			parts := make([]string, len(v))
			for j, p := range v {
				parts[j] = p.In(lang)
			}
			args[i] = strings.Join(parts, "; ")
		case Severity:
			args[i] = v.Name(lang)
		default:
			args[i] = a
		}
	}
	return fmt.Sprintf(format, args...)
}

// severityVI names the severities in Vietnamese.
var severityVI = map[Severity]string{Critical: "nghiêm trọng", High: "cao", Medium: "trung bình", Low: "thấp", Info: "thông tin"}

// Name is the severity's name in lang.
func (s Severity) Name(lang string) string {
	if n, ok := severityVI[s]; ok && lang != "en" {
		return n
	}
	return string(s)
}

// AddEvidence appends t to the finding's evidence, after a semicolon.
func (f *Finding) AddEvidence(t Text) {
	f.evidence = Evidencef("%s; %s", f.evidence, t)
	f.Localize(f.lang)
}

// Localize renders the finding's title and evidence in lang. A finding read
// back from JSON has only its rendered evidence, which is kept.
func (f *Finding) Localize(lang string) {
	f.lang = lang
	if d, ok := Lookup(f.CheckID); ok {
		f.Title = d.Title(lang)
	}
	if !f.evidence.IsZero() {
		f.Evidence = Truncate(f.evidence.In(lang), maxEvidence)
	}
}
