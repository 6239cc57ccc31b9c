package portscan_test

import (
	"slices"
	"testing"

	"github.com/khien/khien/internal/scan/portscan"
	"github.com/khien/khien/internal/scan/service"
	"github.com/khien/khien/internal/scan/udpcheck"
)

// TestListsHoldIdentifiedServices: every port at which Khiên names a
// service (the TCP probes' usual ports and the UDP probes' ports) is in
// top1000, so a default scan tries it.
func TestListsHoldIdentifiedServices(t *testing.T) {
	top := portscan.Top(1000)
	for p := 1; p <= 65535; p++ {
		if name := service.Guess(p).Name; name != "unknown" && !slices.Contains(top, p) {
			t.Errorf("top1000 lacks port %d (%s)", p, name)
		}
	}
	for id, p := range udpcheck.StandardPorts {
		if !slices.Contains(top, p) {
			t.Errorf("top1000 lacks port %d (%s)", p, id)
		}
	}
}
