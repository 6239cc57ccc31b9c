// Package dnscheck reviews a domain's DNS and e-mail security: SPF, DMARC,
// DNSSEC, open zone transfers and CNAMEs that point at names which no
// longer exist. All queries go to one recursive resolver, except the zone
// transfer attempt, which asks the domain's own name servers. Every query
// and transfer first waits on Config.Wait, the engine's per-host limit.
package dnscheck

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/khien/khien/internal/scan/check"
)

// Config says where DNS queries go.
type Config struct {
	Server         string // resolver HOST:PORT; "" reads /etc/resolv.conf
	NameServerPort int    // port of authoritative servers for AXFR (53)
	Timeout        time.Duration
	// Excluded, when set, names addresses never to contact: a name server
	// in an excluded range gets no zone-transfer attempt.
	Excluded func(netip.Addr) bool
	// Wait, when set, is called before every query or transfer sent to
	// server (HOST:PORT); an error stops that query.
	Wait func(ctx context.Context, server string) error
	// FirstTransfer, when set, reports whether a transfer of zone from
	// server (HOST:PORT) is yet to be tried in this scan, and marks it tried:
	// several names in one zone must not mean several attempts.
	FirstTransfer func(zone, server string) bool
}

type resolver struct {
	server  string
	client  *dns.Client
	timeout time.Duration
	wait    func(ctx context.Context, server string) error
}

func newResolver(cfg Config) (*resolver, error) {
	server := cfg.Server
	if server == "" {
		cc, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(cc.Servers) == 0 {
			return nil, fmt.Errorf("no DNS resolver configured (use --resolver): %w", err)
		}
		server = net.JoinHostPort(cc.Servers[0], cc.Port)
	}
	wait := cfg.Wait
	if wait == nil {
		wait = func(context.Context, string) error { return nil }
	}
	return &resolver{server: server, client: &dns.Client{Timeout: cfg.Timeout}, timeout: cfg.Timeout, wait: wait}, nil
}

func (r *resolver) query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.SetEdns0(4096, qtype == dns.TypeDNSKEY)
	if err := r.wait(ctx, r.server); err != nil {
		return nil, fmt.Errorf("dns %s %s: %w", dns.TypeToString[qtype], name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	in, _, err := r.client.ExchangeContext(ctx, m, r.server)
	if err == nil && in.Truncated {
		if err := r.wait(ctx, r.server); err != nil {
			return nil, fmt.Errorf("dns %s %s: %w", dns.TypeToString[qtype], name, err)
		}
		tcp := &dns.Client{Net: "tcp", Timeout: r.timeout}
		in, _, err = tcp.ExchangeContext(ctx, m, r.server)
	}
	if err != nil {
		return nil, fmt.Errorf("dns %s %s: %w", dns.TypeToString[qtype], name, err)
	}
	return in, nil
}

// txt returns the TXT strings of name, each record's parts joined.
func (r *resolver) txt(ctx context.Context, name string) ([]string, error) {
	in, err := r.query(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range in.Answer {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(t.Txt, ""))
		}
	}
	return out, nil
}

// Check runs the DNS checks for domain.
func Check(ctx context.Context, env *check.Env, cfg Config, a check.Asset, domain string) {
	r, err := newResolver(cfg)
	if err != nil {
		env.Log.Warn("dns checks skipped", "domain", domain, "err", err)
		return
	}
	zone := r.zoneOf(ctx, domain)
	if zone == domain || r.hasMX(ctx, domain) {
		spf(ctx, env, r, a, domain)
		dmarc(ctx, env, r, a, domain, zone)
	}
	if env.Enabled("dns.dnssec-missing") && zone != "" {
		if in, err := r.query(ctx, zone, dns.TypeDNSKEY); err == nil && in.Rcode == dns.RcodeSuccess && !hasType(in.Answer, dns.TypeDNSKEY) {
			env.Found("dns.dnssec-missing", a, zone, check.Evidencef("no DNSKEY records for zone %s", zone))
		}
	}
	if env.Enabled("dns.axfr-open") && zone != "" {
		axfr(ctx, env, r, cfg, a, zone)
	}
	if env.Enabled("dns.dangling-cname") {
		dangling(ctx, env, r, a, domain)
	}
}

// zoneOf finds the zone apex that holds name, from the SOA record in the
// answer or the authority section; "" when unknown. A name that is a CNAME
// answers with the SOA of its target's zone, another domain's: that is not
// the target's zone (to check its DNSSEC or try a zone transfer on).
func (r *resolver) zoneOf(ctx context.Context, name string) string {
	in, err := r.query(ctx, name, dns.TypeSOA)
	if err != nil {
		return ""
	}
	name = strings.ToLower(dns.Fqdn(name))
	alias := false
	for _, rr := range in.Answer {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
			alias = true
		}
	}
	for _, rr := range append(in.Answer, in.Ns...) {
		soa, ok := rr.(*dns.SOA)
		if !ok {
			continue
		}
		owner := strings.ToLower(soa.Hdr.Name)
		if owner != name && (alias || !dns.IsSubDomain(owner, name)) {
			continue
		}
		return strings.TrimSuffix(owner, ".")
	}
	return ""
}

func (r *resolver) hasMX(ctx context.Context, name string) bool {
	in, err := r.query(ctx, name, dns.TypeMX)
	return err == nil && hasType(in.Answer, dns.TypeMX)
}

func hasType(rrs []dns.RR, t uint16) bool {
	for _, rr := range rrs {
		if rr.Header().Rrtype == t {
			return true
		}
	}
	return false
}

func spfRecords(txts []string) []string {
	var out []string
	for _, t := range txts {
		if f := strings.Fields(strings.ToLower(t)); len(f) > 0 && f[0] == "v=spf1" {
			out = append(out, t)
		}
	}
	return out
}

func spf(ctx context.Context, env *check.Env, r *resolver, a check.Asset, domain string) {
	txts, err := r.txt(ctx, domain)
	if err != nil {
		return
	}
	recs := spfRecords(txts)
	switch {
	case len(recs) == 0:
		env.Found("dns.spf-missing", a, domain, check.Evidencef("no v=spf1 TXT record at %s", domain))
		return
	case len(recs) > 1:
		env.Found("dns.spf-permissive", a, domain, check.Evidencef("%d SPF records at %s (permerror)", len(recs), domain))
		return
	}
	var problems []check.Text
	if p := AllQualifier(recs[0]); !p.IsZero() {
		problems = append(problems, p)
	}
	if n := r.lookups(ctx, recs[0], 0, map[string]bool{domain: true}); n > 10 {
		problems = append(problems, check.Evidencef("%d DNS lookups (limit 10)", n))
	}
	if len(problems) > 0 {
		env.Found("dns.spf-permissive", a, domain, check.Evidencef("%s: %q", problems, check.Truncate(recs[0], 150)))
	}
}

// AllQualifier describes a permissive "all" in an SPF record ("" when the
// record ends in -all or ~all, or redirects).
func AllQualifier(record string) check.Text {
	for _, term := range strings.Fields(strings.ToLower(record))[1:] {
		switch term {
		case "+all", "all":
			return check.Evidencef("+all lets any server send mail for the domain")
		case "?all":
			return check.Evidencef("?all (neutral) does not reject forged mail")
		case "-all", "~all":
			return check.Text{}
		}
		if strings.HasPrefix(term, "redirect=") {
			return check.Text{}
		}
	}
	return check.Evidencef("no all mechanism: unmatched senders get a neutral result")
}

// maxSPFDepth bounds include/redirect recursion against loops.
const maxSPFDepth = 5

// lookups counts the DNS-querying terms of an SPF record, following include
// and redirect (RFC 7208 §4.6.4 allows 10).
func (r *resolver) lookups(ctx context.Context, record string, depth int, seen map[string]bool) int {
	n := 0
	for _, term := range strings.Fields(strings.ToLower(record))[1:] {
		term = strings.TrimLeft(term, "+-~?")
		name, arg, _ := strings.Cut(term, ":")
		if strings.HasPrefix(term, "redirect=") {
			name, arg = "redirect", strings.TrimPrefix(term, "redirect=")
		}
		switch name {
		case "a", "mx", "ptr", "exists":
			n++
		case "a/24", "mx/24":
			n++
		case "include", "redirect":
			n++
			if depth >= maxSPFDepth || seen[arg] || arg == "" {
				continue
			}
			seen[arg] = true
			txts, err := r.txt(ctx, arg)
			if err != nil {
				continue
			}
			for _, rec := range spfRecords(txts) {
				n += r.lookups(ctx, rec, depth+1, seen)
			}
		}
		if n > 10 {
			return n
		}
	}
	return n
}

func dmarc(ctx context.Context, env *check.Env, r *resolver, a check.Asset, domain, zone string) {
	names := []string{"_dmarc." + domain}
	if zone != "" && zone != domain {
		names = append(names, "_dmarc."+zone) // the organisational policy applies to subdomains
	}
	for _, n := range names {
		txts, err := r.txt(ctx, n)
		if err != nil {
			return
		}
		for _, t := range txts {
			if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(t)), "v=dmarc1") {
				continue
			}
			if p := DMARCPolicy(t); p == "none" || p == "" {
				env.Found("dns.dmarc-weak", a, domain, check.Evidencef("DMARC policy p=%s at %s: %q", orMissing(p), n, check.Truncate(t, 120)))
			}
			return
		}
	}
	env.Found("dns.dmarc-missing", a, domain, check.Evidencef("no v=DMARC1 TXT record at _dmarc.%s", domain))
}

// DMARCPolicy returns the p= tag of a DMARC record, lowercased.
func DMARCPolicy(record string) string {
	for _, tag := range strings.Split(record, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(tag), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "p") {
			return strings.ToLower(strings.TrimSpace(v))
		}
	}
	return ""
}

func orMissing(s string) check.Text {
	if s == "" {
		return check.Evidencef("(missing)")
	}
	return check.Evidencef("%s", s)
}

// maxNameServers bounds the zone-transfer attempts per zone.
const maxNameServers = 4

func axfr(ctx context.Context, env *check.Env, r *resolver, cfg Config, a check.Asset, zone string) {
	in, err := r.query(ctx, zone, dns.TypeNS)
	if err != nil {
		return
	}
	tried := 0
	for _, rr := range in.Answer {
		ns, ok := rr.(*dns.NS)
		if !ok || tried >= maxNameServers {
			continue
		}
		tried++
		addr, err := r.query(ctx, ns.Ns, dns.TypeA)
		if err != nil {
			continue
		}
		for _, arr := range addr.Answer {
			ip, ok := arr.(*dns.A)
			if !ok {
				continue
			}
			if a, ok := netip.AddrFromSlice(ip.A); ok && cfg.Excluded != nil && cfg.Excluded(a.Unmap()) {
				continue
			}
			server := net.JoinHostPort(ip.A.String(), strconv.Itoa(cfg.NameServerPort))
			if cfg.FirstTransfer != nil && !cfg.FirstTransfer(zone, server) {
				break
			}
			if err := r.wait(ctx, server); err != nil {
				return
			}
			if n := transfer(ctx, r.timeout, zone, server); n > 0 {
				env.Found("dns.axfr-open", a, strings.TrimSuffix(ns.Ns, "."), check.Evidencef("%s (%s) transferred zone %s: %d records", strings.TrimSuffix(ns.Ns, "."), ip.A, zone, n))
				return
			}
			break
		}
	}
}

// transfer attempts an AXFR and counts the records received.
func transfer(ctx context.Context, timeout time.Duration, zone, server string) int {
	m := new(dns.Msg)
	m.SetAxfr(dns.Fqdn(zone))
	t := &dns.Transfer{DialTimeout: timeout, ReadTimeout: timeout}
	ch, err := t.In(m, server)
	if err != nil {
		return 0
	}
	n := 0
	for env := range ch {
		if env.Error != nil || ctx.Err() != nil {
			break
		}
		n += len(env.RR)
	}
	return n
}

// takeoverSuffixes are services where an unclaimed name can be registered
// by anyone, making a dangling CNAME a takeover.
var takeoverSuffixes = []string{
	".azurewebsites.net", ".cloudapp.net", ".cloudapp.azure.com", ".trafficmanager.net", ".blob.core.windows.net",
	".s3.amazonaws.com", ".elasticbeanstalk.com", ".github.io", ".herokuapp.com", ".herokudns.com", ".pantheonsite.io",
	".ghost.io", ".myshopify.com", ".netlify.app", ".vercel.app", ".surge.sh", ".bitbucket.io", ".wordpress.com",
}

func dangling(ctx context.Context, env *check.Env, r *resolver, a check.Asset, name string) {
	in, err := r.query(ctx, name, dns.TypeCNAME)
	if err != nil {
		return
	}
	for _, rr := range in.Answer {
		c, ok := rr.(*dns.CNAME)
		if !ok {
			continue
		}
		target := strings.ToLower(strings.TrimSuffix(c.Target, "."))
		res, err := r.query(ctx, target, dns.TypeA)
		if err != nil || res.Rcode != dns.RcodeNameError {
			continue
		}
		f := check.New("dns.dangling-cname", a, target, check.Evidencef("%s is a CNAME for %s, which does not exist (NXDOMAIN)", name, target), env.Now())
		f.SetSeverity(check.Medium)
		for _, s := range takeoverSuffixes {
			if strings.HasSuffix(target, s) {
				f.SetSeverity(check.High)
				f.AddEvidence(check.Evidencef("the name can be claimed on %s", strings.TrimPrefix(s, ".")))
			}
		}
		env.Send(f)
	}
}
