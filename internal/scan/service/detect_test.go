package service_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/scantest"
	"github.com/khien/khien/internal/scan/service"
)

// testTLS is a server configuration with httptest's certificate.
func testTLS(t *testing.T) *tls.Config {
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	return &tls.Config{Certificates: srv.TLS.Certificates}
}

// TestEveryServiceOnEveryPort puts each fake service on a random high port
// and checks that it is identified, versioned and checked as on its usual
// port: the same Info, the same findings.
func TestEveryServiceOnEveryPort(t *testing.T) {
	cfg := testTLS(t)
	tests := []struct {
		fake                   string
		name, product, version string
		unauth                 bool
		want, not              []string
	}{
		{fake: "ssh", name: "ssh", product: "openssh", version: "8.9p1", want: []string{"service.version-disclosure", "service.vulnerable-version"}},
		{fake: "ftp", name: "ftp", product: "vsftpd", version: "3.0.5", want: []string{"port.risky-service"}},
		{fake: "smtp", name: "smtp", product: "exim", version: "4.89", want: []string{"service.vulnerable-version"}},
		{fake: "pop3", name: "pop3", product: "dovecot"},
		{fake: "imap", name: "imap", product: "dovecot"},
		{fake: "imaps", name: "imap", product: "dovecot"},
		{fake: "mysql", name: "mysql", product: "mysql", version: "5.7.44", want: []string{"port.risky-service", "tech.end-of-life"}},
		{fake: "vnc", name: "vnc", version: "3.8", want: []string{"port.risky-service"}},
		{fake: "telnet", name: "telnet", want: []string{"port.risky-service"}},
		{fake: "nats", name: "nats", product: "nats-server", version: "2.9.10", unauth: true, want: []string{"service.unauthenticated", "port.risky-service"}},
		{fake: "redis", name: "redis", product: "redis", version: "6.2.6", unauth: true, want: []string{"service.unauthenticated", "service.vulnerable-version"}},
		{fake: "redis-auth", name: "redis", product: "redis", want: []string{"port.risky-service"}, not: []string{"service.unauthenticated"}},
		{fake: "mongodb", name: "mongodb", product: "mongodb", version: "4.4.6", unauth: true, want: []string{"service.unauthenticated"}},
		{fake: "mongodb-auth", name: "mongodb", product: "mongodb", version: "4.4.6", not: []string{"service.unauthenticated"}},
		{fake: "memcached", name: "memcached", product: "memcached", version: "1.6.18", unauth: true, want: []string{"service.unauthenticated", "port.risky-service"}},
		{fake: "postgresql", name: "postgresql", product: "postgresql", want: []string{"port.risky-service"}},
		{fake: "mssql", name: "mssql", product: "mssql", version: "15.0.2000", want: []string{"service.version-disclosure"}},
		{fake: "ldap", name: "ldap", product: "openldap", want: []string{"port.risky-service"}},
		{fake: "rdp", name: "rdp", want: []string{"port.risky-service"}},
		{fake: "smb", name: "smb", want: []string{"port.risky-service"}},
		{fake: "mqtt", name: "mqtt", product: "mosquitto", version: "2.0.11", unauth: true, want: []string{"service.unauthenticated", "service.version-disclosure"}},
		{fake: "mqtt-auth", name: "mqtt", not: []string{"service.unauthenticated"}},
		{fake: "amqp", name: "amqp", product: "rabbitmq", version: "3.10.8", want: []string{"service.version-disclosure"}, not: []string{"service.unauthenticated"}},
		{fake: "http", name: "http", product: "nginx", version: "1.18.0", not: []string{"port.risky-service"}},
		{fake: "https", name: "http", product: "nginx", version: "1.18.0"},
		{fake: "elasticsearch", name: "elasticsearch", product: "elasticsearch", version: "1.4.2", unauth: true, want: []string{"service.vulnerable-version"}},
		{fake: "docker", name: "docker", product: "docker", version: "24.0.7", unauth: true, want: []string{"port.risky-service"}},
		{fake: "kubernetes", name: "kubernetes", product: "kubernetes", version: "1.28.2", unauth: true},
		{fake: "kubernetes-rbac", name: "kubernetes", product: "kubernetes", version: "1.28.2", not: []string{"service.unauthenticated"}},
		{fake: "etcd", name: "etcd", product: "etcd", version: "3.4.23", unauth: true, want: []string{"service.unauthenticated"}},
	}
	for _, tt := range tests {
		t.Run(tt.fake, func(t *testing.T) {
			t.Parallel()
			f := fakes[tt.fake]
			var scfg *tls.Config
			if f.tls {
				scfg = cfg
			}
			port := f.start(t, "127.0.0.1:0", scfg).Addr().(*net.TCPAddr).Port
			hint, useTLS := service.UsualHint(f.usualPort)
			usual, usualIDs := detectOn(t, port, hint, useTLS)
			moved, movedIDs := detectOn(t, port, "", false)
			for _, got := range []service.Info{usual, moved} {
				if got.Name != tt.name || got.Product != tt.product || got.Version != tt.version || got.TLS != f.tls || !got.Unauth.IsZero() != tt.unauth {
					t.Errorf("got %+v, want %s %s %s tls=%v unauth=%v", got, tt.name, tt.product, tt.version, f.tls, tt.unauth)
				}
			}
			if !slices.Equal(usualIDs, movedIDs) {
				t.Errorf("findings on the usual port %v, on port %d %v", usualIDs, port, movedIDs)
			}
			for _, id := range append(tt.want, "port.open") {
				if !slices.Contains(movedIDs, id) {
					t.Errorf("%s did not fire; got %v", id, movedIDs)
				}
			}
			for _, id := range tt.not {
				if slices.Contains(movedIDs, id) {
					t.Errorf("%s fired", id)
				}
			}
		})
	}
}

// detectOn detects and reports the service on port with the given hint.
func detectOn(t *testing.T, port int, hint string, useTLS bool) (service.Info, []string) {
	t.Helper()
	env, rec := scantest.Env(t)
	d := &service.Detector{Env: env, Addr: "127.0.0.1"}
	info := d.DetectAs(context.Background(), port, hint, useTLS)
	service.Report(env, check.Asset{Host: "127.0.0.1", IP: "127.0.0.1", Port: port}, info)
	return info, rec.IDs()
}

// TestDetectBudget: a port that accepts and never answers, or answers what
// no probe knows, is reported unknown within the per-port budget.
func TestDetectBudget(t *testing.T) {
	tests := []struct {
		name   string
		start  func(t *testing.T) net.Listener
		banner string
	}{
		{"silent", func(t *testing.T) net.Listener {
			return scantest.Serve(t, "127.0.0.1:0", nil, nil, func(req []byte) ([]byte, bool) { return more([]byte{}) })
		}, "no answer to probes"},
		{"closes at once", func(t *testing.T) net.Listener {
			return scantest.Serve(t, "127.0.0.1:0", nil, nil, nil)
		}, "closed the connection without answering"},
		{"unknown greeting", func(t *testing.T) net.Listener {
			return scantest.Serve(t, "127.0.0.1:0", nil, []byte("WELCOME TO ACME CONTROL\r\n"), func([]byte) ([]byte, bool) { return nil, true })
		}, "WELCOME TO ACME CONTROL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			port := tt.start(t).Addr().(*net.TCPAddr).Port
			env, _ := scantest.Env(t)
			d := &service.Detector{Env: env, Addr: "127.0.0.1"}
			start := time.Now()
			info := d.Detect(context.Background(), port)
			if took, budget := time.Since(start), 3*env.Timeout+env.Timeout/2; took > budget {
				t.Errorf("took %v, budget %v", took, budget)
			}
			if info.Name != "unknown" || info.Banner != tt.banner {
				t.Errorf("got %+v, want unknown %q", info, tt.banner)
			}
		})
	}
}

// TestDetectOtherProtocolOnTLSPort: an HTTPS server on the IMAPS port is
// found by the probes inside TLS after the hinted IMAP banner wait.
func TestDetectOtherProtocolOnTLSPort(t *testing.T) {
	port := webFake(t, "127.0.0.1:0", testTLS(t)).Addr().(*net.TCPAddr).Port
	info, _ := detectOn(t, port, "imap", true)
	if info.Name != "http" || !info.TLS || info.Product != "nginx" {
		t.Errorf("got %+v, want http over TLS from nginx", info)
	}
}
