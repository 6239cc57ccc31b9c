package service

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// Caches and message brokers: Memcached, MQTT and AMQP. Each probe is one
// connection and reads only what the protocol volunteers to any client.

var reMemcachedVersion = regexp.MustCompile(`^VERSION (\d[\w.+-]*)`)

// memcached asks "version". The text protocol has no authentication (a
// server with SASL or an auth file refuses it), so an answer means anyone
// can read and write the cache.
func (d *Detector) memcached(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, []byte("version\r\n"), 256)
	if err != nil {
		return Info{}, false
	}
	return ParseMemcached(b)
}

// ParseMemcached reads the reply to "version".
func ParseMemcached(b []byte) (Info, bool) {
	m := reMemcachedVersion.FindSubmatch(b)
	if m == nil {
		return Info{}, false
	}
	v := string(m[1])
	return Info{Name: "memcached", Product: "memcached", Version: v, Banner: "VERSION " + v,
		Unauth: check.Evidencef("the text protocol answered \"version\" without authentication")}, true
}

// mqttConnect is an MQTT 3.1.1 CONNECT without user name or password, with
// a clean session (the broker keeps nothing after we leave).
func mqttConnect() []byte {
	id := "khien-" + check.RandomToken()[:8]
	vh := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 10} // level 4, clean session, keep-alive 10 s
	body := append(vh, byte(len(id)>>8), byte(len(id)))
	body = append(body, id...)
	return append([]byte{0x10, byte(len(body))}, body...)
}

// mqttSysVersion subscribes (QoS 0) to the broker's retained version topic.
var mqttSysVersion = func() []byte {
	topic := "$SYS/broker/version"
	body := []byte{0, 1, byte(len(topic) >> 8), byte(len(topic))}
	body = append(append(body, topic...), 0)
	return append([]byte{0x82, byte(len(body))}, body...)
}()

// mqttDisconnect ends the session cleanly.
var mqttDisconnect = []byte{0xe0, 0}

// MQTT CONNACK return codes that identify a broker refusing the client.
const (
	mqttAccepted      = 0
	mqttBadCredential = 4
	mqttNotAuthorized = 5
)

// mqtt connects without credentials: CONNACK 0 means the broker lets
// anyone publish and subscribe. Then, only if accepted, it reads the
// version the broker publishes under $SYS and disconnects.
func (d *Detector) mqtt(ctx context.Context, t probeTarget) (Info, bool) {
	c, err := d.open(ctx, t.port, t.tls, t.wait)
	if err != nil {
		return Info{}, false
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if _, err := c.Write(mqttConnect()); err != nil {
		return Info{}, false
	}
	typ, body, err := readMQTT(c)
	if err != nil || typ != 2 || len(body) != 2 || body[1] > mqttNotAuthorized {
		return Info{}, false
	}
	info := Info{Name: "mqtt", TLS: t.tls, Banner: fmt.Sprintf("CONNACK return code %d", body[1])}
	if body[1] != mqttAccepted {
		return info, true
	}
	info.Unauth = check.Evidencef("CONNECT without user name or password was accepted (CONNACK 0)")
	defer c.Write(mqttDisconnect)
	if _, err := c.Write(mqttSysVersion); err != nil {
		return info, true
	}
	// Brokers that publish no version send only the SUBACK; the wait is short.
	_ = c.SetReadDeadline(time.Now().Add(min(t.wait, time.Second)))
	for range 4 {
		typ, body, err := readMQTT(c)
		if err != nil {
			break
		}
		if typ == 3 {
			info.Product, info.Version, info.Banner = ParseMQTTVersion(body)
			break
		}
	}
	return info, true
}

// readMQTT reads one MQTT control packet: its type and its body, at most 4 KiB.
func readMQTT(r io.Reader) (byte, []byte, error) {
	var hdr [1]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n, shift := 0, 0
	for i := 0; ; i++ {
		var b [1]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		n |= int(b[0]&0x7f) << shift
		shift += 7
		if b[0]&0x80 == 0 {
			break
		}
		if i == 3 {
			return 0, nil, errors.New("mqtt: bad remaining length")
		}
	}
	if n > 4096 {
		return 0, nil, errors.New("mqtt: packet too large")
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return hdr[0] >> 4, body, nil
}

var reMQTTVersion = regexp.MustCompile(`^([A-Za-z][\w-]*) version (\d[\w.+-]*)`)

// ParseMQTTVersion reads the PUBLISH of $SYS/broker/version ("mosquitto
// version 2.0.11") into product, version and banner.
func ParseMQTTVersion(body []byte) (product, version, banner string) {
	if len(body) < 2 {
		return "", "", ""
	}
	tl := int(binary.BigEndian.Uint16(body))
	if 2+tl > len(body) {
		return "", "", ""
	}
	payload := printable(body[2+tl:])
	banner = payload
	if m := reMQTTVersion.FindStringSubmatch(payload); m != nil {
		return strings.ToLower(m[1]), m[2], banner
	}
	return "", "", banner
}

// amqpHeader asks for AMQP 0-9-1; a broker answers Connection.Start, or
// its own protocol header when it speaks another version.
var amqpHeader = []byte("AMQP\x00\x00\x09\x01")

// amqp reads Connection.Start and closes without logging in: the safe
// profile never tries the guest account.
func (d *Detector) amqp(ctx context.Context, t probeTarget) (Info, bool) {
	c, err := d.open(ctx, t.port, t.tls, t.wait)
	if err != nil {
		return Info{}, false
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if _, err := c.Write(amqpHeader); err != nil {
		return Info{}, false
	}
	b, err := readAMQPFrame(c)
	if err != nil && len(b) == 0 {
		return Info{}, false
	}
	info, ok := ParseAMQP(b)
	info.TLS = t.tls
	return info, ok
}

// readAMQPFrame reads a protocol header (8 bytes) or one frame, at most 64 KiB.
func readAMQPFrame(c net.Conn) ([]byte, error) {
	hdr := make([]byte, 7)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(hdr, []byte("AMQP")) {
		var last [1]byte
		_, err := io.ReadFull(c, last[:])
		return append(hdr, last[0]), err
	}
	n := int(binary.BigEndian.Uint32(hdr[3:]))
	if n > 64<<10 {
		return hdr, errors.New("amqp: frame too large")
	}
	rest := make([]byte, n+1)
	_, err := io.ReadFull(c, rest)
	return append(hdr, rest...), err
}

// ParseAMQP reads a Connection.Start frame (server properties product and
// version) or the protocol header a broker of another version sends back.
func ParseAMQP(b []byte) (Info, bool) {
	if len(b) == 8 && bytes.HasPrefix(b, []byte("AMQP")) {
		return Info{Name: "amqp", Banner: fmt.Sprintf("AMQP %d.%d.%d protocol header", b[5], b[6], b[7])}, true
	}
	// Method frame on channel 0: class 10 (connection), method 10 (start).
	if len(b) < 7+4+2+4 || b[0] != 1 || b[1] != 0 || b[2] != 0 || be16(b, 7) != 10 || be16(b, 9) != 10 {
		return Info{}, false
	}
	info := Info{Name: "amqp", Banner: fmt.Sprintf("AMQP %d-%d Connection.Start", b[11], b[12])}
	props := parseAMQPTable(b[13:])
	if p := props["product"]; p != "" {
		info.Product, info.Version = strings.ToLower(p), props["version"]
		info.Banner = strings.TrimSpace(fmt.Sprintf("%s %s (AMQP %d-%d)", p, props["version"], b[11], b[12]))
	}
	return info, true
}

// parseAMQPTable reads the long-string values of an AMQP field table;
// values of other types are skipped by their size.
func parseAMQPTable(b []byte) map[string]string {
	out := map[string]string{}
	if len(b) < 4 {
		return out
	}
	n := int(binary.BigEndian.Uint32(b))
	if n > len(b)-4 {
		return out
	}
	t := b[4 : 4+n]
	fixed := map[byte]int{'t': 1, 'b': 1, 'B': 1, 's': 2, 'u': 2, 'I': 4, 'i': 4, 'f': 4, 'l': 8, 'L': 8, 'd': 8, 'T': 8, 'D': 5, 'V': 0}
	for len(t) > 1 {
		kl := int(t[0])
		if 1+kl+1 > len(t) {
			break
		}
		k, typ := string(t[1:1+kl]), t[1+kl]
		t = t[2+kl:]
		if size, ok := fixed[typ]; ok {
			if size > len(t) {
				break
			}
			t = t[size:]
			continue
		}
		// S long string, x bytes, A array, F table: a 32-bit length first.
		if len(t) < 4 {
			break
		}
		l := int(binary.BigEndian.Uint32(t))
		if l > len(t)-4 {
			break
		}
		if typ == 'S' {
			out[k] = printable(t[4 : 4+l])
		}
		t = t[4+l:]
	}
	return out
}
