package dnscheck_test

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/dnscheck"
	"github.com/khien/khien/internal/scan/scantest"
)

// zones is the test DNS data in zone-file syntax, one zone per entry.
var zones = map[string]string{
	"good.test.": `
good.test. 300 IN SOA ns1.good.test. admin.good.test. 1 3600 600 86400 300
good.test. 300 IN NS ns1.good.test.
ns1.good.test. 300 IN A 127.0.0.1
good.test. 300 IN A 127.0.0.1
good.test. 300 IN MX 10 mail.good.test.
good.test. 300 IN TXT "v=spf1 mx include:_spf.good.test -all"
_spf.good.test. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.good.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.test"
good.test. 300 IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
www.good.test. 300 IN CNAME good.test.`,
	"bad.test.": `
bad.test. 300 IN SOA ns1.bad.test. admin.bad.test. 1 3600 600 86400 300
bad.test. 300 IN NS ns1.bad.test.
ns1.bad.test. 300 IN A 127.0.0.1
bad.test. 300 IN A 127.0.0.1
bad.test. 300 IN TXT "google-site-verification=abc"`,
	"weak.test.": `
weak.test. 300 IN SOA ns1.weak.test. admin.weak.test. 1 3600 600 86400 300
weak.test. 300 IN TXT "v=spf1 a mx ?all"
_dmarc.weak.test. 300 IN TXT "v=DMARC1; p=none; rua=mailto:d@weak.test"`,
	"many.test.": `
many.test. 300 IN SOA ns1.many.test. admin.many.test. 1 3600 600 86400 300
many.test. 300 IN TXT "v=spf1 include:a.many.test include:b.many.test include:c.many.test -all"
a.many.test. 300 IN TXT "v=spf1 a mx ptr exists:x.many.test -all"
b.many.test. 300 IN TXT "v=spf1 a mx include:d.many.test -all"
c.many.test. 300 IN TXT "v=spf1 a mx -all"
d.many.test. 300 IN TXT "v=spf1 a mx -all"
_dmarc.many.test. 300 IN TXT "v=DMARC1; p=quarantine"`,
	// www.alias.test is a CNAME into bad.test, another domain whose name
	// server transfers: scanning www.alias.test must not try that transfer.
	"alias.test.": `
alias.test. 300 IN SOA ns1.alias.test. admin.alias.test. 1 3600 600 86400 300
www.alias.test. 300 IN CNAME bad.test.`,
	"dangling.test.": `
dangling.test. 300 IN SOA ns1.dangling.test. admin.dangling.test. 1 3600 600 86400 300
dangling.test. 300 IN CNAME gone-portal.azurewebsites.net.`,
}

// axfrOpen lists zones whose name server transfers to anyone.
var axfrOpen = map[string]bool{"bad.test.": true}

type server struct {
	rrs     map[string][]dns.RR
	queries atomic.Int64 // messages received, transfers included
	axfrs   atomic.Int64
}

func (s *server) zoneOf(name string) string {
	for z := range zones {
		if name == z || strings.HasSuffix(name, "."+z) {
			return z
		}
	}
	return ""
}

func (s *server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	s.queries.Add(1)
	m := new(dns.Msg)
	m.SetReply(req)
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	zone := s.zoneOf(name)
	if q.Qtype == dns.TypeAXFR {
		s.axfrs.Add(1)
		if !axfrOpen[name] {
			m.Rcode = dns.RcodeRefused
			w.WriteMsg(m)
			return
		}
		tr := new(dns.Transfer)
		ch := make(chan *dns.Envelope, 1)
		// A transfer starts and ends with the SOA record.
		go func() { ch <- &dns.Envelope{RR: append(s.rrs[zone], s.rrs[zone][0])}; close(ch) }()
		tr.Out(w, req, ch)
		w.Hijack()
		return
	}
	if zone == "" {
		m.Rcode = dns.RcodeNameError
		w.WriteMsg(m)
		return
	}
	exists := false
	for _, rr := range s.rrs[zone] {
		h := rr.Header()
		if h.Name != name {
			continue
		}
		exists = true
		if h.Rrtype == q.Qtype || (h.Rrtype == dns.TypeCNAME && q.Qtype != dns.TypeCNAME) {
			m.Answer = append(m.Answer, rr)
		}
	}
	if !exists {
		m.Rcode = dns.RcodeNameError
	}
	// Follow a CNAME as a recursive resolver does: the target's records, or
	// its zone's SOA in the authority section.
	if len(m.Answer) == 1 && q.Qtype != dns.TypeCNAME {
		if c, ok := m.Answer[0].(*dns.CNAME); ok && s.zoneOf(c.Target) != "" {
			zone = s.zoneOf(c.Target)
			for _, rr := range s.rrs[zone] {
				if rr.Header().Name == c.Target && rr.Header().Rrtype == q.Qtype {
					m.Answer = append(m.Answer, rr)
				}
			}
		}
	}
	if len(m.Answer) == 0 || m.Answer[len(m.Answer)-1].Header().Rrtype == dns.TypeCNAME {
		for _, rr := range s.rrs[zone] {
			if rr.Header().Rrtype == dns.TypeSOA {
				m.Ns = append(m.Ns, rr)
			}
		}
	}
	w.WriteMsg(m)
}

// startDNS serves zones on UDP and TCP on one loopback port.
func startDNS(t *testing.T) string {
	addr, _ := startCounting(t)
	return addr
}

// startCounting is startDNS that also returns the server, to count what
// it received.
func startCounting(t *testing.T) (string, *server) {
	t.Helper()
	s := &server{rrs: map[string][]dns.RR{}}
	for z, text := range zones {
		zp := dns.NewZoneParser(strings.NewReader(text), z, "")
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			s.rrs[z] = append(s.rrs[z], rr)
		}
		if err := zp.Err(); err != nil {
			t.Fatalf("zone %s: %v", z, err)
		}
	}
	for range 10 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		pc, err := net.ListenPacket("udp", ln.Addr().String())
		if err != nil {
			ln.Close()
			continue
		}
		udp := &dns.Server{PacketConn: pc, Handler: s}
		tcp := &dns.Server{Listener: ln, Handler: s}
		go udp.ActivateAndServe()
		go tcp.ActivateAndServe()
		t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown() })
		return ln.Addr().String(), s
	}
	t.Fatal("no free port for the DNS server")
	return "", nil
}

func TestDNSChecks(t *testing.T) {
	addr := startDNS(t)
	_, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	cfg := dnscheck.Config{Server: addr, NameServerPort: port, Timeout: 2 * time.Second}
	all := []string{"dns.spf-missing", "dns.spf-permissive", "dns.dmarc-missing", "dns.dmarc-weak", "dns.dnssec-missing", "dns.axfr-open", "dns.dangling-cname"}
	tests := []struct {
		domain string
		want   []string
	}{
		{"good.test", nil},
		{"bad.test", []string{"dns.spf-missing", "dns.dmarc-missing", "dns.dnssec-missing", "dns.axfr-open"}},
		{"weak.test", []string{"dns.spf-permissive", "dns.dmarc-weak", "dns.dnssec-missing"}},
		{"many.test", []string{"dns.spf-permissive", "dns.dnssec-missing"}},
		{"dangling.test", []string{"dns.dangling-cname", "dns.dnssec-missing", "dns.spf-missing", "dns.dmarc-missing"}},
		// An alias: bad.test's DNSSEC and open transfer are not its problems.
		{"www.alias.test", nil},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			env, rec := scantest.Env(t)
			dnscheck.Check(t.Context(), env, cfg, check.Asset{Host: tt.domain}, tt.domain)
			for _, id := range all {
				want := false
				for _, w := range tt.want {
					want = want || w == id
				}
				if rec.Has(id) != want {
					t.Errorf("%s fired=%v, want %v (all: %v)", id, rec.Has(id), want, rec.IDs())
					for _, f := range rec.Findings {
						t.Log(f.CheckID, f.Evidence)
					}
				}
			}
		})
	}
}

func TestDanglingSeverity(t *testing.T) {
	addr := startDNS(t)
	env, rec := scantest.Env(t)
	dnscheck.Check(t.Context(), env, dnscheck.Config{Server: addr, NameServerPort: 53, Timeout: 2 * time.Second}, check.Asset{Host: "dangling.test"}, "dangling.test")
	fs := rec.Get("dns.dangling-cname")
	if len(fs) != 1 || fs[0].Severity != check.High {
		t.Fatalf("got %+v, want one high finding (azurewebsites.net can be claimed)", fs)
	}
}

func TestAllQualifier(t *testing.T) {
	tests := map[string]bool{
		"v=spf1 -all":                    false,
		"v=spf1 mx ~all":                 false,
		"v=spf1 +all":                    true,
		"v=spf1 ip4:192.0.2.1 all":       true,
		"v=spf1 ?all":                    true,
		"v=spf1 mx":                      true,
		"v=spf1 redirect=_spf.gov.vn":    false,
		"v=spf1 include:_spf.google.com": true,
	}
	for rec, permissive := range tests {
		if got := !dnscheck.AllQualifier(rec).IsZero(); got != permissive {
			t.Errorf("AllQualifier(%q) permissive=%v, want %v", rec, got, permissive)
		}
	}
	for rec, want := range map[string]string{"v=DMARC1; p=reject": "reject", "v=DMARC1;p=None;": "none", "v=DMARC1; rua=mailto:x": ""} {
		if got := dnscheck.DMARCPolicy(rec); got != want {
			t.Errorf("DMARCPolicy(%q) = %q, want %q", rec, got, want)
		}
	}
}

func TestAXFRRespectsExclusions(t *testing.T) {
	addr := startDNS(t)
	_, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	env, rec := scantest.Env(t)
	cfg := dnscheck.Config{Server: addr, NameServerPort: port, Timeout: 2 * time.Second, Excluded: func(netip.Addr) bool { return true }}
	dnscheck.Check(t.Context(), env, cfg, check.Asset{Host: "bad.test"}, "bad.test")
	if rec.Has("dns.axfr-open") {
		t.Error("zone transfer tried against an excluded name server")
	}
}

// TestPoliteness: every query and transfer waits on Config.Wait for the
// server it goes to, and a zone is transferred once per zone and name
// server however many of its names are checked.
func TestPoliteness(t *testing.T) {
	addr, srv := startCounting(t)
	_, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	var (
		mu    sync.Mutex
		waits = map[string]int{}
		tried = map[string]bool{}
	)
	cfg := dnscheck.Config{
		Server: addr, NameServerPort: port, Timeout: 2 * time.Second,
		Wait: func(_ context.Context, server string) error {
			mu.Lock()
			waits[server]++
			mu.Unlock()
			return nil
		},
		FirstTransfer: func(zone, server string) bool {
			mu.Lock()
			defer mu.Unlock()
			k := zone + " " + server
			first := !tried[k]
			tried[k] = true
			return first
		},
	}
	for _, domain := range []string{"bad.test", "www.bad.test", "bad.test", "www.alias.test"} {
		env, _ := scantest.Env(t)
		dnscheck.Check(t.Context(), env, cfg, check.Asset{Host: domain}, domain)
	}
	if n := srv.axfrs.Load(); n != 1 {
		t.Errorf("%d zone transfer attempts, want 1 (once for bad.test, none via the alias)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := int64(waits[addr]), srv.queries.Load(); got != want || got == 0 {
		t.Errorf("%d waits on the limiter for %s, server received %d messages", got, addr, want)
	}
	if len(waits) != 1 {
		t.Errorf("waits for servers %v, want only %s", waits, addr)
	}
}

func TestWaitErrorStopsQueries(t *testing.T) {
	addr, srv := startCounting(t)
	env, _ := scantest.Env(t)
	cfg := dnscheck.Config{Server: addr, NameServerPort: 53, Timeout: 2 * time.Second,
		Wait: func(context.Context, string) error { return context.Canceled }}
	dnscheck.Check(t.Context(), env, cfg, check.Asset{Host: "bad.test"}, "bad.test")
	if n := srv.queries.Load(); n != 0 {
		t.Errorf("%d queries sent although the limiter refused", n)
	}
}
