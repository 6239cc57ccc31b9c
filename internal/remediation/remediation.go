// Package remediation is the remediation knowledge base: for each check ID
// and for the common CWE classes ("CWE-79"), what the finding means and how
// to fix it, in Vietnamese and English, with steps for the usual stacks. A
// finding's remediation field is the key into it; For falls back from the
// check to its CWE class. The scanner and the findings capability both look
// entries up here; the package depends on neither.
package remediation

import (
	_ "embed"
	"encoding/json"
	"maps"
	"sort"
	"strings"
)

// Text is one language's explanation.
type Text struct {
	Summary string `json:"summary"`
	Fix     string `json:"fix"`
	// Stacks holds the concrete steps for each stack the advice applies to,
	// keyed by one of Stacks' names ("nginx", "php", …).
	Stacks map[string]string `json:"stacks,omitempty"`
}

// Stacks names the stacks that entries give steps for, in the order pages
// show them.
var Stacks = []string{"nginx", "apache", "iis", "php", "wordpress", "joomla", "windows", "linux"}

// StackSteps is one stack's steps, for listing a Text's Stacks in order.
type StackSteps struct {
	Stack string `json:"stack"`
	Steps string `json:"steps"`
}

// Steps lists the text's per-stack steps in the order of Stacks.
func (t Text) Steps() []StackSteps {
	var out []StackSteps
	for _, s := range Stacks {
		if steps := t.Stacks[s]; steps != "" {
			out = append(out, StackSteps{s, steps})
		}
	}
	return out
}

// Entry is one knowledge-base article.
type Entry struct {
	VI Text `json:"vi"`
	EN Text `json:"en"`
}

// In returns the text in lang ("vi" or "en"). Its Stacks is a copy, so a
// caller cannot change the shared knowledge base through it.
func (e Entry) In(lang string) Text {
	t := e.VI
	if lang == "en" {
		t = e.EN
	}
	t.Stacks = maps.Clone(t.Stacks)
	return t
}

//go:embed kb.json
var raw []byte

var entries = func() map[string]Entry {
	m := map[string]Entry{}
	if err := json.Unmarshal(raw, &m); err != nil {
		panic("remediation: embedded kb.json: " + err.Error()) // caught by tests
	}
	return m
}()

// Get returns the entry for a remediation key (a check ID or "CWE-n").
func Get(key string) (Entry, bool) {
	e, ok := entries[key]
	return e, ok
}

// For returns the advice for a finding: the entry of its check when there
// is one, else the entry of its CWE class ("CWE-79"), else none. key is the
// entry's key.
func For(checkID, cwe string) (key string, e Entry, ok bool) {
	for _, k := range []string{checkID, strings.ToUpper(strings.TrimSpace(cwe))} {
		if e, ok := entries[k]; ok {
			return k, e, true
		}
	}
	return "", Entry{}, false
}

// Keys lists every remediation key, sorted.
func Keys() []string {
	out := make([]string, 0, len(entries))
	for k := range entries {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
