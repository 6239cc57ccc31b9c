package portscan

import (
	"context"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestTop(t *testing.T) {
	for _, n := range []int{100, 1000, 1500} {
		ports := Top(n)
		if len(ports) != n {
			t.Errorf("Top(%d) has %d ports", n, len(ports))
		}
		seen := map[int]bool{}
		for _, p := range ports {
			if seen[p] || p < 1 || p > 65535 {
				t.Errorf("Top(%d): bad or repeated port %d", n, p)
			}
			seen[p] = true
		}
	}
	if !slices.Equal(Top(1000)[:100], Top(100)) {
		t.Error("top1000 does not start with top100")
	}
	if got := len(Top(70000)); got != 65535 {
		t.Errorf("Top(70000) has %d ports", got)
	}
}

// TestListFile checks ports.csv against what docs/scanner.md says of it:
// 100 top100 lines first, 900 more for top1000, every port with a known
// source, the System Port fill ascending and last, and top1000 holding
// every System Port that IANA assigns to a TCP service.
func TestListFile(t *testing.T) {
	if len(ranked) != 1000 {
		t.Fatalf("ports.csv has %d ports, want 1000", len(ranked))
	}
	lastFill := 0
	for i, e := range ranked {
		wantList := 1000
		if i < 100 {
			wantList = 100
		}
		if e.list != wantList {
			t.Errorf("line %d (port %d): list %d, top100 must be the first 100 lines", i+1, e.port, e.list)
		}
		fill := slices.Contains(e.sources, "iana-system")
		switch {
		case fill && (e.port > 1023 || e.port < lastFill || unassignedSystemPort(e.port)):
			t.Errorf("port %d: the System Port fill must be IANA-assigned System Ports, ascending", e.port)
		case fill:
			lastFill = e.port
		case lastFill > 0:
			t.Errorf("port %d: a sourced port after the System Port fill", e.port)
		}
		for _, s := range e.sources {
			if !slices.Contains(sourceTags, s) {
				t.Errorf("port %d: unknown source %q", e.port, s)
			}
		}
	}
	top := Top(1000)
	for p := 1; p <= 1023; p++ {
		if !unassignedSystemPort(p) && !slices.Contains(top, p) {
			t.Errorf("top1000 lacks System Port %d, which IANA assigns to a TCP service", p)
		}
	}
}

// sourceTags are the sources ports.csv may name (its header explains them).
var sourceTags = []string{"iana", "r7", "censys", "ss", "aisi", "cisa", "vn", "lzr", "vendor", "khien", "iana-system"}

// unassignedSystemPort reports whether the IANA registry has no TCP service
// name for a System Port: unassigned, reserved, removed or de-registered,
// "any private" use, or assigned over UDP only (read from the registry).
func unassignedSystemPort(p int) bool {
	for _, r := range [][2]int{
		{4, 4}, {6, 6}, {8, 8}, {10, 10}, {12, 12}, {14, 16}, {24, 24}, {26, 26}, {28, 28}, {30, 30},
		{32, 32}, {34, 36}, {40, 40}, {47, 47}, {51, 51}, {57, 57}, {59, 61}, {75, 75}, {77, 77}, {81, 81},
		{87, 87}, {100, 100}, {114, 114}, {225, 241}, {249, 255}, {258, 258}, {270, 270}, {272, 279}, {285, 285}, {288, 307},
		{325, 332}, {334, 343}, {359, 359}, {585, 585}, {659, 659}, {703, 703}, {708, 708}, {716, 728}, {732, 740}, {743, 743},
		{745, 746}, {755, 757}, {766, 766}, {768, 768}, {778, 779}, {781, 799}, {803, 809}, {811, 827}, {834, 846}, {849, 852},
		{855, 859}, {863, 872}, {874, 885}, {889, 899}, {904, 909}, {914, 952}, {954, 988}, {994, 994}, {1002, 1009}, {1011, 1020},
		{1023, 1023},
	} {
		if p >= r[0] && p <= r[1] {
			return true
		}
	}
	return false
}

func TestParseList(t *testing.T) {
	tests := []struct {
		text    string
		wantErr bool
	}{
		{"# comment\n\n80,100,http,iana;r7\n", false},
		{"80,100,http\n", true},
		{"0,100,x,iana\n", true},
		{"80,50,http,iana\n", true},
		{"80,100,http,\n", true},
	}
	for _, tt := range tests {
		if _, err := parseList(tt.text); (err != nil) != tt.wantErr {
			t.Errorf("parseList(%q) error %v", tt.text, err)
		}
	}
}

func FuzzParseList(f *testing.F) {
	f.Add("80,100,http,iana;r7\n# x\n")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := parseList(s)
		if err != nil {
			return
		}
		for _, e := range l {
			if e.port < 1 || e.port > 65535 || len(e.sources) == 0 {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		spec    string
		n       int
		first   int
		wantErr bool
	}{
		{"top100", 100, 80, false},
		{"top1000", 1000, 80, false},
		{"", 1000, 80, false},
		{"22,80,443", 3, 22, false},
		{"8000-8010,22,8005", 12, 8000, false},
		{"all", 65535, 1, false},
		{"0", 0, 0, true},
		{"10-5", 0, 0, true},
		{"http", 0, 0, true},
		{"70000", 0, 0, true},
	}
	for _, tt := range tests {
		got, err := ParsePorts(tt.spec)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParsePorts(%q) error %v", tt.spec, err)
			continue
		}
		if !tt.wantErr && (len(got) != tt.n || got[0] != tt.first) {
			t.Errorf("ParsePorts(%q) = %d ports starting %d, want %d starting %d", tt.spec, len(got), got[0], tt.n, tt.first)
		}
	}
}

func FuzzParsePorts(f *testing.F) {
	f.Add("22,80,8000-8100")
	f.Add("top100")
	f.Fuzz(func(t *testing.T, s string) {
		ports, err := ParsePorts(s)
		if err == nil && len(ports) == 0 {
			t.Fatal("no error and no ports")
		}
	})
}

// dialLoopback is a ConnectFunc to 127.0.0.1 without limits.
func dialLoopback(ctx context.Context, port int, timeout time.Duration) (net.Conn, time.Duration, error) {
	d := net.Dialer{Timeout: timeout}
	start := time.Now()
	c, err := d.DialContext(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port))
	return c, time.Since(start), err
}

func TestScan(t *testing.T) {
	var open []int
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		open = append(open, ln.Addr().(*net.TCPAddr).Port)
	}
	// A port that was just free is very likely closed.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	got := Scan(context.Background(), dialLoopback, append([]int{closed}, open...), Options{Workers: 2, Timeout: time.Second, MinTimeout: 200 * time.Millisecond, Discovery: 1})
	slices.Sort(open)
	if !slices.Equal(got.Open, open) || !got.Answered || got.Tried != 4 {
		t.Errorf("scan %+v, want open %v, answered, 4 tried", got, open)
	}
}

// fakeHost answers connect attempts without a network: each port is open,
// closed (refused) or filtered (times out at once), every answer after rtt.
type fakeHost struct {
	open, closed []int
	rtt          time.Duration
	mu           sync.Mutex
	timeouts     map[int]time.Duration // the timeout each port was tried with
}

func (f *fakeHost) connect(_ context.Context, port int, timeout time.Duration) (net.Conn, time.Duration, error) {
	f.mu.Lock()
	f.timeouts[port] = timeout
	f.mu.Unlock()
	switch {
	case slices.Contains(f.open, port):
		a, b := net.Pipe()
		b.Close()
		return a, f.rtt, nil
	case slices.Contains(f.closed, port):
		return nil, f.rtt, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return nil, timeout, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
}

func TestScanDiscovery(t *testing.T) {
	ports := rangeOf(1, 50)
	tests := []struct {
		name         string
		open, closed []int
		discovery    int
		wantTried    int
		wantAnswered bool
	}{
		{"filtered host stops after discovery", nil, nil, 10, 10, false},
		{"filtered host with assume-up", nil, nil, 0, 50, false},
		{"a refusal among the first ports: host up", nil, []int{7}, 10, 50, true},
		{"open port past discovery is not seen on a silent host", []int{40}, nil, 10, 10, false},
		{"open port among the first", []int{3, 40}, nil, 10, 50, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &fakeHost{open: tt.open, closed: tt.closed, rtt: time.Millisecond, timeouts: map[int]time.Duration{}}
			got := Scan(context.Background(), h.connect, ports, Options{Workers: 2, Timeout: 5 * time.Second, MinTimeout: 200 * time.Millisecond, Discovery: tt.discovery})
			if got.Tried != tt.wantTried || got.Answered != tt.wantAnswered {
				t.Errorf("tried %d answered %v, want %d %v", got.Tried, got.Answered, tt.wantTried, tt.wantAnswered)
			}
			if tt.wantAnswered && !slices.Equal(got.Open, tt.open) {
				t.Errorf("open %v, want %v", got.Open, tt.open)
			}
		})
	}
}

// TestScanAdaptiveTimeout: before a round trip is measured the full timeout
// applies; once the host has answered quickly, filtered ports wait the
// minimum.
func TestScanAdaptiveTimeout(t *testing.T) {
	h := &fakeHost{closed: []int{1}, rtt: time.Millisecond, timeouts: map[int]time.Duration{}}
	got := Scan(context.Background(), h.connect, rangeOf(1, 20), Options{Workers: 1, Timeout: 5 * time.Second, MinTimeout: 200 * time.Millisecond, Discovery: 10})
	if h.timeouts[1] != 5*time.Second {
		t.Errorf("first attempt timeout %v, want the full 5s", h.timeouts[1])
	}
	for p := 2; p <= 20; p++ {
		if h.timeouts[p] != 200*time.Millisecond {
			t.Errorf("port %d tried with timeout %v, want 200ms", p, h.timeouts[p])
		}
	}
	if got.Filtered != 19 || got.Timeout != 200*time.Millisecond {
		t.Errorf("filtered %d timeout %v", got.Filtered, got.Timeout)
	}
}

func TestRTTEstimator(t *testing.T) {
	tests := []struct {
		samples []time.Duration
		want    time.Duration
	}{
		{nil, 5 * time.Second},
		{[]time.Duration{time.Millisecond}, 200 * time.Millisecond},                               // 1ms+4*0.5ms, raised to the minimum
		{[]time.Duration{100 * time.Millisecond}, 300 * time.Millisecond},                         // 100ms + 4*50ms
		{[]time.Duration{100 * time.Millisecond, 100 * time.Millisecond}, 250 * time.Millisecond}, // variance shrinks
		{[]time.Duration{3 * time.Second}, 5 * time.Second},                                       // capped
	}
	for _, tt := range tests {
		e := rttEstimator{min: 200 * time.Millisecond, max: 5 * time.Second}
		for _, r := range tt.samples {
			e.observe(r)
		}
		if got := e.timeout(); got != tt.want {
			t.Errorf("samples %v: timeout %v, want %v", tt.samples, got, tt.want)
		}
	}
}

func TestMerge(t *testing.T) {
	if got := Merge([]int{80, 443, 80}, 443, 8443, 0); !slices.Equal(got, []int{80, 443, 8443}) {
		t.Errorf("Merge = %v", got)
	}
}

// BenchmarkScanTop1000 scans the top1000 list on loopback with 20 listening
// ports, two connections at a time (the default per-host limit).
func BenchmarkScanTop1000(b *testing.B) {
	ports := Top(1000)
	for _, p := range ports[:20] {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue // in use by something else: still open
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	for b.Loop() {
		if r := Scan(context.Background(), dialLoopback, ports, Options{Workers: 2, Timeout: time.Second, Discovery: 10}); len(r.Open) < 20 {
			b.Fatalf("%d open ports", len(r.Open))
		}
	}
}
