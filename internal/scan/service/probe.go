package service

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// hints name the protocol usually found on a port: its probe is tried
// first. Any port, hinted or not, falls back to the full sequence.
var hints = map[int]string{
	21: "ftp", 990: "ftp", 2121: "ftp", 22: "ssh", 2222: "ssh", 23: "telnet", 2323: "telnet",
	25: "smtp", 465: "smtp", 587: "smtp", 110: "pop3", 995: "pop3", 143: "imap", 993: "imap",
	80: "http", 81: "http", 8000: "http", 8008: "http", 8080: "http", 8081: "http", 8088: "http", 8888: "http", 3000: "http", 5000: "http",
	443: "http", 444: "http", 4443: "http", 7443: "http", 8443: "http", 9443: "http", 10443: "http",
	445: "smb", 139: "smb", 389: "ldap", 636: "ldap", 3268: "ldap", 3269: "ldap",
	1433: "mssql", 3306: "mysql", 5432: "postgresql", 6379: "redis", 6380: "redis", 27017: "mongodb", 27018: "mongodb",
	3389: "rdp", 5900: "vnc", 5901: "vnc", 5902: "vnc", 9200: "elasticsearch", 9201: "elasticsearch", 2375: "docker", 2376: "docker",
	11211: "memcached", 2379: "etcd", 6443: "kubernetes", 1883: "mqtt", 8883: "mqtt", 5672: "amqp", 5671: "amqp", 4222: "nats",
}

// tlsPorts speak TLS from the first byte.
var tlsPorts = map[int]bool{443: true, 444: true, 4443: true, 7443: true, 8443: true, 9443: true, 10443: true, 465: true, 993: true, 995: true, 990: true, 636: true, 3269: true, 2376: true, 6443: true, 8883: true, 5671: true}

// probe is one way of asking a port what it is: one connection (the HTTP
// probe: one to three requests) under the host's limits.
type probe struct {
	name string
	run  func(d *Detector, ctx context.Context, t probeTarget) (Info, bool)
}

var (
	bannerProbe    = probe{"banner", (*Detector).banner}
	httpProbe      = probe{"http", (*Detector).http}
	redisProbe     = probe{"redis", (*Detector).redis}
	memcachedProbe = probe{"memcached", (*Detector).memcached}
	postgresProbe  = probe{"postgresql", (*Detector).postgres}
	mongoProbe     = probe{"mongodb", (*Detector).mongo}
	mqttProbe      = probe{"mqtt", (*Detector).mqtt}
	amqpProbe      = probe{"amqp", (*Detector).amqp}
	mssqlProbe     = probe{"mssql", (*Detector).mssql}
	ldapProbe      = probe{"ldap", (*Detector).ldap}
	rdpProbe       = probe{"rdp", (*Detector).rdp}
	smbProbe       = probe{"smb", (*Detector).smb}
)

// hintProbes is the probe that settles each hinted protocol.
var hintProbes = map[string]probe{
	"ftp": bannerProbe, "ssh": bannerProbe, "telnet": bannerProbe, "smtp": bannerProbe, "pop3": bannerProbe,
	"imap": bannerProbe, "mysql": bannerProbe, "vnc": bannerProbe, "nats": bannerProbe,
	"http": httpProbe, "elasticsearch": httpProbe, "docker": httpProbe, "etcd": httpProbe, "kubernetes": httpProbe,
	"redis": redisProbe, "memcached": memcachedProbe, "postgresql": postgresProbe, "mongodb": mongoProbe,
	"mqtt": mqttProbe, "amqp": amqpProbe, "mssql": mssqlProbe, "ldap": ldapProbe, "rdp": rdpProbe, "smb": smbProbe,
}

// The fallback sequence, most likely first. Services that talk first are
// settled by the passive banner; HTTP also covers Elasticsearch, Docker,
// Kubernetes and etcd; the binary probes follow, the protocols most often
// moved to other ports first.
var (
	clearProbes = []probe{httpProbe, redisProbe, memcachedProbe, postgresProbe, mongoProbe, mqttProbe, amqpProbe, mssqlProbe, ldapProbe, rdpProbe, smbProbe}
	// Inside TLS: what is deployed wrapped in TLS from the first byte.
	tlsProbes = []probe{httpProbe, redisProbe, mongoProbe, mqttProbe, amqpProbe, ldapProbe, memcachedProbe}
)

// Per-port budget of the fallback: each probe waits fallbackWait (or the
// timeout, if shorter) for an answer, and a port gets at most
// budgetTimeouts timeouts in all, so a port that accepts connections and
// never answers costs a bounded time.
const (
	fallbackWait   = 2 * time.Second
	budgetTimeouts = 3
)

// probeTarget is the port a probe examines, whether to speak TLS, the
// protocol expected there ("" when unknown) and how long to wait for a reply.
type probeTarget struct {
	port int
	tls  bool
	hint string
	wait time.Duration
}

// Detector identifies services through a host's Env.
type Detector struct {
	Env        *check.Env
	Addr       string // IP address (connections always go there)
	ServerName string // host name for SNI and Host headers ("" to use Addr)
}

// Guess names the service usually found on port without contacting it.
func Guess(port int) Info {
	name := hints[port]
	if name == "" {
		name = "unknown"
	}
	return Info{Port: port, Name: name, TLS: tlsPorts[port], Banner: "not probed"}
}

// Detect identifies the service on port by what it answers: the probe of
// the protocol usually found there first, then the fallback sequence.
func (d *Detector) Detect(ctx context.Context, port int) Info {
	return d.DetectAs(ctx, port, hints[port], tlsPorts[port])
}

// DetectAs is Detect with the expected protocol (hint, "" when unknown) and
// TLS given. The hinted probe gets the full timeout; when it does not
// recognise the service, the fallback runs in order and stops at the first
// match: a passive wait for a banner, a TLS handshake (and, if the port
// speaks TLS, the probes again inside it), HTTP, then the binary probes.
func (d *Detector) DetectAs(ctx context.Context, port int, hint string, useTLS bool) Info {
	tried := map[string]bool{}
	if p, ok := hintProbes[hint]; ok {
		t := probeTarget{port: port, tls: useTLS, hint: hint, wait: d.Env.Timeout}
		if info, ok := p.run(d, ctx, t); ok {
			info.Port = port
			return info
		}
		tried[key(p, useTLS)] = true
	}
	ctx, cancel := context.WithTimeout(ctx, budgetTimeouts*d.Env.Timeout)
	defer cancel()
	info := d.fallback(ctx, port, useTLS, tried)
	info.Port = port
	return info
}

func key(p probe, useTLS bool) string { return p.name + "/" + strconv.FormatBool(useTLS) }

// fallback runs the sequence on a port the hinted probe did not settle. A
// port expected to speak TLS tries the handshake before the banner.
func (d *Detector) fallback(ctx context.Context, port int, useTLS bool, tried map[string]bool) Info {
	t := probeTarget{port: port, wait: min(d.Env.Timeout, fallbackWait)}
	steps := []func() (Info, bool){
		func() (Info, bool) { return d.greeting(ctx, t, tried) },
		func() (Info, bool) { return d.insideTLS(ctx, t, tried) },
	}
	if useTLS {
		steps[0], steps[1] = steps[1], steps[0]
	}
	for _, step := range steps {
		if info, ok := step(); ok {
			return info
		}
	}
	if info, ok := d.sequence(ctx, t, clearProbes, tried); ok {
		return info
	}
	return Info{Name: "unknown", Banner: "no answer to probes"}
}

// greeting waits for a banner. A recognised one settles the port, and so
// does an unrecognised one (the binary probes are for services that wait
// to be spoken to) or a connection closed without a word (nmap's
// "tcpwrapped": nothing further will answer either).
func (d *Detector) greeting(ctx context.Context, t probeTarget, tried map[string]bool) (Info, bool) {
	if tried[key(bannerProbe, t.tls)] || ctx.Err() != nil {
		return Info{}, false
	}
	tried[key(bannerProbe, t.tls)] = true
	b, closed, err := d.converse(ctx, t, nil, 4096)
	switch {
	case len(b) > 0:
		if info, ok := ParseBanner(t.hint, b); ok {
			info.TLS = t.tls
			return info, true
		}
		return Info{Name: "unknown", TLS: t.tls, Banner: printable(b)}, true
	case closed && err == nil:
		return Info{Name: "unknown", TLS: t.tls, Banner: "closed the connection without answering"}, true
	}
	return Info{}, false
}

// insideTLS tries a TLS handshake; when the port speaks TLS it waits on
// the same connection for a banner (implicit-TLS mail and FTP) and then runs
// the probes inside TLS. A TLS service nothing recognises is still reported
// as TLS, so that its certificate is examined.
func (d *Detector) insideTLS(ctx context.Context, t probeTarget, tried map[string]bool) (Info, bool) {
	t.tls = true
	if ctx.Err() != nil || tried["tls"] {
		return Info{}, false
	}
	tried["tls"] = true
	var b []byte
	if tried[key(bannerProbe, true)] {
		// The hinted probe already waited for a greeting in TLS: only
		// learn whether the port completes a handshake.
		c, err := d.open(ctx, t.port, true, t.wait)
		if err != nil {
			return Info{}, false
		}
		c.Close()
	} else {
		tried[key(bannerProbe, true)] = true
		var err error
		if b, _, err = d.converse(ctx, t, nil, 4096); err != nil {
			return Info{}, false // no handshake: not TLS
		}
	}
	if len(b) > 0 {
		if info, ok := ParseBanner(t.hint, b); ok {
			info.TLS = true
			return info, true
		}
	}
	if info, ok := d.sequence(ctx, t, tlsProbes, tried); ok {
		return info, true
	}
	return Info{Name: "unknown", TLS: true, Banner: "TLS service, protocol not recognised"}, true
}

// sequence runs probes in order until one recognises the service or the
// port's budget is spent.
func (d *Detector) sequence(ctx context.Context, t probeTarget, probes []probe, tried map[string]bool) (Info, bool) {
	for _, p := range probes {
		if ctx.Err() != nil {
			break
		}
		if tried[key(p, t.tls)] {
			continue
		}
		tried[key(p, t.tls)] = true
		if info, ok := p.run(d, ctx, t); ok {
			return info, true
		}
	}
	return Info{}, false
}

func (d *Detector) hostport(port int) string { return net.JoinHostPort(d.Addr, strconv.Itoa(port)) }

func (d *Detector) serverName() string {
	if d.ServerName != "" {
		return d.ServerName
	}
	return d.Addr
}

// open connects, wrapping the connection in TLS when asked, with a
// deadline of wait for the handshake and what follows. TLS here only
// reaches the service; certificate checks live in tlscheck.
func (d *Detector) open(ctx context.Context, port int, useTLS bool, wait time.Duration) (net.Conn, error) {
	c, err := d.Env.Dial(ctx, "tcp", d.hostport(port))
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(wait))
	if !useTLS {
		return c, nil
	}
	tc := tls.Client(c, ClientTLSConfig(d.serverName()))
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("tls handshake: %w", err)
	}
	return tc, nil
}

// ClientTLSConfig accepts any certificate and every protocol version and
// cipher suite Go implements, so that old servers can still be examined.
func ClientTLSConfig(serverName string) *tls.Config {
	var suites []uint16
	for _, s := range tls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		suites = append(suites, s.ID)
	}
	sn := serverName
	if net.ParseIP(sn) != nil {
		sn = "" // SNI carries names only
	}
	return &tls.Config{
		ServerName:         sn,
		InsecureSkipVerify: true, //nolint:gosec // certificates are examined by tlscheck, not trusted here
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       suites,
	}
}

// exchange sends req (if any) and returns what comes back within t.wait.
func (d *Detector) exchange(ctx context.Context, t probeTarget, req []byte, limit int) ([]byte, error) {
	b, _, err := d.converse(ctx, t, req, limit)
	if err == nil && len(b) == 0 {
		err = errors.New("no reply")
	}
	return b, err
}

// converse sends req (if any) and reads what comes back within t.wait.
// Silence is no error; closed reports that the service hung up without a
// word. err is a failure to connect, handshake or send.
func (d *Detector) converse(ctx context.Context, t probeTarget, req []byte, limit int) (b []byte, closed bool, err error) {
	c, err := d.open(ctx, t.port, t.tls, t.wait)
	if err != nil {
		return nil, false, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if len(req) > 0 {
		if _, err := c.Write(req); err != nil {
			return nil, false, fmt.Errorf("write probe: %w", err)
		}
	}
	buf := make([]byte, limit)
	n, err := io.ReadAtLeast(c, buf, 1)
	if n == 0 {
		return nil, errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET), nil
	}
	// Collect the rest of a reply that arrives in several segments.
	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	for n < limit {
		m, err := c.Read(buf[n:])
		n += m
		if err != nil {
			break
		}
	}
	return buf[:n], false, nil
}

func (d *Detector) banner(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, nil, 4096)
	if err != nil {
		return Info{}, false
	}
	info, ok := ParseBanner(t.hint, b)
	info.TLS = t.tls
	return info, ok
}

func (d *Detector) redis(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, []byte("INFO server\r\n"), 8192)
	if err != nil {
		return Info{}, false
	}
	return ParseRedis(b)
}

var reRedisVersion = regexp.MustCompile(`redis_version:([\w.]+)`)

// ParseRedis reads the reply to INFO server.
func ParseRedis(b []byte) (Info, bool) {
	s := string(b)
	info := Info{Name: "redis", Product: "redis", Banner: firstLine(b)}
	switch {
	case strings.HasPrefix(s, "$") && strings.Contains(s, "redis_version:"):
		if m := reRedisVersion.FindStringSubmatch(s); m != nil {
			info.Version = m[1]
		}
		info.Unauth = check.Evidencef("INFO server answered without authentication")
		info.Banner = "redis_version:" + info.Version
		return info, true
	case strings.HasPrefix(s, "-NOAUTH"), strings.HasPrefix(s, "-DENIED"), strings.HasPrefix(s, "-ERR"), strings.HasPrefix(s, "-WRONGPASS"):
		return info, true
	}
	return Info{}, false
}

func (d *Detector) postgres(ctx context.Context, t probeTarget) (Info, bool) {
	// SSLRequest: a server answers with a single 'S' or 'N' byte.
	b, err := d.exchange(ctx, t, []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}, 64)
	if err != nil || len(b) == 0 {
		return Info{}, false
	}
	if b[0] != 'S' && b[0] != 'N' && (b[0] != 'E' || !bytes.Contains(b, []byte("SFATAL"))) {
		return Info{}, false
	}
	info := Info{Name: "postgresql", Product: "postgresql", Banner: "SSLRequest answered " + strconv.Quote(string(b[:1]))}
	// A startup packet for protocol 1.0, which no server speaks: the
	// postmaster refuses it before authentication, naming the protocol
	// versions it supports, which narrows down its release.
	if b, err := d.exchange(ctx, t, []byte{0, 0, 0, 8, 0, 1, 0, 0}, 512); err == nil {
		if r := PostgresRange(b); r != "" {
			info.Detail = r
			info.Banner += "; PostgreSQL " + r
		}
	}
	return info, true
}

var rePGProtocol = regexp.MustCompile(`(\d+)\.(\d+)\D+(\d+)\.(\d+)\D*$`)

// PostgresRange reads the refusal of a startup packet for protocol 1.0 and
// names the releases that answer so: the oldest protocol the server
// supports is 2.0 until PostgreSQL 13, 3.0 from 14; the newest is 3.2 from
// 18. "" when b is not such a refusal.
func PostgresRange(b []byte) string {
	m := rePGProtocol.FindStringSubmatch(postgresErrorMessage(b))
	if m == nil {
		return ""
	}
	switch earliest, latest := m[1]+"."+m[2], m[3]+"."+m[4]; {
	case earliest == "3.0" && latest != "3.0":
		return "18 or later"
	case earliest == "3.0":
		return "14 to 17"
	case earliest == "2.0" && latest == "3.0":
		return "7.4 to 13"
	}
	return ""
}

// postgresErrorMessage returns the message of an error response: in the
// format of protocol 2 ('E' and a NUL-terminated text), which is how the
// postmaster answers a client of an older protocol, or of protocol 3
// ('E', a length and typed fields, M the message). "" otherwise.
func postgresErrorMessage(b []byte) string {
	if len(b) < 5 || b[0] != 'E' {
		return ""
	}
	if b[1] != 0 {
		msg, _, _ := bytes.Cut(b[1:], []byte{0})
		return strings.TrimSpace(string(msg))
	}
	n := int(binary.BigEndian.Uint32(b[1:5]))
	if n < 4 || 1+n > len(b) {
		return ""
	}
	for rest := b[5 : 1+n]; len(rest) > 0 && rest[0] != 0; {
		end := bytes.IndexByte(rest[1:], 0)
		if end < 0 {
			return ""
		}
		if rest[0] == 'M' {
			return string(rest[1 : 1+end])
		}
		rest = rest[2+end:]
	}
	return ""
}

// mssqlPrelogin is a TDS PRELOGIN packet asking for the server version.
var mssqlPrelogin = []byte{
	0x12, 0x01, 0x00, 0x2f, 0x00, 0x00, 0x01, 0x00, // TDS header, length 47
	0x00, 0x00, 0x1a, 0x00, 0x06, // VERSION at 26, 6 bytes
	0x01, 0x00, 0x20, 0x00, 0x01, // ENCRYPTION at 32, 1 byte
	0x02, 0x00, 0x21, 0x00, 0x01, // INSTOPT at 33, 1 byte
	0x03, 0x00, 0x22, 0x00, 0x04, // THREADID at 34, 4 bytes
	0xff,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // client version
	0x02,                   // encryption not supported
	0x00,                   // instance ""
	0x00, 0x00, 0x00, 0x00, // thread id
}

func (d *Detector) mssql(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, mssqlPrelogin, 1024)
	if err != nil {
		return Info{}, false
	}
	return ParseMSSQL(b)
}

// ParseMSSQL reads the PRELOGIN response and its VERSION option.
func ParseMSSQL(b []byte) (Info, bool) {
	if len(b) < 9 || b[0] != 0x04 {
		return Info{}, false
	}
	payload := b[8:]
	for i := 0; i+5 <= len(payload) && payload[i] != 0xff; i += 5 {
		if payload[i] != 0x00 {
			continue
		}
		off, n := int(be16(payload, i+1)), int(be16(payload, i+3))
		if n < 4 || off+n > len(payload) {
			break
		}
		v := payload[off:]
		ver := fmt.Sprintf("%d.%d.%d", v[0], v[1], binary.BigEndian.Uint16(v[2:4]))
		return Info{Name: "mssql", Product: "mssql", Version: ver, Banner: "TDS prelogin version " + ver}, true
	}
	return Info{Name: "mssql", Product: "mssql", Banner: "TDS prelogin response"}, true
}

// rdpRequest is an X.224 Connection Request whose RDP negotiation request
// offers TLS only: a server that requires Network Level Authentication
// (CredSSP) refuses it with HYBRID_REQUIRED_BY_SERVER, one that does not
// accepts it, so one exchange both identifies RDP and tells whether NLA
// is required.
var rdpRequest = []byte{0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00}

func (d *Detector) rdp(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, rdpRequest, 64)
	if err != nil {
		return Info{}, false
	}
	return ParseRDP(b)
}

// RDP negotiation (MS-RDPBCGR 2.2.1.2): response types, protocols and the
// failure code of a server that requires CredSSP.
const (
	rdpNegResponse        = 0x02
	rdpNegFailure         = 0x03
	rdpProtocolRDP        = 0x00
	rdpProtocolsCredSSP   = 0x02 | 0x08 // PROTOCOL_HYBRID, PROTOCOL_HYBRID_EX
	rdpHybridRequired     = 0x05
	rdpSSLNotAllowed      = 0x02
	rdpConfirmHeaderBytes = 11
)

// ParseRDP reads the X.224 Connection Confirm answering rdpRequest and what
// its negotiation says about Network Level Authentication.
func ParseRDP(b []byte) (Info, bool) {
	if len(b) < 6 || b[0] != 0x03 || b[5] != 0xd0 {
		return Info{}, false
	}
	info := Info{Name: "rdp", Banner: "X.224 connection confirm"}
	neg := b[min(len(b), rdpConfirmHeaderBytes):]
	if len(neg) < 8 {
		// No negotiation at all: a server that only knows standard RDP security.
		info.Risks = []Risk{{"service.rdp-no-nla", check.Evidencef("the server answered without security negotiation: standard RDP security only, no Network Level Authentication")}}
		return info, true
	}
	code := binary.LittleEndian.Uint32(neg[4:8])
	switch {
	case neg[0] == rdpNegFailure && code == rdpHybridRequired:
		info.Banner += ", Network Level Authentication required"
	case neg[0] == rdpNegFailure && code == rdpSSLNotAllowed:
		info.Risks = []Risk{{"service.rdp-no-nla", check.Evidencef("the server refused TLS: standard RDP security only, no Network Level Authentication")}}
	case neg[0] == rdpNegResponse && code == rdpProtocolRDP:
		info.Risks = []Risk{{"service.rdp-no-nla", check.Evidencef("the server selected standard RDP security: no TLS, no Network Level Authentication")}}
	case neg[0] == rdpNegResponse && code&rdpProtocolsCredSSP == 0:
		info.Risks = []Risk{{"service.rdp-no-nla", check.Evidencef("the server accepted a session offering TLS without CredSSP: Network Level Authentication is not required")}}
	}
	return info, true
}

// smbNegotiate is an SMB1 NEGOTIATE offering NT LM 0.12 and SMB 2.x, which
// SMB1-only and SMB2/3 servers both answer; smb1Negotiate offers NT LM 0.12
// only, which only a server with SMBv1 enabled accepts.
var (
	smbNegotiate  = smb1NegotiateOf("\x02NT LM 0.12\x00\x02SMB 2.002\x00\x02SMB 2.???\x00")
	smb1Negotiate = smb1NegotiateOf("\x02NT LM 0.12\x00")
)

func smb1NegotiateOf(dialects string) []byte {
	hdr := []byte{0xff, 'S', 'M', 'B', 0x72, 0, 0, 0, 0, 0x18, 0x53, 0xc8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 0, 0}
	msg := append(hdr, 0x00, byte(len(dialects)), byte(len(dialects)>>8))
	msg = append(msg, dialects...)
	return append([]byte{0x00, 0x00, byte(len(msg) >> 8), byte(len(msg))}, msg...)
}

func (d *Detector) smb(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, smbNegotiate, 512)
	if err != nil {
		return Info{}, false
	}
	info, ok := ParseSMB(b)
	if !ok || len(info.Risks) > 0 || !d.Env.Enabled("service.smbv1") {
		return info, ok
	}
	// An SMB2/3 server may still accept SMB1 when a client offers nothing
	// else: one more negotiate, nothing after it.
	if b, err := d.exchange(ctx, t, smb1Negotiate, 512); err == nil && smb1Accepted(b) {
		info.Risks = []Risk{{"service.smbv1", check.Evidencef("the server accepted an SMB1 NEGOTIATE offering only NT LM 0.12")}}
	}
	return info, true
}

// smbDialects names the SMB2 dialect revisions a multi-protocol negotiate
// can select: 2.0.2 itself, or the wildcard that announces 2.1 or later.
var smbDialects = map[uint16]string{0x0202: "2.0.2", 0x02ff: "2.1 or later"}

// ParseSMB reads the answer to smbNegotiate: an SMB2 NEGOTIATE response
// with its dialect, or an SMB1 one (the server chose NT LM 0.12 over SMB 2).
func ParseSMB(b []byte) (Info, bool) {
	if len(b) < 8 {
		return Info{}, false
	}
	switch string(b[4:8]) {
	case "\xfeSMB":
		info := Info{Name: "smb", Banner: "SMB2 negotiate response"}
		// NetBIOS header, 64-byte SMB2 header, StructureSize, SecurityMode.
		if len(b) >= 4+64+6 {
			if dialect, ok := smbDialects[binary.LittleEndian.Uint16(b[4+64+4:])]; ok {
				info.Detail = "dialect " + dialect
				info.Banner += " (" + info.Detail + ")"
			}
		}
		return info, true
	case "\xffSMB":
		if !smb1Accepted(b) {
			return Info{Name: "smb", Banner: "SMB1 negotiate response, no dialect accepted"}, true
		}
		return Info{Name: "smb", Detail: "SMB1", Banner: "SMB1 negotiate response (SMBv1 enabled)",
			Risks: []Risk{{"service.smbv1", check.Evidencef("the server chose NT LM 0.12 (SMB1) over the SMB 2 dialects offered")}}}, true
	}
	return Info{}, false
}

// smb1Accepted reports whether b is an SMB1 NEGOTIATE response selecting a
// dialect (word count at least 1, dialect index not 0xffff).
func smb1Accepted(b []byte) bool {
	const words = 4 + 32 // NetBIOS header, SMB1 header
	return len(b) >= words+3 && string(b[4:8]) == "\xffSMB" && b[words] >= 1 && binary.LittleEndian.Uint16(b[words+1:]) != 0xffff
}

// ldapRootDSE is an anonymous search of the root DSE (base "", scope base,
// filter (objectClass=*)), which directories answer to clients by design.
var ldapRootDSE = []byte{
	0x30, 0x25, 0x02, 0x01, 0x01, 0x63, 0x20, 0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00,
	0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, 0x87, 0x0b,
	'o', 'b', 'j', 'e', 'c', 't', 'C', 'l', 'a', 's', 's', 0x30, 0x00,
}

func (d *Detector) ldap(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, ldapRootDSE, 4096)
	if err != nil || len(b) < 8 || b[0] != 0x30 {
		return Info{}, false
	}
	if !bytes.Contains(b[:min(len(b), 12)], []byte{0x02, 0x01, 0x01}) {
		return Info{}, false
	}
	info := Info{Name: "ldap", TLS: t.tls, Banner: "LDAP root DSE answered"}
	for _, dir := range ldapDirectories {
		if bytes.Contains(b, []byte(dir.marker)) {
			info.Product, info.Banner = dir.product, "LDAP root DSE answered ("+dir.marker+")"
			break
		}
	}
	// 389 DS publishes its release in the root DSE (vendorVersion
	// "389-Directory/2.4.5 B2024.017.0000").
	if v := LDAPAttribute(b, "vendorVersion"); v != "" {
		info.Banner += ": " + check.Truncate(printable([]byte(v)), 80)
		if m := reLDAPVersion.FindStringSubmatch(v); m != nil && info.Product == "389-ds" {
			info.Version = m[1]
		}
	}
	return info, true
}

var reLDAPVersion = regexp.MustCompile(`/(\d+\.\d+\.\d+)`)

// LDAPAttribute returns the first value of attribute name in a search
// result entry: the attribute's description (OCTET STRING), then its SET
// of values, the first an OCTET STRING. "" when absent or malformed.
func LDAPAttribute(b []byte, name string) string {
	desc := append([]byte{0x04, byte(len(name))}, name...)
	i := bytes.Index(b, desc)
	if i < 0 {
		return ""
	}
	rest := b[i+len(desc):]
	if len(rest) < 2 || rest[0] != 0x31 {
		return ""
	}
	_, rest, ok := berLength(rest[1:])
	if !ok || len(rest) < 2 || rest[0] != 0x04 {
		return ""
	}
	n, rest, ok := berLength(rest[1:])
	if !ok || n > len(rest) {
		return ""
	}
	return string(rest[:n])
}

// berLength reads a BER definite length (short form, or long form of up
// to two bytes) and returns it with what follows.
func berLength(b []byte) (int, []byte, bool) {
	switch {
	case len(b) == 0:
		return 0, nil, false
	case b[0] < 0x80:
		return int(b[0]), b[1:], true
	case b[0] == 0x81 && len(b) >= 2:
		return int(b[1]), b[2:], true
	case b[0] == 0x82 && len(b) >= 3:
		return int(be16(b, 1)), b[3:], true
	}
	return 0, nil, false
}

// ldapDirectories are the root DSE attributes that name the directory server.
var ldapDirectories = []struct{ marker, product string }{
	{"OpenLDAProotDSE", "openldap"},
	{"domainControllerFunctionality", "active-directory"},
	{"389 Project", "389-ds"},
}
