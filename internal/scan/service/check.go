package service

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/fingerprint"
)

// risk says how serious it is to expose a protocol to the network.
var risk = map[string]check.Severity{
	"telnet": check.High, "ftp": check.Medium, "smb": check.High, "rdp": check.High, "vnc": check.High,
	"mysql": check.High, "postgresql": check.High, "mssql": check.High, "mongodb": check.High,
	"redis": check.High, "elasticsearch": check.High, "docker": check.Critical, "ldap": check.Medium,
	"memcached": check.High, "etcd": check.High, "kubernetes": check.Medium, "mqtt": check.Medium, "amqp": check.Medium, "nats": check.Medium,
}

// Report emits the findings about one detected service. CVE matching of web
// servers is left to the web fingerprints, which see more than the banner.
func Report(env *check.Env, a check.Asset, info Info) {
	desc := check.Evidencef("%d/tcp open %s", info.Port, info.Name)
	if info.TLS {
		desc = check.Evidencef("%s (TLS)", desc)
	}
	if v := strings.TrimSpace(info.Product + " " + cmp.Or(info.Version, info.Detail)); v != "" {
		desc = check.Evidencef("%s %s", desc, v)
	}
	env.Found("port.open", a, "", desc)
	if sev, ok := risk[info.Name]; ok {
		f := check.New("port.risky-service", a, info.Name, check.Evidencef("%s reachable on %d/tcp", info.Name, info.Port), env.Now())
		f.SetSeverity(sev)
		env.Send(f)
	}
	if !info.Unauth.IsZero() {
		env.Found("service.unauthenticated", a, info.Name, check.Evidencef("%s: %s", info.Name, info.Unauth))
	}
	for _, r := range info.Risks {
		env.Found(r.Check, a, info.Name, r.Evidence)
	}
	if info.Version != "" && !info.IsHTTP() {
		env.Found("service.version-disclosure", a, info.Product, check.Evidencef("%s announces %s %s: %s", info.Name, info.Product, info.Version, info.Banner))
		env.Vulnerable("service.vulnerable-version", a, info.Product, info.Version)
		fingerprint.EndOfLife(env, a, info.Product, info.Version)
	}
}

// CheckAnonymousFTP tries the anonymous login that FTP servers offer by
// convention. Logging in is intrusive, so the check runs only in the
// thorough profile; it lists nothing and quits at once.
func (d *Detector) CheckAnonymousFTP(ctx context.Context, a check.Asset, info Info) {
	if info.Name != "ftp" || !d.Env.Enabled("service.ftp-anonymous") {
		return
	}
	c, err := d.open(ctx, info.Port, info.TLS, d.Env.Timeout)
	if err != nil {
		return
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(d.Env.Timeout))
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 1024)
	read := func() string {
		n, _ := c.Read(buf)
		return string(buf[:n])
	}
	if !strings.HasPrefix(read(), "220") {
		return
	}
	fmt.Fprintf(c, "USER anonymous\r\n")
	if r := read(); !strings.HasPrefix(r, "331") && !strings.HasPrefix(r, "230") {
		return
	}
	fmt.Fprintf(c, "PASS khien@example.invalid\r\n")
	r := read()
	fmt.Fprintf(c, "QUIT\r\n")
	if strings.HasPrefix(r, "230") {
		d.Env.Found("service.ftp-anonymous", a, "", check.Evidencef("anonymous login accepted: %s", firstLine([]byte(r))))
	}
}
