package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/khien/khien/internal/router"
)

// OpenAPI builds the OpenAPI 3 document from the registered API routes, so
// the document lists exactly what the server answers.
func OpenAPI(routes []router.Route, version string) map[string]any {
	paths := map[string]any{}
	schemas := map[string]any{
		"Error": schemaOf(reflect.TypeOf(ErrorBody{}), nil),
	}
	for _, r := range routes {
		if !r.API() {
			continue
		}
		p := strings.TrimPrefix(r.Path, "/api/v1")
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		op := map[string]any{
			"summary":     r.Summary,
			"operationId": operationID(r),
			"responses":   responses(r, schemas),
		}
		if r.Tag != "" {
			op["tags"] = []string{r.Tag}
		}
		if params := pathParams(r.Path); len(params) > 0 {
			op["parameters"] = params
		}
		if r.Request != nil {
			op["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(r.Request), schemas)}},
			}
		}
		if r.Public {
			op["security"] = []any{}
		}
		item[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Khiên API",
			"version":     version,
			"description": "Khiên JSON API. Authenticate with `Authorization: Bearer <token>` (see POST /auth/token) or a browser session.",
		},
		"servers":  []any{map[string]any{"url": "/api/v1"}},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []string{}}},
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
			},
		},
	}
}

func responses(r router.Route, schemas map[string]any) map[string]any {
	status := "200"
	if r.Method == http.MethodPost {
		status = "201"
	}
	ok := map[string]any{"description": "success"}
	if r.Response != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(r.Response), schemas)}}
	} else if r.Method == http.MethodDelete {
		status = "204"
	}
	errRef := map[string]any{"$ref": "#/components/schemas/Error"}
	errResp := func(d string) map[string]any {
		return map[string]any{"description": d, "content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
	}
	out := map[string]any{status: ok, "400": errResp("invalid input"), "500": errResp("internal error")}
	if !r.Public {
		out["401"] = errResp("not authenticated")
		out["403"] = errResp("not allowed")
		out["404"] = errResp("not found or outside the caller's scope")
	}
	return out
}

var paramPattern = regexp.MustCompile(`\{([a-zA-Z_]+)\}`)

func pathParams(path string) []any {
	var out []any
	for _, m := range paramPattern.FindAllStringSubmatch(path, -1) {
		out = append(out, map[string]any{
			"name": m[1], "in": "path", "required": true,
			"schema": map[string]any{"type": "string"},
		})
	}
	return out
}

func operationID(r router.Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Method))
	for _, part := range strings.Split(strings.TrimPrefix(r.Path, "/api/v1/"), "/") {
		part = strings.Trim(part, "{}")
		for _, w := range strings.FieldsFunc(part, func(c rune) bool { return c == '-' || c == '_' || c == '.' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf describes a Go type as a JSON schema, following json tags. Named
// struct types go to components/schemas and are referenced, so each appears once.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
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
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Struct:
		name := schemaName(t)
		if schemas != nil && name != "" {
			if _, done := schemas[name]; !done {
				schemas[name] = map[string]any{} // placeholder stops recursion
				schemas[name] = structSchema(t, schemas)
			}
			return map[string]any{"$ref": "#/components/schemas/" + name}
		}
		return structSchema(t, schemas)
	}
	return map[string]any{}
}

// schemaName names a struct for components; generic instances get a readable name.
func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		inner := name[i+1 : len(name)-1]
		inner = inner[strings.LastIndexAny(inner, "./")+1:]
		name = name[:i] + "Of" + inner
	}
	return name
}

func structSchema(t reflect.Type, schemas map[string]any) map[string]any {
	props := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name := strings.Split(tag, ",")[0]
		if f.Anonymous && name == "" {
			if sub, ok := structSchema(f.Type, schemas)["properties"].(map[string]any); ok {
				for k, v := range sub {
					props[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type, schemas)
	}
	return map[string]any{"type": "object", "properties": props}
}
