// Package service identifies the service behind an open port, by the banner
// it volunteers or by one harmless protocol handshake, and reports risky,
// unauthenticated, version-disclosing and vulnerable services.
package service

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// Info is what detection learned about one open port.
type Info struct {
	Port    int
	Name    string // protocol: ssh, ftp, http, redis… ("unknown" when nothing answered)
	TLS     bool   // the service speaks TLS on this port
	Product string // vulndb product name: openssh, vsftpd, apache…
	Version string
	// Detail is what the answer tells beyond the protocol when the service
	// announces no version: a range of releases (PostgreSQL "14 to 17"),
	// the SMB dialect ("dialect 2.1 or later"). Shown, never matched
	// against CVEs.
	Detail string
	Banner string // first line or summary of what the service said
	// Unauth holds evidence that a read-only request succeeded without
	// credentials (Redis INFO, MongoDB listDatabases, Elasticsearch /, Docker
	// /version, etcd keys, Kubernetes /api, Memcached, MQTT, NATS).
	Unauth check.Text
	// Risks are weaknesses of the service's configuration that its answer
	// showed (no Network Level Authentication, SMBv1 enabled).
	Risks []Risk
}

// Risk is a finding of check Check with its evidence.
type Risk struct {
	Check    string
	Evidence check.Text
}

// IsHTTP reports whether web checks apply to the service.
func (i Info) IsHTTP() bool { return i.Name == "http" }

var (
	reSSH       = regexp.MustCompile(`^SSH-([\d.]+)-([^\s\r\n]+)`)
	reOpenSSH   = regexp.MustCompile(`(?i)^OpenSSH_([\w.]+)`)
	reDropbear  = regexp.MustCompile(`(?i)^dropbear_([\w.]+)`)
	reVsftpd    = regexp.MustCompile(`(?i)vsFTPd (\d[\w.]*)`)
	reProftpd   = regexp.MustCompile(`(?i)ProFTPD (\d[\w.]*)`)
	reFileZilla = regexp.MustCompile(`(?i)FileZilla Server(?: version)? (\d[\w.]*)`)
	reExim      = regexp.MustCompile(`(?i)Exim (\d[\w.]*)`)
	reSendmail  = regexp.MustCompile(`(?i)Sendmail (\d[\w.]*)`)
	reMariaDB   = regexp.MustCompile(`(?i)(?:5\.5\.5-)?(\d+\.\d+\.\d+)-MariaDB`)
	reMySQL     = regexp.MustCompile(`^(\d+\.\d+\.\d+)`)
	reRFB       = regexp.MustCompile(`^RFB (\d{3})\.(\d{3})`)
)

// ParseBanner recognises a service from the bytes it sent first. hint is
// the protocol expected on the port ("" when unknown); it settles banners
// that several protocols share, such as FTP and SMTP "220" greetings.
func ParseBanner(hint string, b []byte) (Info, bool) {
	if len(b) == 0 {
		return Info{}, false
	}
	line := firstLine(b)
	switch {
	case bytes.HasPrefix(b, []byte("SSH-")):
		return parseSSH(line), true
	case reRFB.MatchString(line):
		m := reRFB.FindStringSubmatch(line)
		return Info{Name: "vnc", Banner: line, Version: strings.TrimLeft(m[1], "0") + "." + strings.TrimLeft(m[2], "0")}, true
	case b[0] == 0xff && len(b) > 1 && b[1] >= 0xfb:
		return Info{Name: "telnet", Banner: printable(b)}, true
	case isMySQLHandshake(b):
		return parseMySQL(b), true
	case strings.HasPrefix(line, "+OK"):
		return withMailProduct(Info{Name: "pop3", Banner: line}), true
	case strings.HasPrefix(line, "* OK") || strings.HasPrefix(line, "* PREAUTH"):
		return withMailProduct(Info{Name: "imap", Banner: line}), true
	case strings.HasPrefix(line, "220"):
		return parse220(hint, line), true
	case bytes.HasPrefix(b, []byte("INFO {")):
		return parseNATS(b)
	}
	// A bare login prompt is a Telnet server that does not negotiate.
	all := strings.ToLower(printable(b))
	if (hint == "telnet" && (strings.Contains(all, "login:") || strings.Contains(all, "username:"))) ||
		strings.HasSuffix(all, "login:") || strings.HasSuffix(all, "username:") {
		return Info{Name: "telnet", Banner: line}, true
	}
	return Info{}, false
}

// parseNATS reads the INFO line a NATS server greets every client with.
func parseNATS(b []byte) (Info, bool) {
	line, _, _ := bytes.Cut(b[len("INFO "):], []byte("\r\n"))
	var nats struct {
		Version      string `json:"version"`
		AuthRequired bool   `json:"auth_required"`
	}
	if json.Unmarshal(line, &nats) != nil {
		return Info{}, false
	}
	info := Info{Name: "nats", Product: "nats-server", Version: check.Truncate(nats.Version, 40), Banner: strings.TrimSpace("NATS " + check.Truncate(nats.Version, 40))}
	if !nats.AuthRequired {
		info.Unauth = check.Evidencef("INFO has no auth_required: clients publish and subscribe without credentials")
	}
	return info, true
}

func parseSSH(line string) Info {
	info := Info{Name: "ssh", Banner: line}
	m := reSSH.FindStringSubmatch(line)
	if m == nil {
		return info
	}
	sw := m[2]
	if v := reOpenSSH.FindStringSubmatch(sw); v != nil {
		info.Product, info.Version = "openssh", v[1]
	} else if v := reDropbear.FindStringSubmatch(sw); v != nil {
		info.Product, info.Version = "dropbear", v[1]
	} else {
		name, ver, _ := strings.Cut(sw, "_")
		info.Product, info.Version = strings.ToLower(name), ver
	}
	return info
}

// parse220 tells FTP from SMTP greetings, which both start with 220.
func parse220(hint, line string) Info {
	low := strings.ToLower(line)
	smtp := strings.Contains(low, "smtp") || strings.Contains(low, "postfix") || strings.Contains(low, "exim") || strings.Contains(low, "sendmail")
	ftp := strings.Contains(low, "ftp")
	name := hint
	switch {
	case smtp && !ftp:
		name = "smtp"
	case ftp && !smtp:
		name = "ftp"
	case name != "smtp" && name != "ftp":
		name = "ftp"
	}
	info := Info{Name: name, Banner: line}
	for _, p := range []struct {
		product string
		re      *regexp.Regexp
	}{{"vsftpd", reVsftpd}, {"proftpd", reProftpd}, {"filezilla", reFileZilla}, {"exim", reExim}, {"sendmail", reSendmail}} {
		if m := p.re.FindStringSubmatch(line); m != nil {
			info.Product, info.Version = p.product, strings.TrimRight(m[1], ".")
			return info
		}
	}
	switch {
	case strings.Contains(low, "postfix"):
		info.Product = "postfix"
	case strings.Contains(low, "pure-ftpd"):
		info.Product = "pure-ftpd"
	case strings.Contains(low, "microsoft ftp"):
		info.Product = "iis-ftp"
	case strings.Contains(low, "microsoft esmtp"):
		info.Product = "exchange"
	}
	return info
}

func withMailProduct(info Info) Info {
	if strings.Contains(strings.ToLower(info.Banner), "dovecot") {
		info.Product = "dovecot"
	}
	return info
}

// isMySQLHandshake recognises the initial handshake packet (protocol 10)
// or the error packet a server sends to hosts it does not accept.
func isMySQLHandshake(b []byte) bool {
	if len(b) < 6 {
		return false
	}
	n := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	if n < 2 || n > 1<<16 || b[3] != 0 {
		return false
	}
	return b[4] == 0x0a || (b[4] == 0xff && len(b) >= 7)
}

func parseMySQL(b []byte) Info {
	info := Info{Name: "mysql", Product: "mysql"}
	payload := b[4:]
	if payload[0] == 0xff {
		// Error packet: code (2 bytes) then message.
		msg := ""
		if len(payload) > 3 {
			msg = printable(payload[3:])
		}
		info.Banner = msg
		if strings.Contains(strings.ToLower(msg), "mariadb") {
			info.Product = "mariadb"
		}
		return info
	}
	end := bytes.IndexByte(payload[1:], 0)
	if end < 0 {
		end = len(payload) - 1
	}
	ver := string(payload[1 : 1+end])
	info.Banner = printable([]byte(ver))
	if m := reMariaDB.FindStringSubmatch(ver); m != nil {
		info.Product, info.Version = "mariadb", m[1]
	} else if m := reMySQL.FindStringSubmatch(ver); m != nil {
		info.Version = m[1]
	}
	return info
}

func firstLine(b []byte) string {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	return printable(b)
}

// printable keeps a banner safe to print and short.
func printable(b []byte) string {
	var sb strings.Builder
	for _, r := range string(b) {
		if sb.Len() >= 200 {
			break
		}
		switch {
		case r == '\uFFFD' || r < 0x20 && r != ' ' || r == 0x7f:
			continue
		default:
			sb.WriteRune(r)
		}
	}
	return strings.TrimSpace(sb.String())
}

// be16 reads a big-endian uint16 from b at off, 0 when out of range.
func be16(b []byte, off int) uint16 {
	if off+2 > len(b) {
		return 0
	}
	return binary.BigEndian.Uint16(b[off:])
}
