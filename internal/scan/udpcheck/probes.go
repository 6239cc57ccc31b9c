package udpcheck

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// probeName is outside any agency's zones: only a resolver that recurses for
// anyone answers it.
const probeName = "example.com."

// ProbeDNS asks one recursive query (RD=1) for example.com A; an answer with
// RA=1 and NOERROR or records means the server resolves for anyone.
func ProbeDNS(ctx context.Context, c *Client, port int) (string, bool) {
	m := new(dns.Msg)
	m.SetQuestion(probeName, dns.TypeA)
	m.RecursionDesired = true
	req, err := m.Pack()
	if err != nil {
		return "", false
	}
	answers, err := c.exchange(ctx, request{port: port, data: req, done: func(b []byte) bool {
		return len(b) >= 2 && binary.BigEndian.Uint16(b) == m.Id
	}})
	if err != nil {
		return "", false
	}
	for _, b := range answers {
		in := new(dns.Msg)
		if in.Unpack(b) != nil || in.Id != m.Id || !in.Response || !in.RecursionAvailable {
			continue
		}
		if in.Rcode != dns.RcodeSuccess && len(in.Answer) == 0 {
			continue
		}
		return fmt.Sprintf("recursive query for %s A answered with RA=1, %s, %d answer record(s); %d-byte answer to a %d-byte query",
			strings.TrimSuffix(probeName, "."), dns.RcodeToString[in.Rcode], len(in.Answer), len(b), len(req)), true
	}
	return "", false
}

// ProbeSNMP sends an SNMP v2c GET of sysDescr.0 with the community "public",
// then the same in v1 when v2c is not answered. Agents drop requests with a
// wrong community, so any response means "public" is accepted.
func ProbeSNMP(ctx context.Context, c *Client, port int) (string, bool) {
	for _, version := range []int{1, 0} { // v2c, v1
		id := randomID()
		answers, err := c.exchange(ctx, request{port: port, data: snmpGet(version, id)})
		if err != nil {
			continue
		}
		for _, b := range answers {
			r, err := parseSNMP(b)
			if err != nil || r.requestID != id {
				continue
			}
			name := map[int]string{0: "v1", 1: "v2c"}[r.version]
			if name == "" {
				name = fmt.Sprintf("version %d", r.version)
			}
			if r.descr == "" {
				return fmt.Sprintf("SNMP %s agent answered a GET with community \"public\" (error status %d)", name, r.errStatus), true
			}
			return fmt.Sprintf("SNMP %s agent answered a GET with community \"public\": sysDescr=%q", name, printable(r.descr)), true
		}
	}
	return "", false
}

// ProbeNTP sends a mode 6 READVAR request and a mode 7 MON_GETLIST_1
// (monlist) request; any answer to either means the server answers the
// control queries that amplify traffic.
func ProbeNTP(ctx context.Context, c *Client, port int) (string, bool) {
	var seen []string
	seq := uint16(randomID())
	req6 := ntpMode6Request(seq)
	if answers, err := c.exchange(ctx, request{port: port, data: req6, done: func(b []byte) bool {
		r, err := parseNTP(b)
		return err != nil || !r.more
	}}); err == nil {
		if n, ok := ntpAnswered(answers, 6); ok {
			seen = append(seen, fmt.Sprintf("mode 6 (READVAR): %d bytes in %d packet(s) for a %d-byte request", n, len(answers), len(req6)))
		}
	}
	req7 := ntpMode7Request()
	if answers, err := c.exchange(ctx, request{port: port, data: req7, done: func(b []byte) bool {
		r, err := parseNTP(b)
		return err != nil || !r.more
	}}); err == nil {
		if n, ok := ntpAnswered(answers, 7); ok {
			seen = append(seen, fmt.Sprintf("mode 7 (monlist): %d bytes in %d packet(s) for a %d-byte request", n, len(answers), len(req7)))
		}
	}
	if len(seen) == 0 {
		return "", false
	}
	return "NTP answers " + strings.Join(seen, "; "), true
}

// ntpAnswered sums the bytes of the answers that are responses in mode.
func ntpAnswered(answers [][]byte, mode int) (int, bool) {
	n, ok := 0, false
	for _, b := range answers {
		if r, err := parseNTP(b); err == nil && r.mode == mode && r.response {
			n += len(b)
			ok = true
		}
	}
	return n, ok
}

// ProbeSSDP sends one unicast M-SEARCH for root devices.
func ProbeSSDP(ctx context.Context, c *Client, port int) (string, bool) {
	host := c.Addr.String()
	if c.Addr.Is6() {
		host = "[" + host + "]"
	}
	req := []byte(fmt.Sprintf("M-SEARCH * HTTP/1.1\r\nHOST: %s:%d\r\nMAN: \"ssdp:discover\"\r\nST: upnp:rootdevice\r\n\r\n", host, port))
	answers, err := c.exchange(ctx, request{port: port, data: req})
	if err != nil {
		return "", false
	}
	for _, b := range answers {
		r, ok := parseSSDP(b)
		if !ok {
			continue
		}
		ev := "SSDP answers M-SEARCH"
		if r.server != "" {
			ev += ": SERVER=" + printable(r.server)
		}
		if r.location != "" {
			ev += " LOCATION=" + printable(r.location)
		}
		return ev + fmt.Sprintf(" (%d-byte answer to a %d-byte request)", len(b), len(req)), true
	}
	return "", false
}

// ProbeNetBIOS sends one node status (NBSTAT) request for "*".
func ProbeNetBIOS(ctx context.Context, c *Client, port int) (string, bool) {
	id := uint16(randomID())
	answers, err := c.exchange(ctx, request{port: port, data: nbstatRequest(id)})
	if err != nil {
		return "", false
	}
	for _, b := range answers {
		r, err := parseNBSTAT(b)
		if err != nil || r.id != id {
			continue
		}
		if len(r.names) == 0 {
			return "NetBIOS name service answers node status requests", true
		}
		return fmt.Sprintf("NetBIOS name service answers node status: %d name(s), first %q", len(r.names), printable(r.names[0])), true
	}
	return "", false
}

// tftpProbeFile is a name no server holds: the probe reads nothing.
const tftpProbeFile = "khien-scanner-probe-does-not-exist.txt"

// ProbeTFTP sends one read request for a file that does not exist; any TFTP
// packet back (DATA or ERROR) means a TFTP server answers anyone.
func ProbeTFTP(ctx context.Context, c *Client, port int) (string, bool) {
	req := tftpReadRequest(tftpProbeFile)
	answers, err := c.exchange(ctx, request{port: port, data: req, anyPort: true, reply: func(b []byte) []byte {
		// A server that started a transfer is told to stop rather than
		// left retransmitting.
		if r, err := parseTFTP(b); err == nil && r.opcode != tftpError {
			return tftpErrorPacket()
		}
		return nil
	}})
	if err != nil {
		return "", false
	}
	for _, b := range answers {
		r, err := parseTFTP(b)
		if err != nil {
			continue
		}
		switch r.opcode {
		case tftpError:
			return fmt.Sprintf("TFTP server answered a read request with ERROR %d %q", r.code, printable(r.message)), true
		case tftpData:
			return fmt.Sprintf("TFTP server answered a read request with DATA block %d (%d bytes)", r.code, len(b)), true
		default:
			return fmt.Sprintf("TFTP server answered a read request (opcode %d)", r.opcode), true
		}
	}
	return "", false
}

func randomID() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:]) & 0x7fffffff
}
