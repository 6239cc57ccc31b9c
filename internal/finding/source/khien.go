package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/khien/khien/internal/scan/check"
)

// Khiên's own scan output: `khien scan --format jsonl` (one check.Finding a
// line) and `--format json` ({"summary": …, "findings": [...]}). SARIF
// written by Khiên is read by the SARIF parser into the same observations.

var khienFormat = Format{Name: "khien", Detect: detectKhien, Parse: parseKhien}

func detectKhien(head []byte) bool {
	h, ok := sniffJSON(head)
	if !ok {
		return false
	}
	if h.array {
		return false
	}
	return (h.keys["check_id"] && h.keys["fingerprint"]) || (h.keys["findings"] && (h.keys["summary"] || h.keys["findings.check_id"]))
}

func parseKhien(ctx context.Context, r io.Reader, h Handler) error {
	first, br, err := firstByte(r)
	if err != nil {
		return err
	}
	if first != '{' {
		return &ParseError{Format: "khien", Line: 1, Err: errors.New("not JSON: want JSON Lines of findings or the JSON document of khien scan")}
	}
	head, _ := br.Peek(headSize)
	if kh, _ := sniffJSON(head); kh.keys["findings"] && !kh.keys["check_id"] {
		return parseKhienDocument(ctx, br, h)
	}
	return jsonLines(ctx, br, "khien", func(line []byte) error {
		var f check.Finding
		if err := json.Unmarshal(line, &f); err != nil {
			return khienTimeError(err)
		}
		o, err := khienObservation(&f)
		if err != nil {
			return err
		}
		return h.Finding(o)
	})
}

// parseKhienDocument streams the findings of the JSON document. Its summary
// has only counts (and the hosts stopped or skipped, which were not fully
// scanned): no host is reported reached from it.
func parseKhienDocument(ctx context.Context, r io.Reader, h Handler) error {
	d := newJSONDoc(ctx, r, "khien")
	err := d.object(func(key string) error {
		if key != "findings" {
			return d.skip()
		}
		return d.array(func() error {
			var f check.Finding
			if err := d.decode(&f); err != nil {
				return d.recordError(khienTimeError(err))
			}
			o, err := khienObservation(&f)
			if err != nil {
				return d.recordError(err)
			}
			return h.Finding(o)
		})
	})
	if err != nil {
		return err
	}
	return d.end()
}

// khienTimeError names the field of a time that does not parse.
func khienTimeError(err error) error {
	var te *time.ParseError
	if errors.As(err, &te) {
		return badField("detected_at", fmt.Errorf("not an RFC 3339 time: %q", Excerpt(te.Value)))
	}
	return err
}

// khienObservation maps a finding field by field.
// FromScan reads a finding of Khiên's scanner as an observation: what a
// scan run by the server or sent by an agent brings in.
func FromScan(f *check.Finding) (Observation, error) { return khienObservation(f) }

func khienObservation(f *check.Finding) (Observation, error) {
	sev := f.Severity
	if sev == "" {
		sev = check.Info
	} else if sev.Rank() < 0 {
		return Observation{}, badField("severity", fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", Excerpt(string(sev))))
	}
	o := Observation{
		Tool:        "khien",
		RuleID:      f.CheckID,
		Title:       f.Title,
		Severity:    sev,
		Score:       f.CVSSScore,
		CWE:         cweID(f.CWE),
		CVEs:        cveList(f.CVE...),
		Host:        firstOf(f.Host, f.IP, f.Target),
		IP:          f.IP,
		Port:        f.Port,
		URL:         f.URL,
		Evidence:    Excerpt(f.Evidence),
		Remediation: text(f.Remediation),
		References:  itemList(f.References...),
		SeenAt:      f.DetectedAt.UTC(),
	}
	o.CVSS3, o.CVSS4 = cvssVectors(f.CVSSVector)
	if f.DetectedAt.IsZero() {
		o.SeenAt = time.Time{}
	}
	return o, nil
}
