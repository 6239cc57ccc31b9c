package scan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// bucket is a token bucket: rate tokens per second, at most burst saved up.
// A nil bucket or a zero rate never waits.
type bucket struct {
	mu       sync.Mutex
	rate     float64
	burst    float64
	tokens   float64
	last     time.Time
	released time.Time // when the last token was let out (burst 1 only)
}

func newBucket(rate float64, burst int) *bucket {
	if rate <= 0 {
		return nil
	}
	b := float64(max(burst, 1))
	return &bucket{rate: rate, burst: b, tokens: b, last: time.Now()}
}

// wait takes one token, sleeping until one is available or ctx ends.
func (b *bucket) wait(ctx context.Context) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens--
	var delay time.Duration
	if b.tokens < 0 {
		delay = time.Duration(-b.tokens / b.rate * float64(time.Second))
	}
	b.mu.Unlock()
	if err := sleep(ctx, delay); err != nil {
		return err
	}
	return b.pace(ctx)
}

// pace keeps the tokens of a bucket without burst at least 1/rate apart as
// they are let out. Tokens are due on a schedule, and a waiter woken late on
// a busy machine would leave right before the next one: the host would see
// more than rate attempts in some second.
func (b *bucket) pace(ctx context.Context) error {
	for {
		b.mu.Lock()
		if b.burst > 1 {
			b.mu.Unlock()
			return nil
		}
		now := time.Now()
		early := b.released.Add(time.Duration(float64(time.Second) / b.rate)).Sub(now)
		if early <= 0 {
			b.released = now
			b.mu.Unlock()
			return nil
		}
		b.mu.Unlock()
		if err := sleep(ctx, early); err != nil {
			return err
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// slowDown halves the rate; used when a host starts failing.
func (b *bucket) slowDown() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.rate /= 2
	b.mu.Unlock()
}

// Back-off thresholds: after slowAfter consecutive failures the host's
// request rate halves (again after each further slowAfter), and after
// stopAfter it is no longer scanned.
const (
	slowAfter = 3
	stopAfter = 9
)

// errHostStopped is returned by every dial once a host has been given up.
var errHostStopped = errors.New("host stopped after repeated failures")

// globalBurst bounds how many new connections the global rate lets out at
// once: 10 ms worth, so that a scan of many hosts starts smoothly instead of
// with thousands of simultaneous SYNs.
func globalBurst(rate float64) int { return max(int(rate/100), 1) }

// hostLimiter enforces the do-no-harm limits for one IP address across all
// checks: at most perHost open connections, at most connRate new connection
// attempts and rate application requests per second, the HTTP request
// budget, and back-off on failures.
type hostLimiter struct {
	addr     netip.Addr
	slots    chan struct{}
	rate     *bucket // per-host requests per second
	connRate *bucket // per-host new connection attempts per second, shared with DNS
	global   *bucket // shared new-connection rate
	timeout  time.Duration
	budget   atomic.Int64 // HTTP requests still allowed
	requests atomic.Int64 // HTTP requests sent

	mu         sync.Mutex
	fails      int
	stopReason check.Text
	stop       context.CancelCauseFunc
	idle       []func() // close idle keep-alive connections holding slots
}

func newHostLimiter(addr netip.Addr, cfg *Config, connRate, global *bucket, stop context.CancelCauseFunc) *hostLimiter {
	h := &hostLimiter{
		addr:     addr,
		slots:    make(chan struct{}, cfg.PerHost),
		rate:     newBucket(cfg.PerHostRate, 1),
		connRate: connRate,
		global:   global,
		timeout:  cfg.Timeout,
		stop:     stop,
	}
	h.budget.Store(int64(cfg.HTTPBudget))
	return h
}

// acquire takes a connection slot. Idle keep-alive connections hold slots,
// so while waiting it keeps asking the HTTP transports to close them.
func (h *hostLimiter) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		h.mu.Lock()
		idle := h.idle
		h.mu.Unlock()
		for _, closeIdle := range idle {
			closeIdle()
		}
		select {
		case h.slots <- struct{}{}:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-tick.C:
		}
	}
}

// connect opens a TCP connection to port under the connection limits only.
// Every attempt counts, refused ones too: a closed port is as much load on
// the host's firewall as an open one.
func (h *hostLimiter) connect(ctx context.Context, port int) (net.Conn, error) {
	c, _, err := h.probe(ctx, port, h.timeout)
	return c, err
}

// probe is connect with the handshake timeout given, returning how long the
// handshake took once the limits let the attempt out; the port scan adapts
// its timeout to it.
func (h *hostLimiter) probe(ctx context.Context, port int, timeout time.Duration) (net.Conn, time.Duration, error) {
	if !h.stopped().IsZero() {
		return nil, 0, errHostStopped
	}
	if err := h.acquire(ctx); err != nil {
		return nil, 0, err
	}
	// Tokens are taken while holding the slot: taken before it, they would
	// pile up and let several attempts out together when slots free.
	if err := h.connRate.wait(ctx); err != nil {
		<-h.slots
		return nil, 0, err
	}
	if err := h.global.wait(ctx); err != nil {
		<-h.slots
		return nil, 0, err
	}
	d := net.Dialer{Timeout: timeout}
	start := time.Now()
	c, err := d.DialContext(ctx, "tcp", netip.AddrPortFrom(h.addr, uint16(port)).String())
	rtt := time.Since(start)
	if err != nil {
		<-h.slots
		return nil, rtt, err
	}
	return &slotConn{Conn: c, release: func() { <-h.slots }}, rtt, nil
}

// packet takes the tokens of one UDP datagram to the host: to its firewall
// it is a new flow like a connection attempt, so it counts against the same
// per-host and global connection rates.
func (h *hostLimiter) packet(ctx context.Context) error {
	if !h.stopped().IsZero() {
		return errHostStopped
	}
	if err := h.connRate.wait(ctx); err != nil {
		return err
	}
	return h.global.wait(ctx)
}

// dial is the Env.Dial of a host: one application request (a service probe
// or TLS handshake), so it also takes a per-host rate token. Only the port
// of addr is used: connections always go to the scanned address, whatever
// a name resolves to.
func (h *hostLimiter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if err := h.rate.wait(ctx); err != nil {
		return nil, err
	}
	c, err := h.connectAddr(ctx, network, addr)
	h.record(err, 0)
	return c, err
}

// connectAddr is connect for a "host:port" address; the HTTP transport uses
// it (its requests take their rate token in limitedTransport).
func (h *hostLimiter) connectAddr(ctx context.Context, _, addr string) (net.Conn, error) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port: %w", addr, err)
	}
	c, err := h.connect(ctx, port)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	return c, nil
}

// record feeds the back-off: timeouts and 429/503 answers are failures,
// anything else resets the count. Refused connections say nothing about load.
func (h *hostLimiter) record(err error, status int) {
	var ne net.Error
	failed := (err != nil && errors.As(err, &ne) && ne.Timeout()) || status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
	h.mu.Lock()
	defer h.mu.Unlock()
	if !failed {
		if err == nil {
			h.fails = 0
		}
		return
	}
	h.fails++
	switch {
	case h.fails >= stopAfter && h.stopReason.IsZero():
		h.stopReason = check.Evidencef("%d consecutive failures (timeouts, HTTP 429/503)", h.fails)
		h.stop(errHostStopped)
	case h.fails%slowAfter == 0:
		h.rate.slowDown()
	}
}

func (h *hostLimiter) stopped() check.Text {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopReason
}

func (h *hostLimiter) onIdle(f func()) {
	h.mu.Lock()
	h.idle = append(h.idle, f)
	h.mu.Unlock()
}

// slotConn gives its connection slot back exactly once, on Close.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// errBudget is returned once a host's HTTP request budget is spent.
var errBudget = errors.New("HTTP request budget for this host is spent")

// limitedTransport applies the per-host request rate, the request budget,
// the User-Agent and the back-off to every HTTP request.
type limitedTransport struct {
	h         *hostLimiter
	base      http.RoundTripper
	userAgent string
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.h.budget.Add(-1) < 0 {
		return nil, errBudget
	}
	if err := t.h.rate.wait(req.Context()); err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", t.userAgent)
	}
	t.h.requests.Add(1)
	resp, err := t.base.RoundTrip(req)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	t.h.record(err, status)
	return resp, err
}

// connRates holds the per-host new-connection bucket of every address the
// scan contacts, so that a host scanned as a target and asked DNS queries
// as a name server has one limit for both.
type connRates struct {
	rate    float64
	global  *bucket
	mu      sync.Mutex
	buckets map[netip.Addr]*bucket
}

func (c *connRates) of(a netip.Addr) *bucket {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[a]
	if !ok {
		b = newBucket(c.rate, 1)
		c.buckets[a] = b
	}
	return b
}

// wait takes a connection token for server (HOST:PORT or an address) and
// one from the global rate; used for DNS queries and zone transfers.
func (c *connRates) wait(ctx context.Context, server string) error {
	host := server
	if h, _, err := net.SplitHostPort(server); err == nil {
		host = h
	}
	// A resolver given by name has no address to key on yet; the global
	// rate still applies.
	if a, err := netip.ParseAddr(host); err == nil {
		if err := c.of(a.Unmap()).wait(ctx); err != nil {
			return err
		}
	}
	return c.global.wait(ctx)
}
