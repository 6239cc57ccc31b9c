package service

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// hints name the protocol usually found on a port.
var hints = map[int]string{
	21: "ftp", 990: "ftp", 2121: "ftp", 22: "ssh", 2222: "ssh", 23: "telnet", 2323: "telnet",
	25: "smtp", 465: "smtp", 587: "smtp", 110: "pop3", 995: "pop3", 143: "imap", 993: "imap",
	80: "http", 81: "http", 8000: "http", 8008: "http", 8080: "http", 8081: "http", 8088: "http", 8888: "http", 3000: "http", 5000: "http",
	443: "http", 444: "http", 4443: "http", 7443: "http", 8443: "http", 9443: "http", 10443: "http",
	445: "smb", 139: "smb", 389: "ldap", 636: "ldap", 3268: "ldap", 3269: "ldap",
	1433: "mssql", 3306: "mysql", 5432: "postgresql", 6379: "redis", 6380: "redis", 27017: "mongodb", 27018: "mongodb",
	3389: "rdp", 5900: "vnc", 5901: "vnc", 5902: "vnc", 9200: "elasticsearch", 9201: "elasticsearch", 2375: "docker", 2376: "docker",
}

// tlsPorts speak TLS from the first byte.
var tlsPorts = map[int]bool{443: true, 444: true, 4443: true, 7443: true, 8443: true, 9443: true, 10443: true, 465: true, 993: true, 995: true, 990: true, 636: true, 3269: true, 2376: true}

// bannerFirst protocols talk first; for them waiting for the banner is the probe.
var bannerFirst = map[string]bool{"ftp": true, "ssh": true, "telnet": true, "smtp": true, "pop3": true, "imap": true, "mysql": true, "vnc": true}

// probeTarget is the port a probe examines, whether to speak TLS, and the
// protocol expected there ("" when unknown).
type probeTarget struct {
	port int
	tls  bool
	hint string
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

// Detect runs the probes suited to port until one recognises the service.
// Each probe is one connection (or one HTTP request) under the host limits.
func (d *Detector) Detect(ctx context.Context, port int) Info {
	return d.DetectAs(ctx, port, hints[port], tlsPorts[port])
}

// DetectAs is Detect with the expected protocol (hint, "" when unknown) and
// TLS given, for services on non-standard ports.
func (d *Detector) DetectAs(ctx context.Context, port int, hint string, useTLS bool) Info {
	var probes []func(context.Context, probeTarget) (Info, bool)
	switch {
	case bannerFirst[hint]:
		probes = append(probes, d.banner)
	case hint == "http" || hint == "elasticsearch" || hint == "docker":
		probes = append(probes, d.http)
	case hint == "redis":
		probes = append(probes, d.redis)
	case hint == "mongodb":
		probes = append(probes, d.mongo)
	case hint == "postgresql":
		probes = append(probes, d.postgres)
	case hint == "mssql":
		probes = append(probes, d.mssql)
	case hint == "rdp":
		probes = append(probes, d.rdp)
	case hint == "smb":
		probes = append(probes, d.smb)
	case hint == "ldap":
		probes = append(probes, d.ldap)
	default:
		probes = append(probes, d.banner, d.http)
	}
	for _, p := range probes {
		if info, ok := p(ctx, probeTarget{port, useTLS, hint}); ok {
			info.Port = port
			return info
		}
		if ctx.Err() != nil {
			break
		}
	}
	// A TLS port that did not answer in clear text may be wrapped in TLS, and
	// an unknown port may be HTTPS.
	if !useTLS && (hint == "" || hint == "http" || hint == "elasticsearch" || hint == "docker") && ctx.Err() == nil {
		if info, ok := d.http(ctx, probeTarget{port, true, hint}); ok {
			info.Port = port
			return info
		}
	}
	info := Guess(port)
	if hint != "" {
		info.Name = hint
	}
	info.TLS, info.Banner = useTLS, "no answer to probes"
	return info
}

func (d *Detector) hostport(port int) string { return net.JoinHostPort(d.Addr, strconv.Itoa(port)) }

func (d *Detector) serverName() string {
	if d.ServerName != "" {
		return d.ServerName
	}
	return d.Addr
}

// open connects, wrapping the connection in TLS when asked. TLS here only
// reaches the service; certificate checks live in tlscheck.
func (d *Detector) open(ctx context.Context, port int, useTLS bool) (net.Conn, error) {
	c, err := d.Env.Dial(ctx, "tcp", d.hostport(port))
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(d.Env.Timeout))
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

// exchange sends req (if any) and reads what comes back within the timeout.
func (d *Detector) exchange(ctx context.Context, t probeTarget, req []byte, limit int) ([]byte, error) {
	c, err := d.open(ctx, t.port, t.tls)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if len(req) > 0 {
		if _, err := c.Write(req); err != nil {
			return nil, fmt.Errorf("write probe: %w", err)
		}
	}
	buf := make([]byte, limit)
	n, err := io.ReadAtLeast(c, buf, 1)
	if n == 0 {
		return nil, fmt.Errorf("read reply: %w", err)
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
	return buf[:n], nil
}

// unknownBannerWait bounds the wait for a greeting on a port whose protocol
// is unknown: most such ports are HTTP and stay silent.
const unknownBannerWait = time.Second

func (d *Detector) banner(ctx context.Context, t probeTarget) (Info, bool) {
	if t.hint == "" {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, min(d.Env.Timeout/2, unknownBannerWait))
		defer cancel()
	}
	b, err := d.exchange(ctx, t, nil, 4096)
	if err != nil {
		return Info{}, false
	}
	info, ok := ParseBanner(t.hint, b)
	info.TLS = t.tls
	return info, ok
}

// reWantsTLS matches the errors web servers send to plain HTTP on a TLS port.
var reWantsTLS = regexp.MustCompile(`(?i)HTTPS|SSL|TLS`)

var (
	reServer     = regexp.MustCompile(`(?i)^([A-Za-z][\w.-]*?)(?:/(\d[\w.+-]*))?(?:\s|$)`)
	serverToProd = map[string]string{"apache": "apache", "nginx": "nginx", "microsoft-iis": "iis", "openresty": "openresty", "lighttpd": "lighttpd", "litespeed": "litespeed", "apache-coyote": "tomcat", "jetty": "jetty", "caddy": "caddy"}
)

// ParseServerHeader extracts product and version from a Server header
// such as "Apache/2.4.58 (Ubuntu)" or "Microsoft-IIS/10.0".
func ParseServerHeader(s string) (product, version string) {
	m := reServer.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", ""
	}
	name := strings.ToLower(m[1])
	if p, ok := serverToProd[name]; ok {
		name = p
	}
	return name, m[2]
}

func (d *Detector) get(ctx context.Context, t probeTarget, path string) (*check.Page, error) {
	scheme := "http"
	if t.tls {
		scheme = "https"
	}
	return d.Env.Get(ctx, scheme+"://"+net.JoinHostPort(d.serverName(), strconv.Itoa(t.port))+path, nil)
}

// http identifies web servers, Elasticsearch and the Docker API with one
// GET / (plus GET /version for Docker, which is read-only).
func (d *Detector) http(ctx context.Context, t probeTarget) (Info, bool) {
	p, err := d.get(ctx, t, "/")
	if err != nil || (!t.tls && p.Status == http.StatusBadRequest && reWantsTLS.Match(p.Body)) {
		return Info{}, false // a TLS port answering plain HTTP with an error: retried with TLS
	}
	info := Info{Name: "http", TLS: t.tls, Banner: fmt.Sprintf("HTTP %d", p.Status)}
	server := p.Header.Get("Server")
	if server != "" {
		info.Banner += " Server: " + check.Truncate(server, 80)
		info.Product, info.Version = ParseServerHeader(server)
	}
	switch {
	case strings.Contains(string(p.Body), "You Know, for Search") || (t.hint == "elasticsearch" && strings.Contains(p.Header.Get("WWW-Authenticate"), `realm="security"`)):
		info.Name, info.Product, info.Version = "elasticsearch", "elasticsearch", ""
		var es struct {
			Version struct {
				Number string `json:"number"`
			} `json:"version"`
		}
		if json.Unmarshal(p.Body, &es) == nil && es.Version.Number != "" {
			info.Version = es.Version.Number
		}
		if p.Status == http.StatusOK {
			info.Unauth = check.Evidencef("GET / returned cluster information without credentials")
		}
	case strings.HasPrefix(strings.ToLower(server), "docker/") || p.Header.Get("Api-Version") != "":
		info.Name, info.Product, info.Version = "docker", "docker", ""
		v, err := d.get(ctx, t, "/version")
		if err == nil {
			var dv struct {
				Version    string `json:"Version"`
				APIVersion string `json:"ApiVersion"`
			}
			if json.Unmarshal(v.Body, &dv) == nil && v.Status == http.StatusOK && dv.APIVersion != "" {
				info.Version = dv.Version
				info.Unauth = check.Evidencef("GET /version answered without credentials (API %s)", dv.APIVersion)
			}
		}
	}
	return info, true
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
	if b[0] == 'S' || b[0] == 'N' || (b[0] == 'E' && bytes.Contains(b, []byte("SFATAL"))) {
		return Info{Name: "postgresql", Product: "postgresql", Banner: "SSLRequest answered " + strconv.Quote(string(b[:1]))}, true
	}
	return Info{}, false
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

// rdpRequest is an X.224 Connection Request with an RDP negotiation request.
var rdpRequest = []byte{0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00}

func (d *Detector) rdp(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, rdpRequest, 64)
	if err != nil || len(b) < 6 || b[0] != 0x03 || b[5] != 0xd0 {
		return Info{}, false
	}
	return Info{Name: "rdp", Banner: "X.224 connection confirm"}, true
}

// smbNegotiate is an SMB1 NEGOTIATE offering NT LM 0.12 and SMB 2.x, which
// SMB1-only and SMB2/3 servers both answer.
var smbNegotiate = func() []byte {
	dialects := []byte("\x02NT LM 0.12\x00\x02SMB 2.002\x00\x02SMB 2.???\x00")
	hdr := []byte{0xff, 'S', 'M', 'B', 0x72, 0, 0, 0, 0, 0x18, 0x53, 0xc8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 0, 0}
	msg := append(hdr, 0x00, byte(len(dialects)), byte(len(dialects)>>8))
	msg = append(msg, dialects...)
	return append([]byte{0x00, 0x00, byte(len(msg) >> 8), byte(len(msg))}, msg...)
}()

func (d *Detector) smb(ctx context.Context, t probeTarget) (Info, bool) {
	b, err := d.exchange(ctx, t, smbNegotiate, 512)
	if err != nil || len(b) < 8 {
		return Info{}, false
	}
	switch string(b[4:8]) {
	case "\xfeSMB":
		return Info{Name: "smb", Banner: "SMB2 negotiate response"}, true
	case "\xffSMB":
		return Info{Name: "smb", Banner: "SMB1 negotiate response (SMBv1 enabled)"}, true
	}
	return Info{}, false
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
	return Info{Name: "ldap", TLS: t.tls, Banner: "LDAP root DSE answered"}, true
}
