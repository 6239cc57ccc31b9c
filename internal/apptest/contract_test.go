package apptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/router"
)

// thing is the documented answer of the fake route.
type thing struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
}

// TestContractRefusesWhatTheDocumentDoesNotSay runs the checker against a
// fake server that breaks the document in each way it can.
func TestContractRefusesWhatTheDocumentDoesNotSay(t *testing.T) {
	answers := map[string]struct {
		status int
		body   string
	}{
		"/api/v1/things/1":           {200, `{"id":1,"name":"a"}`},
		"/api/v1/things/2":           {200, `{"id":2,"colour":"red"}`},
		"/api/v1/things/3":           {418, `{}`},
		"/api/v1/things/4":           {200, `{"name":"no id"}`},
		"/api/v1/things/x":           {200, `{"id":1}`},
		"/api/v1/hidden":             {200, `{}`},
		"/api/v1/things/5?lang=en":   {200, `{"id":"5"}`},
		"/api/v1/things/6?lang=en":   {404, `{"error":{"code":"not_found","message":"not found"}}`},
		"/api/v1/things/7?lang=en":   {404, `{"error":{"code":"not_found"}}`},
		"/api/v1/list?limit=0":       {200, `{"items":[],"total":0,"next":""}`},
		"/api/v1/list?limit=2":       {200, `{"items":[{"id":1}],"total":1,"next":""}`},
		"/api/v1/list?cursor=abc":    {422, `{"error":{"code":"invalid","message":"cursor: bad","fields":[{"field":"cursor","message":"bad"}]}}`},
		"/api/v1/list?limit=9999999": {422, `{"error":{"code":"invalid","message":"limit"}}`},
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answers[r.URL.RequestURI()]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	defer ts.Close()
	routes := []router.Route{
		{Method: "GET", Path: "/api/v1/things/{id}", Response: thing{}},
		{Method: "GET", Path: "/api/v1/list", Response: api.List[thing]{}},
	}
	c := newContract(t, routes, ts.URL)
	client := &http.Client{Transport: c}
	for uri, wantFailure := range map[string]bool{
		"/api/v1/things/1":           false,
		"/api/v1/things/2":           true, // a field the document lacks
		"/api/v1/things/3":           true, // a status the document lacks
		"/api/v1/things/4":           true, // a required field missing
		"/api/v1/things/x":           true, // a path id that is no integer, accepted
		"/api/v1/hidden":             true, // a route the document lacks
		"/api/v1/things/5?lang=en":   true, // a field of the wrong type
		"/api/v1/things/6?lang=en":   false,
		"/api/v1/things/7?lang=en":   true, // an error envelope without its message
		"/api/v1/list?limit=0":       true, // a limit out of bounds, accepted
		"/api/v1/list?limit=2":       false,
		"/api/v1/list?cursor=abc":    false,
		"/api/v1/list?limit=9999999": false, // refused, as the document says
	} {
		c.failures = nil
		resp, err := client.Get(ts.URL + uri)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := len(c.failures) > 0; got != wantFailure {
			t.Errorf("GET %s: failure %v, want %v: %s", uri, got, wantFailure, strings.Join(c.failures, "; "))
		}
	}
	c.failures = nil
}
