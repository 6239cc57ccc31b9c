package source

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// openvasFormat reads OpenVAS/Greenbone XML reports: the GMP answer
// <get_reports_response>, or the <report> that the web interface downloads,
// both holding an inner <report> with <results> and <host> blocks. Old
// OpenVAS 8/9 reports (<cve>, <xref>, <cvss_base> in the NVT) and GVM 20+
// ones (<refs>, <severities>, <solution>) are both read.
var openvasFormat = Format{
	Name: "openvas",
	Detect: func(head []byte) bool {
		switch rootElement(head) {
		case "get_reports_response":
			return true
		case "report":
			for _, sig := range []string{"<omp>", "<gmp>", "<scan_run_status>", "<results", "<report_format", "<nvt "} {
				if bytes.Contains(head, []byte(sig)) {
					return true
				}
			}
		}
		return false
	},
	Parse: parseOpenVAS,
}

func parseOpenVAS(ctx context.Context, r io.Reader, h Handler) error {
	s := newXMLStream("openvas", r)
	return s.walk(ctx, xmlRules{
		root: []string{"get_reports_response", "report"},
		start: map[string]func(xml.StartElement) error{
			// A failed GMP request answers with no report: say why
			// rather than import nothing.
			"get_reports_response": func(t xml.StartElement) error {
				if st := attrOf(t, "status"); st != "" && !strings.HasPrefix(st, "2") {
					return s.fail(fmt.Errorf("the GMP request failed: %s %s", st, attrOf(t, "status_text")))
				}
				return nil
			},
		},
		records: map[string]func(*node) error{
			"results/result": func(n *node) error {
				o, ok := openvasResult(n)
				if !ok {
					return nil
				}
				return h.Finding(o)
			},
			"report/host": func(n *node) error {
				name := ""
				for _, d := range n.all("detail") {
					if d.get("name") == "hostname" {
						name = d.get("value")
						break
					}
				}
				ip := n.get("ip")
				if ip == "" {
					ip = n.get() // old reports: the address as the text of <host>
				}
				if ip == "" && name == "" {
					return nil
				}
				host, addr := hostIP(name, ip)
				return h.Reached(Host{Host: host, IP: addr})
			},
		},
	})
}

// openvasResult converts one <result>; a result that names no NVT is not a
// finding.
func openvasResult(n *node) (Observation, bool) {
	nvt := n.child("nvt")
	oid := nvt.attr("oid")
	if oid == "" {
		return Observation{}, false
	}
	tags := openvasTags(nvt.get("tags"))
	o := Observation{Tool: "openvas", RuleID: oid, Title: nvt.get("name")}
	if o.Title == "" {
		o.Title = n.get("name")
	}
	o.Host, o.IP = hostIP(n.get("host", "hostname"), n.child("host").get())
	o.Port, o.Protocol = openvasPort(n.get("port"))
	o.Description = textOf(joinText(tags["summary"], tags["insight"], tags["impact"]))
	o.Remediation = nvt.get("solution")
	if o.Remediation == "" {
		o.Remediation = tags["solution"]
	}
	o.Remediation = textOf(o.Remediation)
	o.Evidence = Excerpt(n.get("description"))

	for _, sev := range nvt.child("severities").all("severity") {
		switch v := sev.get("value"); {
		case strings.HasPrefix(sev.attr("type"), "cvss_base_v3") && o.CVSS3 == "":
			o.CVSS3 = v
		case strings.HasPrefix(sev.attr("type"), "cvss_base_v4") && o.CVSS4 == "":
			o.CVSS4 = v
		}
	}
	if v := tags["cvss_base_vector"]; o.CVSS3 == "" && strings.HasPrefix(v, "CVSS:3") {
		o.CVSS3 = v
	}
	if sev := n.get("severity"); sev != "" {
		o.Score = parseScore(sev) // -1 (false positive) and 0 (log) are no score
	} else {
		o.Score = parseScore(nvt.get("cvss_base"))
	}

	for _, ref := range nvt.child("refs").all("ref") {
		switch strings.ToLower(ref.attr("type")) {
		case "cve":
			o.CVEs = addCVEs(o.CVEs, ref.attr("id"))
		case "url":
			o.References = addUnique(o.References, ref.attr("id"))
		}
	}
	o.CVEs = addCVEs(o.CVEs, nvt.get("cve"))
	for _, x := range strings.Split(nvt.get("xref"), ",") {
		if u, ok := strings.CutPrefix(strings.TrimSpace(x), "URL:"); ok {
			o.References = addUnique(o.References, u)
		}
	}

	threat := strings.ToLower(n.get("threat"))
	switch threat {
	case "log", "debug":
		o.Severity = check.Info
	case "false positive":
		o.Severity = check.Info
		o.Tags = append(o.Tags, "false-positive")
	case "alarm":
		o.Severity = severityOf(o.Score, check.High)
	default: // "high", "medium", "low", or none
		fallback, err := check.ParseSeverity(threat)
		if err != nil {
			fallback = check.Info
		}
		o.Severity = severityOf(o.Score, fallback)
	}
	if q := n.get("qod", "value"); q != "" {
		o.Tags = append(o.Tags, "qod:"+q)
	}
	if t, err := time.Parse(time.RFC3339, n.get("creation_time")); err == nil {
		o.SeenAt = t.UTC()
	}
	return o, true
}

// openvasTags splits the NVT's "key=value|key=value" tags. A value may hold
// "=" but not "|", which the feed escapes.
func openvasTags(s string) map[string]string {
	tags := map[string]string{}
	for _, kv := range strings.Split(s, "|") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			tags[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return tags
}

// openvasPort reads "443/tcp" and "general/tcp" (port 0) and
// "general/CPE-T" (no protocol either).
func openvasPort(s string) (int, string) {
	num, proto, _ := strings.Cut(strings.TrimSpace(s), "/")
	if i := strings.IndexAny(proto, " ("); i >= 0 {
		proto = proto[:i]
	}
	switch proto = strings.ToLower(proto); proto {
	case "tcp", "udp", "sctp":
	default:
		proto = ""
	}
	port, err := strconv.Atoi(num)
	if err != nil || port < 0 || port > 65535 {
		port = 0
	}
	return port, proto
}
