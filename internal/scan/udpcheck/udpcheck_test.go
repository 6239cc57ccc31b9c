package udpcheck

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/khien/khien/internal/scan/check"
)

// service answers each datagram it receives with what reply returns, sent
// from its own socket or, for TFTP, from a new one.
type service struct {
	conn     net.PacketConn
	received atomic.Int64
	mu       sync.Mutex
	got      [][]byte // datagrams received on reply sockets (TFTP)
}

func serve(t *testing.T, newTID bool, reply func(req []byte) [][]byte) *service {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &service{conn: pc}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			s.received.Add(1)
			out := pc
			if newTID {
				c, err := net.ListenPacket("udp", "127.0.0.1:0")
				if err != nil {
					return
				}
				t.Cleanup(func() { c.Close() })
				go s.collect(c)
				out = c
			}
			for _, b := range reply(append([]byte(nil), buf[:n]...)) {
				out.WriteTo(b, from)
			}
		}
	}()
	return s
}

func (s *service) collect(c net.PacketConn) {
	buf := make([]byte, 2048)
	for {
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.got = append(s.got, append([]byte(nil), buf[:n]...))
		s.mu.Unlock()
	}
}

func (s *service) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// closedPort is a UDP port on which nothing listens.
func closedPort(t *testing.T) int {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := pc.LocalAddr().(*net.UDPAddr).Port
	pc.Close()
	return p
}

func silent(req []byte) [][]byte { return nil }

func client(waits *atomic.Int64) *Client {
	return &Client{Addr: netip.MustParseAddr("127.0.0.1"), Timeout: 300 * time.Millisecond, Wait: func(context.Context) error {
		waits.Add(1)
		return nil
	}}
}

// Service doubles, answering like the real ones.

func dnsResolver(recursive bool) func([]byte) [][]byte {
	return func(req []byte) [][]byte {
		q := new(dns.Msg)
		if q.Unpack(req) != nil {
			return nil
		}
		m := new(dns.Msg)
		m.SetReply(q)
		if !recursive {
			m.Rcode = dns.RcodeRefused
		} else {
			m.RecursionAvailable = true
			rr, _ := dns.NewRR("example.com. 300 IN A 192.0.2.10")
			m.Answer = append(m.Answer, rr)
		}
		b, _ := m.Pack()
		return [][]byte{b}
	}
}

// snmpAgent answers GET requests with the community "public" in the given
// versions.
func snmpAgent(versions ...int) func([]byte) [][]byte {
	return func(req []byte) [][]byte {
		msg, _, err := expect(req, berSequence)
		if err != nil {
			return nil
		}
		v, msg, err := readInt(msg)
		if err != nil || !slices.Contains(versions, int(v)) {
			return nil
		}
		community, msg, err := expect(msg, berOctets)
		if err != nil || string(community) != "public" {
			return nil
		}
		pdu, _, err := expect(msg, snmpGetPDU)
		if err != nil {
			return nil
		}
		id, _, err := readInt(pdu)
		if err != nil {
			return nil
		}
		varbind := tlv(berSequence, tlv(berOID, sysDescrOID), tlv(berOctets, []byte("Cisco IOS Software, C2960 Version 12.2(55)SE\r\nCompiled")))
		resp := tlv(snmpRespPDU, berInt(uint32(id)), berInt(0), berInt(0), tlv(berSequence, varbind))
		return [][]byte{tlv(berSequence, berInt(uint32(v)), tlv(berOctets, community), resp)}
	}
}

// ntpServer answers mode 6 READVAR in two fragments and mode 7 monlist
// with a table, as ntpd 4.2.6 does, when asked to.
func ntpServer(mode6, mode7 bool) func([]byte) [][]byte {
	return func(req []byte) [][]byte {
		if len(req) == 0 {
			return nil
		}
		switch req[0] & 7 {
		case 6:
			if !mode6 || len(req) < 12 {
				return nil
			}
			frag := func(data string, more bool) []byte {
				b := append([]byte(nil), req[:12]...)
				b[1] = 0x82
				if more {
					b[1] |= 0x20
				}
				binary.BigEndian.PutUint16(b[10:], uint16(len(data)))
				return append(b, data...)
			}
			return [][]byte{frag(`version="ntpd 4.2.6p5@1.2349-o", processor="x86_64", system="Linux/3.10",`, true), frag(` leap=00, stratum=2, precision=-23`, false)}
		case 7:
			if !mode7 {
				return nil
			}
			b := []byte{0x97, 0, 3, 42, 0, 6, 0, 72}
			return [][]byte{append(b, make([]byte, 6*72)...)}
		case 3: // an ordinary client request gets the ordinary answer
			b := make([]byte, 48)
			b[0] = 0x24
			return [][]byte{b}
		}
		return nil
	}
}

func ssdpDevice(req []byte) [][]byte {
	if !bytes.HasPrefix(req, []byte("M-SEARCH * HTTP/1.1\r\n")) || !bytes.Contains(req, []byte(`MAN: "ssdp:discover"`)) {
		return nil
	}
	return [][]byte{[]byte("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\nUSN: uuid:1234::upnp:rootdevice\r\nEXT:\r\nSERVER: Linux/3.14 UPnP/1.1 MiniUPnPd/2.1\r\nLOCATION: http://192.168.1.1:5000/rootDesc.xml\r\n\r\n")}
}

func nbnsHost(req []byte) [][]byte {
	if len(req) != 50 || binary.BigEndian.Uint16(req[len(req)-4:]) != 0x21 {
		return nil
	}
	b := append([]byte(nil), req[:2]...)
	b = append(b, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0)
	b = append(b, req[12:46]...) // the name asked for
	b = append(b, 0, 0x21, 0, 1) // NBSTAT IN
	b = append(b, 0, 0, 0, 0)    // TTL
	name := func(n string, suffix byte, flags uint16) []byte {
		e := []byte(n + strings.Repeat(" ", 15-len(n)))
		e = append(e, suffix)
		return binary.BigEndian.AppendUint16(e, flags)
	}
	rdata := []byte{2}
	rdata = append(rdata, name("KETOAN-PC01", 0, 0x0400)...)
	rdata = append(rdata, name("SOTTTT", 0, 0x8400)...)
	rdata = append(rdata, 0x00, 0x0c, 0x29, 0x12, 0x34, 0x56) // unit ID
	b = binary.BigEndian.AppendUint16(b, uint16(len(rdata)))
	return [][]byte{append(b, rdata...)}
}

func tftpServer(data bool) func([]byte) [][]byte {
	return func(req []byte) [][]byte {
		p, err := parseTFTPRequest(req)
		if err != nil || p != tftpProbeFile {
			return nil
		}
		if data {
			return [][]byte{append([]byte{0, tftpData, 0, 1}, "hello"...)}
		}
		return [][]byte{append([]byte{0, tftpError, 0, 1}, "File not found\x00"...)}
	}
}

func parseTFTPRequest(b []byte) (string, error) {
	if len(b) < 4 || binary.BigEndian.Uint16(b) != tftpRRQ {
		return "", errShort
	}
	name, _, _ := bytes.Cut(b[2:], []byte{0})
	return string(name), nil
}

func TestProbes(t *testing.T) {
	tests := []struct {
		name    string
		probe   func(context.Context, *Client, int) (check.Text, bool)
		reply   func([]byte) [][]byte
		newTID  bool
		closed  bool
		want    []string // in the evidence; nil: no finding
		packets int      // datagrams sent to the service
	}{
		{"dns open resolver", ProbeDNS, dnsResolver(true), false, false, []string{"RA=1", "NOERROR", "1 answer"}, 1},
		{"dns refuses recursion", ProbeDNS, dnsResolver(false), false, false, nil, 1},
		{"dns silent", ProbeDNS, silent, false, false, nil, 1},
		{"dns closed", ProbeDNS, nil, false, true, nil, 0},
		{"snmp v2c public", ProbeSNMP, snmpAgent(0, 1), false, false, []string{"v2c", `sysDescr="Cisco IOS Software, C2960 Version 12.2(55)SE Compiled"`}, 1},
		{"snmp v1 only", ProbeSNMP, snmpAgent(0), false, false, []string{"SNMP v1 agent"}, 2},
		{"snmp other community", ProbeSNMP, silent, false, false, nil, 2},
		{"snmp closed", ProbeSNMP, nil, false, true, nil, 0},
		{"ntp mode 6 and 7", ProbeNTP, ntpServer(true, true), false, false, []string{"mode 6 (READVAR): 131 bytes in 2 packet(s) for a 12-byte request", "mode 7 (monlist): 440 bytes in 1 packet(s) for a 48-byte request"}, 2},
		{"ntp mode 7 only", ProbeNTP, ntpServer(false, true), false, false, []string{"mode 7 (monlist)"}, 2},
		{"ntp restricted", ProbeNTP, ntpServer(false, false), false, false, nil, 2},
		{"ntp closed", ProbeNTP, nil, false, true, nil, 0},
		{"ssdp", ProbeSSDP, ssdpDevice, false, false, []string{"SERVER=Linux/3.14 UPnP/1.1 MiniUPnPd/2.1", "LOCATION=http://192.168.1.1:5000/rootDesc.xml"}, 1},
		{"ssdp silent", ProbeSSDP, silent, false, false, nil, 1},
		{"netbios", ProbeNetBIOS, nbnsHost, false, false, []string{`2 name(s), first "KETOAN-PC01<00>"`}, 1},
		{"netbios silent", ProbeNetBIOS, silent, false, false, nil, 1},
		{"tftp error", ProbeTFTP, tftpServer(false), true, false, []string{`ERROR 1 "File not found"`}, 1},
		{"tftp data", ProbeTFTP, tftpServer(true), true, false, []string{"DATA block 1"}, 1},
		{"tftp silent", ProbeTFTP, silent, true, false, nil, 1},
		{"tftp closed", ProbeTFTP, nil, true, true, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var waits atomic.Int64
			var s *service
			port := 0
			if tt.closed {
				port = closedPort(t)
			} else {
				s = serve(t, tt.newTID, tt.reply)
				port = s.port()
			}
			ev, found := tt.probe(t.Context(), client(&waits), port)
			if found != (tt.want != nil) {
				t.Fatalf("found = %v (%q), want %v", found, ev, tt.want != nil)
			}
			for _, w := range tt.want {
				if !strings.Contains(ev.String(), w) {
					t.Errorf("evidence %q lacks %q", ev, w)
				}
			}
			if s != nil && int(s.received.Load()) != tt.packets {
				t.Errorf("service received %d datagrams, want %d", s.received.Load(), tt.packets)
			}
			if min := int64(max(tt.packets, 1)); waits.Load() < min {
				t.Errorf("%d waits on the limiter for %d datagrams", waits.Load(), tt.packets)
			}
		})
	}
}

// TestTFTPEndsTransfer: a server that starts sending a file is told to stop.
func TestTFTPEndsTransfer(t *testing.T) {
	var waits atomic.Int64
	s := serve(t, true, tftpServer(true))
	if _, found := ProbeTFTP(t.Context(), client(&waits), s.port()); !found {
		t.Fatal("no finding")
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		s.mu.Lock()
		got := append([][]byte(nil), s.got...)
		s.mu.Unlock()
		if len(got) == 1 && binary.BigEndian.Uint16(got[0]) == tftpError {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server received %q after DATA, want one ERROR", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if waits.Load() != 2 {
		t.Errorf("%d limiter waits, want 2 (request and ERROR)", waits.Load())
	}
}

// TestCheckEmits runs every probe through Check and the catalogue.
func TestCheckEmits(t *testing.T) {
	ports := map[string]int{
		DNSOpenResolver:  serve(t, false, dnsResolver(true)).port(),
		SNMPPublic:       serve(t, false, snmpAgent(1)).port(),
		NTPAmplification: serve(t, false, ntpServer(true, true)).port(),
		SSDPExposed:      serve(t, false, ssdpDevice).port(),
		NetBIOSExposed:   serve(t, false, nbnsHost).port(),
		TFTPExposed:      serve(t, true, tftpServer(false)).port(),
	}
	tests := []struct {
		name    string
		exclude []string
		want    int
	}{
		{"all", nil, 6},
		{"exclude one", []string{NetBIOSExposed}, 5},
		{"exclude udp", []string{"udp"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []check.Finding
			env := &check.Env{Checks: check.Selection{Exclude: tt.exclude}, Now: time.Now, Lang: "vi", Emit: func(f check.Finding) {
				mu.Lock()
				got = append(got, f)
				mu.Unlock()
			}}
			var waits atomic.Int64
			Check(t.Context(), env, client(&waits), check.Asset{Target: "127.0.0.1", Host: "127.0.0.1", IP: "127.0.0.1"}, ports)
			if len(got) != tt.want {
				t.Fatalf("%d findings, want %d: %+v", len(got), tt.want, got)
			}
			for _, f := range got {
				if f.Port != ports[f.CheckID] || !strings.Contains(f.Evidence, "/udp: ") || f.Title == "" || f.Severity != check.SeverityFromScore(f.CVSSScore) {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	if got := printable("a\x00b\r\nc\x1b[31m  d"); got != "ab c[31m d" {
		t.Errorf("printable = %q", got)
	}
	if got := printable(strings.Repeat("x", 500)); len(got) > maxEvidenceDetail {
		t.Errorf("printable kept %d bytes", len(got))
	}
}
