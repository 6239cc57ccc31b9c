package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// reWantsTLS matches the errors web servers send to plain HTTP on a TLS port.
var reWantsTLS = regexp.MustCompile(`(?i)HTTPS|SSL|TLS`)

var (
	reServer     = regexp.MustCompile(`(?i)^([A-Za-z][\w.-]*?)(?:/(\d[\w.+-]*))?(?:\s|$)`)
	serverToProd = map[string]string{"apache": "apache", "nginx": "nginx", "microsoft-iis": "iis", "openresty": "openresty", "lighttpd": "lighttpd", "litespeed": "litespeed", "apache-coyote": "tomcat", "jetty": "jetty", "caddy": "caddy"}
)

// ParseServerHeader extracts product and version from a Server header
// such as "Apache/2.4.58 (Ubuntu)" or "Microsoft-IIS/10.0".
func ParseServerHeader(s string) (product, version string) {
	m := reServer.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", ""
	}
	name := strings.ToLower(m[1])
	if p, ok := serverToProd[name]; ok {
		name = p
	}
	return name, m[2]
}

func (d *Detector) url(t probeTarget, path string) string {
	scheme := "http"
	if t.tls {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(d.serverName(), strconv.Itoa(t.port)) + path
}

func (d *Detector) get(ctx context.Context, t probeTarget, path string) (*check.Page, error) {
	return d.Env.Get(ctx, d.url(t, path), nil)
}

// postJSON sends one JSON request through the scanner's client (the same
// limits as every request) and reads the capped reply.
func (d *Detector) postJSON(ctx context.Context, t probeTarget, path, body string) (*check.Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url(t, path), strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build POST %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.Env.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, check.MaxBody))
	if err != nil {
		return nil, fmt.Errorf("read POST %s: %w", path, err)
	}
	return &check.Page{URL: req.URL.String(), Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// mongoOverHTTP is what MongoDB answers to an HTTP request on its port.
var mongoOverHTTP = []byte("trying to access MongoDB over HTTP")

// http identifies web servers and the HTTP APIs of Elasticsearch, Docker,
// Kubernetes and etcd with GET / and, for an API-looking answer, GET
// /version (all read-only); then what each lets anonymous clients read.
func (d *Detector) http(ctx context.Context, t probeTarget) (Info, bool) {
	ctx, cancel := context.WithTimeout(ctx, 2*t.wait)
	defer cancel()
	p, err := d.get(ctx, t, "/")
	if err != nil || (!t.tls && p.Status == http.StatusBadRequest && reWantsTLS.Match(p.Body)) {
		return Info{}, false // a TLS port answering plain HTTP with an error: retried with TLS
	}
	if bytes.Contains(p.Body, mongoOverHTTP) {
		return d.mongo(ctx, t)
	}
	info := Info{Name: "http", TLS: t.tls, Banner: fmt.Sprintf("HTTP %d", p.Status)}
	server := p.Header.Get("Server")
	if server != "" {
		info.Banner += " Server: " + check.Truncate(server, 80)
		info.Product, info.Version = ParseServerHeader(server)
	}
	if isElasticsearch(p) {
		info.Name, info.Product, info.Version = "elasticsearch", "elasticsearch", ""
		var es struct {
			Version struct {
				Number string `json:"number"`
			} `json:"version"`
		}
		if json.Unmarshal(p.Body, &es) == nil && es.Version.Number != "" {
			info.Version = es.Version.Number
		}
		if p.Status == http.StatusOK {
			info.Unauth = check.Evidencef("GET / returned cluster information without credentials")
		}
		return info, true
	}
	if api, ok := d.webAPI(ctx, t, p); ok {
		api.TLS = t.tls
		return api, true
	}
	return info, true
}

func isElasticsearch(p *check.Page) bool {
	return bytes.Contains(p.Body, []byte("You Know, for Search")) ||
		p.Header.Get("X-Elastic-Product") == "Elasticsearch" ||
		strings.HasPrefix(p.Header.Get("WWW-Authenticate"), `Basic realm="security"`)
}

// looksLikeAPI: JSON, or the bare error pages of Go API servers (Docker and
// etcd answer 404 at /, Kubernetes 401 or 403 to anonymous clients).
func looksLikeAPI(p *check.Page) bool {
	return strings.Contains(p.Header.Get("Content-Type"), "json") || p.Status == http.StatusNotFound ||
		p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden
}

// webAPI recognises the Docker, Kubernetes and etcd APIs by their GET
// /version document (or their error document when /version is refused).
func (d *Detector) webAPI(ctx context.Context, t probeTarget, root *check.Page) (Info, bool) {
	docker := strings.HasPrefix(strings.ToLower(root.Header.Get("Server")), "docker/") || root.Header.Get("Api-Version") != ""
	if !docker && !looksLikeAPI(root) {
		return Info{}, false
	}
	var api API
	if v, err := d.get(ctx, t, "/version"); err == nil {
		api = ParseVersionDoc(v.Body)
		if v.Status != http.StatusOK {
			api.Version = ""
		}
	}
	if api.Name == "" {
		api = ParseVersionDoc(root.Body)
	}
	if api.Name == "" && docker {
		api.Name = "docker"
	}
	info := Info{Name: api.Name, Product: api.Name, Version: api.Version}
	switch api.Name {
	case "":
		return Info{}, false
	case "docker":
		info.Banner = "Docker Engine API"
		if api.Version != "" {
			info.Banner += " " + api.Version
			info.Unauth = check.Evidencef("GET /version answered without credentials (API %s)", api.APIVersion)
		}
	case "etcd":
		info.Banner = "etcd " + api.Version
		info.Unauth = d.etcdUnauth(ctx, t)
	case "kubernetes":
		info.Banner = "Kubernetes API server " + api.Version
		if p, err := d.get(ctx, t, "/api"); err == nil && p.Status == http.StatusOK && bytes.Contains(p.Body, []byte(`"APIVersions"`)) {
			info.Unauth = check.Evidencef("GET /api answered an anonymous client (anonymous access allowed)")
		}
	}
	info.Banner = strings.TrimSpace(info.Banner)
	return info, true
}

// etcdUnauth reads, without credentials, the v2 key list or the v3 key
// count (count_only: no key or value is transferred).
func (d *Detector) etcdUnauth(ctx context.Context, t probeTarget) check.Text {
	if p, err := d.get(ctx, t, "/v2/keys"); err == nil && p.Status == http.StatusOK && bytes.Contains(p.Body, []byte(`"action":"get"`)) {
		return check.Evidencef("GET /v2/keys listed keys without credentials")
	}
	p, err := d.postJSON(ctx, t, "/v3/kv/range", `{"key":"AA==","range_end":"AA==","count_only":true}`)
	if err == nil && p.Status == http.StatusOK && bytes.Contains(p.Body, []byte(`"header"`)) {
		return check.Evidencef("the v3 API counted keys without credentials (POST /v3/kv/range, count only)")
	}
	return check.Text{}
}

// API is what a /version document says.
type API struct {
	Name       string // docker, kubernetes, etcd ("" when not recognised)
	Version    string
	APIVersion string // Docker's API version
}

// ParseVersionDoc reads the JSON that Docker, Kubernetes and etcd serve at
// /version, or Kubernetes' Status document when access is refused. Keys are
// compared exactly: Docker's "ApiVersion" is not Kubernetes' "apiVersion".
func ParseVersionDoc(b []byte) API {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return API{}
	}
	str := func(k string) string {
		s, _ := m[k].(string)
		return check.Truncate(s, 40)
	}
	switch {
	case str("etcdserver") != "":
		return API{Name: "etcd", Version: str("etcdserver")}
	case str("gitVersion") != "" && str("major") != "":
		return API{Name: "kubernetes", Version: strings.TrimPrefix(str("gitVersion"), "v")}
	case str("ApiVersion") != "":
		return API{Name: "docker", Version: str("Version"), APIVersion: str("ApiVersion")}
	case str("kind") == "Status" && str("apiVersion") == "v1":
		return API{Name: "kubernetes"}
	}
	return API{}
}
