package source

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scan/check"
	"github.com/xuri/excelize/v2"
)

// The manual pentest sheet: one finding a row, with Vietnamese (or English)
// headers, as CSV (UTF-8, "," or ";") or XLSX (the first sheet). One format,
// "manual", reads both: Parse tells them apart by the zip signature.
// Headers match without case or diacritics; columns with other headers are
// ignored. WriteManualTemplate writes the XLSX template.

var manualFormat = Format{Name: "manual", Detect: detectManual, Parse: parseManual}

// manualColumn is one column of the sheet.
type manualColumn struct {
	field    string
	vi, en   string
	aliases  []string // other headers accepted
	required bool
	width    float64
	guideVI  string
	guideEN  string
}

var manualColumns = []manualColumn{
	{field: "id", vi: "Mã", en: "ID", aliases: []string{"ma phat hien", "reference"}, width: 10,
		guideVI: "Mã của người kiểm thử cho phát hiện (ví dụ PT-2024-01); để trống nếu không có.", guideEN: "The pentester's own reference of the finding (e.g. PT-2024-01); may be empty."},
	{field: "title", vi: "Tiêu đề", en: "Title", required: true, width: 40,
		guideVI: "Tên ngắn của lỗ hổng.", guideEN: "A short name of the vulnerability."},
	{field: "description", vi: "Mô tả", en: "Description", width: 50,
		guideVI: "Mô tả lỗ hổng và tác động.", guideEN: "What the vulnerability is and its impact."},
	{field: "severity", vi: "Mức độ", en: "Severity", required: true, width: 14,
		guideVI: "Một trong: Nghiêm trọng, Cao, Trung bình, Thấp, Thông tin (hoặc critical, high, medium, low, info).", guideEN: "One of critical, high, medium, low, info (or Nghiêm trọng, Cao, Trung bình, Thấp, Thông tin)."},
	{field: "cvss", vi: "Vector CVSS", en: "CVSS vector", aliases: []string{"cvss"}, width: 44,
		guideVI: "Vector CVSS 3.1 hoặc 4.0, ví dụ CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H; hoặc chỉ điểm số (7.5).", guideEN: "A CVSS 3.1 or 4.0 vector, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H; or only a score (7.5)."},
	{field: "cwe", vi: "CWE", en: "CWE", width: 10,
		guideVI: "Mã CWE: CWE-79 hoặc 79.", guideEN: "The CWE: CWE-79 or 79."},
	{field: "cve", vi: "CVE", en: "CVE", width: 20,
		guideVI: "Các mã CVE, cách nhau bởi dấu phẩy hoặc khoảng trắng.", guideEN: "CVE ids, separated by commas or spaces."},
	{field: "host", vi: "Máy chủ", en: "Host", aliases: []string{"ten may chu", "hostname"}, width: 26,
		guideVI: "Tên máy chủ hoặc tên miền.", guideEN: "Host or domain name."},
	{field: "ip", vi: "IP", en: "IP", aliases: []string{"dia chi ip", "ip address"}, width: 16,
		guideVI: "Địa chỉ IP.", guideEN: "IP address."},
	{field: "port", vi: "Cổng", en: "Port", width: 8,
		guideVI: "Số cổng (1–65535).", guideEN: "Port number (1–65535)."},
	{field: "protocol", vi: "Giao thức", en: "Protocol", width: 10,
		guideVI: "tcp, udp, http, https…", guideEN: "tcp, udp, http, https…"},
	{field: "url", vi: "URL", en: "URL", width: 40,
		guideVI: "Địa chỉ URL bị ảnh hưởng.", guideEN: "The affected URL."},
	{field: "parameter", vi: "Tham số", en: "Parameter", width: 14,
		guideVI: "Tham số bị ảnh hưởng.", guideEN: "The affected parameter."},
	{field: "evidence", vi: "Bằng chứng", en: "Evidence", width: 40,
		guideVI: "Bằng chứng ngắn gọn (không ghi mật khẩu hay dữ liệu cá nhân).", guideEN: "Short evidence (no passwords or personal data)."},
	{field: "remediation", vi: "Khuyến nghị khắc phục", en: "Remediation", aliases: []string{"khuyen nghi", "recommendation"}, width: 40,
		guideVI: "Cách khắc phục.", guideEN: "How to fix it."},
	{field: "references", vi: "Tham khảo", en: "References", aliases: []string{"reference"}, width: 30,
		guideVI: "Đường dẫn tham khảo, mỗi dòng một đường dẫn (hoặc cách nhau bởi dấu chấm phẩy).", guideEN: "Reference links, one a line (or separated by semicolons)."},
	{field: "seen", vi: "Ngày phát hiện", en: "Date found", aliases: []string{"detected", "date"}, width: 14,
		guideVI: "Ngày phát hiện, dạng dd/mm/yyyy.", guideEN: "The day it was found, as dd/mm/yyyy."},
}

// manualSeverities are the severities of the sheet, by folded name.
var manualSeverities = map[string]check.Severity{
	"nghiem trong": check.Critical, "cao": check.High, "trung binh": check.Medium, "thap": check.Low, "thong tin": check.Info,
	"critical": check.Critical, "high": check.High, "medium": check.Medium, "low": check.Low, "info": check.Info, "informational": check.Info,
}

// manualHeader maps a header cell to its field ("" when unknown).
func manualHeader(cell string) string {
	h := i18n.Fold(strings.TrimSuffix(strings.TrimSpace(cell), "*"))
	for _, c := range manualColumns {
		if h == i18n.Fold(c.vi) || h == i18n.Fold(c.en) || h == c.field {
			return c.field
		}
		for _, a := range c.aliases {
			if h == a {
				return c.field
			}
		}
	}
	return ""
}

// manualHead reports whether a row is the sheet's header: it has the
// required columns.
func manualHead(rec []string) bool {
	var title, severity bool
	for _, cell := range rec {
		switch manualHeader(cell) {
		case "title":
			title = true
		case "severity":
			severity = true
		}
	}
	return title && severity
}

var zipSignature = []byte("PK\x03\x04")

// detectManual accepts a CSV whose first line is the header, and any XLSX
// workbook: the first sheet of a zip cannot be read from its first bytes,
// so Parse checks its headers and says so when they are not the sheet's.
// The CSV of khien scan has Title and Severity too: it is not taken for a
// manual sheet (its findings are the scanner's, not a pentester's).
func detectManual(head []byte) bool {
	if bytes.HasPrefix(head, zipSignature) {
		return bytes.Contains(head, []byte("[Content_Types].xml")) || bytes.Contains(head, []byte("xl/"))
	}
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if !utf8.Valid(line) {
		return false
	}
	rec, err := csvReader(bytes.NewReader(line), csvComma(line)).Read()
	return err == nil && manualHead(rec) && !(slices.Contains(rec, "check_id") && slices.Contains(rec, "fingerprint"))
}

// maxSheet bounds an XLSX file, which is read whole (zip needs random access).
const maxSheet = 32 << 20

func parseManual(ctx context.Context, r io.Reader, h Handler) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if sig, _ := br.Peek(len(zipSignature)); bytes.Equal(sig, zipSignature) {
		return parseManualXLSX(ctx, br, h)
	}
	return parseManualCSV(ctx, br, h)
}

func csvComma(header []byte) rune {
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		return ';'
	}
	return ','
}

func csvReader(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return cr
}

// recordLimit fails once a record takes more than MaxRecord bytes (plus
// the CSV reader's read-ahead); the parser resets it after each record.
type recordLimit struct {
	r io.Reader
	n int
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n > MaxRecord+64<<10 {
		return 0, errRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += n
	return n, err
}

func parseManualCSV(ctx context.Context, br *bufio.Reader, h Handler) error {
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(64 << 10)
	line, _, _ := bytes.Cut(head, []byte("\n"))
	lim := &recordLimit{r: br}
	cr := csvReader(lim, csvComma(line))
	m := &manualReader{h: h}
	row := 0
	for n := 1; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := cr.Read()
		lim.n = 0
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			switch {
			case errors.As(err, &pe):
				return &ParseError{Format: "manual", Line: pe.Line, Err: pe.Err}
			case errors.Is(err, errRecordTooLong):
				return &ParseError{Format: "manual", Line: row + 1, Err: err}
			}
			return err
		}
		row, _ = cr.FieldPos(0)
		for _, cell := range rec {
			if !utf8.ValidString(cell) {
				return &ParseError{Format: "manual", Line: row, Err: errors.New("not UTF-8 text: save the sheet as \"CSV UTF-8\"")}
			}
		}
		if err := m.row(row, rec); err != nil {
			return err
		}
	}
	return m.end("")
}

func parseManualXLSX(ctx context.Context, r io.Reader, h Handler) error {
	data, err := io.ReadAll(io.LimitReader(r, maxSheet+1))
	if err != nil {
		return fmt.Errorf("read the workbook: %w", err)
	}
	if len(data) > maxSheet {
		return &ParseError{Format: "manual", Err: fmt.Errorf("the workbook is larger than %d MiB", maxSheet>>20)}
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: 8 * maxSheet, UnzipXMLSizeLimit: maxSheet})
	if err != nil {
		return &ParseError{Format: "manual", Err: fmt.Errorf("not an Excel workbook: %w", err)}
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return &ParseError{Format: "manual", Err: errors.New("the workbook has no sheet")}
	}
	where := "sheet " + sheets[0]
	rows, err := x.Rows(sheets[0])
	if err != nil {
		return &ParseError{Format: "manual", Element: where, Err: err}
	}
	defer rows.Close()
	m := &manualReader{h: h, sheet: where}
	for n := 1; rows.Next(); n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := rows.Columns()
		if err != nil {
			return &ParseError{Format: "manual", Line: n, Element: where, Err: err}
		}
		size := 0
		for i, c := range rec {
			size += len(c)
			if m.cols != nil && m.date == i {
				rec[i] = excelDate(c)
			}
		}
		if size > MaxRecord {
			return &ParseError{Format: "manual", Line: n, Element: where, Err: errRecordTooLong}
		}
		if err := m.row(n, rec); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return &ParseError{Format: "manual", Element: where, Err: err}
	}
	return m.end(": not a manual pentest sheet")
}

// excelDate turns the serial number of a date cell (what a raw cell value
// of a date is) into dd/mm/yyyy; other text is left as it is.
func excelDate(cell string) string {
	serial, err := strconv.ParseFloat(cell, 64)
	if err != nil || serial < 1 || serial > 2958465 {
		return cell
	}
	t, err := excelize.ExcelDateToTime(serial, false)
	if err != nil {
		return cell
	}
	return t.Format(manualDate)
}

const manualDate = "02/01/2006"

// manualReader reads the rows of a sheet: the header (the first row that
// is not blank), then one finding a row; blank rows are skipped.
type manualReader struct {
	h       Handler
	sheet   string         // "sheet Phát hiện" in a workbook, "" in CSV
	cols    map[string]int // the column of each field; nil before the header
	headers []string
	date    int // the column of the date, -1 when none
}

func (m *manualReader) row(line int, rec []string) error {
	blank := true
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			blank = false
			break
		}
	}
	if blank {
		return nil
	}
	if m.cols == nil {
		if !manualHead(rec) {
			return &ParseError{Format: "manual", Line: line, Element: m.sheet, Err: errors.New("the first row is not the header: it needs Tiêu đề (Title) and Mức độ (Severity)")}
		}
		m.cols, m.headers, m.date = map[string]int{}, slices.Clone(rec), -1
		for i, cell := range rec {
			if f := manualHeader(cell); f != "" {
				if _, dup := m.cols[f]; !dup {
					m.cols[f] = i
				}
			}
		}
		if i, ok := m.cols["seen"]; ok {
			m.date = i
		}
		return nil
	}
	o, err := m.observation(rec)
	if err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			return &ParseError{Format: "manual", Line: line, Element: strings.TrimPrefix(m.sheet+", column "+fe.path, ", "), Err: fe.err}
		}
		return err
	}
	return m.h.Finding(o)
}

// end fails a sheet without a header.
func (m *manualReader) end(why string) error {
	if m.cols == nil {
		return &ParseError{Format: "manual", Element: m.sheet, Err: errors.New("no header row with Tiêu đề (Title) and Mức độ (Severity)" + why)}
	}
	return nil
}

// observation reads a data row.
func (m *manualReader) observation(rec []string) (Observation, error) {
	cell := func(field string) string {
		if i, ok := m.cols[field]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	bad := func(field, format string, args ...any) error {
		return badField(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m.headers[m.cols[field]]), "*")), fmt.Errorf(format, args...))
	}
	o := Observation{
		Tool:        "manual",
		RuleID:      check.Truncate(cell("id"), maxItem),
		Title:       check.Truncate(cell("title"), maxItem),
		Description: text(cell("description")),
		Protocol:    strings.ToLower(check.Truncate(cell("protocol"), 32)),
		URL:         check.Truncate(cell("url"), maxItem),
		Parameter:   check.Truncate(cell("parameter"), maxItem),
		Evidence:    Excerpt(cell("evidence")),
		Remediation: text(cell("remediation")),
		References:  itemList(strings.FieldsFunc(cell("references"), func(r rune) bool { return r == '\n' || r == ';' })...),
	}
	if o.Title == "" {
		return o, bad("title", "the title is empty")
	}
	sev := cell("severity")
	var ok bool
	if o.Severity, ok = manualSeverities[i18n.Fold(sev)]; !ok {
		if sev == "" {
			return o, bad("severity", "the severity is empty (want Nghiêm trọng, Cao, Trung bình, Thấp or Thông tin)")
		}
		return o, bad("severity", "unknown severity %q (want Nghiêm trọng, Cao, Trung bình, Thấp or Thông tin)", Excerpt(sev))
	}
	if v := cell("cvss"); v != "" {
		if score, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64); err == nil && score >= 0 && score <= 10 {
			o.Score = score
		} else if o.CVSS3, o.CVSS4 = cvssVectors(v); o.CVSS3 != "" {
			if o.Score, err = check.CVSSScore(o.CVSS3); err != nil {
				return o, bad("cvss", "%v", err)
			}
		} else if o.CVSS4 == "" {
			return o, bad("cvss", "%q is not a CVSS vector (CVSS:3.1/… or CVSS:4.0/…) nor a score", Excerpt(v))
		}
	}
	if v := cell("cwe"); v != "" {
		if o.CWE = cweID(v); o.CWE == "" {
			return o, bad("cwe", "%q is not a CWE (want CWE-79 or 79)", Excerpt(v))
		}
	}
	for _, id := range strings.FieldsFunc(cell("cve"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		if !isCVE(strings.ToUpper(id)) {
			return o, bad("cve", "%q is not a CVE id (want CVE-2024-1234)", Excerpt(id))
		}
		o.CVEs = append(o.CVEs, id)
	}
	o.CVEs = cveList(o.CVEs...)
	if v := cell("ip"); v != "" {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return o, bad("ip", "%q is not an IP address", Excerpt(v))
		}
		o.IP = a.String()
	}
	o.Host, _ = hostAndIP(cell("host"))
	if o.Host == "" && o.URL != "" {
		o.Host, _, _ = splitTarget(o.URL)
		o.Host, _ = hostAndIP(o.Host)
	}
	if o.Host == "" {
		o.Host = o.IP
	}
	if v := cell("port"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return o, bad("port", "%q is not a port number (1–65535)", Excerpt(v))
		}
		o.Port = p
	} else if o.URL != "" {
		_, o.Port, _ = splitTarget(o.URL)
	}
	if v := cell("seen"); v != "" {
		t, err := time.Parse(manualDate, v)
		if err != nil {
			if t, err = time.Parse("2/1/2006", v); err != nil {
				if t, err = time.Parse(time.DateOnly, v); err != nil {
					return o, bad("seen", "%q is not a date (want dd/mm/yyyy)", Excerpt(v))
				}
			}
		}
		o.SeenAt = t
	}
	return o, nil
}
