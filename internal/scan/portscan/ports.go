// Package portscan finds open TCP ports with full connect probes (no raw
// packets: it needs no privileges and every probe is an ordinary handshake
// that is closed at once).
package portscan

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ranked is every port of the named lists in the order they are tried,
// read from ports.csv, where each port's sources are given.
var ranked = mustParseList(portsCSV)

//go:embed ports.csv
var portsCSV string

// listEntry is one line of ports.csv.
type listEntry struct {
	port    int
	list    int // smallest named list holding the port: 100 or 1000
	service string
	sources []string
}

// parseList reads ports.csv: comment lines start with "#", the others are
// port,list,service,sources with the sources separated by ";".
func parseList(text string) ([]listEntry, error) {
	var out []listEntry
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 4 {
			return nil, fmt.Errorf("ports.csv line %d: want 4 fields, got %d", i+1, len(f))
		}
		port, err := parsePort(f[0])
		if err != nil {
			return nil, fmt.Errorf("ports.csv line %d: %w", i+1, err)
		}
		list, err := strconv.Atoi(f[1])
		if err != nil || (list != 100 && list != 1000) {
			return nil, fmt.Errorf("ports.csv line %d: list %q is not 100 or 1000", i+1, f[1])
		}
		if f[3] == "" {
			return nil, fmt.Errorf("ports.csv line %d: port %d has no source", i+1, port)
		}
		out = append(out, listEntry{port: port, list: list, service: f[2], sources: strings.Split(f[3], ";")})
	}
	return out, nil
}

func mustParseList(text string) []listEntry {
	l, err := parseList(text)
	if err != nil {
		panic(err)
	}
	return l
}

// Top returns the n most significant ports: the first n of ports.csv
// (top100, then the rest of top1000), and past 1000 the remaining ports in
// ascending order.
func Top(n int) []int {
	n = min(n, 65535)
	out := make([]int, 0, n)
	seen := map[int]bool{}
	for _, e := range ranked {
		if len(out) == n {
			return out
		}
		seen[e.port] = true
		out = append(out, e.port)
	}
	for p := 1; p <= 65535 && len(out) < n; p++ {
		if !seen[p] {
			out = append(out, p)
		}
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
			ports = Top(n)
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

// Merge returns ports followed by the extra ports, each port once, in order.
func Merge(ports []int, extra ...int) []int {
	out := make([]int, 0, len(ports)+len(extra))
	seen := make(map[int]bool, len(ports)+len(extra))
	for _, p := range slices.Concat(ports, extra) {
		if p > 0 && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
