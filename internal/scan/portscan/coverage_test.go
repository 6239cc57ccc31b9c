package portscan_test

import (
	"slices"
	"testing"

	"github.com/khien/khien/internal/scan/portscan"
	"github.com/khien/khien/internal/scan/service"
	"github.com/khien/khien/internal/scan/udpcheck"
)

// TestListsHoldIdentifiedServices: every port at which Khiên names a TCP
// service is in top100, and the UDP probes' ports are in top1000, so even
// the short list tries every service Khiên knows at its usual port.
func TestListsHoldIdentifiedServices(t *testing.T) {
	top100, top := portscan.Top(100), portscan.Top(1000)
	for p := 1; p <= 65535; p++ {
		if name := service.Guess(p).Name; name != "unknown" && !slices.Contains(top100, p) {
			t.Errorf("top100 lacks port %d (%s)", p, name)
		}
	}
	for id, p := range udpcheck.StandardPorts {
		if !slices.Contains(top, p) {
			t.Errorf("top1000 lacks port %d (%s)", p, id)
		}
	}
}
