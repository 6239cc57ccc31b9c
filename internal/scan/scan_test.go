package scan_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
)

// counter is a test web server's view of the scan: requests, requests in
// flight at once, their times and User-Agents.
type counter struct {
	conns     atomic.Int64 // TCP connections open at the server
	connsPeak atomic.Int64
	requests  atomic.Int64
	inFlight  atomic.Int64
	peak      atomic.Int64
	mu        sync.Mutex
	times     []time.Time
	agents    []string
	hosts     []string
}

func (c *counter) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := c.inFlight.Add(1)
		defer c.inFlight.Add(-1)
		for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
		}
		c.requests.Add(1)
		c.mu.Lock()
		c.times = append(c.times, time.Now())
		c.agents = append(c.agents, r.UserAgent())
		c.hosts = append(c.hosts, r.Host)
		c.mu.Unlock()
		h(w, r)
	}
}

// connState counts the server's open connections; set it as the test
// server's http.Server.ConnState.
func (c *counter) connState(_ net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		n := c.conns.Add(1)
		for p := c.connsPeak.Load(); n > p && !c.connsPeak.CompareAndSwap(p, n); p = c.connsPeak.Load() {
		}
	case http.StateClosed, http.StateHijacked:
		c.conns.Add(-1)
	}
}

// maxPerSecond is the largest number of requests in any one-second window.
func (c *counter) maxPerSecond() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	best := 0
	for i, t := range c.times {
		n := 0
		for _, u := range c.times[i:] {
			if u.Sub(t) < time.Second {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// portal is a web site with typical problems of a neglected public portal.
func portal(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		w.Header().Set("Server", "Apache/2.4.49 (Unix)")
		w.Header().Set("X-Powered-By", "PHP/7.3.5")
		http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "abc"})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<html><head><title>Cổng thông tin điện tử</title><meta name="generator" content="WordPress 5.8.1"><script src="/wp-includes/js/jquery/jquery.min.js?ver=1.12.4"></script></head>
<body><h1>Tin tức</h1><div style="display:none"><a href="https://fb88.example/">nhà cái uy tín</a></div></body></html>`))
	case "/.git/HEAD":
		w.Write([]byte("ref: refs/heads/master\n"))
	default:
		http.NotFound(w, r)
	}
}

func serverPort(t *testing.T, raw string) int {
	u, _ := url.Parse(raw)
	_, p, _ := net.SplitHostPort(u.Host)
	n, _ := strconv.Atoi(p)
	return n
}

func run(t *testing.T, cfg scan.Config, specs ...string) ([]check.Finding, scan.Summary) {
	t.Helper()
	targets, err := scan.ParseTargets(specs, false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Lang == "" {
		cfg.Lang = "en"
	}
	var fs []check.Finding
	sum, err := scan.Run(t.Context(), cfg, targets, func(f check.Finding) { fs = append(fs, f) })
	if err != nil {
		t.Fatal(err)
	}
	return fs, sum
}

func ids(fs []check.Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.CheckID) {
			out = append(out, f.CheckID)
		}
	}
	slices.Sort(out)
	return out
}

func TestScanWebHost(t *testing.T) {
	var c counter
	srv := httptest.NewUnstartedServer(c.wrap(portal))
	srv.Config.ConnState = c.connState
	srv.Start()
	defer srv.Close()
	port := serverPort(t, srv.URL)
	fs, sum := run(t, scan.Config{Ports: []int{port}, PerHostRate: 1000}, "127.0.0.1")
	got := ids(fs)
	for _, id := range []string{"port.open", "http.no-https-redirect", "http.missing-csp", "http.insecure-cookie", "http.server-version-disclosure", "http.header-grade",
		"exposure.git", "tech.detected", "tech.vulnerable-component", "tech.end-of-life", "content.gambling-injection"} {
		if !slices.Contains(got, id) {
			t.Errorf("%s missing; got %v", id, got)
		}
	}
	if n := c.requests.Load(); n > 150 {
		t.Errorf("%d HTTP requests to one web host, limit 150", n)
	}
	if p := c.peak.Load(); p > 2 {
		t.Errorf("%d requests in flight at once, limit 2", p)
	}
	if p := c.connsPeak.Load(); p > 2 {
		t.Errorf("%d connections open at once, limit 2", p)
	}
	for _, ua := range c.agents {
		if !strings.Contains(ua, "Khien") && !strings.Contains(ua, "Googlebot") {
			t.Errorf("request without the Khiên User-Agent: %q", ua)
		}
	}
	for _, f := range fs {
		if f.Fingerprint == "" || f.DetectedAt.IsZero() || f.Target != "127.0.0.1" || f.IP != "127.0.0.1" || f.CVE == nil || f.References == nil {
			t.Errorf("incomplete finding: %+v", f)
		}
		if _, ok := remediation.Get(f.Remediation); !ok {
			t.Errorf("%s: remediation key %q not in the knowledge base", f.CheckID, f.Remediation)
		}
	}
	if sum.Hosts != 1 || sum.Findings != len(fs) {
		t.Errorf("summary %+v", sum)
	}
	t.Logf("%d HTTP requests, %d findings", c.requests.Load(), len(fs))

	// The same scan again gives the same fingerprints.
	again, _ := run(t, scan.Config{Ports: []int{port}, PerHostRate: 1000}, "127.0.0.1")
	fp := func(fs []check.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Fingerprint)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(fp(fs), fp(again)) {
		t.Error("fingerprints differ between runs")
	}
}

func TestScanPerHostRate(t *testing.T) {
	var c counter
	srv := httptest.NewServer(c.wrap(portal))
	defer srv.Close()
	run(t, scan.Config{Ports: []int{serverPort(t, srv.URL)}, PerHostRate: 8, Checks: []string{"http"}}, "127.0.0.1")
	if n := c.maxPerSecond(); n > 8+1 {
		t.Errorf("%d requests within one second, limit 8/s", n)
	}
	if c.requests.Load() < 5 {
		t.Errorf("only %d requests: the test measured nothing", c.requests.Load())
	}
}

func TestScanBudget(t *testing.T) {
	var c counter
	srv := httptest.NewServer(c.wrap(portal))
	defer srv.Close()
	run(t, scan.Config{Ports: []int{serverPort(t, srv.URL)}, PerHostRate: 1000, HTTPBudget: 12}, "127.0.0.1")
	if n := c.requests.Load(); n > 12 {
		t.Errorf("%d requests, budget 12", n)
	}
}

func TestScanBacksOff(t *testing.T) {
	var c counter
	srv := httptest.NewServer(c.wrap(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	_, sum := run(t, scan.Config{Ports: []int{serverPort(t, srv.URL)}, PerHostRate: 1000}, "127.0.0.1")
	if len(sum.Stopped) != 1 || sum.Stopped[0].Host != "127.0.0.1" {
		t.Fatalf("host not reported as stopped: %+v", sum)
	}
	if n := c.requests.Load(); n > 12 {
		t.Errorf("%d requests to a failing host", n)
	}
}

func TestScanExclusionWins(t *testing.T) {
	var c counter
	srv := httptest.NewServer(c.wrap(portal))
	defer srv.Close()
	ex, _ := scan.ParseExclusions([]string{"127.0.0.0/8"})
	fs, sum := run(t, scan.Config{Ports: []int{serverPort(t, srv.URL)}, Exclusions: ex}, srv.URL, "127.0.0.1")
	if len(fs) != 0 || c.requests.Load() != 0 || len(sum.Skipped) != 2 {
		t.Errorf("excluded targets scanned: %d findings, %d requests, %+v", len(fs), c.requests.Load(), sum)
	}
}

func TestScanCancel(t *testing.T) {
	var c counter
	srv := httptest.NewServer(c.wrap(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
		portal(w, r)
	}))
	defer srv.Close()
	targets, _ := scan.ParseTargets([]string{"127.0.0.1"}, false)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	var n atomic.Int64
	start := time.Now()
	sum, err := scan.Run(ctx, scan.Config{Ports: []int{serverPort(t, srv.URL)}, PerHostRate: 1000, Timeout: 2 * time.Second}, targets, func(check.Finding) { n.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancelled scan took %v to return", d)
	}
	if !sum.Interrupted || n.Load() == 0 || int64(sum.Findings) != n.Load() {
		t.Errorf("interrupted=%v, %d findings emitted, summary %d", sum.Interrupted, n.Load(), sum.Findings)
	}
}

// startResolver answers A queries for *.test with 127.0.0.1.
func startResolver(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		if !strings.HasSuffix(q.Name, ".test.") {
			m.Rcode = dns.RcodeNameError
		} else if q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(127, 0, 0, 1)})
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestScanByName(t *testing.T) {
	var c counter
	srv := httptest.NewServer(c.wrap(portal))
	defer srv.Close()
	port := serverPort(t, srv.URL)
	resolver := startResolver(t)
	target := "http://portal.test:" + strconv.Itoa(port) + "/"
	fs, _ := run(t, scan.Config{Ports: []int{}, PerHostRate: 1000, Resolver: resolver, Checks: []string{"http", "port"}}, target)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range fs {
		if f.Host != "portal.test" || f.IP != "127.0.0.1" {
			t.Errorf("finding on %s/%s, want portal.test/127.0.0.1", f.Host, f.IP)
		}
	}
	for _, h := range c.hosts {
		if !strings.HasPrefix(h, "portal.test") {
			t.Errorf("request with Host %q", h)
		}
	}
	// The exclusion list wins over a name that resolves into it.
	ex, _ := scan.ParseExclusions([]string{"127.0.0.1"})
	c.requests.Store(0)
	fs, sum := run(t, scan.Config{Ports: []int{}, Resolver: resolver, Exclusions: ex}, target)
	if len(fs) != 0 || c.requests.Load() != 0 || len(sum.Skipped) != 1 {
		t.Errorf("name resolving to an excluded address was scanned: %+v", sum)
	}
}

func TestScanManyHosts(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0") // reachable on every 127.0.0.0/8 address
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(portal)}
	go srv.Serve(ln)
	defer srv.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	var specs []string
	for a, i := netip.MustParseAddr("127.0.1.1"), 0; i < 16; a, i = a.Next(), i+1 {
		specs = append(specs, a.String())
	}
	fs, sum := run(t, scan.Config{Ports: []int{port}, PerHostRate: 1000, Checks: []string{"port.open"}}, specs...)
	if sum.Hosts != 16 || len(fs) != 16 {
		t.Errorf("%d hosts, %d open ports, want 16 and 16", sum.Hosts, len(fs))
	}
}

func TestScanRejectsUnknownCheck(t *testing.T) {
	targets, _ := scan.ParseTargets([]string{"127.0.0.1"}, false)
	if _, err := scan.Run(t.Context(), scan.Config{Checks: []string{"tls.expird"}}, targets, func(check.Finding) {}); err == nil {
		t.Error("typo in --checks accepted")
	}
	if _, err := scan.Run(t.Context(), scan.Config{Profile: "aggressive"}, targets, func(check.Finding) {}); err == nil {
		t.Error("unknown profile accepted")
	}
}

func TestScanTLSWebHost(t *testing.T) {
	var c counter
	srv := httptest.NewTLSServer(c.wrap(portal))
	defer srv.Close()
	fs, _ := run(t, scan.Config{Ports: []int{serverPort(t, srv.URL)}, PerHostRate: 1000}, "127.0.0.1")
	got := ids(fs)
	for _, id := range []string{"port.open", "tls.self-signed", "http.missing-hsts", "exposure.git"} {
		if !slices.Contains(got, id) {
			t.Errorf("%s missing; got %v", id, got)
		}
	}
	if slices.Contains(got, "http.no-https-redirect") {
		t.Error("HTTPS site reported as plain HTTP")
	}
}

// BenchmarkSafeScanWebHost runs a full safe scan of one web host (request
// rate limit lifted so the benchmark measures the engine) and reports the
// HTTP requests the server counted.
func BenchmarkSafeScanWebHost(b *testing.B) {
	var c counter
	srv := httptest.NewServer(c.wrap(portal))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	targets, _ := scan.ParseTargets([]string{"127.0.0.1"}, false)
	cfg := scan.Config{Ports: []int{port}, PerHostRate: -1, Timeout: 2 * time.Second}
	for b.Loop() {
		if _, err := scan.Run(context.Background(), cfg, targets, func(check.Finding) {}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.requests.Load())/float64(b.N), "http-requests/op")
}

func TestScanGlobalRate(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var c counter
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.times = append(c.times, time.Now())
			c.mu.Unlock()
			conn.Close()
		}
	}()
	var specs []string
	for a, i := netip.MustParseAddr("127.0.3.1"), 0; i < 30; a, i = a.Next(), i+1 {
		specs = append(specs, a.String())
	}
	port := ln.Addr().(*net.TCPAddr).Port
	fs, _ := run(t, scan.Config{Ports: []int{port}, Rate: 20, Checks: []string{"port.open"}}, specs...)
	if len(fs) != 30 {
		t.Fatalf("%d open ports found, want 30", len(fs))
	}
	// 20 per second plus the bucket's burst of 2.
	if n := c.maxPerSecond(); n > 22 {
		t.Errorf("%d new connections within one second, global limit 20/s", n)
	}
}

// TestURLTargetScansItsSite: a URL with no port list asked for scans its
// site (its port, and 80/443 of the host), not the host's default ports;
// an address target of the same scan would.
func TestURLTargetScansItsSite(t *testing.T) {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html></html>")) }))
	defer site.Close()
	other, err := net.Listen("tcp", "127.0.0.1:8081") // in the default list
	if err != nil {
		t.Skipf("port 8081 is taken here: %v", err)
	}
	defer other.Close()
	var touched atomic.Int64
	go func() {
		for {
			c, err := other.Accept()
			if err != nil {
				return
			}
			touched.Add(1)
			c.Close()
		}
	}()
	run(t, scan.Config{PerHostRate: 1000, PerHostConnRate: 1000, Checks: []string{"port", "http"}}, site.URL+"/")
	if touched.Load() != 0 {
		t.Errorf("a URL target scanned another port of its host (%d connections to 8081)", touched.Load())
	}
}

// TestUnreachableTargets: a name that does not resolve is reported per
// target; an address whose ports only refuse connections answered (a RST
// is an answer: the host is up, nothing is open) and was scanned to the
// end, and so were a range's addresses. A host on which nothing answers at
// all is TestFilteredHost's (it needs root to drop packets).
func TestUnreachableTargets(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var done []string
	cfg := scan.Config{Ports: []int{closed}, PerHostConnRate: 1000, Resolver: "127.0.0.1:9", Checks: []string{"port"},
		HostDone: func(addr string, _ []string) { done = append(done, addr) }}
	_, sum := run(t, cfg, "127.0.0.1", "khong-ton-tai.invalid", "127.0.0.8/30")
	if len(sum.Unreachable) != 1 || sum.Unreachable[0].Host != "khong-ton-tai.invalid" {
		t.Errorf("unreachable %v, want the name only", sum.Unreachable)
	}
	slices.Sort(done)
	if !slices.Equal(done, []string{"127.0.0.1", "127.0.0.10", "127.0.0.9"}) {
		t.Errorf("hosts scanned to the end %v, want the address and the range's two", done)
	}
}

// TestServiceOnUnusualPort: the engine identifies a service by what it
// answers on a port that hints nothing, and checks it as on its own port,
// every probe through the host's limits (at most 2 connections at once).
func TestServiceOnUnusualPort(t *testing.T) {
	var mu sync.Mutex
	open, peak := 0, 0
	port := listeners(t, "127.0.0.1", 1, func(_ int, c net.Conn) {
		mu.Lock()
		open++
		peak = max(peak, open)
		mu.Unlock()
		go func() {
			defer func() { mu.Lock(); open--; mu.Unlock(); c.Close() }()
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				reply := "-ERR unknown command\r\n"
				if strings.HasPrefix(string(buf[:n]), "INFO") {
					body := "# Server\r\nredis_version:6.2.6\r\n"
					reply = "$" + strconv.Itoa(len(body)) + "\r\n" + body + "\r\n"
				}
				if _, err := c.Write([]byte(reply)); err != nil {
					return
				}
			}
		}()
	})[0]
	fs, _ := run(t, scan.Config{Ports: []int{port}, Checks: []string{"port", "service"}}, "127.0.0.1")
	for _, id := range []string{"port.risky-service", "service.unauthenticated", "service.vulnerable-version"} {
		if !slices.Contains(ids(fs), id) {
			t.Errorf("%s did not fire on port %d; got %v", id, port, ids(fs))
		}
	}
	if peak > 2 {
		t.Errorf("%d connections open at once, limit 2", peak)
	}
}
