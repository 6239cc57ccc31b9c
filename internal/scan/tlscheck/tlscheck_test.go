//go:debug rsa1024min=0
//go:debug tlssha1=1

package tlscheck_test

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/scantest"
	"github.com/khien/khien/internal/scan/tlscheck"
)

type certOpts struct {
	names     []string
	ips       []net.IP
	notAfter  time.Time
	key       crypto.Signer
	sigAlg    x509.SignatureAlgorithm
	selfSign  bool
	issuer    *x509.Certificate
	issuerKey crypto.Signer
}

var serial atomic.Int64

func newCert(t *testing.T, o certOpts) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	if o.key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		o.key = k
	}
	if o.notAfter.IsZero() {
		o.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(100 + serial.Add(1)),
		Subject:            pkix.Name{CommonName: o.names[0]},
		DNSNames:           o.names,
		IPAddresses:        o.ips,
		NotBefore:          time.Now().Add(-48 * time.Hour),
		NotAfter:           o.notAfter,
		SignatureAlgorithm: o.sigAlg,
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	parent, parentKey := tmpl, o.key
	if !o.selfSign {
		parent, parentKey = o.issuer, o.issuerKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, o.key.Public(), parentKey)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, o.key
}

func newCA(t *testing.T, name string, key crypto.Signer) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-30 * 24 * time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

// serve runs a TLS server on loopback that completes handshakes and closes.
func serve(t *testing.T, cert *x509.Certificate, key crypto.Signer, cfg *tls.Config) int {
	t.Helper()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.Certificates = []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(3 * time.Second))
				_ = c.(*tls.Conn).Handshake()
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

var certIDs = []string{"tls.expired", "tls.expiring-soon", "tls.self-signed", "tls.untrusted-chain", "tls.hostname-mismatch", "tls.weak-key", "tls.sha1-signature", "tls.weak-protocol", "tls.weak-cipher"}

func TestTLS(t *testing.T) {
	ca, caKey := newCA(t, "Khien Test Root", nil)
	other, otherKey := newCA(t, "Untrusted Root", nil)
	rsaCA, rsaCAKey := newCA(t, "Khien Test RSA Root", mustRSA(t, 2048))
	signed := func(o certOpts) certOpts {
		if o.issuer == nil {
			o.issuer, o.issuerKey = ca, caKey
		}
		return o
	}
	tests := []struct {
		name   string
		opts   certOpts
		cfg    *tls.Config
		want   []string
		byAddr bool // scanned by address, not by name
	}{
		{name: "address in the certificate", opts: signed(certOpts{names: []string{"good.test"}, ips: []net.IP{net.ParseIP("127.0.0.1")}}), byAddr: true},
		{name: "address not in the certificate", opts: signed(certOpts{names: []string{"good.test"}}), byAddr: true, want: []string{"tls.hostname-mismatch"}},
		{name: "good", opts: signed(certOpts{names: []string{"good.test"}}), want: nil},
		{name: "expired", opts: signed(certOpts{names: []string{"good.test"}, notAfter: time.Now().Add(-24 * time.Hour)}), want: []string{"tls.expired"}},
		{name: "expiring soon", opts: signed(certOpts{names: []string{"good.test"}, notAfter: time.Now().Add(10 * 24 * time.Hour)}), want: []string{"tls.expiring-soon"}},
		{name: "self-signed", opts: certOpts{names: []string{"good.test"}, selfSign: true}, want: []string{"tls.self-signed"}},
		{name: "untrusted chain", opts: certOpts{names: []string{"good.test"}, issuer: other, issuerKey: otherKey}, want: []string{"tls.untrusted-chain"}},
		{name: "hostname mismatch", opts: signed(certOpts{names: []string{"other.test"}}), want: []string{"tls.hostname-mismatch"}},
		{name: "weak key", opts: signed(certOpts{names: []string{"good.test"}, key: mustRSA(t, 1024)}), want: []string{"tls.weak-key"}},
		{name: "sha1 signature", opts: certOpts{names: []string{"good.test"}, issuer: rsaCA, issuerKey: rsaCAKey, key: mustRSA(t, 2048), sigAlg: x509.SHA1WithRSA}, want: []string{"tls.sha1-signature", "tls.untrusted-chain"}},
		{
			name: "tls 1.0 and 1.1",
			opts: signed(certOpts{names: []string{"good.test"}}),
			cfg:  &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}},
			want: []string{"tls.weak-protocol"},
		},
		{
			name: "weak cipher",
			opts: signed(certOpts{names: []string{"good.test"}}),
			cfg:  &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}},
			want: []string{"tls.weak-cipher"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cert, key := newCert(t, tt.opts)
			port := serve(t, cert, key, tt.cfg)
			env, rec := scantest.Env(t)
			env.RootCAs = x509.NewCertPool()
			env.RootCAs.AddCert(ca)
			env.RootCAs.AddCert(rsaCA)
			a := check.Asset{Host: "good.test", IP: "127.0.0.1", Port: port}
			target := tlscheck.Target{Asset: a, Addr: "127.0.0.1", Port: port, ServerName: "good.test"}
			if tt.byAddr {
				target.ServerName = ""
			}
			tlscheck.Check(context.Background(), env, target)
			var got []string
			for _, id := range rec.IDs() {
				if slices.Contains(certIDs, id) {
					got = append(got, id)
				}
			}
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings %v, want %v", got, want)
				for _, f := range rec.Findings {
					t.Log(f.CheckID, f.Evidence)
				}
			}
		})
	}
}

func mustRSA(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// serveSMTP is a mail server that upgrades to TLS with STARTTLS.
func serveSMTP(t *testing.T, cert *x509.Certificate, key crypto.Signer) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(3 * time.Second))
				r := bufio.NewReader(c)
				fmt.Fprint(c, "220 mail.good.test ESMTP Postfix\r\n")
				if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, "EHLO") {
					return
				}
				fmt.Fprint(c, "250-mail.good.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
				if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, "STARTTLS") {
					return
				}
				fmt.Fprint(c, "220 2.0.0 Ready to start TLS\r\n")
				_ = tls.Server(c, cfg).Handshake()
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestSTARTTLS(t *testing.T) {
	ca, caKey := newCA(t, "Khien Test Root", nil)
	for _, tt := range []struct {
		name     string
		notAfter time.Time
		want     bool
	}{
		{"expired", time.Now().Add(-time.Hour), true},
		{"valid", time.Now().Add(365 * 24 * time.Hour), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cert, key := newCert(t, certOpts{names: []string{"good.test"}, notAfter: tt.notAfter, issuer: ca, issuerKey: caKey})
			port := serveSMTP(t, cert, key)
			env, rec := scantest.Env(t)
			env.RootCAs = x509.NewCertPool()
			env.RootCAs.AddCert(ca)
			a := check.Asset{Host: "good.test", IP: "127.0.0.1", Port: port}
			tlscheck.Check(t.Context(), env, tlscheck.Target{Asset: a, Addr: "127.0.0.1", Port: port, ServerName: "good.test", StartTLS: "smtp"})
			if rec.Has("tls.expired") != tt.want {
				t.Errorf("tls.expired fired=%v, want %v (all: %v)", rec.Has("tls.expired"), tt.want, rec.IDs())
			}
			if rec.Has("tls.untrusted-chain") || rec.Has("tls.hostname-mismatch") {
				t.Errorf("unexpected findings %v", rec.IDs())
			}
		})
	}
}
