// Package portscan finds open TCP ports with full connect probes (no raw
// packets: it needs no privileges and every probe is an ordinary handshake
// that is closed at once).
package portscan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// top100 lists the ports most often found exposed on public-sector networks,
// most significant first: remote administration, mail, web, file sharing,
// databases, caches and container or cluster APIs. Khiên's own list.
var top100 = []int{
	80, 443, 22, 21, 23, 25, 53, 110, 143, 445, 139, 135, 3389, 3306, 1433, 5432, 1521, 27017, 6379, 9200,
	8080, 8443, 8000, 8008, 8081, 8888, 8088, 8880, 9000, 9090, 9443, 10000, 7001, 7002, 4443, 81, 444, 3000, 5000, 5001,
	465, 587, 993, 995, 389, 636, 3268, 88, 111, 2049, 873, 548, 5900, 5901, 5985, 5986, 2375, 2376, 2379, 6443,
	10250, 11211, 5984, 9042, 9092, 5672, 15672, 1883, 8161, 2181, 50000, 50070, 9300, 5601, 8086, 8500, 9100, 631, 515, 161,
	1723, 1194, 500, 1080, 3128, 8118, 554, 5060, 179, 514, 990, 2121, 2082, 2083, 2086, 2087, 4848, 8009, 8089, 9418,
}

// moreServices are further well-known service ports that complete top1000
// together with the privileged range.
var moreServices = []int{
	1025, 1026, 1027, 1028, 1029, 1030, 1099, 1311, 1352, 1414, 1434, 1500, 1720, 1755, 1812, 1900, 1935, 2000, 2001, 2002,
	2100, 2222, 2301, 2381, 2401, 2525, 2601, 2638, 3001, 3052, 3260, 3269, 3283, 3300, 3333, 3478, 3632, 3690, 3780, 4000,
	4040, 4369, 4444, 4500, 4567, 4711, 4786, 4899, 5038, 5050, 5080, 5222, 5269, 5357, 5433, 5555, 5631, 5666, 5800, 5902,
	5903, 5938, 6000, 6001, 6002, 6346, 6380, 6543, 6666, 6667, 6697, 7000, 7070, 7071, 7080, 7100, 7199, 7443, 7474, 7547,
	7777, 7778, 8001, 8002, 8010, 8020, 8042, 8069, 8082, 8083, 8090, 8091, 8096, 8123, 8180, 8181, 8200, 8222, 8280, 8333,
	8383, 8400, 8444, 8484, 8554, 8600, 8800, 8834, 8983, 9001, 9002, 9003, 9009, 9010, 9043, 9060, 9080, 9091, 9099, 9160,
	9191, 9500, 9600, 9800, 9876, 9990, 9999, 10001, 10050, 10051, 10080, 10443, 11111, 12345, 16010, 16992, 16993, 18080, 19999, 20000,
	25565, 27018, 28017, 30000, 32400, 32768, 37777, 44818, 47001, 49152, 49153, 49154, 50030, 50060, 50075, 54321, 60000, 61616, 62078, 8765,
}

// Top returns the n most significant ports (n is 100 or 1000): the top100
// list, the other service ports, then the privileged range in order.
func Top(n int) []int {
	seen := map[int]bool{}
	var out []int
	add := func(p int) {
		if len(out) < n && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range top100 {
		add(p)
	}
	for _, p := range moreServices {
		add(p)
	}
	for p := 1; p <= 65535 && len(out) < n; p++ {
		add(p)
	}
	return out
}

// ParsePorts parses "top100", "top1000", "all", or a list of ports and
// ranges such as "22,80,8000-8100". The result is deduplicated, in order.
func ParsePorts(spec string) ([]int, error) {
	spec = strings.ToLower(strings.TrimSpace(spec))
	switch spec {
	case "top100":
		return Top(100), nil
	case "top1000", "":
		return Top(1000), nil
	case "all", "-":
		return rangeOf(1, 65535), nil
	}
	seen := map[int]bool{}
	var out []int
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var ports []int
		switch {
		case strings.HasPrefix(part, "top"):
			n, err := strconv.Atoi(part[3:])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("ports %q: bad top-N list %q", spec, part)
			}
			ports = Top(min(n, 65535))
		case strings.Contains(part, "-"):
			lo, hi, _ := strings.Cut(part, "-")
			a, err1 := parsePort(lo)
			b, err2 := parsePort(hi)
			if err1 != nil || err2 != nil || a > b {
				return nil, fmt.Errorf("ports %q: bad range %q", spec, part)
			}
			ports = rangeOf(a, b)
		default:
			p, err := parsePort(part)
			if err != nil {
				return nil, fmt.Errorf("ports %q: %w", spec, err)
			}
			ports = []int{p}
		}
		for _, p := range ports {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ports %q: no ports", spec)
	}
	return out, nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return n, nil
}

func rangeOf(a, b int) []int {
	out := make([]int, 0, b-a+1)
	for p := a; p <= b; p++ {
		out = append(out, p)
	}
	return out
}

// Merge returns ports followed by the extra ports it does not hold yet.
func Merge(ports []int, extra ...int) []int {
	out := slices.Clone(ports)
	for _, p := range extra {
		if p > 0 && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
