package portscan

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"syscall"
	"time"
)

// ConnectFunc opens a TCP connection to a port of the scanned host under the
// engine's limits, waiting at most timeout for the handshake once the limits
// let the attempt out. It returns how long the handshake took (until the
// SYN-ACK or the RST), without the time spent waiting for the limits.
type ConnectFunc func(ctx context.Context, port int, timeout time.Duration) (net.Conn, time.Duration, error)

// Options tune a port scan.
type Options struct {
	Workers int // parallel connection attempts
	// Timeout is the connect timeout before any round trip was measured on
	// the host, and the most the adaptive timeout grows to.
	Timeout time.Duration
	// MinTimeout is the least the adaptive timeout shrinks to.
	MinTimeout time.Duration
	// Discovery is how many ports, the first of the list, are tried before
	// the rest: when none of them answers (no handshake and no refusal),
	// the host is taken as down and the rest is not tried. 0 tries every
	// port whatever the first ones say.
	Discovery int
}

// Result is what a port scan found.
type Result struct {
	Open []int // open ports, ascending
	// Answered: some port completed a handshake or refused the connection
	// (a RST), so the host is up.
	Answered bool
	Tried    int           // ports tried
	Filtered int           // ports that timed out
	Timeout  time.Duration // the connect timeout at the end of the scan
}

// Scan probes ports and returns what answered. A port is open when the
// handshake completes; refused attempts are closed and timed-out ones
// filtered. The connect timeout adapts to the round-trip times measured on
// the host (RFC 6298 smoothing), so that a filtered port on a live host
// costs a few round trips rather than the full timeout.
func Scan(ctx context.Context, connect ConnectFunc, ports []int, o Options) Result {
	s := &scanner{connect: connect, rtt: rttEstimator{min: o.MinTimeout, max: o.Timeout}}
	first := ports
	if o.Discovery > 0 && o.Discovery < len(ports) {
		first = ports[:o.Discovery]
	}
	s.run(ctx, first, o.Workers)
	if s.res.Answered || o.Discovery == 0 {
		s.run(ctx, ports[len(first):], o.Workers)
	}
	slices.Sort(s.res.Open)
	s.res.Timeout = s.rtt.timeout()
	return s.res
}

type scanner struct {
	connect ConnectFunc
	rtt     rttEstimator
	mu      sync.Mutex
	res     Result
}

func (s *scanner) run(ctx context.Context, ports []int, workers int) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for p := range jobs {
				s.try(ctx, p)
			}
		})
	}
feed:
	for _, p := range ports {
		select {
		case jobs <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}

func (s *scanner) try(ctx context.Context, port int) {
	c, rtt, err := s.connect(ctx, port, s.rtt.timeout())
	if ctx.Err() != nil {
		if c != nil {
			c.Close()
		}
		return
	}
	open := err == nil
	if open {
		c.Close()
	}
	refused := errors.Is(err, syscall.ECONNREFUSED)
	var ne net.Error
	timedOut := errors.As(err, &ne) && ne.Timeout()
	if open || refused {
		s.rtt.observe(rtt)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.res.Tried++
	if open {
		s.res.Open = append(s.res.Open, port)
	}
	s.res.Answered = s.res.Answered || open || refused
	if timedOut {
		s.res.Filtered++
	}
}

// rttEstimator is the retransmission-timeout estimate of RFC 6298 over the
// handshakes measured on one host, bounded by min and max; max until the
// first measurement.
type rttEstimator struct {
	mu          sync.Mutex
	min, max    time.Duration
	srtt, rttvr time.Duration
	samples     int
}

func (e *rttEstimator) observe(r time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.samples == 0 {
		e.srtt, e.rttvr = r, r/2
	} else {
		e.rttvr = (3*e.rttvr + (e.srtt - r).Abs()) / 4
		e.srtt = (7*e.srtt + r) / 8
	}
	e.samples++
}

func (e *rttEstimator) timeout() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.samples == 0 || e.max <= 0 {
		return e.max
	}
	return min(max(e.srtt+4*e.rttvr, e.min), e.max)
}
