package output

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
)

// SARIF 2.1.0 output: one rule per catalogue check, one result per finding.
// The full finding is kept in the result's properties, and its fingerprint
// becomes a partial fingerprint so that tools can track it across runs.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
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
	Properties       map[string]any `json:"properties"`
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

func writeSARIF(w io.Writer, fs []check.Finding, s scan.Summary, version string) error {
	cat := check.Catalog()
	index := map[string]int{}
	rules := make([]sarifRule, 0, len(cat))
	for i, d := range cat {
		index[d.ID] = i
		e, _ := remediation.Get(d.ID)
		props := map[string]any{"tags": append([]string{"security"}, d.Tags...), "security-severity": securitySeverity(d), "problem.severity": string(d.Severity), "title_vi": d.TitleVI, "safe": d.Safe}
		rule := sarifRule{ID: d.ID, Name: d.ID, ShortDescription: sarifText{d.TitleEN}, FullDescription: sarifText{e.EN.Summary}, Help: sarifText{e.EN.Fix}, Properties: props}
		if d.CWE != "" {
			props["cwe"] = d.CWE
			rule.HelpURI = cweURI(d.CWE)
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
	inv := sarifInvocation{ExecutionSuccessful: !s.Interrupted, StartTimeUTC: s.Started.Format("2006-01-02T15:04:05Z"), EndTimeUTC: s.Finished.Format("2006-01-02T15:04:05Z")}
	for _, n := range s.Stopped {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "warning", Message: sarifText{"stopped scanning " + n.Host + ": " + n.Reason}})
	}
	for _, n := range s.Skipped {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "note", Message: sarifText{"skipped " + n.Host + ": " + n.Reason}})
	}
	for _, n := range s.Unreachable {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Message: sarifText{"could not scan " + n.Host + ": " + n.Reason}})
	}
	doc := sarifLog{
		Schema:  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:        sarifTool{Driver: sarifDriver{Name: "Khiên scanner", Version: version, InformationURI: "https://khien.vn/", Rules: rules}},
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
		return "tcp://" + f.Host + ":" + strconv.Itoa(f.Port)
	}
	return "dns:" + f.Host
}
