package udpcheck

import (
	"testing"
)

// The parsers read what any host on the network sends: they must never
// panic or read out of bounds, whatever the bytes.

func FuzzParseSNMP(f *testing.F) {
	f.Add(snmpAgent(1)(snmpGet(1, 7))[0])
	f.Add(snmpGet(0, 1))
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x30, 0x03, 0x02, 0x81})
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := parseSNMP(b); err == nil && len(r.descr) > len(b) {
			t.Fatalf("descr longer than the packet")
		}
	})
}

func FuzzParseNTP(f *testing.F) {
	for _, b := range ntpServer(true, true)(ntpMode6Request(1)) {
		f.Add(b)
	}
	f.Add(ntpServer(true, true)(ntpMode7Request())[0])
	f.Add([]byte{0x97, 0, 3, 42, 0x0f, 0xff, 0x0f, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseNTP(b) })
}

func FuzzParseNBSTAT(f *testing.F) {
	f.Add(nbnsHost(nbstatRequest(9))[0])
	f.Add([]byte{0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xc0, 0x0c, 0, 0x21, 0, 1, 0, 0, 0, 0, 0, 1, 0xff})
	f.Add([]byte{0, 1, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x3f})
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseNBSTAT(b) })
}

func FuzzParseSSDP(f *testing.F) {
	f.Add(ssdpDevice([]byte("M-SEARCH * HTTP/1.1\r\nMAN: \"ssdp:discover\"\r\n\r\n"))[0])
	f.Add([]byte("HTTP/1.1"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseSSDP(b) })
}

func FuzzParseTFTP(f *testing.F) {
	f.Add(tftpServer(false)(tftpReadRequest(tftpProbeFile))[0])
	f.Add(tftpServer(true)(tftpReadRequest(tftpProbeFile))[0])
	f.Add([]byte{0, 5})
	f.Add([]byte{0, 6, 'b', 'l', 'k', 0})
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseTFTP(b) })
}
