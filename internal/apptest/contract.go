package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/router"
)

func init() {
	// The workbook routes send and take files; their bodies are checked as
	// binary strings.
	for _, t := range []string{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream", "text/csv"} {
		openapi3filter.RegisterBodyDecoder(t, openapi3filter.FileBodyDecoder)
	}
}

// contract is the http.RoundTripper of every App client: it sends each API
// request and checks it and its answer against the server's own OpenAPI
// document. A route, a field, a parameter or a status the document does not
// describe fails the test, and so does a request the document refuses but
// the server accepts. Failures are reported when the test ends (requests
// come from parallel subtests too).
type contract struct {
	router routers.Router
	next   http.RoundTripper

	mu       sync.Mutex
	failures []string
	checked  int
}

func newContract(t testing.TB, routes []router.Route, base string) *contract {
	t.Helper()
	raw, err := json.Marshal(api.OpenAPI(routes, "test"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("apptest: load the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("apptest: the OpenAPI document is not valid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base + "/api/v1"}}
	rt, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	c := &contract{router: rt, next: http.DefaultTransport}
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, f := range c.failures {
			t.Error("OpenAPI contract: " + f)
		}
		t.Logf("OpenAPI contract: %d API exchanges checked, %d failures", c.checked, len(c.failures))
	})
	return c
}

var filterOptions = &openapi3filter.Options{
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	IncludeResponseStatus: true,
	MultiError:            true,
	// A failure names the field and the rule, not the whole schema.
	SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
}

func (c *contract) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") || req.URL.Path == "/api/v1/openapi.json" {
		return c.next.RoundTrip(req)
	}
	reqBody, err := readAll(&req.Body)
	if err != nil {
		return nil, err
	}
	what := req.Method + " " + req.URL.RequestURI()
	route, params, findErr := c.router.FindRoute(req)
	var in *openapi3filter.RequestValidationInput
	var reqErr error
	if findErr == nil {
		in = &openapi3filter.RequestValidationInput{Request: req.Clone(req.Context()), PathParams: params, Route: route, Options: filterOptions}
		in.Request.Body = io.NopCloser(bytes.NewReader(reqBody))
		reqErr = openapi3filter.ValidateRequest(req.Context(), in)
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := readAll(&resp.Body)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.checked++
	c.mu.Unlock()
	switch {
	case findErr != nil:
		// Only an unknown path or method may be missing from the document.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			c.fail("%s: not in the document (%v), answered %d", what, findErr, resp.StatusCode)
		}
		return resp, nil
	case reqErr != nil && resp.StatusCode < 400:
		c.fail("%s: the document refuses the request (%v), the server answered %d", what, reqErr, resp.StatusCode)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(respBody)), Options: filterOptions}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		c.fail("%s: answer %d %.300s does not match the document: %v", what, resp.StatusCode, respBody, err)
	}
	return resp, nil
}

func (c *contract) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = append(c.failures, fmt.Sprintf(format, args...))
}

// readAll reads a body and puts an unread copy back.
func readAll(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(*body)
	(*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
	return b, err
}
