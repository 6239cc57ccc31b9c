package output

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
)

// SARIF 2.1.0 output: one rule per catalogue check, one result per finding,
// texts in the report's language (run.language). The full finding is kept
// in the result's properties, and its fingerprint becomes a partial
// fingerprint so that tools can track it across runs. The output is
// validated against the OASIS schema in the tests.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Language    string            `json:"language"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	Help             sarifText      `json:"help"`
	HelpURI          string         `json:"helpUri,omitempty"`
	DefaultConfig    sarifConfig    `json:"defaultConfiguration"`
	Properties       map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	StartTimeUTC        string              `json:"startTimeUtc"`
	EndTimeUTC          string              `json:"endTimeUtc"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          check.Finding     `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
}

func level(s check.Severity) string {
	switch s {
	case check.Critical, check.High:
		return "error"
	case check.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the numeric severity GitHub code scanning reads.
func securitySeverity(d check.Def) string {
	score, _ := check.CVSSScore(d.CVSS)
	if score == 0 {
		score = map[check.Severity]float64{check.Critical: 9.5, check.High: 8, check.Medium: 5.5, check.Low: 2, check.Info: 0}[d.Severity]
	}
	return strconv.FormatFloat(score, 'f', 1, 64)
}

// problemSeverity is GitHub's severity for results that are not
// security-rated: error, warning or recommendation.
func problemSeverity(s check.Severity) string {
	if l := level(s); l != "note" {
		return l
	}
	return "recommendation"
}

func writeSARIF(w io.Writer, fs []check.Finding, s scan.Summary, version, lang string) error {
	t, lang := textsIn(lang)
	cat := check.Catalog()
	index := map[string]int{}
	rules := make([]sarifRule, 0, len(cat))
	for i, d := range cat {
		index[d.ID] = i
		kb, _ := remediation.Get(d.ID)
		e := kb.In(lang)
		refs := append([]string{}, d.References...)
		if d.CWE != "" {
			refs = append(refs, cweURI(d.CWE))
		}
		props := map[string]any{"tags": append([]string{"security"}, d.Tags...), "security-severity": securitySeverity(d), "problem.severity": problemSeverity(d.Severity),
			"severity": string(d.Severity), "title_vi": d.TitleVI, "title_en": d.TitleEN, "safe": d.Safe, "references": refs}
		if d.CWE != "" {
			props["cwe"] = d.CWE
		}
		rule := sarifRule{ID: d.ID, Name: d.ID, ShortDescription: sarifText{d.Title(lang)}, FullDescription: sarifText{e.Summary}, Help: sarifText{e.Fix},
			DefaultConfig: sarifConfig{level(d.Severity)}, Properties: props}
		// The weakness's page, or the check's own reference when it has no CWE.
		if rule.HelpURI = cweURI(d.CWE); rule.HelpURI == "" && len(refs) > 0 {
			rule.HelpURI = refs[0]
		}
		rules = append(rules, rule)
	}
	results := make([]sarifResult, 0, len(fs))
	for _, f := range fs {
		r := sarifResult{RuleID: f.CheckID, RuleIndex: index[f.CheckID], Level: level(f.Severity), Message: sarifText{f.Title + ": " + f.Evidence}, PartialFingerprints: map[string]string{"khien/v1": f.Fingerprint}, Properties: f}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = uri(f)
		r.Locations = []sarifLocation{loc}
		results = append(results, r)
	}
	inv := sarifInvocation{ExecutionSuccessful: !s.Interrupted, StartTimeUTC: s.Started.UTC().Format(time.RFC3339), EndTimeUTC: s.Finished.UTC().Format(time.RFC3339)}
	for _, n := range s.Stopped {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "warning", Message: sarifText{fmt.Sprintf(t["stopped"], n.Host, n.Reason)}})
	}
	for _, n := range s.Skipped {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "note", Message: sarifText{fmt.Sprintf(t["skipped"], n.Host, n.Reason)}})
	}
	for _, n := range s.Unreachable {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Message: sarifText{fmt.Sprintf(t["unreachable"], n.Host, n.Reason)}})
	}
	doc := sarifLog{
		Schema:  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:        sarifTool{Driver: sarifDriver{Name: "Khiên scanner", Version: version, InformationURI: "https://khien.vn/", Rules: rules}},
			Language:    lang,
			Invocations: []sarifInvocation{inv},
			Results:     results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

// cweURI is MITRE's page of a weakness ("CWE-79").
func cweURI(cwe string) string {
	n, ok := strings.CutPrefix(cwe, "CWE-")
	if !ok {
		return ""
	}
	return "https://cwe.mitre.org/data/definitions/" + n + ".html"
}

// uri names where a finding is: its URL, or tcp://host:port, or dns:name.
func uri(f check.Finding) string {
	switch {
	case f.URL != "":
		return f.URL
	case f.Port != 0:
		return "tcp://" + net.JoinHostPort(f.Host, strconv.Itoa(f.Port))
	}
	return "dns:" + f.Host
}
