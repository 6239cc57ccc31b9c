// Package advice serves the remediation knowledge base to readers: the
// embedded entries of internal/remediation, in the reader's language, with
// the coordinator's edits laid over them. An edit replaces one language's
// text of one entry; resetting it brings the embedded text back. Edits are
// audited ("remediation.override", "remediation.reset").
package advice

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/validation"
)

// Languages an entry is written in.
var Languages = []string{i18n.VI, i18n.EN}

// Kinds of entry: a built-in check's ID, or a CWE class ("CWE-79").
var Kinds = []string{"check", "cwe"}

// Limits on an edit: the embedded entries are a few hundred characters.
const (
	maxSummary = 1000
	maxFix     = 4000
	maxSteps   = 2000
)

// Item is one entry of the list.
type Item struct {
	Key        string `json:"key"`
	Kind       string `json:"kind"` // "check" or "cwe"
	Summary    string `json:"summary"`
	Overridden bool   `json:"overridden"`
}

// Article is one entry in one language, as the page and the API show it.
type Article struct {
	Key        string                   `json:"key"`
	Kind       string                   `json:"kind"`
	Lang       string                   `json:"lang"`
	Summary    string                   `json:"summary"`
	Fix        string                   `json:"fix"`
	Steps      []remediation.StackSteps `json:"steps"`
	Overridden bool                     `json:"overridden"`
}

// NewArticle is the article of key in lang from its text.
func NewArticle(key, lang string, t remediation.Text, overridden bool) Article {
	steps := t.Steps()
	if steps == nil {
		steps = []remediation.StackSteps{}
	}
	return Article{Key: key, Kind: kindOf(key), Lang: lang, Summary: t.Summary, Fix: t.Fix, Steps: steps, Overridden: overridden}
}

// Edit is a new text for one language of an entry.
type Edit struct {
	Lang    string            `json:"lang"`
	Summary string            `json:"summary"`
	Fix     string            `json:"fix"`
	Stacks  map[string]string `json:"stacks,omitempty"` // stack → steps; see remediation.Stacks
}

// Text is the edit as knowledge-base text, without empty steps.
func (e Edit) Text() remediation.Text {
	t := remediation.Text{Summary: strings.TrimSpace(e.Summary), Fix: strings.TrimSpace(e.Fix)}
	for stack, steps := range e.Stacks {
		if steps = strings.TrimSpace(steps); steps != "" {
			if t.Stacks == nil {
				t.Stacks = map[string]string{}
			}
			t.Stacks[stack] = steps
		}
	}
	return t
}

// Validate checks the edit's language, lengths and stack names.
func (e Edit) Validate() error {
	if !slices.Contains(Languages, e.Lang) {
		return validation.Invalid("lang", "remediation.err.lang")
	}
	t := e.Text()
	if t.Summary == "" || utf8.RuneCountInString(t.Summary) > maxSummary {
		return validation.Invalid("summary", "remediation.err.text", maxSummary)
	}
	if t.Fix == "" || utf8.RuneCountInString(t.Fix) > maxFix {
		return validation.Invalid("fix", "remediation.err.text", maxFix)
	}
	for _, stack := range slices.Sorted(maps.Keys(e.Stacks)) {
		if !slices.Contains(remediation.Stacks, stack) {
			return validation.Invalid("stacks", "remediation.err.stack", stack, strings.Join(remediation.Stacks, ", "))
		}
		if utf8.RuneCountInString(e.Stacks[stack]) > maxSteps {
			return validation.Invalid("stacks", "remediation.err.steps", stack, maxSteps)
		}
	}
	return nil
}

// CanEdit reports whether the actor may edit the knowledge base: the
// coordinator and the administrator, whose advice every agency reads.
func CanEdit(actor access.Actor) bool {
	return actor.System || actor.Role == access.Admin || actor.Role == access.Coordinator
}

func checkEdit(actor access.Actor) error {
	if !CanEdit(actor) {
		return access.Denied(actor.Role, access.Write)
	}
	return nil
}

// language is lang when the knowledge base has it, else Vietnamese.
func language(lang string) string {
	if lang == i18n.EN {
		return i18n.EN
	}
	return i18n.VI
}

func kindOf(key string) string {
	if strings.HasPrefix(key, "CWE-") {
		return Kinds[1]
	}
	return Kinds[0]
}

// compareKeys orders the list: checks by ID, then CWE classes by number.
func compareKeys(a, b string) int {
	if c := cmp.Compare(kindOf(a), kindOf(b)); c != 0 {
		return c
	}
	na, errA := strconv.Atoi(strings.TrimPrefix(a, "CWE-"))
	nb, errB := strconv.Atoi(strings.TrimPrefix(b, "CWE-"))
	if errA == nil && errB == nil && na != nb {
		return cmp.Compare(na, nb)
	}
	return strings.Compare(a, b)
}

// matches reports whether the folded query occurs in the entry's key or text.
func matches(folded, key string, t remediation.Text) bool {
	if folded == "" {
		return true
	}
	parts := []string{key, t.Summary, t.Fix}
	for _, s := range t.Stacks {
		parts = append(parts, s)
	}
	return strings.Contains(i18n.Fold(strings.Join(parts, " ")), folded)
}
