package portscan

import (
	"context"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestTop(t *testing.T) {
	for _, n := range []int{100, 1000, 1500} {
		ports := Top(n)
		if len(ports) != n {
			t.Errorf("Top(%d) has %d ports", n, len(ports))
		}
		seen := map[int]bool{}
		for _, p := range ports {
			if seen[p] || p < 1 || p > 65535 {
				t.Errorf("Top(%d): bad or repeated port %d", n, p)
			}
			seen[p] = true
		}
	}
	if !slices.Equal(Top(1000)[:100], Top(100)) {
		t.Error("top1000 does not start with top100")
	}
	if got := len(Top(70000)); got != 65535 {
		t.Errorf("Top(70000) has %d ports", got)
	}
}

// TestListFile checks ports.csv against what docs/scanner.md says of it:
// 100 top100 lines first, 900 more for top1000, every port with a source,
// and the System Ports filling the end of top1000 lowest first, so that
// top1000 holds every port from 1 to the last one filled.
func TestListFile(t *testing.T) {
	if len(ranked) != 1000 {
		t.Fatalf("ports.csv has %d ports, want 1000", len(ranked))
	}
	lastFill := 0
	for i, e := range ranked {
		wantList := 1000
		if i < 100 {
			wantList = 100
		}
		if e.list != wantList {
			t.Errorf("line %d (port %d): list %d, top100 must be the first 100 lines", i+1, e.port, e.list)
		}
		if slices.Contains(e.sources, "rfc6335") {
			if e.port > 1023 || e.port < lastFill {
				t.Errorf("port %d: System Port fill must be below 1024 and ascending", e.port)
			}
			lastFill = e.port
		}
		for _, s := range e.sources {
			if !slices.Contains(sourceTags, s) {
				t.Errorf("port %d: unknown source %q", e.port, s)
			}
		}
	}
	top := Top(1000)
	for p := 1; p <= lastFill; p++ {
		if !slices.Contains(top, p) {
			t.Errorf("top1000 lacks System Port %d (filled up to %d)", p, lastFill)
		}
	}
	if lastFill != 776 {
		t.Errorf("top1000 holds the System Ports up to %d; docs/scanner.md says 776", lastFill)
	}
}

// sourceTags are the sources ports.csv may name (its header explains them).
var sourceTags = []string{"iana", "r7", "censys", "ss", "aisi", "cisa", "vn", "lzr", "vendor", "khien", "rfc6335"}

func TestParseList(t *testing.T) {
	tests := []struct {
		text    string
		wantErr bool
	}{
		{"# comment\n\n80,100,http,iana;r7\n", false},
		{"80,100,http\n", true},
		{"0,100,x,iana\n", true},
		{"80,50,http,iana\n", true},
		{"80,100,http,\n", true},
	}
	for _, tt := range tests {
		if _, err := parseList(tt.text); (err != nil) != tt.wantErr {
			t.Errorf("parseList(%q) error %v", tt.text, err)
		}
	}
}

func FuzzParseList(f *testing.F) {
	f.Add("80,100,http,iana;r7\n# x\n")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := parseList(s)
		if err != nil {
			return
		}
		for _, e := range l {
			if e.port < 1 || e.port > 65535 || len(e.sources) == 0 {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		spec    string
		n       int
		first   int
		wantErr bool
	}{
		{"top100", 100, 80, false},
		{"top1000", 1000, 80, false},
		{"", 1000, 80, false},
		{"22,80,443", 3, 22, false},
		{"8000-8010,22,8005", 12, 8000, false},
		{"all", 65535, 1, false},
		{"0", 0, 0, true},
		{"10-5", 0, 0, true},
		{"http", 0, 0, true},
		{"70000", 0, 0, true},
	}
	for _, tt := range tests {
		got, err := ParsePorts(tt.spec)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParsePorts(%q) error %v", tt.spec, err)
			continue
		}
		if !tt.wantErr && (len(got) != tt.n || got[0] != tt.first) {
			t.Errorf("ParsePorts(%q) = %d ports starting %d, want %d starting %d", tt.spec, len(got), got[0], tt.n, tt.first)
		}
	}
}

func FuzzParsePorts(f *testing.F) {
	f.Add("22,80,8000-8100")
	f.Add("top100")
	f.Fuzz(func(t *testing.T, s string) {
		ports, err := ParsePorts(s)
		if err == nil && len(ports) == 0 {
			t.Fatal("no error and no ports")
		}
	})
}

func TestScan(t *testing.T) {
	var open []int
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		open = append(open, ln.Addr().(*net.TCPAddr).Port)
	}
	// A port that was just free is very likely closed.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	connect := func(ctx context.Context, port int) (net.Conn, error) {
		d := net.Dialer{Timeout: time.Second}
		return d.DialContext(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port))
	}
	got := Scan(context.Background(), connect, append([]int{closed}, open...), 2)
	slices.Sort(open)
	if !slices.Equal(got, open) {
		t.Errorf("open ports %v, want %v", got, open)
	}
}

func TestMerge(t *testing.T) {
	if got := Merge([]int{80, 443}, 443, 8443, 0); !slices.Equal(got, []int{80, 443, 8443}) {
		t.Errorf("Merge = %v", got)
	}
}

// BenchmarkScanTop1000 scans the top1000 list on loopback with 20 listening
// ports, two connections at a time (the default per-host limit).
func BenchmarkScanTop1000(b *testing.B) {
	ports := Top(1000)
	for _, p := range ports[:20] {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue // in use by something else: still open
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	connect := func(ctx context.Context, port int) (net.Conn, error) {
		d := net.Dialer{Timeout: time.Second}
		return d.DialContext(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port))
	}
	for b.Loop() {
		if open := Scan(context.Background(), connect, ports, 2); len(open) < 20 {
			b.Fatalf("%d open ports", len(open))
		}
	}
}
