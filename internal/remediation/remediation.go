// Package remediation is the remediation knowledge base: for each check ID,
// what the finding means and how to fix it, in Vietnamese and English. A
// finding's remediation field is the key into it. The scanner and the
// findings capability both look entries up here; the package depends on
// neither.
package remediation

import (
	_ "embed"
	"encoding/json"
	"sort"
)

// Text is one language's explanation.
type Text struct {
	Summary string `json:"summary"`
	Fix     string `json:"fix"`
}

// Entry is one knowledge-base article.
type Entry struct {
	VI Text `json:"vi"`
	EN Text `json:"en"`
}

// In returns the text in lang ("vi" or "en").
func (e Entry) In(lang string) Text {
	if lang == "en" {
		return e.EN
	}
	return e.VI
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

// Get returns the entry for a remediation key.
func Get(key string) (Entry, bool) {
	e, ok := entries[key]
	return e, ok
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
