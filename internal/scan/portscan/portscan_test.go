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
	for _, n := range []int{100, 1000} {
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
	for _, p := range []int{22, 80, 443, 3306, 3389, 5432, 6379, 8080, 9200, 27017} {
		if !slices.Contains(Top(100), p) {
			t.Errorf("top100 lacks %d", p)
		}
	}
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
