package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestBehindProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer, xff, proto string
		wantAddr               string
		wantTLS                bool
	}{
		{"no proxy configured for this peer", "203.0.113.9:5000", "198.51.100.7", "https", "203.0.113.9:5000", false},
		{"trusted proxy, one client", "10.1.2.3:5000", "198.51.100.7", "https", "198.51.100.7:0", true},
		{"client-forged entries are ignored", "10.1.2.3:5000", "1.1.1.1, 198.51.100.7", "", "198.51.100.7:0", false},
		{"chain of trusted proxies", "192.0.2.1:5000", "198.51.100.7, 10.9.9.9", "http", "198.51.100.7:0", false},
		{"garbage stops the walk", "10.1.2.3:5000", "198.51.100.7, not-an-ip", "", "10.1.2.3:5000", false},
		{"trusted proxy without the header", "10.1.2.3:5000", "", "", "10.1.2.3:5000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotAddr string
			var gotTLS bool
			h := behindProxies(trusted, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				gotAddr, gotTLS = r.RemoteAddr, r.TLS != nil
			}))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if gotAddr != tt.wantAddr || gotTLS != tt.wantTLS {
				t.Fatalf("got %s tls=%v, want %s tls=%v", gotAddr, gotTLS, tt.wantAddr, tt.wantTLS)
			}
		})
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,nonsense"); err == nil {
		t.Fatal("a bad entry must be refused")
	}
}
