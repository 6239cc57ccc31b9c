package scan_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
)

// accepts records when each connection to a set of loopback listeners was
// accepted: what the scanned host sees.
type accepts struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *accepts) add() {
	a.mu.Lock()
	a.times = append(a.times, time.Now())
	a.mu.Unlock()
}

func (a *accepts) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.times)
}

// maxPerSecond is the largest number of accepts in any one-second window.
func (a *accepts) maxPerSecond() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	best := 0
	for i, t := range a.times {
		n := 0
		for _, u := range a.times[i:] {
			if u.Sub(t) < time.Second {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// listeners starts n listeners on the address host that hand each
// connection, with the listener's port, to serve.
func listeners(t *testing.T, host string, n int, serve func(port int, c net.Conn)) []int {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		port := ln.Addr().(*net.TCPAddr).Port
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				serve(port, c)
			}
		}()
		ports = append(ports, port)
	}
	return ports
}

// openPorts starts n listeners that accept and close at once.
func openPorts(t *testing.T, n int, acc *accepts) []int {
	return listeners(t, "127.0.0.1", n, func(_ int, c net.Conn) {
		acc.add()
		c.Close()
	})
}

// closedPorts returns n loopback ports nothing listens on.
func closedPorts(t *testing.T, n int) []int {
	var ports []int
	for len(ports) < n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
	}
	return ports
}

// nftTable adds an nftables table of inet family holding body for the
// test's duration and returns the nft binary. It needs root and nft; the
// test is skipped with why otherwise.
func nftTable(t *testing.T, why, body string) (nft, table string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("%s needs root (nftables rules on lo)", why)
	}
	nft, err := exec.LookPath("nft")
	if err != nil {
		t.Skipf("%s needs nft (apt-get install nftables)", why)
	}
	table = fmt.Sprintf("khien_test_%d_%d", os.Getpid(), nftTables.Add(1))
	cmd := exec.Command(nft, "-f", "-")
	cmd.Stdin = strings.NewReader(fmt.Sprintf("table inet %s {\n%s\n}\n", table, body))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("%s: nft cannot add a rule here (%v: %s)", why, err, out)
	}
	t.Cleanup(func() { exec.Command(nft, "delete", "table", "inet", table).Run() })
	return nft, table
}

// nftTables numbers the tables a test process adds.
var nftTables atomic.Int64

// portSet is ports as an nftables set literal.
func portSet(ports []int) string {
	list := make([]string, len(ports))
	for i, p := range ports {
		list[i] = strconv.Itoa(p)
	}
	return "{ " + strings.Join(list, ", ") + " }"
}

// synCounter counts SYNs sent on lo to ports with an nftables counter rule.
func synCounter(t *testing.T, ports []int) func() int {
	t.Helper()
	nft, table := nftTable(t, "counting SYNs to closed ports", fmt.Sprintf(`	chain out {
		type filter hook output priority 0; policy accept;
		oifname "lo" tcp dport %s tcp flags & (syn | ack) == syn counter
	}`, portSet(ports)))
	packets := regexp.MustCompile(`counter packets (\d+)`)
	return func() int {
		out, err := exec.Command(nft, "list", "table", "inet", table).Output()
		if err != nil {
			t.Fatalf("nft list: %v", err)
		}
		m := packets.FindSubmatch(out)
		if m == nil {
			t.Fatalf("no counter in %s", bytes.TrimSpace(out))
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
}

// TestPerHostConnectRate counts at the target what a port scan sends: open
// ports see at most rate+1 new connections in any second, and closed ports
// take their share of the limit too (the scan cannot be faster than all
// attempts at the rate).
func TestPerHostConnectRate(t *testing.T) {
	const rate = 10
	acc := &accepts{}
	open := openPorts(t, 15, acc)
	closed := closedPorts(t, 10)
	ports := slices.Concat(open, closed)
	start := time.Now()
	fs, _ := run(t, scan.Config{Ports: ports, PerHostConnRate: rate, Checks: []string{"port.open"}}, "127.0.0.1")
	elapsed := time.Since(start)
	if len(fs) != len(open) {
		t.Errorf("%d open ports found, want %d", len(fs), len(open))
	}
	if n := acc.maxPerSecond(); n > rate+1 {
		t.Errorf("%d connections accepted in one second, limit %d/s", n, rate)
	}
	attempts := acc.count() + len(closed)
	// The per-second count above is the hard limit; this bound only shows
	// that closed ports wait their turn too (unlimited, 25 attempts take
	// milliseconds), with room for a loaded machine's clock readings.
	if floor := time.Duration(attempts-1) * time.Second / rate; elapsed < floor*9/10 {
		t.Errorf("%d connection attempts in %v: faster than %d/s (closed ports not limited?)", attempts, elapsed, rate)
	}
}

// TestPerHostConnectRateProbes: service probes, TLS attempts and HTTP
// requests open connections under the same limit.
func TestPerHostConnectRateProbes(t *testing.T) {
	const rate = 20
	acc := &accepts{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close") // every request a new connection
		portal(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			acc.add()
		}
	}
	srv.Start()
	defer srv.Close()
	run(t, scan.Config{Ports: []int{serverPort(t, srv.URL)}, PerHostRate: 1000, PerHostConnRate: rate, HTTPBudget: 40}, "127.0.0.1")
	if acc.count() < rate+2 {
		t.Fatalf("only %d connections: the test needs more than a second's worth", acc.count())
	}
	if n := acc.maxPerSecond(); n > rate+1 {
		t.Errorf("%d connections accepted in one second, limit %d/s", n, rate)
	}
}

// TestClosedPortSYNs counts the SYNs sent to closed ports at the target:
// one attempt per port, no retries, and no faster than the limit.
func TestClosedPortSYNs(t *testing.T) {
	const rate = 20
	closed := closedPorts(t, 12)
	syns := synCounter(t, closed)
	start := time.Now()
	run(t, scan.Config{Ports: closed, PerHostConnRate: rate, Checks: []string{"port.open"}}, "127.0.0.1")
	elapsed := time.Since(start)
	if n := syns(); n != len(closed) {
		t.Errorf("%d SYNs to %d closed ports, want one each", n, len(closed))
	}
	if floor := time.Duration(len(closed)-1) * time.Second / rate; elapsed < floor-50*time.Millisecond {
		t.Errorf("%d SYNs in %v: faster than %d/s", len(closed), elapsed, rate)
	}
}

// TestDNSQueryRate: name resolution and the DNS checks of many names ask
// the resolver no faster than its per-host connection limit.
func TestDNSQueryRate(t *testing.T) {
	const rate = 20
	acc := &accepts{}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		acc.add()
		m := new(dns.Msg)
		m.SetReply(req)
		if q := req.Question[0]; q.Qtype == dns.TypeA {
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(127, 0, 0, 1)})
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	var names []string
	for i := range 6 {
		names = append(names, fmt.Sprintf("n%d.test", i))
	}
	run(t, scan.Config{Ports: []int{}, PerHostConnRate: rate, Resolver: pc.LocalAddr().String(), Checks: []string{"dns"}}, names...)
	if acc.count() < rate+2 {
		t.Fatalf("only %d queries: the test needs more than a second's worth", acc.count())
	}
	if n := acc.maxPerSecond(); n > rate+1 {
		t.Errorf("%d DNS queries in one second, limit %d/s", n, rate)
	}
}

// probeCounter is the view from a set of silent ports: connections open
// at once, and connections open at once that the scanner has spoken on
// (service probes; the port scan's connections say nothing).
type probeCounter struct {
	mu                  sync.Mutex
	open, probing       int
	openPeak, probePeak int
	probedPorts         map[int]bool
}

func (p *probeCounter) change(open, probing, port int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open += open
	p.probing += probing
	p.openPeak = max(p.openPeak, p.open)
	p.probePeak = max(p.probePeak, p.probing)
	if probing > 0 {
		p.probedPorts[port] = true
	}
}

// silentPorts starts n listeners that accept connections, read what is
// sent and never answer.
func silentPorts(t *testing.T, n int, pc *probeCounter) []int {
	return listeners(t, "127.0.0.1", n, func(port int, c net.Conn) {
		pc.change(1, 0, port)
		go func() {
			defer c.Close()
			spoke := 0
			buf := make([]byte, 4096)
			for {
				if _, err := c.Read(buf); err != nil {
					break
				}
				if spoke == 0 {
					spoke = 1
					pc.change(0, 1, port)
				}
			}
			pc.change(-1, -spoke, port)
		}()
	})
}

// TestSilentPortsProbedSideBySide: the open ports of a host are identified
// side by side, using both of the host's connection slots (so ports that
// never answer cost about half the time one after another would), and the
// target never sees more than the two connections at once.
func TestSilentPortsProbedSideBySide(t *testing.T) {
	pc := &probeCounter{probedPorts: map[int]bool{}}
	ports := silentPorts(t, 4, pc)
	start := time.Now()
	all, _ := run(t, scan.Config{Ports: ports, Timeout: 300 * time.Millisecond, Checks: []string{"port.open", "service"}}, "127.0.0.1")
	fs := slices.DeleteFunc(all, func(f check.Finding) bool { return f.CheckID != "port.open" })
	t.Logf("%d silent ports identified in %v", len(ports), time.Since(start))
	if len(fs) != len(ports) {
		t.Errorf("%d ports reported, want %d", len(fs), len(ports))
	}
	if got := portsOf(fs); !slices.IsSorted(got) {
		t.Errorf("findings not in port order: %v", got)
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.probedPorts) != len(ports) {
		t.Errorf("%d of %d ports probed", len(pc.probedPorts), len(ports))
	}
	if pc.probePeak != 2 {
		t.Errorf("at most %d ports probed at once, want 2 (the host's connection limit)", pc.probePeak)
	}
	if pc.openPeak > 2 {
		t.Errorf("%d connections open at once, limit 2", pc.openPeak)
	}
}

func portsOf(fs []check.Finding) []int {
	out := make([]int, len(fs))
	for i, f := range fs {
		out[i] = f.Port
	}
	return out
}
