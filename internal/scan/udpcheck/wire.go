package udpcheck

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// SNMP: a hand-made BER GetRequest and a minimal, bounds-checked reader.

// sysDescrOID is 1.3.6.1.2.1.1.1.0, BER-encoded.
var sysDescrOID = []byte{0x2b, 6, 1, 2, 1, 1, 1, 0}

const (
	berInteger  = 0x02
	berOctets   = 0x04
	berNull     = 0x05
	berOID      = 0x06
	berSequence = 0x30
	snmpGetPDU  = 0xa0
	snmpRespPDU = 0xa2
)

func tlv(tag byte, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	out := []byte{tag}
	switch n := len(body); {
	case n < 0x80:
		out = append(out, byte(n))
	case n <= 0xff:
		out = append(out, 0x81, byte(n))
	default:
		out = append(out, 0x82, byte(n>>8), byte(n))
	}
	return append(out, body...)
}

// berInt encodes a non-negative integer in the fewest octets.
func berInt(v uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, v)
	for len(b) > 1 && b[0] == 0 && b[1]&0x80 == 0 {
		b = b[1:]
	}
	return tlv(berInteger, b)
}

// snmpGet builds GetRequest(sysDescr.0) with the community "public";
// version 0 is v1, 1 is v2c.
func snmpGet(version int, id uint32) []byte {
	varbind := tlv(berSequence, tlv(berOID, sysDescrOID), tlv(berNull))
	pdu := tlv(snmpGetPDU, berInt(id), berInt(0), berInt(0), tlv(berSequence, varbind))
	return tlv(berSequence, berInt(uint32(version)), tlv(berOctets, []byte("public")), pdu)
}

// readTLV splits the first definite-length BER element off b.
func readTLV(b []byte) (tag byte, content, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, errShort
	}
	tag, l := b[0], int(b[1])
	b = b[2:]
	if l&0x80 != 0 {
		n := l & 0x7f
		if n == 0 || n > 3 || len(b) < n {
			return 0, nil, nil, errors.New("ber: unsupported length")
		}
		l = 0
		for _, c := range b[:n] {
			l = l<<8 | int(c)
		}
		b = b[n:]
	}
	if l > len(b) {
		return 0, nil, nil, errShort
	}
	return tag, b[:l], b[l:], nil
}

// expect reads one element of the wanted tag.
func expect(b []byte, want byte) (content, rest []byte, err error) {
	tag, content, rest, err := readTLV(b)
	if err != nil {
		return nil, nil, err
	}
	if tag != want {
		return nil, nil, fmt.Errorf("ber: tag %#x, want %#x", tag, want)
	}
	return content, rest, nil
}

func readInt(b []byte) (int64, []byte, error) {
	c, rest, err := expect(b, berInteger)
	if err != nil {
		return 0, nil, err
	}
	if len(c) == 0 || len(c) > 8 {
		return 0, nil, errors.New("ber: bad integer")
	}
	v := int64(int8(c[0]))
	for _, x := range c[1:] {
		v = v<<8 | int64(x)
	}
	return v, rest, nil
}

type snmpResponse struct {
	version   int
	requestID uint32
	errStatus int
	descr     string
}

// parseSNMP reads a GetResponse: version, request ID, error status and the
// first varbind's value when it is an OCTET STRING.
func parseSNMP(b []byte) (snmpResponse, error) {
	var r snmpResponse
	msg, _, err := expect(b, berSequence)
	if err != nil {
		return r, err
	}
	v, msg, err := readInt(msg)
	if err != nil {
		return r, err
	}
	if _, msg, err = expect(msg, berOctets); err != nil {
		return r, err
	}
	pdu, _, err := expect(msg, snmpRespPDU)
	if err != nil {
		return r, err
	}
	id, pdu, err := readInt(pdu)
	if err != nil {
		return r, err
	}
	status, pdu, err := readInt(pdu)
	if err != nil {
		return r, err
	}
	if _, pdu, err = readInt(pdu); err != nil {
		return r, err
	}
	r.version, r.requestID, r.errStatus = int(v), uint32(id), int(status)
	list, _, err := expect(pdu, berSequence)
	if err != nil {
		return r, err
	}
	vb, _, err := expect(list, berSequence)
	if err != nil {
		return r, nil // an answer without varbinds still answered
	}
	_, vb, err = expect(vb, berOID)
	if err != nil {
		return r, nil
	}
	if tag, value, _, err := readTLV(vb); err == nil && tag == berOctets {
		r.descr = string(value)
	}
	return r, nil
}

// NTP control (mode 6) and private (mode 7) messages.

type ntpResponse struct {
	mode     int
	response bool
	more     bool
}

// ntpMode6Request is a READVAR (opcode 2) for the system variables.
func ntpMode6Request(seq uint16) []byte {
	b := make([]byte, 12)
	b[0] = 2<<3 | 6 // version 2, mode 6
	b[1] = 2        // READVAR
	binary.BigEndian.PutUint16(b[2:], seq)
	return b
}

// ntpMode7Request is MON_GETLIST_1 (request 42) of implementation 3
// (XNTPD), padded to the 48 bytes ntpd expects.
func ntpMode7Request() []byte {
	b := make([]byte, 48)
	b[0] = 2<<3 | 7
	b[2], b[3] = 3, 42
	return b
}

func parseNTP(b []byte) (ntpResponse, error) {
	if len(b) < 1 {
		return ntpResponse{}, errShort
	}
	r := ntpResponse{mode: int(b[0] & 7)}
	switch r.mode {
	case 6:
		if len(b) < 12 {
			return r, errShort
		}
		if count := int(binary.BigEndian.Uint16(b[10:])); 12+count > len(b) {
			return r, errShort
		}
		r.response, r.more = b[1]&0x80 != 0, b[1]&0x20 != 0
	case 7:
		if len(b) < 8 {
			return r, errShort
		}
		items := int(binary.BigEndian.Uint16(b[4:]) & 0x0fff)
		itemSize := int(binary.BigEndian.Uint16(b[6:]) & 0x0fff)
		if 8+items*itemSize > len(b) {
			return r, errShort
		}
		r.response, r.more = b[0]&0x80 != 0, b[0]&0x40 != 0
	}
	return r, nil
}

// SSDP.

type ssdpResponse struct{ server, location string }

// parseSSDP reads an HTTP-over-UDP answer's status line and headers.
func parseSSDP(b []byte) (ssdpResponse, bool) {
	var r ssdpResponse
	lines := strings.Split(string(b), "\n")
	status := strings.Fields(lines[0])
	if len(status) < 2 || !strings.HasPrefix(strings.ToUpper(status[0]), "HTTP/1.") || len(status[1]) != 3 {
		return r, false
	}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(strings.TrimRight(l, "\r"), ":")
		if !ok {
			continue
		}
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "SERVER":
			r.server = strings.TrimSpace(v)
		case "LOCATION":
			r.location = strings.TrimSpace(v)
		}
	}
	return r, true
}

// NetBIOS name service node status.

// nbstatRequest asks for the names of the node: a query for "*", type NBSTAT.
func nbstatRequest(id uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) // flags, 1 question
	name := make([]byte, 16)
	name[0] = '*'
	b = append(b, 32)
	for _, c := range name {
		b = append(b, 'A'+c>>4, 'A'+c&0x0f)
	}
	return append(b, 0, 0, 0x21, 0, 1) // end of name, NBSTAT, IN
}

type nbstatResponse struct {
	id    uint16
	names []string
}

func parseNBSTAT(b []byte) (nbstatResponse, error) {
	var r nbstatResponse
	if len(b) < 12 {
		return r, errShort
	}
	r.id = binary.BigEndian.Uint16(b)
	flags := binary.BigEndian.Uint16(b[2:])
	if flags&0x8000 == 0 || binary.BigEndian.Uint16(b[6:]) == 0 {
		return r, errors.New("nbstat: not an answer")
	}
	i := 12
	if i < len(b) && b[i]&0xc0 == 0xc0 {
		i += 2
	} else {
		for {
			if i >= len(b) {
				return r, errShort
			}
			l := int(b[i])
			i++
			if l == 0 {
				break
			}
			if l > 63 {
				return r, errors.New("nbstat: bad label")
			}
			i += l
		}
	}
	if i+10 > len(b) {
		return r, errShort
	}
	if binary.BigEndian.Uint16(b[i:]) != 0x21 {
		return r, errors.New("nbstat: not a node status answer")
	}
	rdlen := int(binary.BigEndian.Uint16(b[i+8:]))
	i += 10
	if i+rdlen > len(b) || rdlen < 1 {
		return r, errShort
	}
	rdata := b[i : i+rdlen]
	n := int(rdata[0])
	rdata = rdata[1:]
	for k := 0; k < n && len(rdata) >= 18; k++ {
		name := strings.TrimRight(string(rdata[:15]), " \x00")
		r.names = append(r.names, fmt.Sprintf("%s<%02x>", name, rdata[15]))
		rdata = rdata[18:]
	}
	return r, nil
}

// TFTP.

const (
	tftpRRQ   = 1
	tftpData  = 3
	tftpError = 5
	tftpOACK  = 6
)

func tftpReadRequest(file string) []byte {
	b := []byte{0, tftpRRQ}
	b = append(b, file...)
	b = append(b, 0)
	b = append(b, "octet"...)
	return append(b, 0)
}

// tftpErrorPacket ends a transfer the server started.
func tftpErrorPacket() []byte {
	return append([]byte{0, tftpError, 0, 0}, "transfer not wanted\x00"...)
}

type tftpPacket struct {
	opcode  int
	code    int // block number of DATA, error code of ERROR
	message string
}

// parseTFTP accepts the packets a server sends in answer to a read
// request: DATA, ERROR and OACK.
func parseTFTP(b []byte) (tftpPacket, error) {
	if len(b) < 2 {
		return tftpPacket{}, errShort
	}
	p := tftpPacket{opcode: int(binary.BigEndian.Uint16(b))}
	switch p.opcode {
	case tftpData:
		if len(b) < 4 || len(b) > 4+512 {
			return p, errors.New("tftp: bad DATA")
		}
		p.code = int(binary.BigEndian.Uint16(b[2:]))
	case tftpError:
		if len(b) < 4 {
			return p, errShort
		}
		p.code = int(binary.BigEndian.Uint16(b[2:]))
		msg, _, _ := bytes.Cut(b[4:], []byte{0})
		p.message = string(msg)
	case tftpOACK:
	default:
		return p, fmt.Errorf("tftp: opcode %d is not an answer", p.opcode)
	}
	return p, nil
}
