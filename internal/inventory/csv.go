package inventory

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// ReadAssetsCSV reads assets alone from CSV with the headers of the assets
// sheet (comma or semicolon separated, as Excel writes it in Vietnamese
// locales; UTF-8 with or without a byte-order mark). It reads at most
// maxBytes and maxRows rows; problems are in the batch.
func ReadAssetsCSV(r io.Reader, maxBytes int64, maxRows int) *Batch {
	b := &Batch{}
	sheet := AssetsSheet
	br := bufio.NewReader(io.LimitReader(r, maxBytes+1))
	head, _ := br.Peek(4096)
	if !validUTF8Prefix(head, len(head) == 4096) {
		b.FailFile(sheet.Name, "inv.err.csv_not_utf8")
		return b
	}
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3)
	}
	firstLine, _ := br.Peek(min(br.Buffered(), 4096))
	line, _, _ := bytes.Cut(firstLine, []byte("\n"))
	cr := csv.NewReader(br)
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var fields []string
	row := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.FailFile(sheet.Name, "inv.err.csv_unreadable", err)
			return b
		}
		if cr.InputOffset() > maxBytes {
			b.FailFile(sheet.Name, "inv.err.csv_too_large", maxBytes>>20)
			return b
		}
		row, _ = cr.FieldPos(0) // the line, as a spreadsheet shows it; csv skips empty lines
		if isBlank(rec) {
			continue
		}
		if fields == nil {
			fields = make([]string, len(rec))
			at := map[string]int{}
			for i, h := range rec {
				if c := sheet.MatchHeader(h); c >= 0 {
					fields[i] = sheet.Columns[c].Field
					at[fields[i]] = i
				} else if strings.TrimSpace(h) != "" {
					b.Add(NewProblem(sheet.Name, 0, ColumnName(i), "inv.err.csv_unknown_column", h))
				}
			}
			b.SetColumns(sheet.Name, at)
			for _, c := range sheet.Columns {
				if _, ok := at[c.Field]; c.Required && !ok {
					b.FailFile(sheet.Name, "inv.err.missing_column", c.Header)
					return b
				}
			}
			continue
		}
		if len(b.Assets) >= maxRows {
			b.FailFile(sheet.Name, "inv.err.csv_too_many_rows", maxRows)
			return b
		}
		r := Record{}
		for i, v := range rec {
			if i < len(fields) && fields[i] != "" {
				r[fields[i]] = v
			}
		}
		b.AddRecord(sheet, row, r)
	}
	if fields == nil {
		b.FailFile(sheet.Name, "inv.err.csv_empty")
	}
	return b
}

func isBlank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut at its
// end when b is only the start of the file.
func validUTF8Prefix(b []byte, cut bool) bool {
	for i := 0; cut && i < utf8.UTFMax-1 && len(b) > 1 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}
