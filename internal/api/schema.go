package api

import (
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/agent"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/finding/advice"
	"github.com/khien/khien/internal/hunt"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/incident"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/report"
	"github.com/khien/khien/internal/responseplan"
	"github.com/khien/khien/internal/scanning"
)

// components are the named schemas of the document and the Go type each
// name stands for, so two types of one name (validation.Error, the
// envelope's Error) get names of their own.
type components struct {
	schemas map[string]any
	types   map[string]reflect.Type
}

var (
	timeType    = reflect.TypeOf(time.Time{})
	detailsType = reflect.TypeOf(audit.Details(""))
)

// typeEnums are the codes of the domain's enumerated named types.
var typeEnums = map[reflect.Type][]string{
	reflect.TypeOf(access.Role("")): roleCodes(),

	reflect.TypeOf(campaign.Status("")):           campaign.Statuses,
	reflect.TypeOf(campaign.ObligationStatus("")): campaign.ObligationStatuses,
}

// fieldEnums are the codes of enumerated fields of plain type, by struct
// and JSON name: what the domain's validation accepts and storage holds.
var fieldEnums = map[reflect.Type]map[string][]string{
	reflect.TypeOf(inventory.System{}): {"kind": codes(inventory.SystemKinds), "level": codes(inventory.Levels),
		"hosting": codes(inventory.Hostings), "status": codes(inventory.Statuses)},
	reflect.TypeOf(inventory.Asset{}):         {"kind": codes(inventory.AssetKinds)},
	reflect.TypeOf(inventory.AssetConflict{}): {"kind": codes(inventory.AssetKinds)},
	reflect.TypeOf(inventory.SharedValue{}):   {"kind": codes(inventory.AssetKinds)},
	reflect.TypeOf(inventory.Control{}):       {"control": codes(inventory.Controls), "status": codes(inventory.ControlStatuses)},
	reflect.TypeOf(identity.Org{}):            {"kind": identity.OrgKinds},
	reflect.TypeOf(identity.OrgInput{}):       {"kind": identity.OrgKinds},
	reflect.TypeOf(advice.Item{}):             {"kind": advice.Kinds},
	reflect.TypeOf(advice.Article{}):          {"kind": advice.Kinds, "lang": advice.Languages},
	reflect.TypeOf(advice.Edit{}):             {"lang": advice.Languages},
	reflect.TypeOf(remediation.StackSteps{}):  {"stack": remediation.Stacks},
	reflect.TypeOf(scanning.Scan{}):           {"status": scanning.Statuses, "profile": scanning.Profiles, "runner": scanning.Runners},
	reflect.TypeOf(scanCreate{}):              {"profile": scanning.Profiles},
	reflect.TypeOf(orgScanCreate{}):           {"profile": scanning.Profiles},
	reflect.TypeOf(scanning.Schedule{}):       {"profile": scanning.Profiles},
	reflect.TypeOf(scanning.Plan{}):           {"basis": scanning.Bases},
	reflect.TypeOf(agent.Agent{}):             {"status": agent.Statuses},

	reflect.TypeOf(campaign.Phase{}):          {"kind": campaign.PhaseKinds},
	reflect.TypeOf(campaign.PhaseInput{}):     {"kind": campaign.PhaseKinds},
	reflect.TypeOf(campaign.PhaseSpec{}):      {"kind": campaign.PhaseKinds},
	reflect.TypeOf(campaign.ObligationView{}): {"phase_kind": campaign.PhaseKinds},
	reflect.TypeOf(campaign.Input{}):          {"template": campaign.TemplateKeys()},
	reflect.TypeOf(campaign.Template{}):       {"key": campaign.TemplateKeys()},
	reflect.TypeOf(campaign.Event{}):          {"kind": campaign.EventKinds},
	reflect.TypeOf(hunt.Hunt{}):               {"origin": hunt.Origins, "status": hunt.Statuses, "result": hunt.Results, "system_kind": codes(inventory.SystemKinds)},
	reflect.TypeOf(hunt.Outcome{}):            {"result": hunt.Results},
	reflect.TypeOf(report.Request{}):          {"kind": report.Kinds, "format": report.Formats},
	reflect.TypeOf(responseplan.Plan{}):       {"status": responseplan.PlanStatuses[1:]},
	reflect.TypeOf(responseplan.Readiness{}):  {"plan_status": responseplan.PlanStatuses},
	reflect.TypeOf(responseplan.Drill{}):      {"kind": responseplan.DrillKinds, "scenario": incident.Categories},
	reflect.TypeOf(responseplan.DrillInput{}): {"kind": responseplan.DrillKinds, "scenario": incident.Categories},
	reflect.TypeOf(responseplan.Scenario{}):   {"category": incident.Categories},
	reflect.TypeOf(report.StoredFile{}):       {"kind": report.Kinds, "format": report.Formats, "lang": {i18n.VI, i18n.EN}, "status": report.Statuses, "stage": report.Stages},
}

// pathEnums are the codes a path parameter takes.
var pathEnums = map[string][]string{"control": codes(inventory.Controls)}

func codes(e inventory.Enum) []string {
	out := make([]string, len(e))
	for i, o := range e {
		out[i] = o.Code
	}
	return out
}

func roleCodes() []string {
	out := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		out[i] = string(r)
	}
	return out
}

// schemaOf describes a Go type as a JSON schema, following json tags.
// Responses (c != nil) put named structs in components and require every
// field without omitempty; requests are inline and require nothing (the
// route names its required fields). Both refuse undeclared properties, so a
// field the document lacks fails the validation test.
func schemaOf(t reflect.Type, c *components, response bool) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t, nullable = t.Elem(), true
	}
	s := typeSchema(t, c, response)
	if nullable && response {
		if ref, ok := s["$ref"]; ok {
			// OpenAPI 3.0 ignores siblings of $ref.
			return map[string]any{"allOf": []any{map[string]any{"$ref": ref}}, "nullable": true}
		}
		s["nullable"] = true
	}
	return s
}

func typeSchema(t reflect.Type, c *components, response bool) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == detailsType:
		return map[string]any{"type": "object", "description": "old and new values of the change", "nullable": true}
	case typeEnums[t] != nil:
		return map[string]any{"type": "string", "enum": typeEnums[t]}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		// encoding/json writes a nil slice as null.
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), c, response), "nullable": t.Kind() == reflect.Slice}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), c, response), "nullable": true}
	case reflect.Struct:
		if c == nil || t.Name() == "" {
			return structSchema(t, c, response)
		}
		name := c.name(t)
		if _, done := c.schemas[name]; !done {
			c.schemas[name] = map[string]any{} // placeholder stops recursion
			c.schemas[name] = structSchema(t, c, response)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// name is the component name of t: its Go name (generic instances
// readable: ListOfSystemView), prefixed with its package when another type
// has taken the name.
func (c *components) name(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		inner := name[i+1 : len(name)-1]
		inner = inner[strings.LastIndexAny(inner, "./")+1:]
		name = name[:i] + "Of" + inner
	}
	if other, taken := c.types[name]; taken && other != t {
		pkg := path.Base(t.PkgPath())
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	c.types[name] = t
	return name
}

func structSchema(t reflect.Type, c *components, response bool) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			sub := structSchema(f.Type, c, response)
			for k, v := range sub["properties"].(map[string]any) {
				props[k] = v
			}
			if req, ok := sub["required"].([]string); ok {
				required = append(required, req...)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := schemaOf(f.Type, c, response)
		if e := fieldEnums[t][name]; e != nil {
			s["enum"] = enumValues(e, s["type"])
		}
		props[name] = s
		if response && !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// enumValues are the codes as the field's JSON type holds them (levels are
// integers).
func enumValues(codes []string, typ any) []any {
	out := make([]any, len(codes))
	for i, code := range codes {
		out[i] = code
		if typ == "integer" {
			out[i], _ = strconv.Atoi(code)
		}
	}
	return out
}
