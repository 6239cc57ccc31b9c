package api

import (
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/router"
	"github.com/khien/khien/internal/storage"
)

// OpenAPI builds the OpenAPI 3 document from the registered API routes, so
// the document lists exactly what the server answers. A test sends every
// request of the API and authorisation tests through it (apptest), so a
// route, field or status it does not describe fails the build.
func OpenAPI(routes []router.Route, version string) map[string]any {
	paths := map[string]any{}
	c := &components{schemas: map[string]any{}, types: map[string]reflect.Type{}}
	schemaOf(reflect.TypeOf(ErrorBody{}), c, true)
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
			"responses":   responses(r, c),
			"parameters":  parameters(r),
		}
		if r.Tag != "" {
			op["tags"] = []string{r.Tag}
		}
		if body := requestBody(r); body != nil {
			op["requestBody"] = body
		}
		if r.Public {
			op["security"] = []any{}
		}
		if strings.HasPrefix(r.Path, AgentPathPrefix) { // an agent's token, not a user's
			op["security"] = []any{map[string]any{"agent": []string{}}}
		}
		item[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Khiên API",
			"version": version,
			"description": "Khiên JSON API. Authenticate with `Authorization: Bearer <token>` (see POST /auth/token) or a browser session. " +
				"Lists take ?limit= (1–500, default 100) and ?cursor= (the previous page's next); errors are the Error envelope, " +
				"with messages in the language of ?lang= (vi by default).",
		},
		"servers":  []any{map[string]any{"url": "/api/v1"}},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []string{}}},
		"components": map[string]any{
			"schemas": c.schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"agent":  map[string]any{"type": "http", "scheme": "bearer", "description": "a scan agent's token (khag_…), from POST /agents"},
			},
		},
	}
}

// Media types of the inventory workbook routes.
const (
	xlsxType   = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	binaryType = "application/octet-stream"
)

// fileRoutes send or take a file rather than JSON; a GET's value is the
// media types it answers with.
var fileRoutes = withReportRoutes(map[string][]string{
	"GET /api/v1/inventory/template":            {xlsxType},
	"GET /api/v1/inventory/export":              {xlsxType},
	"POST /api/v1/inventory/import":             nil,
	"POST /api/v1/findings/{id}/files":          nil,
	"POST /api/v1/hunts/{id}/files":             nil,
	"POST /api/v1/imports":                      nil,
	"GET /api/v1/findings/{id}/files/{file_id}": {binaryType},
	"GET /api/v1/hunts/{id}/files/{file_id}":    {binaryType},
	"GET /api/v1/findings/export":               {"text/csv", xlsxType, "application/json", "application/sarif+json"},
	"GET /api/v1/findings/template":             {xlsxType},

	"POST /api/v1/obligations/{id}/submit":         nil,
	"GET /api/v1/obligations/{id}/files/{file_id}": {binaryType},

	"GET /api/v1/reports/files/{id}/download": reportTypes(),
})

func isFileRoute(r router.Route) bool {
	_, ok := fileRoutes[r.Pattern()]
	return ok
}

func requestBody(r router.Route) map[string]any {
	binary := map[string]any{"type": "string", "format": "binary"}
	switch {
	case r.Method == http.MethodPost && isFileRoute(r):
		content := map[string]any{}
		for _, t := range []string{xlsxType, binaryType, "text/csv"} {
			content[t] = map[string]any{"schema": binary}
		}
		content["multipart/form-data"] = map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
			"properties": map[string]any{"file": binary}}}
		return map[string]any{"required": true, "content": content}
	case r.Request == nil:
		return nil
	}
	s := schemaOf(reflect.TypeOf(r.Request), nil, false)
	if len(r.Required) > 0 {
		s["required"] = r.Required
	}
	return map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": s}}}
}

// successStatuses are the statuses of a route's success: 201 for a POST
// that answers with a body, 204 for one without and for a DELETE, 200 else.
func successStatuses(r router.Route) []int {
	switch {
	case len(r.Status) > 0:
		return r.Status
	case r.Method == http.MethodDelete, r.Method == http.MethodPost && r.Response == nil && !isFileRoute(r):
		return []int{http.StatusNoContent}
	case r.Method == http.MethodPost:
		return []int{http.StatusCreated}
	}
	return []int{http.StatusOK}
}

func responses(r router.Route, c *components) map[string]any {
	errRef := map[string]any{"$ref": "#/components/schemas/ErrorBody"}
	jsonOf := func(s map[string]any) map[string]any {
		return map[string]any{"application/json": map[string]any{"schema": s}}
	}
	out := map[string]any{}
	for _, status := range successStatuses(r) {
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case status == http.StatusNoContent:
		case r.Response != nil && status >= 400:
			// The import answers its problems with its own result.
			ok["content"] = jsonOf(map[string]any{"oneOf": []any{schemaOf(reflect.TypeOf(r.Response), c, true), errRef}})
		case r.Response != nil:
			ok["content"] = jsonOf(schemaOf(reflect.TypeOf(r.Response), c, true))
		case r.Method == http.MethodGet && isFileRoute(r):
			content := map[string]any{}
			for _, t := range fileRoutes[r.Pattern()] {
				schema := map[string]any{"type": "string", "format": "binary"}
				if t == "application/json" {
					schema = map[string]any{"type": "array", "items": map[string]any{"type": "object"}}
				}
				content[t] = map[string]any{"schema": schema}
			}
			ok["content"] = content
		default:
			ok["content"] = jsonOf(map[string]any{"type": "object"})
		}
		out[strconv.Itoa(status)] = ok
	}
	// Any route may be throttled (429 with Retry-After), not only sign-in,
	// and any may meet a read-only database (503) or a full disk (507).
	errors := []int{http.StatusMethodNotAllowed, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusServiceUnavailable, http.StatusInsufficientStorage}
	if !r.Public {
		errors = append(errors, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodDelete {
		errors = append(errors, http.StatusConflict, http.StatusRequestEntityTooLarge)
	}
	if r.Public && (r.Method == http.MethodPost || strings.HasPrefix(r.Path, AgentPathPrefix)) {
		errors = append(errors, http.StatusUnauthorized, http.StatusForbidden)
	}
	for _, status := range errors {
		if _, taken := out[strconv.Itoa(status)]; !taken {
			out[strconv.Itoa(status)] = map[string]any{"description": http.StatusText(status), "content": jsonOf(errRef)}
		}
	}
	return out
}

var paramPattern = regexp.MustCompile(`\{([a-zA-Z_]+)\}`)

// parameters are the route's path parameters (ids are positive integers),
// its query parameters, the page of a list and the language.
func parameters(r router.Route) []any {
	var out []any
	for _, m := range paramPattern.FindAllStringSubmatch(r.Path, -1) {
		s := map[string]any{"type": "string"}
		if m[1] == "id" || strings.HasSuffix(m[1], "_id") {
			s = map[string]any{"type": "integer", "format": "int64", "minimum": 1}
		}
		if e := pathEnums[m[1]]; e != nil {
			s["enum"] = e
		}
		out = append(out, map[string]any{"name": m[1], "in": "path", "required": true, "schema": s})
	}
	query := r.Query
	if isList(r.Response) {
		query = append(slices.Clone(query),
			router.Param{Name: "limit", Type: "integer", Min: 1, Max: storage.MaxLimit, Description: "page size (default " + strconv.Itoa(storage.DefaultLimit) + ")"},
			router.Param{Name: "cursor", Description: "the next value of the previous page"})
	}
	// Not an enum: any other value is answered in Vietnamese, not refused.
	query = append(query, router.Param{Name: "lang", Description: "language of messages: " + i18n.VI + " (the default) or " + i18n.EN})
	for _, q := range query {
		s := map[string]any{"type": cmp(q.Type, "string")}
		if q.Type == "integer" {
			s["format"] = "int64"
		}
		if q.Max > 0 {
			s["minimum"], s["maximum"] = q.Min, q.Max
		}
		if q.Enum != nil {
			s["enum"] = q.Enum
		}
		p := map[string]any{"name": q.Name, "in": "query", "schema": s}
		if q.Description != "" {
			p["description"] = q.Description
		}
		out = append(out, p)
	}
	return out
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// isList reports whether v is a List envelope.
func isList(v any) bool {
	return v != nil && strings.HasPrefix(reflect.TypeOf(v).Name(), "List[")
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
