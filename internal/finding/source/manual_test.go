package source

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/scan/check"
	"github.com/xuri/excelize/v2"
)

func TestManualCSV(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		file string
		want []Observation
	}{
		{"manual-vi.csv", []Observation{
			{Tool: "manual", RuleID: "PT-01", Title: "Lỗi SQL Injection tại trang tìm kiếm", Description: "Tham số q không được lọc;\ncho phép đọc cơ sở dữ liệu.",
				Severity: check.High, CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", Score: 9.1, CWE: "CWE-89",
				Host: "congdichvu.example.gov.vn", IP: "203.0.113.20", Port: 443, Protocol: "https", URL: "https://congdichvu.example.gov.vn/tim-kiem?q=1",
				Parameter: "q", Evidence: "q=1' OR '1'='1", Remediation: "Dùng truy vấn tham số hoá.",
				References: []string{"https://owasp.org/www-community/attacks/SQL_Injection"}, SeenAt: day(2024, 3, 15)},
			{RuleID: "PT-02", Severity: check.Critical, CVEs: []string{"CVE-2024-6387", "CVE-2023-48795"}, Host: "203.0.113.21", IP: "203.0.113.21", Port: 22, SeenAt: day(2024, 7, 1)},
			{Title: "Trang quản trị lộ ra Internet", Severity: check.Info, Score: 5.3, Host: "quantri.example.gov.vn", Port: 8443},
		}},
		{"manual-en.csv", []Observation{
			{RuleID: "WEB-7", Severity: check.Low, Host: "files.example.gov.vn", Port: 80, Evidence: "Index of /backup", SeenAt: day(2024, 5, 2),
				References: []string{"https://cwe.mitre.org/data/definitions/548.html", "https://owasp.org/www-project-web-security-testing-guide/"}},
			{RuleID: "WEB-8", Severity: check.Critical, Host: "10.0.0.1"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := parseTestdata(t, tt.file, "manual")
			if len(p.obs) != len(tt.want) {
				t.Fatalf("%d observations, want %d: %+v", len(p.obs), len(tt.want), p.obs)
			}
			for i, w := range tt.want {
				sameSet(t, "row "+strconv.Itoa(i), p.obs[i], w)
			}
		})
	}
}

// manualWorkbook is the template with the example row replaced by rows.
func manualWorkbook(t testing.TB, lang string, rows ...[]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteManualTemplate(&buf, lang); err != nil {
		t.Fatal(err)
	}
	if rows == nil {
		return buf.Bytes()
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sheet := x.GetSheetList()[0]
	if err := x.RemoveRow(sheet, 2); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := x.SetSheetRow(sheet, "A"+strconv.Itoa(i+2), &r); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if _, err := x.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestManualXLSX(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			// The template as written: its example row reads back.
			tmpl := manualWorkbook(t, lang)
			if f, _, err := Detect(bytes.NewReader(tmpl)); err != nil || f.Name != "manual" {
				t.Fatalf("template detected as %q, %v", f.Name, err)
			}
			p, err := parseBytes("", tmpl)
			if err != nil || len(p.obs) != 1 {
				t.Fatalf("template: %v, %d observations", err, len(p.obs))
			}
			sameSet(t, "example", p.obs[0], Observation{Tool: "manual", RuleID: "PT-2024-01", Severity: check.High, CWE: "CWE-89", Port: 443,
				IP: "203.0.113.20", SeenAt: time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), Parameter: "q"})
			x, err := excelize.OpenReader(bytes.NewReader(tmpl))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if list := x.GetSheetList(); len(list) != 2 || list[1] != manualText[lang].guide {
				t.Errorf("sheets %v", list)
			}
		})
	}
	// Rows typed in by a pentester: numbers as numbers, a date as a date.
	data := manualWorkbook(t, "vi",
		[]any{"A-1", "XSS phản xạ", "", "Trung bình", "", "CWE-79", "", "", "198.51.100.4", 8080, "http", "", "", "", "", "", time.Date(2024, 8, 9, 0, 0, 0, 0, time.UTC)},
		[]any{},
		[]any{"A-2", "Thiếu HSTS", "", "thap", "", "", "", "portal.example.gov.vn"},
	)
	p, err := parseBytes("manual", data)
	if err != nil || len(p.obs) != 2 {
		t.Fatalf("%v, %+v", err, p.obs)
	}
	sameSet(t, "row 2", p.obs[0], Observation{RuleID: "A-1", Severity: check.Medium, Host: "198.51.100.4", Port: 8080, SeenAt: time.Date(2024, 8, 9, 0, 0, 0, 0, time.UTC)})
	sameSet(t, "row 4", p.obs[1], Observation{RuleID: "A-2", Severity: check.Low, Host: "portal.example.gov.vn"})

	bad := manualWorkbook(t, "vi", []any{"A-1", "XSS", "", "Cao"}, []any{"A-2", "SQLi", "", "khẩn cấp"})
	_, err = parseBytes("manual", bad)
	wantParseError(t, err, "line 3", "sheet Phát hiện", "column Mức độ", `unknown severity "khẩn cấp"`)
}

func TestManualErrors(t *testing.T) {
	tests := []struct {
		name, data string
		places     []string
	}{
		{"unknown severity", "Tiêu đề;Mức độ\nA;Cao\nB;Khẩn\n", []string{"line 3", "column Mức độ", `unknown severity "Khẩn"`}},
		{"empty severity", "Title,Severity\nA,\n", []string{"line 2", "column Severity", "empty"}},
		{"bad port", "Title,Severity,Port\nA,low,http\n", []string{"line 2", "column Port", "not a port"}},
		{"bad CVE", "Title,Severity,CVE\nA,low,CVE-21\n", []string{"column CVE", "not a CVE"}},
		{"bad date", "Title,Severity,Ngày phát hiện\nA,low,32/13/2024\n", []string{"column Ngày phát hiện", "dd/mm/yyyy"}},
		{"bad vector", "Title,Severity,CVSS\nA,low,AV:N\n", []string{"column CVSS", "not a CVSS vector"}},
		{"bad IP", "Title,Severity,IP\nA,low,10.0.0.300\n", []string{"column IP"}},
		{"no header", "a,b\nc,d\n", []string{"not the header"}},
		{"not UTF-8", "Title,Severity\nM\xe1y,low\n", []string{"line 2", "UTF-8"}},
		{"record too long", "Title,Severity\nA,low\n\"" + strings.Repeat("x", MaxRecord+100<<10) + "\",low\n", []string{"line 3", "longer than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseBytes("manual", []byte(tt.data))
			wantParseError(t, err, tt.places...)
		})
	}
	_, err := parseBytes("manual", append([]byte("PK\x03\x04"), make([]byte, 100)...))
	wantParseError(t, err, "not an Excel workbook")
}

func FuzzParseManual(f *testing.F) {
	seedTestdata(f, "manual-*.csv")
	f.Add(manualWorkbook(f, "vi"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "manual", data) })
}

func TestManualXLSXTooLarge(t *testing.T) {
	data := append([]byte("PK\x03\x04[Content_Types].xml"), make([]byte, maxSheet)...)
	_, err := parseBytes("", data)
	wantParseError(t, err, "larger than 32 MiB")
}
