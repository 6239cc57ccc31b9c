package service_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/scantest"
	"github.com/khien/khien/internal/scan/service"
)

// detect runs DetectAs and Report against a fake service and returns the recorder.
func detect(t *testing.T, host string, port int, hint string, thorough bool) (service.Info, *scantest.Recorder) {
	t.Helper()
	env, rec := scantest.Env(t)
	env.Checks.Thorough = thorough
	d := &service.Detector{Env: env, Addr: host}
	info := d.DetectAs(context.Background(), port, hint, false)
	a := check.Asset{Host: host, IP: host, Port: port}
	service.Report(env, a, info)
	d.CheckAnonymousFTP(context.Background(), a, info)
	return info, rec
}

// startFake starts the fake service name on a free port.
func startFake(t *testing.T, name string) (string, int) {
	a := fakes[name].start(t, "127.0.0.1:0", nil).Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

func bsonDoc(elems ...[]byte) []byte {
	body := bytes.Join(elems, nil)
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(body)+5))
	return append(append(out, body...), 0)
}

func bsonStr(k, v string) []byte {
	out := append(append([]byte{0x02}, k...), 0)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(v)+1))
	return append(append(out, v...), 0)
}

func bsonDouble(k string, v float64) []byte {
	out := append(append([]byte{0x01}, k...), 0)
	return binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
}

func httpService(t *testing.T, h http.HandlerFunc) (string, int) {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	host, p, _ := net.SplitHostPort(u.Host)
	port, _ := strconv.Atoi(p)
	return host, port
}

func ftpServer(t *testing.T, banner string, anonymous bool) (string, int) {
	return scantest.Banner(t, []byte(banner+"\r\n"), func(req []byte) []byte {
		switch {
		case bytes.HasPrefix(req, []byte("USER")):
			return []byte("331 Please specify the password.\r\n")
		case bytes.HasPrefix(req, []byte("PASS")) && anonymous:
			return []byte("230 Login successful.\r\n")
		case bytes.HasPrefix(req, []byte("PASS")):
			return []byte("530 Login incorrect.\r\n")
		}
		return nil
	})
}

func TestServices(t *testing.T) {
	type server func(t *testing.T) (string, int)
	tests := []struct {
		name     string
		start    server
		hint     string
		thorough bool
		service  string
		want     []string // check IDs that must fire
		not      []string // check IDs that must not fire
	}{
		{
			name: "openssh vulnerable",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, []byte("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n"), nil)
			},
			service: "ssh",
			want:    []string{"port.open", "service.version-disclosure", "service.vulnerable-version"},
			not:     []string{"port.risky-service", "service.unauthenticated"},
		},
		{
			name:    "openssh patched",
			start:   func(t *testing.T) (string, int) { return scantest.Banner(t, []byte("SSH-2.0-OpenSSH_9.9p1\r\n"), nil) },
			service: "ssh",
			want:    []string{"port.open", "service.version-disclosure"},
			not:     []string{"service.vulnerable-version"},
		},
		{
			name:    "ssh without version",
			start:   func(t *testing.T) (string, int) { return scantest.Banner(t, []byte("SSH-2.0-Server\r\n"), nil) },
			service: "ssh",
			want:    []string{"port.open"},
			not:     []string{"service.version-disclosure", "service.vulnerable-version"},
		},
		{
			name:     "ftp anonymous",
			start:    func(t *testing.T) (string, int) { return ftpServer(t, "220 (vsFTPd 2.3.4)", true) },
			thorough: true,
			service:  "ftp",
			want:     []string{"port.risky-service", "service.ftp-anonymous", "service.vulnerable-version"},
		},
		{
			name:     "ftp login refused",
			start:    func(t *testing.T) (string, int) { return ftpServer(t, "220 (vsFTPd 3.0.5)", false) },
			thorough: true,
			service:  "ftp",
			want:     []string{"port.risky-service"},
			not:      []string{"service.ftp-anonymous", "service.vulnerable-version"},
		},
		{
			name:    "ftp anonymous not tried in safe profile",
			start:   func(t *testing.T) (string, int) { return ftpServer(t, "220 (vsFTPd 3.0.5)", true) },
			service: "ftp",
			not:     []string{"service.ftp-anonymous"},
		},
		{
			name:    "redis without auth",
			start:   func(t *testing.T) (string, int) { return startFake(t, "redis") },
			hint:    "redis",
			service: "redis",
			want:    []string{"port.risky-service", "service.unauthenticated", "service.version-disclosure", "service.vulnerable-version"},
		},
		{
			name:    "redis with auth",
			start:   func(t *testing.T) (string, int) { return startFake(t, "redis-auth") },
			hint:    "redis",
			service: "redis",
			want:    []string{"port.risky-service"},
			not:     []string{"service.unauthenticated"},
		},
		{
			name:    "mongodb without auth",
			start:   func(t *testing.T) (string, int) { return startFake(t, "mongodb") },
			hint:    "mongodb",
			service: "mongodb",
			want:    []string{"port.risky-service", "service.unauthenticated", "service.version-disclosure"},
		},
		{
			name:    "mongodb with auth",
			start:   func(t *testing.T) (string, int) { return startFake(t, "mongodb-auth") },
			hint:    "mongodb",
			service: "mongodb",
			want:    []string{"port.risky-service"},
			not:     []string{"service.unauthenticated"},
		},
		{
			name:    "elasticsearch open",
			start:   func(t *testing.T) (string, int) { return startFake(t, "elasticsearch") },
			hint:    "elasticsearch",
			service: "elasticsearch",
			want:    []string{"service.unauthenticated", "service.vulnerable-version", "port.risky-service"},
		},
		{
			name: "elasticsearch secured",
			start: func(t *testing.T) (string, int) {
				return httpService(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("WWW-Authenticate", `Basic realm="security" charset="UTF-8"`)
					w.WriteHeader(http.StatusUnauthorized)
				})
			},
			hint:    "elasticsearch",
			service: "elasticsearch",
			want:    []string{"port.risky-service"},
			not:     []string{"service.unauthenticated"},
		},
		{
			name:    "docker api open",
			start:   func(t *testing.T) (string, int) { return startFake(t, "docker") },
			hint:    "docker",
			service: "docker",
			want:    []string{"service.unauthenticated", "port.risky-service"},
		},
		{
			name: "docker api behind auth proxy",
			start: func(t *testing.T) (string, int) {
				return httpService(t, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Server", "Docker/24.0.7 (linux)")
					w.WriteHeader(http.StatusUnauthorized)
				})
			},
			hint:    "docker",
			service: "docker",
			not:     []string{"service.unauthenticated"},
		},
		{
			name: "plain web server",
			start: func(t *testing.T) (string, int) {
				return httpService(t, func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Server", "Apache/2.4.49 (Unix)") })
			},
			service: "http",
			want:    []string{"port.open"},
			not:     []string{"port.risky-service", "service.version-disclosure", "service.vulnerable-version"},
		},
		{
			name: "mysql",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, []byte("\x4a\x00\x00\x00\x0a5.7.44-log\x00\x08\x00\x00\x00"), nil)
			},
			service: "mysql",
			want:    []string{"port.risky-service", "service.version-disclosure", "tech.end-of-life"},
		},
		{
			name: "postgresql",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, nil, func([]byte) []byte { return []byte("N") })
			},
			hint:    "postgresql",
			service: "postgresql",
			want:    []string{"port.risky-service"},
		},
		{
			name: "rdp",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, nil, func([]byte) []byte {
					return []byte{0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 0x02, 0, 0x08, 0, 0x02, 0, 0, 0}
				})
			},
			hint:    "rdp",
			service: "rdp",
			want:    []string{"port.risky-service"},
		},
		{
			name: "smb",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, nil, func([]byte) []byte { return append([]byte{0, 0, 0, 0x40, 0xfe, 'S', 'M', 'B'}, make([]byte, 60)...) })
			},
			hint:    "smb",
			service: "smb",
			want:    []string{"port.risky-service"},
		},
		{
			name:    "rdp accepting TLS without CredSSP",
			start:   func(t *testing.T) (string, int) { return rdpServer(t, rdpNegotiation(0x02, 0x01)) },
			hint:    "rdp",
			service: "rdp",
			want:    []string{"service.rdp-no-nla"},
		},
		{
			name:    "rdp requiring NLA",
			start:   func(t *testing.T) (string, int) { return rdpServer(t, rdpNegotiation(0x03, 0x05)) },
			hint:    "rdp",
			service: "rdp",
			not:     []string{"service.rdp-no-nla"},
		},
		{
			name:    "smb2 server also accepting SMB1",
			start:   func(t *testing.T) (string, int) { return smbServer(t, true) },
			hint:    "smb",
			service: "smb",
			want:    []string{"service.smbv1"},
		},
		{
			name:    "smb2 server without SMB1",
			start:   func(t *testing.T) (string, int) { return smbServer(t, false) },
			service: "smb",
			not:     []string{"service.smbv1"},
		},
		{
			name: "smb1 only",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, nil, func([]byte) []byte { return smb1Response(0) })
			},
			hint:    "smb",
			service: "smb",
			want:    []string{"service.smbv1"},
		},
		{
			name: "ldap",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, nil, func([]byte) []byte {
					return []byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00}
				})
			},
			hint:    "ldap",
			service: "ldap",
			want:    []string{"port.risky-service"},
		},
		{
			name: "mssql",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, nil, func([]byte) []byte {
					return []byte{0x04, 0x01, 0x00, 0x14, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x06, 0xff, 0x0f, 0x00, 0x07, 0xd0, 0x00, 0x00}
				})
			},
			hint:    "mssql",
			service: "mssql",
			want:    []string{"port.risky-service", "service.version-disclosure"},
		},
		{
			name:    "telnet",
			start:   func(t *testing.T) (string, int) { return scantest.Banner(t, []byte("\xff\xfd\x18\xff\xfd\x20"), nil) },
			service: "telnet",
			want:    []string{"port.risky-service"},
		},
		{
			name:    "vnc",
			start:   func(t *testing.T) (string, int) { return scantest.Banner(t, []byte("RFB 003.008\n"), nil) },
			service: "vnc",
			want:    []string{"port.risky-service"},
		},
		{
			name: "smtp exim vulnerable",
			start: func(t *testing.T) (string, int) {
				return scantest.Banner(t, []byte("220 mx.example.vn ESMTP Exim 4.89\r\n"), nil)
			},
			service: "smtp",
			want:    []string{"service.vulnerable-version"},
			not:     []string{"port.risky-service"},
		},
		{
			name:    "pop3",
			start:   func(t *testing.T) (string, int) { return scantest.Banner(t, []byte("+OK Dovecot ready.\r\n"), nil) },
			service: "pop3",
			want:    []string{"port.open"},
		},
		{
			name:    "imap",
			start:   func(t *testing.T) (string, int) { return scantest.Banner(t, []byte("* OK IMAP4rev1 ready\r\n"), nil) },
			service: "imap",
			want:    []string{"port.open"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			host, port := tt.start(t)
			info, rec := detect(t, host, port, tt.hint, tt.thorough)
			if info.Name != tt.service {
				t.Fatalf("service %q, want %q (%+v)", info.Name, tt.service, info)
			}
			for _, id := range tt.want {
				if !rec.Has(id) {
					t.Errorf("%s did not fire; got %v", id, rec.IDs())
				}
			}
			for _, id := range tt.not {
				if rec.Has(id) {
					t.Errorf("%s fired: %+v", id, rec.Get(id))
				}
			}
		})
	}
}

func TestKEVRaisesSeverity(t *testing.T) {
	host, port := scantest.Banner(t, []byte("220 mx.example.vn ESMTP Exim 4.89\r\n"), nil)
	_, rec := detect(t, host, port, "", false)
	fs := rec.Get("service.vulnerable-version")
	if len(fs) != 1 {
		t.Fatalf("got %d findings", len(fs))
	}
	f := fs[0]
	if f.Severity != check.Critical || f.CVSSScore != 9.8 || len(f.CVE) == 0 || f.CVE[0] != "CVE-2019-10149" {
		t.Errorf("got %s %.1f %v, want critical 9.8 [CVE-2019-10149]", f.Severity, f.CVSSScore, f.CVE)
	}
}

// rdpNegotiation is an X.224 Connection Confirm carrying an RDP negotiation
// response (typ 2, with the selected protocol) or failure (typ 3, code).
func rdpNegotiation(typ byte, value uint32) []byte {
	b := []byte{0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, typ, 0, 0x08, 0}
	return binary.LittleEndian.AppendUint32(b, value)
}

// rdpServer answers an X.224 Connection Request with confirm.
func rdpServer(t *testing.T, confirm []byte) (string, int) {
	return scantest.Banner(t, nil, func(req []byte) []byte {
		if len(req) < 6 || req[5] != 0xe0 {
			return nil
		}
		return confirm
	})
}

// smb1Response is an SMB1 NEGOTIATE response selecting dialect index.
func smb1Response(index uint16) []byte {
	b := append([]byte{0, 0, 0, 35, 0xff, 'S', 'M', 'B', 0x72}, make([]byte, 27)...)
	return binary.LittleEndian.AppendUint16(append(b, 1), index)
}

// smbServer answers the multi-protocol negotiate with SMB2 dialect 2.1+
// and a negotiate offering only NT LM 0.12 with SMB1 when smb1 is set,
// with "no dialect" otherwise.
func smbServer(t *testing.T, smb1 bool) (string, int) {
	return scantest.Banner(t, nil, func(req []byte) []byte {
		switch {
		case len(req) < 8 || !bytes.Equal(req[4:8], []byte("\xffSMB")):
			return nil
		case bytes.Contains(req, []byte("SMB 2.")):
			b := append([]byte{0, 0, 0, 0x48, 0xfe, 'S', 'M', 'B'}, make([]byte, 60)...)
			return append(b, 0x41, 0x00, 0x01, 0x00, 0xff, 0x02)
		case smb1:
			return smb1Response(0)
		}
		return smb1Response(0xffff)
	})
}

// TestReleaseFromProtocolDetails: PostgreSQL's refusal of protocol 1.0
// names a range of releases, shown with the service and never matched as a
// version; 389 DS's root DSE gives its version.
func TestReleaseFromProtocolDetails(t *testing.T) {
	refusal := []byte("EFATAL:  unsupported frontend protocol 1.0: server supports 3.0 to 3.0\n\x00")
	host, port := scantest.Banner(t, nil, func(req []byte) []byte {
		switch {
		case bytes.Equal(req, []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}):
			return []byte("N")
		case bytes.Equal(req, []byte{0, 0, 0, 8, 0, 1, 0, 0}):
			return refusal
		}
		return nil
	})
	info, rec := detect(t, host, port, "", false)
	if info.Name != "postgresql" || info.Detail != "14 to 17" || info.Version != "" {
		t.Errorf("got %+v, want postgresql, range 14 to 17, no version", info)
	}
	if open := rec.Get("port.open"); len(open) != 1 || !strings.Contains(open[0].Evidence, "14 to 17") {
		t.Errorf("port.open %+v does not show the range", open)
	}

	vendor := func(name, value string) []byte {
		b := append([]byte{0x30, byte(4 + len(name) + len(value) + 2), 0x04, byte(len(name))}, name...)
		return append(append(b, 0x31, byte(2+len(value)), 0x04, byte(len(value))), value...)
	}
	attrs := append(vendor("vendorName", "389 Project"), vendor("vendorVersion", "389-Directory/2.4.5 B2024.017.0000")...)
	entry := append([]byte{0x30, byte(7 + len(attrs)), 0x02, 0x01, 0x01, 0x64, byte(4 + len(attrs)), 0x04, 0x00, 0x30, byte(len(attrs))}, attrs...)
	host, port = scantest.Banner(t, nil, func(req []byte) []byte {
		if len(req) < 8 || req[0] != 0x30 {
			return nil
		}
		return append(entry, 0x30, 0x0c, 0x02, 0x01, 0x01, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00)
	})
	info, rec = detect(t, host, port, "ldap", false)
	if info.Product != "389-ds" || info.Version != "2.4.5" {
		t.Errorf("got %+v, want 389-ds 2.4.5", info)
	}
	if !rec.Has("service.version-disclosure") {
		t.Errorf("no version disclosure: %v", rec.IDs())
	}
}
