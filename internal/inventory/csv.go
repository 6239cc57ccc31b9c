package inventory

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
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
		b.FailFile(sheet.Name, "tệp CSV không phải văn bản UTF-8; hãy lưu bằng \"CSV UTF-8\"")
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
			b.FailFile(sheet.Name, fmt.Sprintf("tệp CSV không đọc được: %v", err))
			return b
		}
		if cr.InputOffset() > maxBytes {
			b.FailFile(sheet.Name, fmt.Sprintf("tệp CSV lớn hơn %d MB", maxBytes>>20))
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
					b.Add(Problem{Sheet: sheet.Name, Column: ColumnName(i), Message: fmt.Sprintf("không nhận ra cột %q", h)})
				}
			}
			b.SetColumns(sheet.Name, at)
			for _, c := range sheet.Columns {
				if _, ok := at[c.Field]; c.Required && !ok {
					b.FailFile(sheet.Name, fmt.Sprintf("thiếu cột bắt buộc %q", c.Header))
					return b
				}
			}
			continue
		}
		if len(b.Assets) >= maxRows {
			b.FailFile(sheet.Name, fmt.Sprintf("tệp có hơn %d dòng dữ liệu; hãy chia thành nhiều tệp", maxRows))
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
		b.FailFile(sheet.Name, "tệp CSV trống, không có dòng tiêu đề")
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
