package scan_test

import (
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/udpcheck"
)

// udpTarget receives datagrams on a loopback port, records when each
// arrived and answers with reply (nil: stays silent).
func udpTarget(t *testing.T, acc *accepts, reply func([]byte) []byte) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			acc.add()
			if reply != nil {
				if b := reply(buf[:n]); b != nil {
					pc.WriteTo(b, from)
				}
			}
		}
	}()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

func (a *accepts) snapshot() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.times)
}

func allTo(port int) map[string]int {
	m := map[string]int{}
	for id := range udpcheck.StandardPorts {
		m[id] = port
	}
	return m
}

// TestUDPProbesPoliteness counts at the target every datagram and TCP
// connection: the UDP probes share the host's connection-attempt limit, and
// the check selection and URL targets keep them away.
func TestUDPProbesPoliteness(t *testing.T) {
	const rate = 4
	tests := []struct {
		name    string
		checks  []string
		skip    []string
		url     bool
		packets int
	}{
		// DNS, SSDP, NetBIOS and TFTP send one datagram each; SNMP v2c
		// then v1, NTP mode 6 then mode 7.
		{name: "all udp probes", checks: []string{"port", "udp"}, packets: 8},
		{name: "exclude udp", checks: []string{"port", "udp"}, skip: []string{"udp"}},
		{name: "exclude one", checks: []string{"port", "udp"}, skip: []string{"udp.ntp-amplification"}, packets: 6},
		{name: "other checks only", checks: []string{"port", "tls"}},
		{name: "url target", checks: []string{"port", "udp"}, url: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var tcp, udp accepts
			tcpPort := openPorts(t, 1, &tcp)[0]
			cfg := scan.Config{Checks: tt.checks, SkipChecks: tt.skip, Ports: []int{tcpPort}, PerHostConnRate: rate, PerHostRate: 1000, Timeout: 300 * time.Millisecond}
			scan.SetUDPPorts(&cfg, allTo(udpTarget(t, &udp, nil)))
			target := "127.0.0.1"
			if tt.url {
				target = fmt.Sprintf("http://127.0.0.1:%d/", tcpPort)
			}
			run(t, cfg, target)
			if got := udp.count(); got != tt.packets {
				t.Fatalf("target received %d datagrams, want %d", got, tt.packets)
			}
			all := accepts{times: slices.Concat(tcp.snapshot(), udp.snapshot())}
			slices.SortFunc(all.times, func(a, b time.Time) int { return a.Compare(b) })
			// A one-token bucket lets out at most rate+1 in any second.
			if got := all.maxPerSecond(); got > rate+1 {
				t.Errorf("%d connection attempts and datagrams in one second, limit %d/s", got, rate)
			}
		})
	}
}

// TestUDPFinding: an answering service becomes a finding at its UDP port,
// and a host that answers only over UDP was reached (not unreachable, and
// scanned to the end).
func TestUDPFinding(t *testing.T) {
	tests := []struct {
		name     string
		tftpUp   bool
		tcpOpen  bool
		findings int
	}{
		{"udp only", true, false, 1},
		{"udp and tcp", true, true, 1},
		{"nothing answers", false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tcp, udp accepts
			// No TCP port unless an open one: a closed port refuses, and a
			// refusal (RST) is an answer too.
			tcpPorts := []int{}
			if tt.tcpOpen {
				tcpPorts = openPorts(t, 1, &tcp)
			}
			ports := allTo(closedUDPPort(t))
			if tt.tftpUp {
				ports["udp.tftp-exposed"] = udpTarget(t, &udp, func(b []byte) []byte {
					if len(b) > 2 && b[0] == 0 && b[1] == 1 { // a read request
						return append([]byte{0, 5, 0, 1}, "File not found\x00"...)
					}
					return nil
				})
			}
			done := 0
			cfg := scan.Config{Checks: []string{"udp"}, Ports: tcpPorts, PerHostConnRate: 1000, PerHostRate: 1000, Timeout: 300 * time.Millisecond,
				HostDone: func(string, []string) { done++ }}
			scan.SetUDPPorts(&cfg, ports)
			fs, sum := run(t, cfg, "127.0.0.1")
			if len(fs) != tt.findings {
				t.Fatalf("findings %+v", fs)
			}
			if tt.findings > 0 && (fs[0].CheckID != "udp.tftp-exposed" || fs[0].Port != ports["udp.tftp-exposed"] || fs[0].Title != "TFTP server answers without authentication") {
				t.Errorf("finding %+v", fs[0])
			}
			reached := tt.tftpUp || tt.tcpOpen
			if (len(sum.Unreachable) == 0) != reached || (done == 1) != reached {
				t.Errorf("unreachable %+v, host done %d times; reached %v", sum.Unreachable, done, reached)
			}
		})
	}
}

func closedUDPPort(t *testing.T) int {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	return p
}
