package web

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/khien/khien/internal/audit"
)

// fieldChange is one field of an audited change, as the audit page lists it.
type fieldChange struct {
	Field, Old, New string
}

// auditNoise are fields every object carries that say nothing about the change.
var auditNoise = map[string]bool{"created_at": true, "updated_at": true, "name_search": true, "value_search": true}

// auditChanges reads an audit entry's details ({"old":…,"new":…}) and lists
// the fields that differ, old → new, so a reader sees what changed without
// reading JSON. It returns nil when the details are not two objects of
// fields, and the page then shows them as they are.
func auditChanges(details audit.Details) []fieldChange {
	var d struct {
		Old map[string]json.RawMessage `json:"old"`
		New map[string]json.RawMessage `json:"new"`
	}
	if details == "" || json.Unmarshal([]byte(details), &d) != nil || (d.Old == nil && d.New == nil) {
		return nil
	}
	fields := map[string]bool{}
	for k := range d.Old {
		fields[k] = true
	}
	for k := range d.New {
		fields[k] = true
	}
	var out []fieldChange
	for f := range fields {
		if auditNoise[f] {
			continue
		}
		old, nw := auditValue(d.Old[f]), auditValue(d.New[f])
		if old == nw {
			continue
		}
		out = append(out, fieldChange{Field: f, Old: old, New: nw})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// auditValue shows one JSON value briefly: strings without quotes, empty
// values as nothing, anything else compact.
func auditValue(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	switch string(raw) {
	case "", "null", `""`, "false", "0", "[]", "{}":
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var compact bytes.Buffer
	if json.Compact(&compact, raw) != nil {
		return string(raw)
	}
	v := compact.String()
	if len(v) > 200 {
		v = strings.ToValidUTF8(v[:200], "") + "…"
	}
	return v
}
