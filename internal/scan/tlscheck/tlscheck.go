// Package tlscheck examines a TLS service: its certificate (expiry, trust,
// host name, key size, signature) and the protocol versions and cipher
// suites it accepts. Each property is tested with its own handshake whose
// versions and suites are set explicitly, because Go's defaults refuse
// exactly what must be detected.
package tlscheck

import (
	"bufio"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// expiringWindow is how close to expiry a certificate becomes a finding.
const expiringWindow = 30 * 24 * time.Hour

// Target is one TLS endpoint.
type Target struct {
	Asset      check.Asset
	Addr       string // IP address
	Port       int
	ServerName string // host name to verify; "" when scanning an address (the address is verified)
	// StartTLS names the clear-text protocol that upgrades to TLS on this
	// port ("smtp", "imap" or "pop3"); "" when TLS starts at once.
	StartTLS string
}

// Check runs the TLS checks on t.
func Check(ctx context.Context, env *check.Env, t Target) {
	certIDs := []string{"tls.expired", "tls.expiring-soon", "tls.self-signed", "tls.untrusted-chain", "tls.hostname-mismatch", "tls.weak-key", "tls.sha1-signature"}
	if env.Checks.AnyEnabled(certIDs...) {
		state, err := handshake(ctx, env, t, tls.VersionTLS10, tls.VersionTLS13, allSuites())
		if err != nil {
			env.Log.Debug("tls handshake failed", "addr", t.Addr, "port", t.Port, "err", err)
		} else {
			checkCertificates(env, t, state.PeerCertificates)
		}
	}
	if env.Enabled("tls.weak-protocol") {
		var offered []string
		for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
			if _, err := handshake(ctx, env, t, v, v, allSuites()); err == nil {
				offered = append(offered, tls.VersionName(v))
			}
		}
		if len(offered) > 0 {
			env.Found("tls.weak-protocol", t.Asset, strings.Join(offered, ","), check.Evidencef("server accepts %s", strings.Join(offered, ", ")))
		}
	}
	if env.Enabled("tls.weak-cipher") {
		if st, err := handshake(ctx, env, t, tls.VersionTLS10, tls.VersionTLS12, weakSuites()); err == nil {
			name := tls.CipherSuiteName(st.CipherSuite)
			env.Found("tls.weak-cipher", t.Asset, "", check.Evidencef("server accepted %s with %s", name, tls.VersionName(st.Version)))
		}
	}
}

// weakSuites are the suites Go still implements but considers insecure:
// RC4, 3DES, CBC with SHA-256 (Lucky13-prone) and RSA key exchange (no
// forward secrecy).
func weakSuites() []uint16 {
	var out []uint16
	for _, s := range tls.InsecureCipherSuites() {
		out = append(out, s.ID)
	}
	return out
}

func allSuites() []uint16 {
	out := weakSuites()
	for _, s := range tls.CipherSuites() {
		out = append(out, s.ID)
	}
	return out
}

func handshake(ctx context.Context, env *check.Env, t Target, minV, maxV uint16, suites []uint16) (tls.ConnectionState, error) {
	c, err := env.Dial(ctx, "tcp", net.JoinHostPort(t.Addr, strconv.Itoa(t.Port)))
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(env.Timeout))
	if t.StartTLS != "" {
		if err := startTLS(c, t.StartTLS); err != nil {
			return tls.ConnectionState{}, err
		}
	}
	cfg := &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // the chain is verified below, with the result reported rather than fatal
		MinVersion:         minV,
		MaxVersion:         maxV,
		CipherSuites:       suites,
	}
	if net.ParseIP(t.ServerName) == nil {
		cfg.ServerName = t.ServerName
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, fmt.Errorf("tls %s-%s: %w", tls.VersionName(minV), tls.VersionName(maxV), err)
	}
	return tc.ConnectionState(), nil
}

func checkCertificates(env *check.Env, t Target, chain []*x509.Certificate) {
	if len(chain) == 0 {
		return
	}
	leaf := chain[0]
	now := env.Now()
	subject := leaf.Subject.String()
	desc := check.Evidencef("certificate %q issued by %q", subject, leaf.Issuer.String())
	switch {
	case now.After(leaf.NotAfter):
		env.Found("tls.expired", t.Asset, fingerprint(leaf), check.Evidencef("%s expired on %s", desc, leaf.NotAfter.UTC().Format(time.DateOnly)))
	case leaf.NotAfter.Sub(now) < expiringWindow:
		days := int(leaf.NotAfter.Sub(now).Hours() / 24)
		env.Found("tls.expiring-soon", t.Asset, fingerprint(leaf), check.Evidencef("%s expires on %s (%d days)", desc, leaf.NotAfter.UTC().Format(time.DateOnly), days))
	}
	selfSigned := isSelfSigned(leaf)
	if selfSigned {
		env.Found("tls.self-signed", t.Asset, fingerprint(leaf), check.Evidencef("%s is self-signed", desc))
	} else if problem := verifyChain(env, chain, now); !problem.IsZero() {
		env.Found("tls.untrusted-chain", t.Asset, fingerprint(leaf), check.Evidencef("%s: %s", desc, problem))
	}
	// The certificate must name what the target was reached by: its host
	// name, or its address (an IP SAN) when it was scanned by address.
	reached := t.ServerName
	if reached == "" {
		reached = t.Addr
	}
	if reached != "" {
		if err := leaf.VerifyHostname(reached); err != nil {
			env.Found("tls.hostname-mismatch", t.Asset, reached, check.Evidencef("certificate names %s, not %s", certNames(leaf), reached))
		}
	}
	if k, ok := leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
		env.Found("tls.weak-key", t.Asset, fingerprint(leaf), check.Evidencef("RSA key of %d bits", k.N.BitLen()))
	}
	// The root's own signature does not matter: it is trusted by presence.
	for i, c := range chain {
		if i > 0 && isSelfSigned(c) {
			break
		}
		if c.SignatureAlgorithm == x509.SHA1WithRSA || c.SignatureAlgorithm == x509.ECDSAWithSHA1 || c.SignatureAlgorithm == x509.DSAWithSHA1 {
			env.Found("tls.sha1-signature", t.Asset, fingerprint(c), check.Evidencef("certificate %q signed with %s", c.Subject.String(), c.SignatureAlgorithm))
			break
		}
	}
}

// verifyChain verifies the chain the server sent against the trusted roots
// (the system pool unless the scan was given its own) and says what is
// wrong with it (nothing: the zero Text).
func verifyChain(env *check.Env, chain []*x509.Certificate, now time.Time) check.Text {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	// Expiry is its own finding; verify as of a moment the leaf was valid.
	at := now
	if at.After(chain[0].NotAfter) {
		at = chain[0].NotAfter.Add(-time.Minute)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: env.RootCAs, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	var unknown x509.UnknownAuthorityError
	if err != nil && errors.As(err, &unknown) {
		return check.Evidencef("issuer is not trusted (unknown authority or incomplete chain)")
	}
	if err != nil && !errors.As(err, new(x509.HostnameError)) {
		return check.Evidencef("%s", err.Error())
	}
	return check.Text{}
}

func isSelfSigned(c *x509.Certificate) bool {
	if c.Subject.String() != c.Issuer.String() {
		return false
	}
	// CheckSignature, not CheckSignatureFrom: self-signed leaves are not CAs.
	// Go refuses to check SHA-1 signatures; the names alone decide then.
	err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	return err == nil || errors.As(err, new(x509.InsecureAlgorithmError))
}

func fingerprint(c *x509.Certificate) string {
	return c.SerialNumber.String() + "/" + c.Issuer.String()
}

func certNames(c *x509.Certificate) string {
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		names = append(names, "CN="+c.Subject.CommonName)
	}
	return strings.Join(names, ", ")
}

// startTLS runs the clear-text part of a STARTTLS upgrade: the greeting, the
// command, and its positive answer.
func startTLS(c net.Conn, proto string) error {
	r := bufio.NewReader(c)
	// reply reads one response, following SMTP's "250-" continuation lines.
	reply := func() (string, error) {
		var last string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return "", fmt.Errorf("starttls %s: %w", proto, err)
			}
			last = line
			if proto != "smtp" || len(line) < 4 || line[3] != '-' {
				return last, nil
			}
		}
	}
	steps := map[string][]struct{ send, want string }{
		"smtp": {{"", "220"}, {"EHLO khien.invalid\r\n", "250"}, {"STARTTLS\r\n", "220"}},
		"imap": {{"", "* OK"}, {"a1 STARTTLS\r\n", "a1 OK"}},
		"pop3": {{"", "+OK"}, {"STLS\r\n", "+OK"}},
	}[proto]
	if steps == nil {
		return fmt.Errorf("starttls: unknown protocol %q", proto)
	}
	for _, st := range steps {
		if st.send != "" {
			if _, err := io.WriteString(c, st.send); err != nil {
				return fmt.Errorf("starttls %s: %w", proto, err)
			}
		}
		line, err := reply()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, st.want) {
			return fmt.Errorf("starttls %s: unexpected reply %q", proto, strings.TrimSpace(line))
		}
	}
	if r.Buffered() > 0 {
		return fmt.Errorf("starttls %s: data after the upgrade reply", proto)
	}
	return nil
}
