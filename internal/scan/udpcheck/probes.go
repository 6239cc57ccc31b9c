package udpcheck

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/khien/khien/internal/scan/check"
	"github.com/miekg/dns"
)

// probeName is outside any agency's zones: only a resolver that recurses for
// anyone answers it.
const probeName = "example.com."

// ProbeDNS asks one recursive query (RD=1) for example.com A; an answer with
// RA=1 and NOERROR or records means the server resolves for anyone.
func ProbeDNS(ctx context.Context, c *Client, port int) (check.Text, bool) {
	m := new(dns.Msg)
	m.SetQuestion(probeName, dns.TypeA)
	m.RecursionDesired = true
	req, err := m.Pack()
	if err != nil {
		return check.Text{}, false
	}
	answers, err := c.exchange(ctx, request{port: port, data: req, done: func(b []byte) bool {
		return len(b) >= 2 && binary.BigEndian.Uint16(b) == m.Id
	}})
	if err != nil {
		return check.Text{}, false
	}
	for _, b := range answers {
		in := new(dns.Msg)
		if in.Unpack(b) != nil || in.Id != m.Id || !in.Response || !in.RecursionAvailable {
			continue
		}
		if in.Rcode != dns.RcodeSuccess && len(in.Answer) == 0 {
			continue
		}
		return check.Evidencef("recursive query for %s A answered with RA=1, %s, %d answer record(s); %d-byte answer to a %d-byte query",
			strings.TrimSuffix(probeName, "."), dns.RcodeToString[in.Rcode], len(in.Answer), len(b), len(req)), true
	}
	return check.Text{}, false
}

// ProbeSNMP sends an SNMP v2c GET of sysDescr.0 with the community "public",
// then the same in v1 when v2c is not answered. Agents drop requests with a
// wrong community, so any response means "public" is accepted.
func ProbeSNMP(ctx context.Context, c *Client, port int) (check.Text, bool) {
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
			name := check.Evidencef("version %d", r.version)
			if v, ok := map[int]string{0: "v1", 1: "v2c"}[r.version]; ok {
				name = check.Evidencef("%s", v)
			}
			if r.descr == "" {
				return check.Evidencef("SNMP %s agent answered a GET with community \"public\" (error status %d)", name, r.errStatus), true
			}
			return check.Evidencef("SNMP %s agent answered a GET with community \"public\": sysDescr=%q", name, printable(r.descr)), true
		}
	}
	return check.Text{}, false
}

// ProbeNTP sends a mode 6 READVAR request and a mode 7 MON_GETLIST_1
// (monlist) request; any answer to either means the server answers the
// control queries that amplify traffic.
func ProbeNTP(ctx context.Context, c *Client, port int) (check.Text, bool) {
	var seen []check.Text
	seq := uint16(randomID())
	req6 := ntpMode6Request(seq)
	if answers, err := c.exchange(ctx, request{port: port, data: req6, done: func(b []byte) bool {
		r, err := parseNTP(b)
		return err != nil || !r.more
	}}); err == nil {
		if n, ok := ntpAnswered(answers, 6); ok {
			seen = append(seen, check.Evidencef("mode 6 (READVAR): %d bytes in %d packet(s) for a %d-byte request", n, len(answers), len(req6)))
		}
	}
	req7 := ntpMode7Request()
	if answers, err := c.exchange(ctx, request{port: port, data: req7, done: func(b []byte) bool {
		r, err := parseNTP(b)
		return err != nil || !r.more
	}}); err == nil {
		if n, ok := ntpAnswered(answers, 7); ok {
			seen = append(seen, check.Evidencef("mode 7 (monlist): %d bytes in %d packet(s) for a %d-byte request", n, len(answers), len(req7)))
		}
	}
	if len(seen) == 0 {
		return check.Text{}, false
	}
	return check.Evidencef("NTP answers %s", seen), true
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
func ProbeSSDP(ctx context.Context, c *Client, port int) (check.Text, bool) {
	host := c.Addr.String()
	if c.Addr.Is6() {
		host = "[" + host + "]"
	}
	req := []byte(fmt.Sprintf("M-SEARCH * HTTP/1.1\r\nHOST: %s:%d\r\nMAN: \"ssdp:discover\"\r\nST: upnp:rootdevice\r\n\r\n", host, port))
	answers, err := c.exchange(ctx, request{port: port, data: req})
	if err != nil {
		return check.Text{}, false
	}
	for _, b := range answers {
		r, ok := parseSSDP(b)
		if !ok {
			continue
		}
		var seen []string
		if r.server != "" {
			seen = append(seen, "SERVER="+printable(r.server))
		}
		if r.location != "" {
			seen = append(seen, "LOCATION="+printable(r.location))
		}
		return check.Evidencef("SSDP answers M-SEARCH: %s (%d-byte answer to a %d-byte request)", strings.Join(seen, " "), len(b), len(req)), true
	}
	return check.Text{}, false
}

// ProbeNetBIOS sends one node status (NBSTAT) request for "*".
func ProbeNetBIOS(ctx context.Context, c *Client, port int) (check.Text, bool) {
	id := uint16(randomID())
	answers, err := c.exchange(ctx, request{port: port, data: nbstatRequest(id)})
	if err != nil {
		return check.Text{}, false
	}
	for _, b := range answers {
		r, err := parseNBSTAT(b)
		if err != nil || r.id != id {
			continue
		}
		if len(r.names) == 0 {
			return check.Evidencef("NetBIOS name service answers node status requests"), true
		}
		return check.Evidencef("NetBIOS name service answers node status: %d name(s), first %q", len(r.names), printable(r.names[0])), true
	}
	return check.Text{}, false
}

// tftpProbeFile is a name no server holds: the probe reads nothing.
const tftpProbeFile = "khien-scanner-probe-does-not-exist.txt"

// ProbeTFTP sends one read request for a file that does not exist; any TFTP
// packet back (DATA or ERROR) means a TFTP server answers anyone.
func ProbeTFTP(ctx context.Context, c *Client, port int) (check.Text, bool) {
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
		return check.Text{}, false
	}
	for _, b := range answers {
		r, err := parseTFTP(b)
		if err != nil {
			continue
		}
		switch r.opcode {
		case tftpError:
			return check.Evidencef("TFTP server answered a read request with ERROR %d %q", r.code, printable(r.message)), true
		case tftpData:
			return check.Evidencef("TFTP server answered a read request with DATA block %d (%d bytes)", r.code, len(b)), true
		default:
			return check.Evidencef("TFTP server answered a read request (opcode %d)", r.opcode), true
		}
	}
	return check.Text{}, false
}

func randomID() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:]) & 0x7fffffff
}
