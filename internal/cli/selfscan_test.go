package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/jobs"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/server"
)

// TestSelfScanOfTLSDeployment runs `khien serve` as production should run
// it (TLS, plain HTTP only redirecting) and scans it with the scanner's safe
// checks, trusting the test's CA as a deployment trusts its own: no finding
// may be medium or worse.
func TestSelfScanOfTLSDeployment(t *testing.T) {
	dir := t.TempDir()
	pool, certFile, keyFile := testCA(t, dir)
	cfg := server.Config{Addr: freeAddr(t), HTTPRedirectAddr: freeAddr(t), TLSCert: certFile, TLSKey: keyFile, Version: "test", MaxConnsPerClient: 128}
	t.Setenv("KHIEN_ADMIN_PASSWORD", "correct horse battery")
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, &dbFlags{dataDir: filepath.Join(dir, "data")}, cfg, jobs.Config{}, time.Hour, "", i18n.VI)
	}()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	waitFor(t, 20*time.Second, "the TLS server to answer /healthz", func() bool {
		resp, err := client.Get("https://" + cfg.Addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	targets, err := scan.ParseTargets([]string{"127.0.0.1"}, false)
	if err != nil {
		t.Fatal(err)
	}
	var findings []check.Finding
	sum, err := scan.Run(t.Context(), scan.Config{
		Profile:     scan.ProfileSafe,
		Ports:       []int{port(t, cfg.Addr), port(t, cfg.HTTPRedirectAddr)},
		RootCAs:     pool,
		PerHostRate: 1000,
		Timeout:     5 * time.Second,
		Lang:        "en",
	}, targets, func(f check.Finding) { findings = append(findings, f) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("self-scan: %d findings on %d hosts", sum.Findings, sum.Hosts)
	for _, f := range findings {
		t.Logf("  %-6s %-32s %s:%d %s", f.Severity, f.CheckID, f.Host, f.Port, f.Evidence)
		if f.Severity.Rank() >= check.Medium.Rank() {
			t.Errorf("%s finding %s on port %d: %s", f.Severity, f.CheckID, f.Port, f.Evidence)
		}
	}
	// Both listeners were reached, and HTTPS carries HSTS (a connection
	// wrapper once hid TLS from net/http: a low http.missing-hsts).
	open := map[int]bool{}
	for _, f := range findings {
		open[f.Port] = open[f.Port] || f.CheckID == "port.open"
		if f.CheckID == "http.missing-hsts" {
			t.Errorf("HTTPS without HSTS: %s", f.Evidence)
		}
	}
	if !open[port(t, cfg.Addr)] || !open[port(t, cfg.HTTPRedirectAddr)] {
		t.Errorf("the scan did not reach both listeners: %v", open)
	}
}

func port(t *testing.T, addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

// testCA writes a certificate for 127.0.0.1 issued by a fresh CA and returns
// the pool that trusts that CA.
func testCA(t *testing.T, dir string) (pool *x509.CertPool, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Khiên test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 6, 0), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})...)
	if err := os.WriteFile(certFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(ca)
	return pool, certFile, keyFile
}
