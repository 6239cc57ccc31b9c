package vulndb

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EPSS (FIRST's Exploit Prediction Scoring System) gives every published CVE
// the probability that it is exploited in the next 30 days. FIRST publishes
// the whole set daily as epss_scores-YYYY-MM-DD.csv.gz:
//
//	#model_version:v2023.03.01,score_date:2023-03-05T00:00:00+0000
//	cve,epss,percentile
//	CVE-1999-0001,0.01167,0.83048
//
// Each import replaces the previous scores, because each file is a complete
// snapshot. About 250 000 CVEs are held as two sorted parallel arrays (a
// numeric key and a float32 score), 12 bytes a CVE, searched by bisection.

// Limits on an EPSS file from outside: FIRST's files have about 250 000 rows
// of under 40 bytes.
const (
	maxEPSSRows = 2_000_000
	maxEPSSLine = 256
)

// epssTable holds one EPSS snapshot.
type epssTable struct {
	model  string
	date   time.Time
	keys   []uint64 // cveKey of each CVE, ascending
	scores []float32
}

// epssFile is the table's form in the database file, two binary columns
// (base64 in the JSON): the keys as uvarint differences to the previous key,
// a byte or two a CVE, and the scores as little-endian float32. Decoding
// them is a pass over 2–3 MB instead of parsing half a million JSON numbers.
type epssFile struct {
	Model  string    `json:"model,omitempty"`
	Date   time.Time `json:"date,omitzero"`
	Count  int       `json:"count"`
	Keys   []byte    `json:"keys"`
	Scores []byte    `json:"scores"`
}

func (t *epssTable) file() *epssFile {
	if t == nil {
		return nil
	}
	f := &epssFile{Model: t.model, Date: t.date, Count: len(t.keys), Scores: make([]byte, 0, 4*len(t.scores))}
	var prev uint64
	for i, k := range t.keys {
		f.Keys = binary.AppendUvarint(f.Keys, k-prev)
		f.Scores = binary.LittleEndian.AppendUint32(f.Scores, math.Float32bits(t.scores[i]))
		prev = k
	}
	return f
}

func (f *epssFile) table() (*epssTable, error) {
	if f.Count < 0 || f.Count > maxEPSSRows || len(f.Scores) != 4*f.Count {
		return nil, fmt.Errorf("epss: %d scores in %d bytes", f.Count, len(f.Scores))
	}
	t := &epssTable{model: f.Model, date: f.Date, keys: make([]uint64, f.Count), scores: make([]float32, f.Count)}
	var prev uint64
	keys := f.Keys
	for i := range f.Count {
		d, n := binary.Uvarint(keys)
		if n <= 0 || (i > 0 && d == 0) {
			return nil, fmt.Errorf("epss: key %d of %d is damaged", i+1, f.Count)
		}
		keys = keys[n:]
		prev += d
		t.keys[i] = prev
		s := math.Float32frombits(binary.LittleEndian.Uint32(f.Scores[4*i:]))
		if !(s >= 0 && s <= 1) {
			return nil, fmt.Errorf("epss: score %d of %d is not a probability", i+1, f.Count)
		}
		t.scores[i] = s
	}
	if len(keys) != 0 {
		return nil, fmt.Errorf("epss: %d bytes after the last key", len(keys))
	}
	return t, nil
}

// cveKey packs "CVE-YYYY-NNNN…" into one number that sorts as the IDs do:
// the year in the high 32 bits, the sequence number in the low ones.
func cveKey(id string) (uint64, bool) {
	rest, ok := strings.CutPrefix(id, "CVE-")
	if !ok || len(rest) < 6 || rest[4] != '-' {
		return 0, false
	}
	year, err := strconv.ParseUint(rest[:4], 10, 16)
	if err != nil || year < 1988 {
		return 0, false
	}
	// The sequence has at least four digits, zero-padded only up to four,
	// so that each number has one spelling.
	seq := rest[5:]
	n, err := strconv.ParseUint(seq, 10, 32)
	if err != nil || len(seq) < 4 || (len(seq) > 4 && seq[0] == '0') {
		return 0, false
	}
	return year<<32 | n, true
}

// parseEPSS reads an EPSS CSV file (already decompressed). Every error
// names the line.
func parseEPSS(r io.Reader) (*epssTable, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, maxEPSSLine), maxEPSSLine)
	t := &epssTable{}
	var lines []int32 // the line of each row, to name both lines of a duplicate
	line, header := 0, false
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case !header && strings.HasPrefix(text, "#"):
			for _, field := range strings.Split(strings.TrimPrefix(text, "#"), ",") {
				k, v, _ := strings.Cut(field, ":")
				switch k {
				case "model_version":
					t.model = v
				case "score_date":
					d, err := time.Parse("2006-01-02", v[:min(len(v), 10)])
					if err != nil {
						return nil, fmt.Errorf("line %d: score_date %q is not a date", line, v)
					}
					t.date = d
				}
			}
			continue
		case !header:
			cols := strings.Split(text, ",")
			if len(cols) < 2 || cols[0] != "cve" || cols[1] != "epss" {
				return nil, fmt.Errorf("line %d: header %q is not cve,epss[,percentile]", line, text)
			}
			header = true
			continue
		case text == "":
			continue
		}
		if len(t.keys) == maxEPSSRows {
			return nil, fmt.Errorf("line %d: more than %d rows", line, maxEPSSRows)
		}
		id, rest, ok := strings.Cut(text, ",")
		if !ok {
			return nil, fmt.Errorf("line %d: %q has no epss column", line, text)
		}
		key, ok := cveKey(id)
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not a CVE ID", line, id)
		}
		score, _, _ := strings.Cut(rest, ",")
		s, err := strconv.ParseFloat(score, 32)
		if err != nil || !(s >= 0 && s <= 1) { // NaN too
			return nil, fmt.Errorf("line %d: epss %q of %s is not a probability from 0 to 1", line, score, id)
		}
		t.keys = append(t.keys, key)
		t.scores = append(t.scores, float32(s))
		lines = append(lines, int32(line))
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, fmt.Errorf("line %d: longer than %d bytes", line+1, maxEPSSLine)
		}
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if !header {
		return nil, fmt.Errorf("line %d: no cve,epss,percentile header", line)
	}
	return t, t.sort(lines)
}

// sort orders the rows by CVE (FIRST's files are sorted already, so this
// is usually one pass) and refuses a CVE listed twice.
func (t *epssTable) sort(lines []int32) error {
	order := make([]int32, len(t.keys))
	for i := range order {
		order[i] = int32(i)
	}
	if !slices.IsSorted(t.keys) {
		slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(t.keys[a], t.keys[b]) })
		keys, scores := make([]uint64, len(order)), make([]float32, len(order))
		for i, j := range order {
			keys[i], scores[i] = t.keys[j], t.scores[j]
		}
		t.keys, t.scores = keys, scores
	}
	for i := 1; i < len(t.keys); i++ {
		if t.keys[i] == t.keys[i-1] {
			a, b := lines[order[i-1]], lines[order[i]]
			return fmt.Errorf("line %d: CVE-%d-%04d is listed again (first on line %d)", max(a, b), t.keys[i]>>32, t.keys[i]&0xffffffff, min(a, b))
		}
	}
	return nil
}

// looksLikeEPSS tells an EPSS CSV (a comment line or the header first) from
// the JSON feeds by its first bytes.
func looksLikeEPSS(head []byte) bool {
	return bytes.HasPrefix(head, []byte("#")) || bytes.HasPrefix(head, []byte("cve,epss"))
}

var nameDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// dateFromName reads the date in FIRST's file name (epss_scores-2023-03-05.csv.gz),
// for older files whose first line does not carry it.
func dateFromName(name string) time.Time {
	if m := nameDate.FindString(name); m != "" {
		if d, err := time.Parse("2006-01-02", m); err == nil {
			return d
		}
	}
	return time.Time{}
}

// EPSS returns the CVE's EPSS score (0–1) from the imported snapshot.
func (db *DB) EPSS(cve string) (score float64, ok bool) {
	key, valid := cveKey(cve)
	if !valid || db.epss == nil {
		return 0, false
	}
	i, found := slices.BinarySearch(db.epss.keys, key)
	if !found {
		return 0, false
	}
	// The shortest decimal of the float32 is the number the file had
	// (FIRST publishes five decimals), not float32's binary neighbour.
	score, _ = strconv.ParseFloat(strconv.FormatFloat(float64(db.epss.scores[i]), 'g', -1, 32), 64)
	return score, true
}

// KEV reports whether the CVE is in CISA's catalogue of known exploited
// vulnerabilities.
func (db *DB) KEV(cve string) bool { return db.kev[cve] }
