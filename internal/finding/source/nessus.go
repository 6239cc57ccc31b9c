package source

import (
	"context"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// nessusFormat reads Tenable's .nessus files (NessusClientData_v2), as
// Nessus and Tenable.sc/.io export them.
var nessusFormat = Format{
	Name:   "nessus",
	Detect: func(head []byte) bool { return rootElement(head) == "NessusClientData_v2" },
	Parse:  parseNessus,
}

// nessusSeverity maps the severity attribute of a ReportItem (0–4).
var nessusSeverity = []check.Severity{check.Info, check.Low, check.Medium, check.High, check.Critical}

// nessusHost is the ReportHost being read: Nessus writes HostProperties
// before the items.
type nessusHost struct {
	name   string // the target as scanned
	fqdn   string
	ip     string
	seenAt time.Time
}

func parseNessus(ctx context.Context, r io.Reader, h Handler) error {
	s := newXMLStream("nessus", r)
	var cur nessusHost
	return s.walk(ctx, xmlRules{
		root: []string{"NessusClientData_v2"},
		start: map[string]func(xml.StartElement) error{
			"Report/ReportHost": func(t xml.StartElement) error {
				cur = nessusHost{name: attrOf(t, "name")}
				return nil
			},
		},
		records: map[string]func(*node) error{
			"Report/ReportHost/HostProperties": func(n *node) error {
				for _, tag := range n.all("tag") {
					switch v := tag.get(); tag.attr("name") {
					case "host-ip":
						cur.ip = v
					case "host-fqdn":
						cur.fqdn = v
					case "HOST_END_TIMESTAMP":
						cur.seenAt = unixTime(v)
					case "HOST_END":
						if t, err := time.Parse(time.ANSIC, v); err == nil && cur.seenAt.IsZero() {
							cur.seenAt = t.UTC()
						}
					}
				}
				return nil
			},
			"Report/ReportHost/ReportItem": func(n *node) error {
				return h.Finding(nessusItem(cur, n))
			},
		},
		end: map[string]func() error{
			"Report/ReportHost": func() error {
				host, ip := cur.hostIP()
				if host == "" {
					return nil
				}
				return h.Reached(Host{Host: host, IP: ip})
			},
		},
	})
}

// hostIP prefers the host's FQDN, then the scanned name, to its address.
func (c nessusHost) hostIP() (string, string) {
	name := c.fqdn
	if name == "" {
		name = c.name
	}
	return hostIP(name, c.ip)
}

func nessusItem(host nessusHost, n *node) Observation {
	o := Observation{Tool: "nessus", RuleID: n.attr("pluginID"), Title: n.attr("pluginName"), SeenAt: host.seenAt}
	if o.Title == "" {
		o.Title = n.get("plugin_name")
	}
	o.Host, o.IP = host.hostIP()
	o.Port, _ = strconv.Atoi(n.attr("port"))
	o.Protocol = strings.ToLower(n.attr("protocol"))
	o.Severity = check.Info
	if sev, err := strconv.Atoi(n.attr("severity")); err == nil && sev >= 0 && sev < len(nessusSeverity) {
		o.Severity = nessusSeverity[sev]
	}
	o.Description = textOf(joinText(n.get("synopsis"), n.get("description")))
	if sol := n.get("solution"); !strings.EqualFold(sol, "n/a") {
		o.Remediation = textOf(sol)
	}
	o.Evidence = Excerpt(n.get("plugin_output"))
	o.CVSS3 = nessusVector(n.get("cvss3_vector"), "CVSS:3.0/")
	o.CVSS4 = nessusVector(n.get("cvss4_vector"), "CVSS:4.0/")
	for _, key := range []string{"cvss4_base_score", "cvss3_base_score", "cvss_base_score"} {
		if o.Score = parseScore(n.get(key)); o.Score > 0 {
			break
		}
	}
	for _, c := range n.all("cve") {
		o.CVEs = addCVEs(o.CVEs, c.get())
	}
	for _, c := range n.all("cwe") {
		if o.CWE = cweOf(c.get()); o.CWE != "" {
			break
		}
	}
	for _, sa := range n.all("see_also") {
		o.References = urlsIn(o.References, sa.get())
	}
	for _, flag := range []struct{ elem, tag string }{
		{"exploited_by_malware", "exploited-by-malware"},
		{"in_the_news", "in-the-news"},
		{"exploit_available", "exploit-available"},
	} {
		if n.get(flag.elem) == "true" {
			o.Tags = append(o.Tags, flag.tag)
		}
	}
	return o
}

// nessusVector gives a CVSS vector its version prefix, which older Nessus
// versions leave out ("AV:N/AC:L/…").
func nessusVector(v, prefix string) string {
	if v == "" || strings.HasPrefix(v, "CVSS:") {
		return v
	}
	return prefix + v
}
