package source

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/scan/check"
)

// burpFormat reads Burp Suite's XML export of issues (Scanner → Report
// selected issues → XML), with requests and responses base64-encoded or
// not.
var burpFormat = Format{
	Name: "burp",
	Detect: func(head []byte) bool {
		return rootElement(head) == "issues" && (bytes.Contains(head, []byte("burpVersion")) || bytes.Contains(head, []byte("<serialNumber>")))
	},
	Parse: parseBurp,
}

// burpSeverity maps Burp's severity names.
var burpSeverity = map[string]check.Severity{"high": check.High, "medium": check.Medium, "low": check.Low, "information": check.Info}

func parseBurp(ctx context.Context, r io.Reader, h Handler) error {
	s := newXMLStream("burp", r)
	// The export lists issues only: the hosts are reached through them.
	return s.walk(ctx, xmlRules{
		root: []string{"issues"},
		records: map[string]func(*node) error{
			"issues/issue": func(n *node) error { return h.Finding(burpIssue(n)) },
		},
	})
}

var (
	burpParameter = regexp.MustCompile(`\[(.+) parameter\]\s*$`)
	burpCWE       = regexp.MustCompile(`CWE-(\d+)`)
)

func burpIssue(n *node) Observation {
	o := Observation{Tool: "burp", RuleID: n.get("type"), Title: n.get("name")}
	o.Severity = burpSeverity[strings.ToLower(n.get("severity"))]
	if o.Severity == "" {
		o.Severity = check.Info
	}
	hostNode := n.child("host")
	base := hostNode.get()
	o.URL = base + n.get("path")
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		o.Host, o.IP = hostIP(u.Hostname(), hostNode.attr("ip"))
		o.Protocol = u.Scheme
		o.Port, _ = strconv.Atoi(u.Port())
		if o.Port == 0 {
			o.Port = map[string]int{"http": 80, "https": 443}[u.Scheme]
		}
	}
	if m := burpParameter.FindStringSubmatch(n.get("location")); m != nil {
		o.Parameter = m[1]
	}
	detail := n.get("issueDetail")
	o.Description = textOf(joinText(htmlText(n.get("issueBackground")), htmlText(detail)))
	o.Evidence = Excerpt(htmlText(detail))
	o.Remediation = textOf(joinText(htmlText(n.get("remediationDetail")), htmlText(n.get("remediationBackground"))))
	if m := burpCWE.FindStringSubmatch(n.get("vulnerabilityClassifications")); m != nil {
		o.CWE = cweOf(m[1])
	}
	o.References = hrefs(nil, n.get("references"))
	o.CVEs = addCVEs(nil, detail)
	if c := n.get("confidence"); c != "" {
		o.Tags = append(o.Tags, "confidence:"+strings.ToLower(c))
	}
	if rr := n.child("requestresponse"); rr != nil {
		o.Request = burpMessage(rr.child("request"))
		o.Response = burpMessage(rr.child("response"))
	}
	return o
}

// burpMessage returns an excerpt of a request or response, decoded when
// Burp wrote it in base64.
func burpMessage(m *node) string {
	if m == nil {
		return ""
	}
	text := m.text
	if m.attr("base64") == "true" {
		enc := strings.Join(strings.Fields(text), "")
		// The record keeps MaxText of it, more than an excerpt needs: cut
		// on a whole group of four.
		raw, err := base64.StdEncoding.DecodeString(enc[:len(enc)/4*4])
		if err != nil {
			return "" // not what it says it is: nothing worth keeping
		}
		text = string(raw)
	}
	return Excerpt(strings.ToValidUTF8(text, "\uFFFD"))
}
