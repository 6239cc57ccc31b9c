// Package vulndb is Khiên's offline CVE database: NVD CVE JSON 2.0 and CISA
// KEV files are imported into one compact gzip-compressed JSON file that
// scanners and the server read without network access. CPE 2.3 names and
// version ranges decide which CVEs affect a detected product version.
package vulndb

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Format names the file layout; Load refuses other values.
const Format = "khien-vulndb/1"

// Vuln is what a match reports about one CVE.
type Vuln struct {
	ID      string  `json:"id"`
	Summary string  `json:"s,omitempty"`
	Score   float64 `json:"score,omitempty"` // CVSS 3.x base score
	Vector  string  `json:"vec,omitempty"`
	CWE     string  `json:"cwe,omitempty"`
	KEV     bool    `json:"kev,omitempty"`
}

// record is a CVE with its vulnerable products, keyed "vendor:product".
type record struct {
	Vuln
	Products map[string][]Range `json:"m"`
}

type file struct {
	Format  string    `json:"format"`
	Updated time.Time `json:"updated"`
	Sources []string  `json:"sources,omitempty"`
	KEV     []string  `json:"kev,omitempty"`
	EPSS    *epssFile `json:"epss,omitempty"`
	CVEs    []*record `json:"cves"`
}

// DB is an in-memory vulnerability database. It is safe for concurrent
// reads; imports must not run concurrently with matches.
type DB struct {
	updated time.Time
	sources []string
	cves    map[string]*record
	kev     map[string]bool
	epss    *epssTable
	byKey   map[string][]*record
}

// New returns an empty database.
func New() *DB {
	return &DB{cves: map[string]*record{}, kev: map[string]bool{}, byKey: map[string][]*record{}}
}

//go:embed builtin.json
var builtinJSON []byte

// Builtin returns the small embedded set that covers the products the
// scanner detects; it is meant for tests and first use, not as a feed.
func Builtin() *DB {
	db, err := decode(bytes.NewReader(builtinJSON), nil)
	if err != nil {
		panic("vulndb: embedded builtin.json: " + err.Error()) // caught by tests
	}
	return db
}

// Load reads a database file written by Save (gzip-compressed or plain JSON).
func Load(path string) (*DB, error) { return load(path, nil) }

// LoadKnown reads only the CVEs of products the scanner can recognise (see
// CPEKeys): a scan needs a few thousand of the database's entries, and
// keeping only those keeps its memory small.
func LoadKnown(path string) (*DB, error) { return load(path, known) }

func known(key string) bool { return knownKeys[key] }

var knownKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, keys := range productCPEs {
		for _, k := range keys {
			m[k] = true
		}
	}
	return m
}()

func load(path string, keep func(string) bool) (*DB, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open vulnerability database: %w", err)
	}
	defer f.Close()
	r, err := maybeGunzip(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	db, err := decode(r, keep)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return db, nil
}

// maybeGunzip returns a reader of the decompressed content when r starts with
// the gzip magic number, and of r itself otherwise.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}

// decode reads a database file, one CVE at a time so that loading needs
// little more memory than the database itself. keep, when set, selects the
// vendor:product keys to load.
func decode(r io.Reader, keep func(string) bool) (*DB, error) {
	dec := json.NewDecoder(r)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("decode vulnerability database: not a JSON object")
	}
	db := New()
	var format string
	var kev []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("decode vulnerability database: %w", err)
		}
		switch key, _ := tok.(string); key {
		case "format":
			err = dec.Decode(&format)
		case "updated":
			err = dec.Decode(&db.updated)
		case "sources":
			err = dec.Decode(&db.sources)
		case "kev":
			err = dec.Decode(&kev)
		case "epss":
			var f epssFile
			if err = dec.Decode(&f); err == nil {
				db.epss, err = f.table()
			}
		case "cves":
			err = db.decodeRecords(dec, keep)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, fmt.Errorf("decode vulnerability database: %w", err)
		}
	}
	if format != Format {
		return nil, fmt.Errorf("not a %s file (format %q)", Format, format)
	}
	for _, id := range kev {
		db.kev[id] = true
	}
	return db, nil
}

func (db *DB) decodeRecords(dec *json.Decoder, keep func(string) bool) error {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("cves is not an array")
	}
	intern := map[string]string{}
	in := func(s string) string {
		if v, ok := intern[s]; ok {
			return v
		}
		intern[s] = s
		return s
	}
	for dec.More() {
		var rec record
		if err := dec.Decode(&rec); err != nil {
			return err
		}
		// Product keys, versions and vectors repeat across thousands of CVEs.
		rec.Vector, rec.CWE = in(rec.Vector), in(rec.CWE)
		products := make(map[string][]Range, len(rec.Products))
		for k, rs := range rec.Products {
			if keep != nil && !keep(k) {
				continue
			}
			for i := range rs {
				rs[i] = Range{Version: in(rs[i].Version), StartIncluding: in(rs[i].StartIncluding), StartExcluding: in(rs[i].StartExcluding), EndIncluding: in(rs[i].EndIncluding), EndExcluding: in(rs[i].EndExcluding)}
			}
			products[in(k)] = slices.Clip(rs)
		}
		if len(products) == 0 {
			continue
		}
		rec.Products = products
		db.put(&rec)
	}
	_, err := dec.Token() // ]
	return err
}

// Save writes the database as gzip-compressed JSON, atomically.
func (db *DB) Save(path string) error {
	f := file{Format: Format, Updated: db.updated, Sources: db.sources, EPSS: db.epss.file(), CVEs: make([]*record, 0, len(db.cves))}
	for id := range db.kev {
		f.KEV = append(f.KEV, id)
	}
	sort.Strings(f.KEV)
	for _, rec := range db.cves {
		f.CVEs = append(f.CVEs, rec)
	}
	slices.SortFunc(f.CVEs, func(a, b *record) int { return compareIDs(a.ID, b.ID) })
	tmp, err := os.CreateTemp(filepath.Dir(path), ".vulndb-*")
	if err != nil {
		return fmt.Errorf("save vulnerability database: %w", err)
	}
	defer os.Remove(tmp.Name())
	zw := gzip.NewWriter(tmp)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(f); err != nil {
		tmp.Close()
		return fmt.Errorf("save vulnerability database: %w", err)
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return fmt.Errorf("save vulnerability database: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save vulnerability database: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save vulnerability database: %w", err)
	}
	return nil
}

// compareIDs orders CVE IDs by year then number, not as strings.
func compareIDs(a, b string) int { return CompareVersions(a, b) }

// OwnKeyPrefix marks the product keys that are Khiên's translations of a
// vendor's versions into what a scanner sees (khien:exchange_build); no
// feed has them, so a feed's update of the CVE keeps them.
const OwnKeyPrefix = "khien:"

func (db *DB) put(rec *record) {
	if old, ok := db.cves[rec.ID]; ok {
		for key, rs := range old.Products {
			db.byKey[key] = slices.DeleteFunc(db.byKey[key], func(r *record) bool { return r == old })
			if _, renewed := rec.Products[key]; strings.HasPrefix(key, OwnKeyPrefix) && !renewed {
				if rec.Products == nil {
					rec.Products = map[string][]Range{}
				}
				rec.Products[key] = rs
			}
		}
	}
	db.cves[rec.ID] = rec
	for key := range rec.Products {
		db.byKey[key] = append(db.byKey[key], rec)
	}
}

// Stats summarises the database.
type Stats struct {
	CVEs      int       `json:"cves"`
	KEV       int       `json:"kev"`
	Products  int       `json:"products"`
	EPSS      int       `json:"epss"`
	EPSSDate  time.Time `json:"epss_date,omitzero"`   // FIRST's score date
	EPSSModel string    `json:"epss_model,omitempty"` // e.g. v2023.03.01
	Updated   time.Time `json:"updated"`
	Sources   []string  `json:"sources"`
}

// Stats counts what the database holds.
func (db *DB) Stats() Stats {
	s := Stats{CVEs: len(db.cves), KEV: len(db.kev), Products: len(db.byKey), Updated: db.updated, Sources: db.sources}
	if db.epss != nil {
		s.EPSS, s.EPSSDate, s.EPSSModel = len(db.epss.keys), db.epss.date, db.epss.model
	}
	return s
}

// Match returns the CVEs that affect product (a scanner product name such as
// "openssh", or a "vendor:product" CPE key) at version.
func (db *DB) Match(product, version string) []Vuln {
	if version == "" {
		return nil
	}
	seen := map[string]bool{}
	var out []Vuln
	for _, key := range CPEKeys(product) {
		for _, rec := range db.byKey[key] {
			if seen[rec.ID] || !slices.ContainsFunc(rec.Products[key], func(r Range) bool { return r.Contains(version) }) {
				continue
			}
			seen[rec.ID] = true
			v := rec.Vuln
			v.KEV = v.KEV || db.kev[v.ID]
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b Vuln) int { return compareIDs(a.ID, b.ID) })
	return out
}
