// Package i18n holds the message catalogues (Vietnamese first, English
// second) and the text folding that makes search ignore diacritics.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"
)

// Languages the product speaks; the first is the default.
const (
	VI = "vi"
	EN = "en"
)

// Vietnam is the time zone days and times are shown in (UTC+7, no summer
// time); the fixed zone avoids depending on the host's tzdata.
var Vietnam = time.FixedZone("ICT", 7*3600)

// Default is the language used when none is chosen.
const Default = VI

// Catalogues are JSON objects of key → text, one file per capability in each
// language directory, merged at start so capabilities never edit a shared file.
//
//go:embed catalog
var catalogFS embed.FS

var catalogs = mustLoad()

func mustLoad() map[string]map[string]string {
	c, err := load(catalogFS)
	if err != nil {
		panic(err) // the catalogue is compiled in; a bad one is a build error, caught by tests
	}
	return c
}

func load(fsys fs.FS) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, lang := range []string{VI, EN} {
		files, err := fs.Glob(fsys, path.Join("catalog", lang, "*.json"))
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, f := range files {
			data, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, err
			}
			var part map[string]string
			if err := json.Unmarshal(data, &part); err != nil {
				return nil, fmt.Errorf("catalogue %s: %w", f, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("catalogue %s: key %q defined twice", f, k)
				}
				m[k] = v
			}
		}
		out[lang] = m
	}
	return out, nil
}

// Supported reports whether lang has a catalogue.
func Supported(lang string) bool {
	_, ok := catalogs[lang]
	return ok
}

// T returns the text for key in lang, formatted with args (fmt verbs). A
// missing key falls back to Vietnamese, then to the key itself so the gap shows.
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		if msg, ok = catalogs[Default][key]; !ok {
			msg = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Keys lists every key of lang's catalogue, sorted.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Negotiate returns the explicit choice (cookie or query) when supported, and
// Vietnamese otherwise. The browser's Accept-Language is deliberately not
// consulted: many officials' browsers are set to English, and the product is
// Vietnamese first.
func Negotiate(choice string) string {
	if Supported(choice) {
		return choice
	}
	return Default
}
