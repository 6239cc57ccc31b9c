// Package output writes scan findings as a table (Vietnamese or English),
// JSON Lines, JSON, SARIF 2.1.0 or CSV. Every format carries the same
// finding fields; JSONL is streamed as findings arrive.
package output

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/khien/khien/internal/remediation"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
)

// Formats lists the supported output formats.
var Formats = []string{"table", "jsonl", "json", "sarif", "csv"}

// Writer receives findings as they are found and completes the output
// when the scan ends.
type Writer interface {
	Finding(f check.Finding) error
	Close(s scan.Summary) error
}

// New returns a writer of format to w. Every format gives titles and
// evidence in lang ("vi" or "en"), whatever language the scan ran in.
func New(format string, w io.Writer, lang, version string) (Writer, error) {
	var out Writer
	switch format {
	case "table", "":
		out = &collect{done: func(fs []check.Finding, s scan.Summary) error { return writeTable(w, fs, s, lang) }}
	case "jsonl":
		out = &jsonl{enc: json.NewEncoder(w)}
	case "json":
		out = &collect{done: func(fs []check.Finding, s scan.Summary) error { return writeJSON(w, fs, s) }}
	case "sarif":
		out = &collect{done: func(fs []check.Finding, s scan.Summary) error { return writeSARIF(w, fs, s, version, lang) }}
	case "csv":
		out = &collect{done: func(fs []check.Finding, _ scan.Summary) error { return writeCSV(w, fs) }}
	default:
		return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
	}
	return localized{out, lang}, nil
}

// localized renders each finding in the report's language.
type localized struct {
	Writer
	lang string
}

func (l localized) Finding(f check.Finding) error {
	f.Localize(l.lang)
	return l.Writer.Finding(f)
}

type jsonl struct{ enc *json.Encoder }

func (j *jsonl) Finding(f check.Finding) error {
	if err := j.enc.Encode(f); err != nil {
		return fmt.Errorf("write finding: %w", err)
	}
	return nil
}

func (j *jsonl) Close(scan.Summary) error { return nil }

// collect keeps findings for formats that are written in one piece.
type collect struct {
	fs   []check.Finding
	done func([]check.Finding, scan.Summary) error
}

func (c *collect) Finding(f check.Finding) error {
	c.fs = append(c.fs, f)
	return nil
}

func (c *collect) Close(s scan.Summary) error { return c.done(Sort(c.fs), s) }

// Sort orders findings by severity, then host, port and check.
func Sort(fs []check.Finding) []check.Finding {
	slices.SortStableFunc(fs, func(a, b check.Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
			cmp.Compare(a.Host, b.Host),
			cmp.Compare(a.Port, b.Port),
			cmp.Compare(a.CheckID, b.CheckID),
			cmp.Compare(a.URL, b.URL),
		)
	})
	return fs
}

func writeJSON(w io.Writer, fs []check.Finding, s scan.Summary) error {
	doc := struct {
		Summary  scan.Summary    `json:"summary"`
		Findings []check.Finding `json:"findings"`
	}{s, fs}
	if doc.Findings == nil {
		doc.Findings = []check.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// CSVHeader is the column order of the CSV output: the finding fields.
var CSVHeader = []string{"check_id", "title", "severity", "cvss_score", "cvss_vector", "cwe", "cve", "target", "host", "ip", "port", "url", "evidence", "remediation", "references", "fingerprint", "detected_at"}

func writeCSV(w io.Writer, fs []check.Finding) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(CSVHeader)
	for _, f := range fs {
		_ = cw.Write([]string{
			f.CheckID, f.Title, string(f.Severity), strconv.FormatFloat(f.CVSSScore, 'f', 1, 64), f.CVSSVector, f.CWE,
			strings.Join(f.CVE, ";"), f.Target, f.Host, f.IP, strconv.Itoa(f.Port), f.URL, f.Evidence, f.Remediation,
			strings.Join(f.References, ";"), f.Fingerprint, f.DetectedAt.Format(time.RFC3339),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

var tableText = map[string]map[string]string{
	"vi": {
		"sev": "MỨC ĐỘ", "check": "KIỂM TRA", "where": "VỊ TRÍ", "title": "VẤN ĐỀ", "evidence": "BẰNG CHỨNG",
		"summary": "Tổng kết: %d máy chủ, %d tên miền, %d phát hiện (%s) trong %s.",
		"none":    "Không có phát hiện nào.", "stopped": "Ngừng quét %s: %s", "skipped": "Bỏ qua %s: %s", "unreachable": "Không quét được %s: %s",
		"interrupted": "Quá trình quét bị dừng giữa chừng; kết quả chưa đầy đủ.", "fix": "Khắc phục",
	},
	"en": {
		"sev": "SEVERITY", "check": "CHECK", "where": "WHERE", "title": "ISSUE", "evidence": "EVIDENCE",
		"summary": "Summary: %d hosts, %d domains, %d findings (%s) in %s.",
		"none":    "No findings.", "stopped": "Stopped scanning %s: %s", "skipped": "Skipped %s: %s", "unreachable": "Could not scan %s: %s",
		"interrupted": "The scan was interrupted; results are incomplete.", "fix": "Fix",
	},
}

// textsIn returns the report texts in lang, Vietnamese for an unknown one.
func textsIn(lang string) (map[string]string, string) {
	if t, ok := tableText[lang]; ok {
		return t, lang
	}
	return tableText[check.DefaultLang], check.DefaultLang
}

func writeTable(w io.Writer, fs []check.Finding, s scan.Summary, lang string) error {
	t, lang := textsIn(lang)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(fs) == 0 {
		fmt.Fprintln(tw, t["none"])
	} else {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t["sev"], t["check"], t["where"], t["title"], t["evidence"])
	}
	counts := map[check.Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Severity.Name(lang), f.CheckID, where(f), f.Title, oneLine(check.Truncate(f.Evidence, 90)))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	var parts []string
	for _, sev := range []check.Severity{check.Critical, check.High, check.Medium, check.Low, check.Info} {
		if counts[sev] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[sev], sev.Name(lang)))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, t["summary"]+"\n", s.Hosts, s.Domains, len(fs), strings.Join(parts, ", "), s.Finished.Sub(s.Started).Round(time.Millisecond))
	for _, n := range s.Stopped {
		fmt.Fprintf(w, t["stopped"]+"\n", n.Host, n.Reason)
	}
	for _, n := range s.Skipped {
		fmt.Fprintf(w, t["skipped"]+"\n", n.Host, n.Reason)
	}
	for _, n := range s.Unreachable {
		fmt.Fprintf(w, t["unreachable"]+"\n", n.Host, n.Reason)
	}
	if s.Interrupted {
		fmt.Fprintln(w, t["interrupted"])
	}
	// One remediation line per check that fired, from the knowledge base.
	var ids []string
	for _, f := range fs {
		if f.Severity != check.Info && !slices.Contains(ids, f.Remediation) {
			ids = append(ids, f.Remediation)
		}
	}
	if len(ids) > 0 {
		fmt.Fprintln(w)
		for _, id := range ids {
			if e, ok := remediation.Get(id); ok {
				fmt.Fprintf(w, "%s %s: %s\n", t["fix"], id, e.In(lang).Fix)
			}
		}
	}
	return nil
}

func where(f check.Finding) string {
	switch {
	case f.URL != "":
		return f.URL
	case f.Port != 0:
		return f.Host + ":" + strconv.Itoa(f.Port)
	}
	return f.Host
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
