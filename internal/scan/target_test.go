package scan

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseTargets(t *testing.T) {
	tests := []struct {
		in      string
		n       int
		name    string
		addr    string
		port    int
		wantErr string
	}{
		{in: "portal.gov.vn", n: 1, name: "portal.gov.vn"},
		{in: "Portal.Gov.VN.", n: 1, name: "portal.gov.vn"},
		{in: "203.0.113.10", n: 1, addr: "203.0.113.10"},
		{in: "2001:db8::1", n: 1, addr: "2001:db8::1"},
		{in: "[2001:db8::1]", n: 1, addr: "2001:db8::1"},
		{in: "https://portal.gov.vn/tin-tuc?id=1", n: 1, name: "portal.gov.vn", port: 443},
		{in: "http://203.0.113.5:8080/", n: 1, addr: "203.0.113.5", port: 8080},
		{in: "portal.gov.vn:8443", n: 1, name: "portal.gov.vn", port: 8443},
		{in: "203.0.113.0/24", n: 254},
		{in: "203.0.113.8/31", n: 2},
		{in: "203.0.113.9/32", n: 1, addr: "203.0.113.9"},
		{in: "2001:db8::/120", n: 256},
		{in: "10.0.0.0/20", n: 4094},
		{in: "10.0.0.0/19", wantErr: "--allow-large"},
		{in: "2001:db8::/64", wantErr: "--allow-large"},
		{in: "ftp://portal.gov.vn/", wantErr: "only http and https"},
		{in: "bad_host name", wantErr: "not a host name"},
		{in: "portal.gov.vn:99999", wantErr: "bad port"},
		{in: "10.0.0.0/33", wantErr: "CIDR"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTargets([]string{tt.in}, false)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.n {
				t.Fatalf("%d targets, want %d", len(got), tt.n)
			}
			if tt.name != "" && got[0].Name != tt.name {
				t.Errorf("name %q, want %q", got[0].Name, tt.name)
			}
			if tt.addr != "" && got[0].Addr.String() != tt.addr {
				t.Errorf("addr %s, want %s", got[0].Addr, tt.addr)
			}
			if got[0].Port != tt.port {
				t.Errorf("port %d, want %d", got[0].Port, tt.port)
			}
		})
	}
	if ts, err := ParseTargets([]string{"10.0.0.0/19"}, true); err != nil || len(ts) != 8190 {
		t.Errorf("--allow-large: %d targets, %v", len(ts), err)
	}
}

func TestReadTargets(t *testing.T) {
	got, err := ReadTargets(strings.NewReader("# agencies\nportal.gov.vn\n\n 10.0.0.1 # web\n"))
	if err != nil || len(got) != 2 || got[1] != "10.0.0.1" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestExclusions(t *testing.T) {
	ex, err := ParseExclusions([]string{"10.0.0.0/8", "192.0.2.7", "*.noscan.gov.vn", "https://other.gov.vn/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, addr string
		want       bool
	}{
		{addr: "10.1.2.3", want: true},
		{addr: "192.0.2.7", want: true},
		{addr: "192.0.2.8", want: false},
		{name: "noscan.gov.vn", want: true},
		{name: "www.noscan.gov.vn", want: true},
		{name: "other.gov.vn", want: true},
		{name: "portal.gov.vn", want: false},
	} {
		got := false
		if tt.addr != "" {
			got = ex.Addr(netip.MustParseAddr(tt.addr))
		} else {
			got = ex.Name(tt.name)
		}
		if got != tt.want {
			t.Errorf("excluded(%s%s) = %v, want %v", tt.name, tt.addr, got, tt.want)
		}
	}
}

func FuzzParseTargets(f *testing.F) {
	for _, s := range []string{"portal.gov.vn", "10.0.0.0/24", "https://a.vn:8443/x", "[::1]", "a:1", "2001:db8::/124"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTargets([]string{s}, false)
		if err != nil {
			return
		}
		if len(ts) > maxRange {
			t.Fatalf("%q expanded to %d targets without --allow-large", s, len(ts))
		}
		for _, tg := range ts {
			if tg.Name == "" && !tg.Addr.IsValid() {
				t.Fatalf("%q: target with neither name nor address", s)
			}
		}
	})
}
