package source

import (
	"context"
	"encoding/xml"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// zapXMLFormat reads OWASP ZAP's traditional XML report: <site> elements
// holding <alertitem>s, with an <instances> list since ZAP 2.8 and the URI
// and parameter in the alert itself before.
var zapXMLFormat = Format{
	Name:   "zap-xml",
	Detect: func(head []byte) bool { return rootElement(head) == "OWASPZAPReport" },
	Parse:  parseZAPXML,
}

// zapXMLSite is the <site> being read.
type zapXMLSite struct {
	host     string
	port     int
	protocol string
}

// zapRisk maps ZAP's riskcode.
var zapRisk = map[string]check.Severity{"0": check.Info, "1": check.Low, "2": check.Medium, "3": check.High}

func parseZAPXML(ctx context.Context, r io.Reader, h Handler) error {
	s := newXMLStream("zap-xml", r)
	var site zapXMLSite
	return s.walk(ctx, xmlRules{
		root: []string{"OWASPZAPReport"},
		start: map[string]func(xml.StartElement) error{
			"OWASPZAPReport/site": func(t xml.StartElement) error {
				site = zapXMLSite{protocol: "http"}
				site.host = attrOf(t, "host")
				site.port, _ = strconv.Atoi(attrOf(t, "port"))
				if attrOf(t, "ssl") == "true" {
					site.protocol = "https"
				}
				if site.host == "" {
					if u, err := url.Parse(attrOf(t, "name")); err == nil {
						site.host = u.Hostname()
					}
				}
				if site.host == "" {
					return nil
				}
				host, ip := hostIP(site.host, "")
				return h.Reached(Host{Host: host, IP: ip})
			},
		},
		records: map[string]func(*node) error{
			"site/alerts/alertitem": func(n *node) error {
				for _, o := range zapXMLAlert(site, n) {
					if err := h.Finding(o); err != nil {
						return err
					}
				}
				return nil
			},
		},
	})
}

// zapXMLAlert returns one observation per instance of the alert.
func zapXMLAlert(site zapXMLSite, n *node) []Observation {
	o := Observation{Tool: "zap", RuleID: n.get("pluginid"), Title: n.get("alert")}
	if o.Title == "" {
		o.Title = n.get("name")
	}
	o.Severity = zapRisk[n.get("riskcode")]
	if o.Severity == "" {
		o.Severity = check.Info
	}
	o.Host, o.IP = hostIP(site.host, "")
	o.Port, o.Protocol = site.port, site.protocol
	o.Description = textOf(joinText(htmlText(n.get("desc")), htmlText(n.get("otherinfo"))))
	o.Remediation = textOf(htmlText(n.get("solution")))
	o.References = urlsIn(nil, htmlText(n.get("reference")))
	o.CWE = cweOf(n.get("cweid"))
	if w := n.get("wascid"); w != "" && w != "0" {
		o.Tags = append(o.Tags, "WASC-"+w)
	}
	if c := n.get("confidencedesc"); c != "" {
		o.Tags = append(o.Tags, "confidence:"+strings.ToLower(c))
	}
	instances := n.child("instances").all("instance")
	if len(instances) == 0 {
		instances = []*node{n} // before ZAP 2.8 the alert held one instance's fields
	}
	out := make([]Observation, 0, len(instances))
	for _, in := range instances {
		one := o
		one.URL = in.get("uri")
		one.Parameter = in.get("param")
		evidence := in.get("evidence")
		if a := in.get("attack"); a != "" {
			evidence = joinText(evidence, "attack: "+a)
		}
		if evidence == "" && in != n {
			evidence = in.get("otherinfo")
		}
		one.Evidence = Excerpt(evidence)
		out = append(out, one)
	}
	return out
}
