// Package udpcheck probes the UDP services that are commonly abused for
// amplification or leak information to anyone who asks: DNS open recursion,
// SNMP with the community "public", NTP mode 6/7, SSDP, the NetBIOS name
// service and TFTP. Each probe sends one datagram (two at most), each after
// the engine's per-host wait, and reads the answer with a short timeout.
package udpcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/khien/khien/internal/scan/check"
)

// Check IDs.
const (
	DNSOpenResolver   = "udp.dns-open-resolver"
	SNMPPublic        = "udp.snmp-public"
	NTPAmplification  = "udp.ntp-amplification"
	SSDPExposed       = "udp.ssdp-exposed"
	NetBIOSExposed    = "udp.netbios-exposed"
	TFTPExposed       = "udp.tftp-exposed"
	maxDatagrams      = 16       // answers read per request, fragments included
	maxAnswerBytes    = 64 << 10 // bytes read per request
	maxEvidenceDetail = 120
)

// StandardPorts is the port each probe is sent to, by check ID.
var StandardPorts = map[string]int{
	DNSOpenResolver:  53,
	SNMPPublic:       161,
	NTPAmplification: 123,
	SSDPExposed:      1900,
	NetBIOSExposed:   137,
	TFTPExposed:      69,
}

// Client sends probes to one address. Wait is called before every datagram:
// the engine passes the per-host connection limiter, so UDP packets count
// against the same limit as TCP connection attempts and DNS queries.
type Client struct {
	Addr    netip.Addr
	Timeout time.Duration
	Wait    func(context.Context) error
}

// Probe is one UDP check: Run sends its datagrams to port and returns the
// evidence when the service answered.
type Probe struct {
	ID  string
	Run func(ctx context.Context, c *Client, port int) (evidence check.Text, found bool)
}

// Probes lists every UDP probe, in catalogue order.
var Probes = []Probe{
	{DNSOpenResolver, ProbeDNS},
	{SNMPPublic, ProbeSNMP},
	{NTPAmplification, ProbeNTP},
	{SSDPExposed, ProbeSSDP},
	{NetBIOSExposed, ProbeNetBIOS},
	{TFTPExposed, ProbeTFTP},
}

// Check runs the enabled probes against a.IP's host, each at its port in
// ports. Probes run side by side: their datagrams still leave one by one
// through Wait, and a silent host costs one timeout, not six. It returns how
// many services answered.
func Check(ctx context.Context, env *check.Env, c *Client, a check.Asset, ports map[string]int) int {
	var wg sync.WaitGroup
	var answered atomic.Int64
	for _, p := range Probes {
		port, ok := ports[p.ID]
		if !ok || !env.Enabled(p.ID) {
			continue
		}
		wg.Go(func() {
			ev, found := p.Run(ctx, c, port)
			if !found {
				return
			}
			answered.Add(1)
			fa := a
			fa.Port = port
			env.Found(p.ID, fa, "udp", check.Evidencef("%d/udp: %s", port, ev))
		})
	}
	wg.Wait()
	return int(answered.Load())
}

// request is one datagram and how to read its answers.
type request struct {
	port int
	data []byte
	// anyPort accepts answers from any source port of the target (TFTP
	// answers from a new one); otherwise the socket is connected, so that an
	// ICMP port unreachable ends the wait at once.
	anyPort bool
	// done reports whether an answer is the last one; nil: the first is.
	done func([]byte) bool
	// reply, when set, is sent back to the source of the first answer when
	// it returns something (TFTP: end a transfer the server started).
	reply func([]byte) []byte
}

// exchange sends q and collects the answers from the target until q.done
// says the last one came, the timeout passes or the caps are reached.
func (c *Client) exchange(ctx context.Context, q request) ([][]byte, error) {
	dst := netip.AddrPortFrom(c.Addr, uint16(q.port))
	var conn *net.UDPConn
	var err error
	if q.anyPort {
		conn, err = net.ListenUDP("udp", nil)
	} else {
		conn, err = net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(dst))
	}
	if err != nil {
		return nil, fmt.Errorf("udp socket: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if err := c.send(ctx, conn, dst, q.anyPort, q.data); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(c.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var answers [][]byte
	total := 0
	buf := make([]byte, 65535)
	for len(answers) < maxDatagrams && total < maxAnswerBytes && ctx.Err() == nil {
		conn.SetReadDeadline(deadline)
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if len(answers) == 0 {
				return nil, fmt.Errorf("udp read: %w", err)
			}
			break
		}
		if from.Addr().Unmap() != c.Addr.Unmap() || (!q.anyPort && from.Port() != uint16(q.port)) {
			continue
		}
		pkt := append([]byte(nil), buf[:n]...)
		answers = append(answers, pkt)
		total += n
		if len(answers) == 1 && q.reply != nil {
			if b := q.reply(pkt); b != nil {
				_ = c.send(ctx, conn, from, q.anyPort, b) // best effort: the answer is already in
			}
		}
		if q.done == nil || q.done(pkt) {
			break
		}
		// Fragments of one answer follow closely.
		deadline = time.Now().Add(min(c.Timeout, 300*time.Millisecond))
	}
	return answers, nil
}

// send waits for the per-host limiter, then sends one datagram.
func (c *Client) send(ctx context.Context, conn *net.UDPConn, dst netip.AddrPort, unconnected bool, b []byte) error {
	if c.Wait != nil {
		if err := c.Wait(ctx); err != nil {
			return err
		}
	}
	var err error
	if unconnected {
		_, err = conn.WriteToUDPAddrPort(b, dst)
	} else {
		_, err = conn.Write(b)
	}
	if err != nil {
		return fmt.Errorf("udp send: %w", err)
	}
	return nil
}

var errShort = errors.New("truncated")

// printable keeps what a service sent readable and short in evidence.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return check.Truncate(strings.Join(strings.Fields(s), " "), maxEvidenceDetail)
}

func size(answers [][]byte) int {
	n := 0
	for _, a := range answers {
		n += len(a)
	}
	return n
}
