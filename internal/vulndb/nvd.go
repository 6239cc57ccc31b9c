package vulndb

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// feedEntry is one element of the "vulnerabilities" array of an NVD CVE
// JSON 2.0 file (feeds and API responses: {"cve": {...}}) or of the CISA KEV
// catalogue ({"cveID": ...}); the same struct reads both.
type feedEntry struct {
	CVE   *nvdCVE `json:"cve"`
	KEVID string  `json:"cveID"`
}

type nvdCVE struct {
	ID           string `json:"id"`
	Descriptions []struct {
		Lang  string `json:"lang"`
		Value string `json:"value"`
	} `json:"descriptions"`
	Metrics struct {
		V31 []nvdMetric `json:"cvssMetricV31"`
		V30 []nvdMetric `json:"cvssMetricV30"`
	} `json:"metrics"`
	Weaknesses []struct {
		Description []struct {
			Value string `json:"value"`
		} `json:"description"`
	} `json:"weaknesses"`
	Configurations []struct {
		Nodes []struct {
			CPEMatch []struct {
				Vulnerable            bool   `json:"vulnerable"`
				Criteria              string `json:"criteria"`
				VersionStartIncluding string `json:"versionStartIncluding"`
				VersionStartExcluding string `json:"versionStartExcluding"`
				VersionEndIncluding   string `json:"versionEndIncluding"`
				VersionEndExcluding   string `json:"versionEndExcluding"`
			} `json:"cpeMatch"`
		} `json:"nodes"`
	} `json:"configurations"`
}

type nvdMetric struct {
	Type     string `json:"type"`
	CVSSData struct {
		VectorString string  `json:"vectorString"`
		BaseScore    float64 `json:"baseScore"`
	} `json:"cvssData"`
}

// maxSummary keeps descriptions short: the file stays compact and reports
// link to NVD for the full text.
const maxSummary = 240

// ImportResult counts what one import added.
type ImportResult struct {
	Kind string // "nvd", "kev" or "epss"
	CVEs int
}

// ImportFile imports an NVD CVE JSON 2.0 file, the CISA KEV catalogue or an
// EPSS CSV file (any of them may be gzip-compressed), recognised by content.
func (db *DB) ImportFile(path string) (ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	res, err := db.Import(f)
	if err != nil {
		return res, fmt.Errorf("import %s: %w", path, err)
	}
	if res.Kind == "epss" && db.epss.date.IsZero() {
		db.epss.date = dateFromName(baseName(path))
	}
	db.sources = append(db.sources, fmt.Sprintf("%s:%s", res.Kind, baseName(path)))
	return res, nil
}

func baseName(p string) string { return p[strings.LastIndexAny(p, `/\`)+1:] }

// Import reads one NVD or KEV document or EPSS file from r. Yearly NVD
// feeds are large, so the vulnerabilities array is decoded one entry at a
// time.
func (db *DB) Import(r io.Reader) (ImportResult, error) {
	r, err := maybeGunzip(r)
	if err != nil {
		return ImportResult{}, err
	}
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		br.Discard(3) // a byte-order mark, as an editor saving the CSV may add
	}
	if head, _ := br.Peek(8); looksLikeEPSS(head) {
		t, err := parseEPSS(br)
		if err != nil {
			return ImportResult{}, fmt.Errorf("EPSS CSV: %w", err)
		}
		db.epss, db.updated = t, time.Now().UTC()
		return ImportResult{Kind: "epss", CVEs: len(t.keys)}, nil
	}
	dec := json.NewDecoder(br)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ImportResult{}, fmt.Errorf("decode JSON: not a JSON object")
	}
	var format, catalog string
	res := ImportResult{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return res, fmt.Errorf("decode JSON: %w", err)
		}
		switch key, _ := tok.(string); key {
		case "format":
			err = dec.Decode(&format)
		case "catalogVersion":
			err = dec.Decode(&catalog)
		case "vulnerabilities":
			err = db.importEntries(dec, &res)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return res, fmt.Errorf("decode JSON: %w", err)
		}
	}
	switch {
	case catalog != "":
		res.Kind = "kev"
	case format == "NVD_CVE":
		res.Kind = "nvd"
	default:
		return ImportResult{}, fmt.Errorf("neither an NVD CVE JSON 2.0 feed (format NVD_CVE), the CISA KEV catalogue nor an EPSS CSV file")
	}
	db.updated = time.Now().UTC()
	return res, nil
}

// importEntries reads the vulnerabilities array. NVD entries become records
// (when they name vulnerable products); KEV entries mark CVEs as exploited.
func (db *DB) importEntries(dec *json.Decoder, res *ImportResult) error {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("vulnerabilities is not an array")
	}
	for dec.More() {
		var e feedEntry
		if err := dec.Decode(&e); err != nil {
			return err
		}
		switch {
		case e.CVE != nil && e.CVE.ID != "":
			if rec := e.CVE.record(); len(rec.Products) > 0 {
				db.put(rec)
				res.CVEs++
			}
		case strings.HasPrefix(e.KEVID, "CVE-"):
			db.kev[e.KEVID] = true
			res.CVEs++
		}
	}
	_, err := dec.Token() // ]
	return err
}

func (c *nvdCVE) record() *record {
	rec := &record{Vuln: Vuln{ID: c.ID}, Products: map[string][]Range{}}
	for _, d := range c.Descriptions {
		if d.Lang == "en" {
			rec.Summary = truncate(d.Value, maxSummary)
			break
		}
	}
	if m, ok := pickMetric(c.Metrics.V31); ok {
		rec.Score, rec.Vector = m.CVSSData.BaseScore, m.CVSSData.VectorString
	} else if m, ok := pickMetric(c.Metrics.V30); ok {
		rec.Score, rec.Vector = m.CVSSData.BaseScore, m.CVSSData.VectorString
	}
	for _, w := range c.Weaknesses {
		for _, d := range w.Description {
			if strings.HasPrefix(d.Value, "CWE-") && rec.CWE == "" {
				rec.CWE = d.Value
			}
		}
	}
	// AND nodes ("application running on platform") are reduced to their
	// vulnerable matches: the scanner knows the application, rarely the
	// platform, and a false negative is worse here than a false positive.
	for _, cfg := range c.Configurations {
		for _, n := range cfg.Nodes {
			for _, m := range n.CPEMatch {
				if !m.Vulnerable {
					continue
				}
				cpe, err := ParseCPE(m.Criteria)
				if err != nil {
					continue
				}
				rng := Range{StartIncluding: m.VersionStartIncluding, StartExcluding: m.VersionStartExcluding, EndIncluding: m.VersionEndIncluding, EndExcluding: m.VersionEndExcluding}
				if cpe.Version != "*" && cpe.Version != "" {
					rng = Range{Version: cpe.FullVersion()}
				}
				if cpe.Version == "-" || (rng == Range{}) {
					continue
				}
				rec.Products[cpe.Key()] = append(rec.Products[cpe.Key()], rng)
			}
		}
	}
	return rec
}

// pickMetric prefers NVD's own (Primary) score over a CNA's.
func pickMetric(ms []nvdMetric) (nvdMetric, bool) {
	for _, m := range ms {
		if m.Type == "Primary" {
			return m, true
		}
	}
	if len(ms) > 0 {
		return ms[0], true
	}
	return nvdMetric{}, false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
