package source

import (
	"context"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// Trivy's JSON report: SchemaVersion 2 ({ArtifactName, ArtifactType,
// Results: [...]}) and the older bare array of results. Each vulnerability,
// misconfiguration and secret of a result is decoded alone.
//
// A result's Target is needed for the locations of its items; Trivy writes
// it first, and so does a rewrite with sorted keys for vulnerabilities.
// Items read before the Target (misconfigurations and secrets under sorted
// keys) are kept, up to maxPendingResults bytes, until it is known.

var trivyFormat = Format{Name: "trivy", Detect: detectTrivy, Parse: parseTrivy}

func detectTrivy(head []byte) bool {
	h, ok := sniffJSON(head)
	if !ok {
		return false
	}
	if h.array {
		return h.keys["Target"] && (h.keys["Vulnerabilities"] || h.keys["Type"] || h.keys["Class"] || h.keys["Misconfigurations"] || h.keys["Secrets"])
	}
	return h.keys["SchemaVersion"] && (h.keys["Results"] || h.keys["ArtifactName"])
}

type trivyVulnerability struct {
	VulnerabilityID  string   `json:"VulnerabilityID"`
	PkgName          string   `json:"PkgName"`
	InstalledVersion string   `json:"InstalledVersion"`
	FixedVersion     string   `json:"FixedVersion"`
	SeveritySource   string   `json:"SeveritySource"`
	PrimaryURL       string   `json:"PrimaryURL"`
	Title            string   `json:"Title"`
	Description      string   `json:"Description"`
	Severity         string   `json:"Severity"`
	CweIDs           []string `json:"CweIDs"`
	CVSS             map[string]struct {
		V3Vector  string    `json:"V3Vector"`
		V3Score   flexFloat `json:"V3Score"`
		V40Vector string    `json:"V40Vector"`
	} `json:"CVSS"`
	References []string `json:"References"`
}

type trivyMisconfiguration struct {
	ID            string   `json:"ID"`
	AVDID         string   `json:"AVDID"`
	Title         string   `json:"Title"`
	Description   string   `json:"Description"`
	Message       string   `json:"Message"`
	Resolution    string   `json:"Resolution"`
	Severity      string   `json:"Severity"`
	PrimaryURL    string   `json:"PrimaryURL"`
	References    []string `json:"References"`
	Status        string   `json:"Status"`
	CauseMetadata struct {
		StartLine int `json:"StartLine"`
	} `json:"CauseMetadata"`
}

type trivySecret struct {
	RuleID    string `json:"RuleID"`
	Category  string `json:"Category"`
	Severity  string `json:"Severity"`
	Title     string `json:"Title"`
	StartLine int    `json:"StartLine"`
	Match     string `json:"Match"`
}

// trivyReport is what the report says before its results.
type trivyReport struct {
	d        *jsonDoc
	h        Handler
	artifact string
	host, ip string
	seen     time.Time
}

func parseTrivy(ctx context.Context, r io.Reader, h Handler) error {
	first, br, err := firstByte(r)
	if err != nil {
		return err
	}
	rep := &trivyReport{d: newJSONDoc(ctx, br, "trivy"), h: h}
	d := rep.d
	if first == '[' {
		err = d.array(rep.result)
	} else {
		err = d.object(rep.field)
	}
	if err != nil {
		return err
	}
	return d.end()
}

// trivyNotHosts are the artifact types whose names are never hosts.
var trivyNotHosts = []string{"container_image", "filesystem", "repository", "rootfs", "cyclonedx", "spdx", "vm", "sbom"}

func (rep *trivyReport) field(key string) error {
	d := rep.d
	switch key {
	case "ArtifactName":
		return d.decode(&rep.artifact)
	case "ArtifactType":
		var typ string
		if err := d.decode(&typ); err != nil {
			return err
		}
		if !slices.Contains(trivyNotHosts, strings.ToLower(typ)) && looksLikeHost(rep.artifact) {
			rep.host, rep.ip = hostAndIP(rep.artifact)
			return rep.h.Reached(Host{Host: rep.host, IP: rep.ip})
		}
		return nil
	case "CreatedAt":
		var s string
		if err := d.decode(&s); err != nil {
			return err
		}
		var err error
		if rep.seen, err = parseTime("", s); err != nil {
			return d.recordError(err)
		}
		return nil
	case "Results":
		return d.array(rep.result)
	}
	return d.skip()
}

// looksLikeHost reports whether an artifact name is an IP address or a
// dotted DNS name (not an image "nginx:1.25" nor a path).
func looksLikeHost(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	_, numeric := strconv.Atoi(tld)
	return numeric != nil
}

// trivyResult is one Results entry being read.
type trivyResult struct {
	target, class, typ string
	targetRead         bool
	pending            []Observation
	pendBytes          int64
}

func (rep *trivyReport) result() error {
	d := rep.d
	res := &trivyResult{}
	err := d.object(func(key string) error {
		switch key {
		case "Target":
			if err := d.decode(&res.target); err != nil {
				return err
			}
			res.targetRead = true
			return rep.flush(res)
		case "Class":
			return d.decode(&res.class)
		case "Type":
			return d.decode(&res.typ)
		case "Vulnerabilities":
			return d.array(func() error {
				var v trivyVulnerability
				if err := d.decode(&v); err != nil {
					return err
				}
				o, err := rep.vulnerability(&v)
				return rep.emit(res, o, err)
			})
		case "Misconfigurations":
			return d.array(func() error {
				var m trivyMisconfiguration
				if err := d.decode(&m); err != nil {
					return err
				}
				if strings.EqualFold(m.Status, "PASS") {
					return nil
				}
				o, err := rep.misconfiguration(&m)
				return rep.emit(res, o, err)
			})
		case "Secrets":
			return d.array(func() error {
				var s trivySecret
				if err := d.decode(&s); err != nil {
					return err
				}
				o, err := rep.secret(&s)
				return rep.emit(res, o, err)
			})
		}
		return d.skip()
	})
	if err != nil {
		return err
	}
	res.targetRead = true
	return rep.flush(res)
}

// emit completes an observation with what the result says and hands it
// on, or keeps it while the result's Target is not read yet.
func (rep *trivyReport) emit(res *trivyResult, o Observation, err error) error {
	if err != nil {
		return rep.d.recordError(err)
	}
	o.Tool, o.Host, o.IP, o.SeenAt = "trivy", rep.host, rep.ip, rep.seen
	o.Tags = itemList(res.class, res.typ)
	if !res.targetRead {
		if res.pendBytes += rep.d.dec.InputOffset() - rep.d.start; res.pendBytes > maxPendingResults {
			return rep.d.failf("more than %d MiB of findings come before the result's Target", maxPendingResults>>20)
		}
		res.pending = append(res.pending, o)
		return nil
	}
	rep.locate(res, &o)
	return rep.h.Finding(o)
}

func (rep *trivyReport) flush(res *trivyResult) error {
	for i := range res.pending {
		o := res.pending[i]
		o.Tags = itemList(res.class, res.typ)
		rep.locate(res, &o)
		if err := rep.h.Finding(o); err != nil {
			return err
		}
	}
	res.pending, res.pendBytes = nil, 0
	return nil
}

// locate puts the artifact and the target before the item's own place
// (the package, or the line), which the item left in Location.
func (rep *trivyReport) locate(res *trivyResult, o *Observation) {
	where := o.Location
	if strings.HasPrefix(where, ":") {
		where = res.target + where
	} else {
		where = strings.Join(nonEmpty(res.target, where), " ")
	}
	o.Location = check.Truncate(strings.Join(nonEmpty(rep.artifact, where), " "), maxItem)
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (rep *trivyReport) vulnerability(v *trivyVulnerability) (Observation, error) {
	sev, err := toolSeverity(v.Severity)
	if err != nil {
		return Observation{}, badField("Severity", err)
	}
	o := Observation{
		RuleID:      v.VulnerabilityID,
		Title:       firstOf(v.Title, v.VulnerabilityID+" in "+v.PkgName),
		Description: text(v.Description),
		Severity:    sev,
		CVEs:        cveList(v.VulnerabilityID),
		References:  itemList(append([]string{v.PrimaryURL}, v.References...)...),
		Location:    v.PkgName,
	}
	if v.InstalledVersion != "" {
		o.Location += "@" + v.InstalledVersion
	}
	for _, id := range v.CweIDs {
		if o.CWE = cweID(id); o.CWE != "" {
			break
		}
	}
	// The vector of the source Trivy took the severity from, else NVD's,
	// else the first in name order.
	sources := make([]string, 0, len(v.CVSS))
	for name := range v.CVSS {
		sources = append(sources, name)
	}
	slices.Sort(sources)
	sources = append([]string{v.SeveritySource, "nvd"}, sources...)
	for _, name := range sources {
		if c, ok := v.CVSS[name]; ok && (c.V3Vector != "" || c.V40Vector != "") {
			o.CVSS3, _ = cvssVectors(c.V3Vector)
			_, o.CVSS4 = cvssVectors(c.V40Vector)
			o.Score = float64(c.V3Score)
			break
		}
	}
	evidence := "installed " + v.PkgName + " " + v.InstalledVersion
	if v.FixedVersion != "" {
		evidence += ", fixed in " + v.FixedVersion
		o.Remediation = text("upgrade " + v.PkgName + " to " + v.FixedVersion)
	}
	o.Evidence = Excerpt(evidence)
	return o, nil
}

func (rep *trivyReport) misconfiguration(m *trivyMisconfiguration) (Observation, error) {
	sev, err := toolSeverity(m.Severity)
	if err != nil {
		return Observation{}, badField("Severity", err)
	}
	o := Observation{
		RuleID:      firstOf(m.ID, m.AVDID),
		Title:       firstOf(m.Title, m.ID),
		Description: text(m.Description),
		Severity:    sev,
		Evidence:    Excerpt(m.Message),
		Remediation: text(m.Resolution),
		References:  itemList(append([]string{m.PrimaryURL}, m.References...)...),
	}
	if m.CauseMetadata.StartLine > 0 {
		o.Location = ":" + strconv.Itoa(m.CauseMetadata.StartLine)
	}
	return o, nil
}

// secret maps a secret Trivy found, keeping nothing of the secret itself:
// Match (already masked by Trivy) is redacted again to the name before "="
// or ":".
func (rep *trivyReport) secret(s *trivySecret) (Observation, error) {
	sev, err := toolSeverity(s.Severity)
	if err != nil {
		return Observation{}, badField("Severity", err)
	}
	o := Observation{
		RuleID:   s.RuleID,
		Title:    firstOf(s.Title, s.RuleID),
		Severity: sev,
		Evidence: redactSecret(s.Match),
	}
	if s.Category != "" {
		o.Description = "secret of category " + s.Category
	}
	if s.StartLine > 0 {
		o.Location = ":" + strconv.Itoa(s.StartLine)
	}
	return o, nil
}

// redactSecret keeps, of a line holding a secret, only a short name that
// precedes "=" or ":" ("AWS_ACCESS_KEY_ID=[redacted]").
func redactSecret(match string) string {
	const redacted = "[redacted]"
	i := strings.IndexAny(match, "=:")
	if i <= 0 || i > 64 {
		return redacted
	}
	name := strings.TrimSpace(strings.Trim(strings.TrimSpace(match[:i]), `"'`))
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return redacted
		}
	}
	if name == "" {
		return redacted
	}
	return name + match[i:i+1] + redacted
}
