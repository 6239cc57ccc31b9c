// Package scan is Khiên's scanning engine. Run takes targets and a Config
// and streams findings to a callback while keeping the do-no-harm limits:
// per-host connection and request-rate limits shared by all checks, a global
// new-connection rate, timeouts, capped response bodies, an HTTP request
// budget per web host, back-off from failing hosts and exclusions that
// always win. The check families live in sub-packages named by concern.
package scan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/content"
	"github.com/khien/khien/internal/scan/dnscheck"
	"github.com/khien/khien/internal/scan/exposure"
	"github.com/khien/khien/internal/scan/fingerprint"
	"github.com/khien/khien/internal/scan/httpcheck"
	"github.com/khien/khien/internal/scan/portscan"
	"github.com/khien/khien/internal/scan/service"
	"github.com/khien/khien/internal/scan/tlscheck"
	"github.com/khien/khien/internal/scan/udpcheck"
	"github.com/khien/khien/internal/vulndb"
)

// Finding is re-exported so that callers of the engine need one import.
type Finding = check.Finding

// Profiles.
const (
	ProfileSafe     = "safe"
	ProfileThorough = "thorough"
)

// DefaultUserAgent names Khiên so that administrators recognise the scan.
const DefaultUserAgent = "Mozilla/5.0 (compatible; Khien-Scanner/1.0; +https://khien.vn/scanner)"

// Config controls a scan. The zero value of a field means its default.
type Config struct {
	Profile     string   // ProfileSafe (default) or ProfileThorough
	Ports       []int    // default portscan.Top(1000)
	Checks      []string // check IDs or tags to run (default all)
	SkipChecks  []string // check IDs or tags not to run
	Exclusions  Exclusions
	Rate        float64 // new connections per second, all hosts together (default 10000; <0 unlimited)
	PerHost     int     // concurrent connections per host (default 2)
	PerHostRate float64 // requests per second per host (default 5; <0 unlimited)
	// PerHostConnRate is new connection attempts per second per host, closed
	// ports, DNS queries and zone transfers included (default 20; <0 unlimited).
	PerHostConnRate float64
	Timeout         time.Duration // connect and read timeout (default 5s)
	// AssumeUp scans every port of a host even when none of the first
	// (discoveryPorts) answers; by default such a host is reported
	// unreachable after them.
	AssumeUp   bool
	Resolver   string // DNS server HOST:PORT for name resolution and DNS checks
	UserAgent  string
	VulnDB     *vulndb.DB // default vulndb.Builtin()
	Lang       string     // "vi" (default) or "en" finding titles
	RootCAs    *x509.CertPool
	HTTPBudget int // HTTP requests per web host (default 150 safe, 400 thorough)
	Parallel   int // hosts scanned at the same time (default 64)
	// NameServerPort is the port zone transfers are tried on (default 53).
	NameServerPort int
	Now            func() time.Time
	Logger         *slog.Logger
	// Progress, when set, is called after each host or domain is done.
	Progress func(done, total int)
	// HostDone, when set, is called once a host has been scanned to the end
	// (not when the scan was cancelled part way), with its address and the
	// names that led to it: what lets a caller verify that host's findings
	// and resume a scan after it.
	HostDone func(addr string, names []string)

	// udpPorts overrides where the UDP probes go, by check ID: tests run
	// their services on free ports.
	udpPorts map[string]int
}

func (c *Config) setDefaults() error {
	switch c.Profile {
	case "":
		c.Profile = ProfileSafe
	case ProfileSafe, ProfileThorough:
	default:
		return fmt.Errorf("unknown profile %q (want safe or thorough)", c.Profile)
	}
	if c.Ports == nil {
		c.Ports = portscan.Top(1000)
	}
	if c.Rate == 0 {
		c.Rate = 10000
	}
	if c.PerHost <= 0 {
		c.PerHost = 2
	}
	if c.PerHostRate == 0 {
		c.PerHostRate = 5
	}
	if c.PerHostConnRate == 0 {
		c.PerHostConnRate = 20
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.VulnDB == nil {
		c.VulnDB = vulndb.Builtin()
	}
	if c.Lang == "" {
		c.Lang = "vi"
	}
	if c.HTTPBudget <= 0 {
		c.HTTPBudget = 150
		if c.Profile == ProfileThorough {
			c.HTTPBudget = 400
		}
	}
	if c.Parallel <= 0 {
		c.Parallel = 64
	}
	if c.NameServerPort == 0 {
		c.NameServerPort = 53
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c.selection().Validate()
}

func (c *Config) selection() check.Selection {
	return check.Selection{Thorough: c.Profile == ProfileThorough, Include: c.Checks, Exclude: c.SkipChecks}
}

// Note is a host the scan skipped or gave up, with the reason.
type Note struct {
	Host   string `json:"host"`
	Reason string `json:"reason"`
}

// Summary tells how a scan went.
type Summary struct {
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at"`
	Hosts    int       `json:"hosts"`
	Domains  int       `json:"domains"`
	Findings int       `json:"findings"`
	Stopped  []Note    `json:"hosts_stopped"`
	Skipped  []Note    `json:"hosts_skipped"`
	// Unreachable are the targets given that could not be scanned: a name
	// that does not resolve, a host on which no port answered, neither
	// accepting nor refusing, and no UDP probe (addresses of a range that
	// answer nothing are not listed: most of a range is empty).
	Unreachable []Note `json:"targets_unreachable"`
	Interrupted bool   `json:"interrupted"`
}

// hostJob is one IP address to scan with the names and URLs that led to it.
type hostJob struct {
	addr   netip.Addr
	input  string
	names  []string
	ports  []int
	starts map[int]string // start path per port from URL targets
	// wholeHost: a target named the host itself (a name or an address),
	// not only sites on it (URLs).
	wholeHost bool
}

type runner struct {
	cfg    Config
	sel    check.Selection
	global *bucket
	conns  *connRates
	emit   func(Finding)

	mu       sync.Mutex
	seen     map[string]bool
	summary  Summary
	done     int
	total    int
	resolver *net.Resolver
	axfrs    map[string]bool // zone transfers tried, by zone and server
	// defaultPorts: no port list was asked for, so a host named only by
	// URLs is scanned at its sites' ports, not at the default list.
	defaultPorts bool
}

// Run scans targets and calls emit for every finding, from one goroutine at
// a time. It returns when the scan is complete or ctx is cancelled; what was
// found until then has been emitted either way.
func Run(ctx context.Context, cfg Config, targets []Target, emit func(Finding)) (Summary, error) {
	defaultPorts := cfg.Ports == nil
	if err := cfg.setDefaults(); err != nil {
		return Summary{}, err
	}
	global := newBucket(cfg.Rate, globalBurst(cfg.Rate))
	r := &runner{cfg: cfg, sel: cfg.selection(), global: global, emit: emit, seen: map[string]bool{}, axfrs: map[string]bool{}, defaultPorts: defaultPorts}
	r.conns = &connRates{rate: cfg.PerHostConnRate, global: global, buckets: map[netip.Addr]*bucket{}}
	r.summary.Started = cfg.Now().UTC()
	r.resolver = newResolver(cfg.Resolver, cfg.Timeout, r.conns.wait)

	jobs, domains := r.plan(ctx, targets)
	r.total = len(jobs) + len(domains)
	r.summary.Hosts, r.summary.Domains = len(jobs), len(domains)

	work := make(chan func(), r.total)
	for _, d := range domains {
		work <- func() { r.scanDomain(ctx, d) }
	}
	for _, j := range jobs {
		work <- func() { r.scanHost(ctx, j) }
	}
	close(work)
	var wg sync.WaitGroup
	for range min(cfg.Parallel, max(r.total, 1)) {
		wg.Go(func() {
			for f := range work {
				if ctx.Err() != nil {
					continue
				}
				f()
				r.progress()
			}
		})
	}
	wg.Wait()
	r.summary.Finished = cfg.Now().UTC()
	r.summary.Interrupted = ctx.Err() != nil
	return r.summary, nil
}

func (r *runner) progress() {
	r.mu.Lock()
	r.done++
	done, total := r.done, r.total
	r.mu.Unlock()
	if r.cfg.Progress != nil {
		r.cfg.Progress(done, total)
	}
}

// send serialises emission and drops repeats of the same issue.
func (r *runner) send(f Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[f.CheckID+f.Fingerprint] {
		return
	}
	r.seen[f.CheckID+f.Fingerprint] = true
	r.summary.Findings++
	r.emit(f)
}

func (r *runner) note(list *[]Note, host string, reason check.Text) {
	r.mu.Lock()
	*list = append(*list, Note{Host: host, Reason: reason.In(r.cfg.Lang)})
	r.mu.Unlock()
	r.cfg.Logger.Warn("host not scanned further", "host", host, "reason", reason.String())
}

// plan resolves names, applies exclusions and groups targets by address.
func (r *runner) plan(ctx context.Context, targets []Target) ([]*hostJob, []Target) {
	byAddr := map[netip.Addr]*hostJob{}
	var order []netip.Addr
	var domains []Target
	seenDomain := map[string]bool{}
	resolved := r.resolveAll(ctx, targets)
	for _, t := range targets {
		if t.Name != "" && r.cfg.Exclusions.Name(t.Name) {
			r.note(&r.summary.Skipped, t.Name, check.Evidencef("excluded"))
			continue
		}
		addr := t.Addr
		if t.Name != "" {
			a, err := resolved[t.Name].addr, resolved[t.Name].err
			if err == nil && r.cfg.Exclusions.Addr(a) {
				r.note(&r.summary.Skipped, t.Name, check.Evidencef("excluded address %s", a))
				continue
			}
			// A name without addresses still has DNS records worth checking
			// (a dangling CNAME is exactly that).
			if !seenDomain[t.Name] {
				seenDomain[t.Name] = true
				domains = append(domains, t)
			}
			if err != nil {
				r.note(&r.summary.Unreachable, t.Name, check.Evidencef("cannot resolve: %s", err.Error()))
				continue
			}
			addr = a
		}
		if r.cfg.Exclusions.Addr(addr) {
			r.note(&r.summary.Skipped, t.Host(), check.Evidencef("excluded address %s", addr))
			continue
		}
		j := byAddr[addr]
		if j == nil {
			j = &hostJob{addr: addr, input: t.Input, starts: map[int]string{}}
			byAddr[addr] = j
			order = append(order, addr)
		}
		if t.Name != "" && !slices.Contains(j.names, t.Name) {
			j.names = append(j.names, t.Name)
		}
		if t.URL == nil {
			j.wholeHost = true
		}
		if t.Port != 0 {
			j.ports = append(j.ports, t.Port)
			if t.URL != nil && t.URL.Path != "" {
				j.starts[t.Port] = t.URL.RequestURI()
			}
		}
	}
	jobs := make([]*hostJob, 0, len(order))
	for _, a := range order {
		jobs = append(jobs, byAddr[a])
	}
	return jobs, domains
}

type lookupResult struct {
	addr netip.Addr
	err  error
}

// maxLookups bounds concurrent name resolutions while planning.
const maxLookups = 32

// resolveAll resolves the names of targets that are not excluded, several
// at a time: a long target list should not wait on one slow name.
func (r *runner) resolveAll(ctx context.Context, targets []Target) map[string]lookupResult {
	out := map[string]lookupResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxLookups)
	for _, t := range targets {
		if t.Name == "" || r.cfg.Exclusions.Name(t.Name) {
			continue
		}
		mu.Lock()
		_, dup := out[t.Name]
		out[t.Name] = lookupResult{}
		mu.Unlock()
		if dup {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			a, err := r.lookup(ctx, t.Name)
			mu.Lock()
			out[t.Name] = lookupResult{a, err}
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func (r *runner) lookup(ctx context.Context, name string) (netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	addrs, err := r.resolver.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return netip.Addr{}, err
	}
	if len(addrs) == 0 {
		return netip.Addr{}, errors.New("no addresses")
	}
	// Prefer IPv4: it is what public-sector networks route today.
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	return addrs[0], nil
}

func newResolver(server string, timeout time.Duration, wait func(context.Context, string) error) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		if err := wait(ctx, server); err != nil {
			return nil, err
		}
		d := net.Dialer{Timeout: timeout}
		return d.DialContext(ctx, network, server)
	}}
}

func (r *runner) newEnv(h *hostLimiter) *check.Env {
	env := &check.Env{
		Emit:      r.send,
		Checks:    r.sel,
		VulnDB:    r.cfg.VulnDB,
		Now:       r.cfg.Now,
		Timeout:   r.cfg.Timeout,
		RootCAs:   r.cfg.RootCAs,
		UserAgent: r.cfg.UserAgent,
		Lang:      r.cfg.Lang,
		Log:       r.cfg.Logger,
	}
	if h == nil {
		return env
	}
	env.Dial = h.dial
	tr := &http.Transport{
		DialContext:           h.connectAddr,
		TLSClientConfig:       service.ClientTLSConfig(""),
		TLSHandshakeTimeout:   r.cfg.Timeout,
		ResponseHeaderTimeout: r.cfg.Timeout,
		MaxConnsPerHost:       r.cfg.PerHost,
		IdleConnTimeout:       5 * time.Second,
		DisableCompression:    false,
		ForceAttemptHTTP2:     false,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{}, // HTTP/1.1 keeps request counting exact
	}
	// Let the transport pick SNI from each request's host name.
	tr.TLSClientConfig.ServerName = ""
	h.onIdle(tr.CloseIdleConnections)
	env.HTTP = &http.Client{
		Transport:     &limitedTransport{h: h, base: tr, userAgent: r.cfg.UserAgent},
		Timeout:       3 * r.cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return env
}

func (r *runner) scanHost(ctx context.Context, j *hostJob) {
	hctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	cfg := r.cfg
	cfg.HTTPBudget = r.cfg.HTTPBudget * max(len(j.names), 1)
	h := newHostLimiter(j.addr, &cfg, r.conns.of(j.addr), r.global, stop)
	env := r.newEnv(h)
	defer env.HTTP.CloseIdleConnections()

	primary := j.addr.String()
	if len(j.names) > 0 {
		primary = j.names[0]
	}
	base := check.Asset{Target: j.input, Host: primary, IP: j.addr.String()}

	// A URL scans its site: its port, and 80 and 443 of the same host for
	// the redirect and TLS checks; the port list is for hosts.
	portList := r.cfg.Ports
	if r.defaultPorts && !j.wholeHost {
		portList = []int{80, 443}
	}
	// A URL's own port is tried first: it is what the target names.
	ports := portscan.Merge(j.ports, portList...)
	scanned := portscan.Scan(hctx, h.probe, ports, r.portScanOptions())
	open := scanned.Open
	r.cfg.Logger.Debug("port scan done", "host", primary, "open", open, "tried", scanned.Tried, "filtered", scanned.Filtered, "timeout", scanned.Timeout)
	// The UDP probes mostly wait for answers that never come: they run
	// beside the TCP checks, under the same per-host limits.
	var udp sync.WaitGroup
	udpAnswered := 0
	if j.wholeHost && r.familyEnabled("udp") && hctx.Err() == nil {
		udp.Go(func() { udpAnswered = r.scanUDP(hctx, env, h, base) })
	}

	det := &service.Detector{Env: env, Addr: j.addr.String(), ServerName: primary}
	web := r.familyEnabled("http", "exposure", "tech", "content")
	services := r.identify(hctx, det, open)
	for _, info := range services {
		a := base
		a.Port = info.Port
		service.Report(env, a, info)
		det.CheckAnonymousFTP(hctx, a, info)
	}
	names := j.names
	if len(names) == 0 {
		names = []string{j.addr.String()}
	}
	for _, info := range services {
		for _, name := range names {
			if hctx.Err() != nil {
				break
			}
			a := base
			a.Host, a.Port = name, info.Port
			sn := name
			if len(j.names) == 0 {
				sn = ""
			}
			tt := tlscheck.Target{Asset: a, Addr: j.addr.String(), Port: info.Port, ServerName: sn}
			switch {
			case info.TLS:
				tlscheck.Check(hctx, env, tt)
			case info.Name == "smtp" || info.Name == "imap" || info.Name == "pop3":
				tt.StartTLS = info.Name // mail in clear text upgrades with STARTTLS
				tlscheck.Check(hctx, env, tt)
			}
			if info.IsHTTP() && web {
				r.scanSite(hctx, env, a, name, info, j.starts[info.Port])
			}
		}
	}
	udp.Wait()
	// A device that answers only over UDP (a switch with SNMP) was reached.
	answered := scanned.Answered || udpAnswered > 0
	if !answered && ctx.Err() == nil && !fromRange(j.input) {
		r.note(&r.summary.Unreachable, primary, check.Evidencef("no port answered (%d tried)", scanned.Tried))
	}
	reason := h.stopped()
	if !reason.IsZero() {
		r.note(&r.summary.Stopped, primary, reason)
	}
	// A host stopped part way was not scanned to the end: what it did not
	// show this time may still be there.
	// Nor was a host on which nothing answered: it may be down, not fixed.
	if r.cfg.HostDone != nil && ctx.Err() == nil && reason.IsZero() && answered {
		r.mu.Lock()
		r.cfg.HostDone(j.addr.String(), j.names)
		r.mu.Unlock()
	}
}

// identify names the service on each open port, in port order. Ports are
// probed side by side, as many at once as the host's connection limit
// allows (the limiter still decides when each connection opens), so a
// port that never answers does not hold up the others. A port whose turn
// comes after the scan was stopped is left out.
func (r *runner) identify(ctx context.Context, det *service.Detector, open []int) []service.Info {
	if !r.needsProbes() {
		services := make([]service.Info, 0, len(open))
		for _, p := range open {
			if ctx.Err() != nil {
				break
			}
			services = append(services, service.Guess(p))
		}
		return services
	}
	found := make([]service.Info, len(open))
	started := make([]bool, len(open))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(r.cfg.PerHost, len(open)) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() == nil {
					found[i], started[i] = det.Detect(ctx, open[i]), true
				}
			}
		})
	}
feed:
	for i := range open {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	services := make([]service.Info, 0, len(open))
	for i, info := range found {
		if started[i] {
			services = append(services, info)
		}
	}
	return services
}

// Host discovery and the adaptive connect timeout of the port scan: the
// first discoveryPorts ports of a host's list (the most likely open: web,
// SSH, FTP, Telnet, mail, RDP, SMB) decide whether it is up, and a filtered
// port on a live host waits a few measured round trips, at least
// minConnectTimeout, instead of the full --timeout.
const (
	discoveryPorts    = 10
	minConnectTimeout = 200 * time.Millisecond
)

func (r *runner) portScanOptions() portscan.Options {
	o := portscan.Options{Workers: r.cfg.PerHost, Timeout: r.cfg.Timeout, MinTimeout: min(minConnectTimeout, r.cfg.Timeout), Discovery: discoveryPorts}
	if r.cfg.AssumeUp {
		o.Discovery = 0
	}
	return o
}

// scanUDP sends the UDP probes to a host; a URL scans its site only, so
// only hosts named as such get them.
func (r *runner) scanUDP(ctx context.Context, env *check.Env, h *hostLimiter, a check.Asset) int {
	ports := r.cfg.udpPorts
	if ports == nil {
		ports = udpcheck.StandardPorts
	}
	c := &udpcheck.Client{Addr: h.addr, Timeout: min(r.cfg.Timeout, udpTimeout), Wait: h.packet}
	return udpcheck.Check(ctx, env, c, a, ports)
}

// udpTimeout bounds the wait for a UDP answer: a closed or filtered port
// says nothing, and silence is the usual answer.
const udpTimeout = 2 * time.Second

// fromRange reports whether a target came from a CIDR range.
func fromRange(input string) bool {
	return !strings.Contains(input, "://") && strings.Contains(input, "/")
}

// needsProbes reports whether any enabled check needs more than the port
// number: a port-only scan sends nothing but TCP handshakes, and the UDP
// probes need nothing from the TCP ports.
func (r *runner) needsProbes() bool {
	return slices.ContainsFunc(check.Catalog(), func(d check.Def) bool {
		return r.sel.Enabled(d.ID) && d.ID != "port.open" && d.ID != "port.risky-service" && !slices.Contains(d.Tags, "udp")
	})
}

// familyEnabled reports whether any enabled check carries one of tags.
func (r *runner) familyEnabled(tags ...string) bool {
	return slices.ContainsFunc(check.Catalog(), func(d check.Def) bool {
		return r.sel.Enabled(d.ID) && slices.ContainsFunc(d.Tags, func(t string) bool { return slices.Contains(tags, t) })
	})
}

// scanSite runs the web check families on one origin.
func (r *runner) scanSite(ctx context.Context, env *check.Env, a check.Asset, name string, info service.Info, start string) {
	scheme := "http"
	if info.TLS {
		scheme = "https"
	}
	origin := scheme + "://" + hostPort(name, info.Port, info.TLS)
	if start == "" {
		start = "/"
	}
	a.URL = origin + start
	site := &check.Site{Asset: a, Origin: origin, Name: name, HTTPS: info.TLS}
	first, last, err := env.Follow(ctx, a.URL, nil)
	if err != nil {
		r.cfg.Logger.Debug("start page unreachable", "url", a.URL, "err", err)
		return
	}
	site.First, site.Home = first, last
	if httpcheck.Check(ctx, env, site) == httpcheck.RedirectsToHTTPS {
		return // the HTTPS site gets the full treatment
	}
	fingerprint.Check(ctx, env, site)
	content.Check(ctx, env, site)
	exposure.Check(ctx, env, site)
}

func hostPort(name string, port int, https bool) string {
	if (https && port == 443) || (!https && port == 80) {
		if a, err := netip.ParseAddr(name); err == nil && a.Is6() {
			return "[" + name + "]"
		}
		return name
	}
	return net.JoinHostPort(name, strconv.Itoa(port))
}

func (r *runner) scanDomain(ctx context.Context, t Target) {
	env := r.newEnv(nil)
	a := check.Asset{Target: t.Input, Host: t.Name}
	cfg := dnscheck.Config{
		Server: r.cfg.Resolver, NameServerPort: r.cfg.NameServerPort, Timeout: r.cfg.Timeout, Excluded: r.cfg.Exclusions.Addr,
		Wait: r.conns.wait, FirstTransfer: r.firstTransfer,
	}
	dnscheck.Check(ctx, env, cfg, a, t.Name)
}

// firstTransfer lets each zone transfer be tried once per zone and name
// server in a scan, however many of the zone's names are targets.
func (r *runner) firstTransfer(zone, server string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := zone + " " + server
	if r.axfrs[k] {
		return false
	}
	r.axfrs[k] = true
	return true
}
