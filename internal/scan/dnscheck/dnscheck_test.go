package dnscheck_test

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
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
	"dangling.test.": `
dangling.test. 300 IN SOA ns1.dangling.test. admin.dangling.test. 1 3600 600 86400 300
dangling.test. 300 IN CNAME gone-portal.azurewebsites.net.`,
}

// axfrOpen lists zones whose name server transfers to anyone.
var axfrOpen = map[string]bool{"bad.test.": true}

type server struct{ rrs map[string][]dns.RR }

func (s *server) zoneOf(name string) string {
	for z := range zones {
		if name == z || strings.HasSuffix(name, "."+z) {
			return z
		}
	}
	return ""
}

func (s *server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	zone := s.zoneOf(name)
	if q.Qtype == dns.TypeAXFR {
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
	if len(m.Answer) == 0 {
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
		return ln.Addr().String()
	}
	t.Fatal("no free port for the DNS server")
	return ""
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
		if got := dnscheck.AllQualifier(rec) != ""; got != permissive {
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
