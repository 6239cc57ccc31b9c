package scan_test

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/portscan"
)

// dropTCP makes ports of addr filtered: SYNs to them are dropped on lo,
// so nothing answers (no SYN-ACK, no RST). No ports drops everything.
func dropTCP(t *testing.T, addr string, ports []int) {
	t.Helper()
	match := "tcp dport " + portSet(ports)
	if len(ports) == 0 {
		match = "meta l4proto tcp"
	}
	nftTable(t, "filtering ports", fmt.Sprintf(`	chain out {
		type filter hook output priority 0; policy accept;
		oifname "lo" ip daddr %s %s drop
	}`, addr, match))
}

// TestFilteredHost: a host that drops every SYN is reported unreachable
// after the first ports of the list, in about as many timeouts as those
// ports over the connections allowed, not after the whole top1000.
func TestFilteredHost(t *testing.T) {
	const host = "127.0.2.1"
	dropTCP(t, host, nil)
	timeout := time.Second
	start := time.Now()
	_, sum := run(t, scan.Config{Ports: portscan.Top(1000), Timeout: timeout, Checks: []string{"port"}}, host)
	elapsed := time.Since(start)
	if len(sum.Unreachable) != 1 || !strings.Contains(sum.Unreachable[0].Reason, "(10 tried)") {
		t.Errorf("unreachable %+v, want %s after 10 ports", sum.Unreachable, host)
	}
	// 10 ports, 2 at a time, one timeout each.
	if limit := 5*timeout + 2*time.Second; elapsed > limit {
		t.Errorf("filtered host took %v, want under %v", elapsed, limit)
	}
	// With --assume-up the ports past the first ten are tried too.
	_, sum = run(t, scan.Config{Ports: portscan.Top(12), Timeout: timeout, AssumeUp: true, Checks: []string{"port"}}, host)
	if len(sum.Unreachable) != 1 || !strings.Contains(sum.Unreachable[0].Reason, "(12 tried)") {
		t.Errorf("assume-up: unreachable %+v, want 12 ports tried", sum.Unreachable)
	}
}

// TestLiveHostFilteredPorts: on a host that answers, filtered ports wait
// the adaptive timeout (a few round trips, at least 200 ms), not the full
// timeout, and every open port is still found.
func TestLiveHostFilteredPorts(t *testing.T) {
	const host = "127.0.2.2"
	open := listeners(t, host, 3, func(_ int, c net.Conn) { c.Close() })
	filtered := closedPorts(t, 40)
	dropTCP(t, host, filtered)
	ports := slices.Concat(open[:1], filtered, open[1:], closedPorts(t, 5))
	timeout := 5 * time.Second
	start := time.Now()
	fs, sum := run(t, scan.Config{Ports: ports, Timeout: timeout, Checks: []string{"port.open"}}, host)
	elapsed := time.Since(start)
	var found []int
	for _, f := range fs {
		found = append(found, f.Port)
	}
	slices.Sort(found)
	slices.Sort(open)
	if !slices.Equal(found, open) || len(sum.Unreachable) != 0 {
		t.Errorf("open ports found %v, want %v; unreachable %+v", found, open, sum.Unreachable)
	}
	// At the fixed timeout the filtered ports alone would take
	// 40 x 5 s / 2 = 100 s.
	if limit := 15 * time.Second; elapsed > limit {
		t.Errorf("scan took %v, want under %v", elapsed, limit)
	}
	t.Logf("%d ports (%d filtered) in %v", len(ports), len(filtered), elapsed)
}
