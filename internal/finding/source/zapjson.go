package source

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// OWASP ZAP's traditional JSON report: {"@version", "site": [{"@name",
// "@host", "@port", "@ssl", "alerts": [...]}]}. One observation per
// instance of an alert; every site is a host ZAP reached. A site's
// attributes come before its alerts in what ZAP writes (and in a rewrite
// with sorted keys, "@…" sorting first); alerts met before them are an
// error.

var zapJSONFormat = Format{Name: "zap-json", Detect: detectZAPJSON, Parse: parseZAPJSON}

func detectZAPJSON(head []byte) bool {
	h, ok := sniffJSON(head)
	return ok && !h.array && h.keys["site"] && (h.keys["@version"] || h.keys["@generated"] || h.keys["@programName"] || h.keys["site.alerts"])
}

type zapAlert struct {
	PluginID   string  `json:"pluginid"`
	AlertRef   string  `json:"alertRef"`
	Alert      string  `json:"alert"`
	Name       string  `json:"name"`
	RiskCode   flexInt `json:"riskcode"`
	Confidence flexInt `json:"confidence"`
	Desc       string  `json:"desc"`
	Instances  []struct {
		URI       string `json:"uri"`
		Method    string `json:"method"`
		Param     string `json:"param"`
		Attack    string `json:"attack"`
		Evidence  string `json:"evidence"`
		OtherInfo string `json:"otherinfo"`
	} `json:"instances"`
	Solution  string  `json:"solution"`
	OtherInfo string  `json:"otherinfo"`
	Reference string  `json:"reference"`
	CWEID     flexInt `json:"cweid"`
	WASCID    flexInt `json:"wascid"`
}

// zapSite is the site whose alerts are being read.
type zapSite struct {
	name, host, ssl string
	port            flexInt
}

// zapRisks are ZAP's risk codes; ZAP has no "critical".
var zapRisks = []check.Severity{check.Info, check.Low, check.Medium, check.High}

func parseZAPJSON(ctx context.Context, r io.Reader, h Handler) error {
	d := newJSONDoc(ctx, r, "zap-json")
	err := d.object(func(key string) error {
		if key != "site" {
			return d.skip()
		}
		return d.array(func() error {
			var site zapSite
			reached := false
			return d.object(func(key string) error {
				switch key {
				case "@name":
					return d.decode(&site.name)
				case "@host":
					return d.decode(&site.host)
				case "@port":
					return d.decode(&site.port)
				case "@ssl":
					return d.decode(&site.ssl)
				case "alerts":
					if site.host == "" && site.name == "" {
						return d.failf("alerts come before the site's @name and @host")
					}
					if !reached {
						reached = true
						host, ip := site.where()
						if err := h.Reached(Host{Host: host, IP: ip}); err != nil {
							return err
						}
					}
					return d.array(func() error {
						var a zapAlert
						if err := d.decode(&a); err != nil {
							return err
						}
						return site.emit(&a, h, d)
					})
				}
				return d.skip()
			})
		})
	})
	if err != nil {
		return err
	}
	return d.end()
}

func (s *zapSite) where() (host, ip string) {
	name := s.host
	if name == "" {
		name, _, _ = splitTarget(s.name)
	}
	return hostAndIP(name)
}

// emit hands on one observation per instance; alerts marked false
// positives (confidence 0) are left out.
func (s *zapSite) emit(a *zapAlert, h Handler, d *jsonDoc) error {
	if a.RiskCode < 0 || int(a.RiskCode) >= len(zapRisks) {
		return d.recordError(badField("riskcode", fmt.Errorf("unknown risk code %d (want 0 to 3)", a.RiskCode)))
	}
	if a.Confidence == 0 {
		return nil
	}
	host, ip := s.where()
	_, defaultPort, scheme := splitTarget(s.name)
	o := Observation{
		Tool:        "zap",
		RuleID:      firstOf(a.AlertRef, a.PluginID),
		Title:       firstOf(a.Alert, a.Name),
		Description: text(stripHTML(a.Desc)),
		Severity:    zapRisks[a.RiskCode],
		Host:        host,
		IP:          ip,
		Port:        int(s.port),
		Protocol:    scheme,
		Remediation: text(stripHTML(a.Solution)),
		References:  itemList(strings.Split(stripHTML(a.Reference), "\n")...),
	}
	if o.Port == 0 {
		o.Port = defaultPort
	}
	if o.Protocol == "" {
		o.Protocol = map[bool]string{true: "https", false: "http"}[s.ssl == "true"]
	}
	if a.CWEID > 0 {
		o.CWE = fmt.Sprintf("CWE-%d", a.CWEID)
	}
	if a.WASCID > 0 {
		o.Tags = []string{fmt.Sprintf("WASC-%d", a.WASCID)}
	}
	if len(a.Instances) == 0 {
		o.URL = s.name
		return h.Finding(o)
	}
	for _, in := range a.Instances {
		o := o
		o.URL, o.Parameter = check.Truncate(in.URI, maxItem), check.Truncate(in.Param, maxItem)
		if in.Method != "" {
			o.Request = Excerpt(in.Method + " " + in.URI)
		}
		var ev []string
		if in.Evidence != "" {
			ev = append(ev, in.Evidence)
		}
		if in.Attack != "" {
			ev = append(ev, "attack: "+in.Attack)
		}
		if other := stripHTML(firstOf(in.OtherInfo, a.OtherInfo)); other != "" {
			ev = append(ev, other)
		}
		o.Evidence = Excerpt(strings.Join(ev, "\n"))
		if err := h.Finding(o); err != nil {
			return err
		}
	}
	return nil
}
