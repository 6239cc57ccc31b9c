package source

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// nmapFormat reads Nmap's XML output (-oX): open ports, the output of NSE
// scripts, and the vulnerabilities reported by vulners and the scripts
// built on the vulns library.
var nmapFormat = Format{
	Name:   "nmap",
	Detect: func(head []byte) bool { return rootElement(head) == "nmaprun" },
	Parse:  parseNmap,
}

// nmapHost is what has been read of the current <host>: Nmap writes status,
// addresses and names before the ports.
type nmapHost struct {
	up     bool
	host   string
	ip     string
	seenAt time.Time
}

func parseNmap(ctx context.Context, r io.Reader, h Handler) error {
	s := newXMLStream("nmap", r)
	var cur nmapHost
	emit := func(o Observation) error {
		o.Tool = "nmap"
		o.Host, o.IP = hostIP(cur.host, cur.ip)
		o.SeenAt = cur.seenAt
		return h.Finding(o)
	}
	return s.walk(ctx, xmlRules{
		root: []string{"nmaprun"},
		start: map[string]func(xml.StartElement) error{
			"nmaprun/host": func(t xml.StartElement) error {
				cur = nmapHost{seenAt: unixTime(attrOf(t, "endtime"))}
				return nil
			},
		},
		records: map[string]func(*node) error{
			"nmaprun/host/status": func(n *node) error { cur.up = n.attr("state") == "up"; return nil },
			"nmaprun/host/address": func(n *node) error {
				if t := n.attr("addrtype"); cur.ip == "" && (t == "ipv4" || t == "ipv6") {
					cur.ip = n.attr("addr")
				}
				return nil
			},
			"nmaprun/host/hostnames": func(n *node) error {
				if cur.host == "" {
					cur.host = n.child("hostname").attr("name")
				}
				return nil
			},
			"nmaprun/host/ports/port": func(n *node) error {
				for _, o := range nmapPort(n) {
					if err := emit(o); err != nil {
						return err
					}
				}
				return nil
			},
			"nmaprun/host/hostscript": func(n *node) error {
				for _, sc := range n.all("script") {
					for _, o := range nmapScript(sc) {
						if err := emit(o); err != nil {
							return err
						}
					}
				}
				return nil
			},
		},
		end: map[string]func() error{
			"nmaprun/host": func() error {
				if !cur.up || (cur.ip == "" && cur.host == "") {
					return nil
				}
				host, ip := hostIP(cur.host, cur.ip)
				return h.Reached(Host{Host: host, IP: ip})
			},
		},
	})
}

// nmapPort returns the observations of one <port>: the open port itself,
// with the same check ID as Khiên's own port scan so that they merge, then
// its scripts.
func nmapPort(n *node) []Observation {
	port, _ := strconv.Atoi(n.attr("portid"))
	proto := n.attr("protocol")
	var out []Observation
	if n.child("state").attr("state") == "open" {
		svc := n.child("service")
		evidence := fmt.Sprintf("%d/%s open %s", port, proto, svc.attr("name"))
		if p := strings.TrimSpace(svc.attr("product") + " " + svc.attr("version")); p != "" {
			evidence += " " + p
		}
		if x := svc.attr("extrainfo"); x != "" {
			evidence += " (" + x + ")"
		}
		out = append(out, Observation{RuleID: "port.open", Title: "Open port", Severity: check.Info,
			Evidence: Excerpt(strings.TrimSpace(evidence))})
	}
	for _, sc := range n.all("script") {
		out = append(out, nmapScript(sc)...)
	}
	for i := range out {
		out[i].Port, out[i].Protocol = port, proto
	}
	return out
}

// nmapScript returns what one <script> reports: a vulnerability per
// vulnerable entry of the vulns library, the CVEs of vulners, or else its
// output as information.
func nmapScript(sc *node) []Observation {
	id := sc.attr("id")
	base := Observation{RuleID: "nmap-script:" + id, Title: "Nmap script " + id, Severity: check.Info,
		Evidence: Excerpt(sc.attr("output"))}
	if id == "vulners" {
		return []Observation{vulners(base, sc)}
	}
	var out []Observation
	vulnsLib := false
	for _, t := range descendants(sc, "table") {
		state := elem(t, "state")
		if state == "" {
			continue
		}
		vulnsLib = true
		if !strings.HasPrefix(state, "VULNERABLE") && !strings.HasPrefix(state, "LIKELY VULNERABLE") {
			continue
		}
		out = append(out, nmapVuln(base, t))
	}
	if vulnsLib {
		return out // only the vulnerable entries: "NOT VULNERABLE" reports nothing
	}
	return []Observation{base}
}

// nmapVuln reads one entry of the vulns library (title, ids, scores,
// risk_factor, description, refs); the script's output stays the evidence.
func nmapVuln(base Observation, t *node) Observation {
	o := base
	if title := elem(t, "title"); title != "" {
		o.Title = check.Truncate(title, 500)
	}
	var desc []string
	for _, e := range table(t, "description").all("elem") {
		desc = append(desc, e.get())
	}
	o.Description = textOf(strings.Join(desc, "\n"))
	for _, e := range table(t, "ids").all("elem") {
		o.CVEs = addCVEs(o.CVEs, e.get())
	}
	o.CVEs = addCVEs(o.CVEs, t.attr("key"))
	for _, e := range table(t, "refs").all("elem") {
		o.References = urlsIn(o.References, e.get())
	}
	scores := table(t, "scores")
	for _, key := range []string{"CVSSv4", "CVSSv3", "CVSS", "CVSSv2"} {
		if o.Score = parseScore(elem(scores, key)); o.Score > 0 {
			break
		}
	}
	fallback := check.Medium
	if rf, err := check.ParseSeverity(elem(t, "risk_factor")); err == nil {
		fallback = rf
	}
	o.Severity = severityOf(o.Score, fallback)
	return o
}

// vulners reads the CVEs of the vulners script: its tables (id, cvss,
// type) when Nmap wrote them, its text output otherwise ("CVE-… 9.8 url").
func vulners(o Observation, sc *node) Observation {
	o.Title = "Known vulnerabilities of the service version (vulners)"
	note := func(id, score string) {
		o.CVEs = addCVEs(o.CVEs, id)
		o.Score = max(o.Score, parseScore(score))
	}
	entries := 0
	for _, t := range descendants(sc, "table") {
		if id := elem(t, "id"); id != "" {
			entries++
			note(id, elem(t, "cvss"))
		}
	}
	if entries == 0 {
		for _, line := range strings.Split(sc.attr("output"), "\n") {
			if f := strings.Fields(line); len(f) >= 2 {
				note(f[0], f[1])
			}
		}
	}
	o.Severity = severityOf(o.Score, check.Info)
	return o
}

// descendants returns every element of that name under n, depth first.
func descendants(n *node, name string) []*node {
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
		out = append(out, descendants(k, name)...)
	}
	return out
}

// elem is the text of the <elem key="…"> child of an NSE table.
func elem(t *node, key string) string {
	for _, e := range t.all("elem") {
		if e.attr("key") == key {
			return e.get()
		}
	}
	return ""
}

// table is the <table key="…"> child of an NSE table, or nil.
func table(t *node, key string) *node {
	for _, k := range t.all("table") {
		if k.attr("key") == key {
			return k
		}
	}
	return nil
}

func attrOf(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// unixTime reads seconds since 1970, the zero time when s is not a number.
func unixTime(s string) time.Time {
	sec, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
