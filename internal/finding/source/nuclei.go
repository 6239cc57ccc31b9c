package source

import (
	"context"
	"encoding/json"
	"io"
	"strings"
)

// Nuclei writes one result per line with -jsonl (v3; -json in v2) and a JSON
// array of the same objects with -json-export. v2 and v3 differ in a few
// names (templateID, matched) and in the type of port (a number or a
// string); both are read.

var nucleiFormat = Format{Name: "nuclei", Detect: detectNuclei, Parse: parseNuclei}

func detectNuclei(head []byte) bool {
	h, ok := sniffJSON(head)
	return ok && (h.keys["template-id"] || h.keys["templateID"]) && (h.keys["info"] || h.keys["matched-at"] || h.keys["matched"] || h.keys["host"])
}

// nucleiResult is one result, in the v3 names with the v2 ones beside.
type nucleiResult struct {
	TemplateID       string     `json:"template-id"`
	TemplateIDv2     string     `json:"templateID"`
	Info             nucleiInfo `json:"info"`
	MatcherName      string     `json:"matcher-name"`
	ExtractorName    string     `json:"extractor-name"`
	Type             string     `json:"type"`
	Host             string     `json:"host"`
	Port             flexInt    `json:"port"`
	Scheme           string     `json:"scheme"`
	URL              string     `json:"url"`
	MatchedAt        string     `json:"matched-at"`
	Matched          string     `json:"matched"`
	ExtractedResults []string   `json:"extracted-results"`
	Request          string     `json:"request"`
	Response         string     `json:"response"`
	IP               string     `json:"ip"`
	Timestamp        string     `json:"timestamp"`
	CurlCommand      string     `json:"curl-command"`
	MatcherStatus    *bool      `json:"matcher-status"` // false: a host tried without a match (-ms)
}

type nucleiInfo struct {
	Name           string                `json:"name"`
	Severity       string                `json:"severity"`
	Description    string                `json:"description"`
	Remediation    string                `json:"remediation"`
	Reference      textList              `json:"reference"`
	Tags           textList              `json:"tags"`
	Classification *nucleiClassification `json:"classification"`
}

type nucleiClassification struct {
	CVEID       textList  `json:"cve-id"`
	CWEID       textList  `json:"cwe-id"`
	CVSSMetrics string    `json:"cvss-metrics"`
	CVSSScore   flexFloat `json:"cvss-score"`
}

func parseNuclei(ctx context.Context, r io.Reader, h Handler) error {
	first, br, err := firstByte(r)
	if err != nil {
		return err
	}
	var res nucleiResult
	l := &lexer{}
	read := func(b []byte) error {
		res = nucleiResult{}
		*l = lexer{b: b, path: l.path[:0], buf: l.buf}
		if err := res.read(l); err != nil {
			return err
		}
		if err := l.end(); err != nil {
			return err
		}
		return emitNuclei(&res, h)
	}
	if first != '[' {
		return jsonLines(ctx, br, "nuclei", read)
	}
	d := newJSONDoc(ctx, br, "nuclei")
	if err := d.array(func() error {
		var raw json.RawMessage
		if err := d.decode(&raw); err != nil {
			return err
		}
		if err := read(raw); err != nil {
			return d.recordError(err)
		}
		return nil
	}); err != nil {
		return err
	}
	return d.end()
}

// read fills res from the result at l, field by field: the JSON Lines of
// Nuclei are the largest files imported, and encoding/json's reflection
// costs several times more (the struct tags say the same for the tests).
func (res *nucleiResult) read(l *lexer) error {
	return l.objectInto(func(key []byte) error {
		switch string(key) {
		case "template-id":
			return l.stringInto(&res.TemplateID)
		case "templateID":
			return l.stringInto(&res.TemplateIDv2)
		case "info":
			return l.objectInto(res.Info.field(l))
		case "matcher-name":
			return l.stringInto(&res.MatcherName)
		case "extractor-name":
			return l.stringInto(&res.ExtractorName)
		case "type":
			return l.stringInto(&res.Type)
		case "host":
			return l.stringInto(&res.Host)
		case "port":
			return l.flexInto(res.Port.set, "a number")
		case "scheme":
			return l.stringInto(&res.Scheme)
		case "url":
			return l.stringInto(&res.URL)
		case "matched-at":
			return l.stringInto(&res.MatchedAt)
		case "matched":
			return l.stringInto(&res.Matched)
		case "extracted-results":
			return l.stringsInto(&res.ExtractedResults)
		case "request":
			return l.stringInto(&res.Request)
		case "response":
			return l.stringInto(&res.Response)
		case "ip":
			return l.stringInto(&res.IP)
		case "timestamp":
			return l.stringInto(&res.Timestamp)
		case "curl-command":
			return l.stringInto(&res.CurlCommand)
		case "matcher-status":
			return l.boolInto(&res.MatcherStatus)
		}
		return l.skip()
	})
}

func (info *nucleiInfo) field(l *lexer) func(key []byte) error {
	return func(key []byte) error {
		switch string(key) {
		case "name":
			return l.stringInto(&info.Name)
		case "severity":
			return l.stringInto(&info.Severity)
		case "description":
			return l.stringInto(&info.Description)
		case "remediation":
			return l.stringInto(&info.Remediation)
		case "reference":
			return l.textListInto(&info.Reference)
		case "tags":
			return l.textListInto(&info.Tags)
		case "classification":
			if null, err := l.null(); null || err != nil {
				info.Classification = nil
				return err
			}
			if info.Classification == nil {
				info.Classification = &nucleiClassification{}
			}
			return l.objectInto(info.Classification.field(l))
		}
		return l.skip()
	}
}

func (c *nucleiClassification) field(l *lexer) func(key []byte) error {
	return func(key []byte) error {
		switch string(key) {
		case "cve-id":
			return l.textListInto(&c.CVEID)
		case "cwe-id":
			return l.textListInto(&c.CWEID)
		case "cvss-metrics":
			return l.stringInto(&c.CVSSMetrics)
		case "cvss-score":
			return l.flexInto(c.CVSSScore.set, "a number")
		}
		return l.skip()
	}
}

// emitNuclei maps one result and hands it to h.
func emitNuclei(res *nucleiResult, h Handler) error {
	o, err := res.observation()
	if err != nil {
		return err
	}
	if res.MatcherStatus != nil && !*res.MatcherStatus {
		return h.Reached(Host{Host: o.Host, IP: o.IP})
	}
	return h.Finding(o)
}

func (res *nucleiResult) observation() (Observation, error) {
	sev, err := toolSeverity(res.Info.Severity)
	if err != nil {
		return Observation{}, badField("info.severity", err)
	}
	seen, err := parseTime("timestamp", res.Timestamp)
	if err != nil {
		return Observation{}, err
	}
	o := Observation{
		Tool:        "nuclei",
		RuleID:      firstOf(res.TemplateID, res.TemplateIDv2),
		Title:       res.Info.Name,
		Description: text(res.Info.Description),
		Severity:    sev,
		Tags:        itemList(res.Info.Tags.split(",")...),
		Request:     Excerpt(firstOf(res.Request, res.CurlCommand)),
		Response:    Excerpt(res.Response),
		Remediation: text(res.Info.Remediation),
		References:  itemList(res.Info.Reference...),
		SeenAt:      seen,
	}
	if res.MatcherName != "" {
		o.RuleID += ":" + res.MatcherName
	}
	if o.Title == "" {
		o.Title = o.RuleID
	}
	if c := res.Info.Classification; c != nil {
		o.CVEs = cveList(c.CVEID...)
		for _, id := range c.CWEID {
			if o.CWE = cweID(id); o.CWE != "" {
				break
			}
		}
		o.CVSS3, o.CVSS4 = cvssVectors(c.CVSSMetrics)
		o.Score = float64(c.CVSSScore)
	}

	matched := firstOf(res.MatchedAt, res.Matched)
	host, port, scheme := splitTarget(firstOf(res.Host, matched, res.URL))
	if strings.Contains(matched, "://") {
		o.URL = matched
	} else if strings.Contains(res.URL, "://") {
		o.URL = res.URL
	}
	if port == 0 || scheme == "" {
		if _, p, s := splitTarget(firstOf(o.URL, matched)); p != 0 {
			port, scheme = p, firstOf(scheme, s)
		}
	}
	o.Host, o.IP = hostAndIP(host)
	if res.IP != "" {
		_, o.IP = hostAndIP(res.IP)
		if o.Host == "" {
			o.Host = o.IP
		}
	}
	o.Port = port
	if res.Port != 0 {
		o.Port = int(res.Port)
	}
	switch res.Type {
	case "http", "headless":
		o.Protocol = firstOf(strings.ToLower(res.Scheme), scheme)
	case "network", "tcp", "ssl", "javascript":
		o.Protocol = "tcp"
	case "dns":
		o.Protocol = "udp"
	}
	o.Evidence = Excerpt(strings.Join(res.ExtractedResults, ", "))
	if o.Evidence == "" && res.ExtractorName != "" {
		o.Evidence = res.ExtractorName
	}
	return o, nil
}

// firstOf returns the first of ss that is not empty.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
