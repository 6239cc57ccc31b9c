package vulndb

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// nvdFeed is the subset of the NVD CVE JSON 2.0 schema (feed files and API
// responses) that the import reads. The same struct recognises the CISA
// KEV catalogue, which has catalogVersion and cveID fields instead.
type nvdFeed struct {
	Format          string `json:"format"`
	CatalogVersion  string `json:"catalogVersion"`
	Vulnerabilities []struct {
		CVE   *nvdCVE `json:"cve"`
		KEVID string  `json:"cveID"`
	} `json:"vulnerabilities"`
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
	Kind string // "nvd" or "kev"
	CVEs int
}

// ImportFile imports an NVD CVE JSON 2.0 file or the CISA KEV catalogue
// (either may be gzip-compressed), recognised by content.
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
	db.sources = append(db.sources, fmt.Sprintf("%s:%s", res.Kind, baseName(path)))
	return res, nil
}

func baseName(p string) string { return p[strings.LastIndexAny(p, `/\`)+1:] }

// Import reads one NVD or KEV document from r.
func (db *DB) Import(r io.Reader) (ImportResult, error) {
	r, err := maybeGunzip(r)
	if err != nil {
		return ImportResult{}, err
	}
	var feed nvdFeed
	if err := json.NewDecoder(r).Decode(&feed); err != nil {
		return ImportResult{}, fmt.Errorf("decode JSON: %w", err)
	}
	db.updated = time.Now().UTC()
	switch {
	case feed.CatalogVersion != "":
		n := 0
		for _, v := range feed.Vulnerabilities {
			if strings.HasPrefix(v.KEVID, "CVE-") {
				db.kev[v.KEVID] = true
				n++
			}
		}
		return ImportResult{Kind: "kev", CVEs: n}, nil
	case feed.Format == "NVD_CVE":
		n := 0
		for _, v := range feed.Vulnerabilities {
			if v.CVE == nil || v.CVE.ID == "" {
				continue
			}
			if rec := v.CVE.record(); len(rec.Products) > 0 {
				db.put(rec)
				n++
			}
		}
		return ImportResult{Kind: "nvd", CVEs: n}, nil
	}
	return ImportResult{}, fmt.Errorf("neither an NVD CVE JSON 2.0 feed (format NVD_CVE) nor the CISA KEV catalogue")
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
