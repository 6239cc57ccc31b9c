package workbook

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/khien/khien/internal/inventory"
	"github.com/xuri/excelize/v2"
)

// book builds a workbook from sheets of rows; edit may add formulas, merges….
func book(t testing.TB, sheets map[string][][]any, edit func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for name, rows := range sheets {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			if err := f.SetSheetRow(name, fmt.Sprintf("A%d", i+1), &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if edit != nil {
		edit(f)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(t testing.TB, data []byte) *inventory.Batch {
	t.Helper()
	b, err := ReadBytes(data, DefaultLimits)
	if err != nil && !errors.Is(err, ErrNotWorkbook) {
		t.Fatal(err)
	}
	return b
}

func sample() *inventory.Batch {
	return &inventory.Batch{
		Staff: []inventory.StaffRow{{OrgCode: "SKHCN", Staff: inventory.Staff{Name: "Nguyễn Văn An", Position: "Chuyên viên", Email: "an@cantho.gov.vn", Phone: "0292 3820 000"}}},
		Systems: []inventory.SystemRow{{OrgCode: "SKHCN", ContactEmail: "an@cantho.gov.vn", System: inventory.System{
			Name: "Cổng thông tin điện tử", Kind: "web_portal", Purpose: "Thông tin", Level: 3, LevelDecision: "12/QĐ-UBND", LevelDecisionDate: "2025-01-15",
			Hosting: "provincial_dc", Users: 1200, PersonalData: true, DataSubjects: 50000, PopulationDB: true, GoLive: "2019-05-01", Status: "operating",
			DeviceCounts: inventory.DeviceCounts{Servers: 3, Workstations: 20}}}},
		Assets: []inventory.AssetRow{
			{OrgCode: "SKHCN", Systems: []string{"Cổng thông tin điện tử"}, Asset: inventory.Asset{Kind: "domain", Value: "skhcn.cantho.gov.vn"}},
			{OrgCode: "SKHCN", Systems: []string{"Cổng thông tin điện tử"}, Asset: inventory.Asset{Kind: "server", Value: "web01", IPs: "10.1.1.5", OS: "Ubuntu", OSVersion: "22.04", Role: "web"}},
		},
		Controls:       []inventory.ControlRow{{OrgCode: "SKHCN", SystemName: "Cổng thông tin điện tử", Control: inventory.Control{Control: "backup", Status: "partial", BackupFrequency: "hằng tuần", LastRestoreTest: "2025-03-01"}}},
		Qualifications: []inventory.QualificationRow{{OrgCode: "SKHCN", StaffEmail: "an@cantho.gov.vn", Qualification: inventory.Qualification{Course: "An toàn thông tin cơ bản", CompletedOn: "2024-06-01", Certificate: "ATTT-1"}}},
	}
}

func TestTemplateAndRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, &inventory.Batch{}); err != nil {
		t.Fatal(err)
	}
	tpl := read(t, buf.Bytes())
	if !tpl.Valid() || tpl.Rows() != 0 {
		t.Fatalf("template: %+v", tpl.Problems)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	dvs, err := f.GetDataValidations(inventory.SystemsSheet.Name)
	if err != nil || len(dvs) != 7 {
		t.Fatalf("systems dropdowns: %d %v", len(dvs), err)
	}
	if h, _ := f.GetCellValue(inventory.SystemsSheet.Name, "B1"); h != "Tên hệ thống *" {
		t.Fatalf("header B1 = %q", h)
	}
	f.Close()

	buf.Reset()
	in := sample()
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out := read(t, buf.Bytes())
	if !out.Valid() {
		t.Fatalf("problems: %v", out.Problems)
	}
	for _, sheet := range inventory.Sheets {
		a, b := fmt.Sprint(in.Records(sheet)), fmt.Sprint(out.Records(sheet))
		if a != b {
			t.Errorf("%s:\n wrote %s\n read  %s", sheet.Name, a, b)
		}
	}
}

func TestBadFiles(t *testing.T) {
	var renamed bytes.Buffer
	zw := zip.NewWriter(&renamed)
	w, _ := zw.Create("photo.jpg")
	w.Write([]byte("not a workbook"))
	zw.Close()

	for name, data := range map[string][]byte{
		"not xlsx":    []byte("Tên hệ thống,Loại\nCổng,web_portal\n"),
		"renamed zip": renamed.Bytes(),
		"zip bomb":    bomb(t, 5<<30),
	} {
		t.Run(name, func(t *testing.T) {
			b, err := ReadBytes(data, DefaultLimits)
			if !errors.Is(err, ErrNotWorkbook) || len(b.Problems) != 1 {
				t.Fatalf("err %v problems %v", err, b.Problems)
			}
			t.Log(b.Problems[0])
		})
	}
	t.Run("lying zip header", func(t *testing.T) {
		// The entry claims 100 bytes and holds megabytes: archive/zip stops
		// at the declared size, so it fails instead of expanding.
		data := book(t, map[string][][]any{inventory.StaffSheet.Name: {{"Họ và tên", "Thư điện tử"}}}, nil)
		zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		var out bytes.Buffer
		zw := zip.NewWriter(&out)
		for _, f := range zr.File {
			if strings.HasPrefix(f.Name, "xl/worksheets/") {
				hdr := f.FileHeader
				hdr.UncompressedSize64 = 100
				hdr.CRC32 = 0
				w, _ := zw.CreateRaw(&hdr)
				raw, _ := deflate(bytes.Repeat([]byte("<x/>"), 1<<20))
				hdr.CompressedSize64 = uint64(len(raw))
				w.Write(raw)
				continue
			}
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
			rc, _ := f.Open()
			var b bytes.Buffer
			b.ReadFrom(rc)
			w.Write(b.Bytes())
		}
		zw.Close()
		b, err := ReadBytes(out.Bytes(), DefaultLimits)
		if err == nil && b.Valid() {
			t.Fatal("lying archive accepted")
		}
	})
}

// bomb is a zip whose sheet declares size bytes when unpacked.
func bomb(t *testing.T, size uint64) []byte {
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		w, _ := zw.Create(name)
		w.Write([]byte("<x/>"))
	}
	raw, err := deflate(make([]byte, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CompressedSize64: uint64(len(raw)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw)
	zw.Close()
	return out.Bytes()
}

func deflate(data []byte) ([]byte, error) {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	w.Write(data)
	w.Close()
	return b.Bytes(), nil
}

func TestTooManyRows(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", inventory.AssetsSheet.Name)
	sw, err := f.NewStreamWriter(inventory.AssetsSheet.Name)
	if err != nil {
		t.Fatal(err)
	}
	sw.SetRow("A1", []any{"Thuộc hệ thống", "Loại tài sản", "Giá trị"})
	for i := 2; i <= 100_001; i++ {
		sw.SetRow(fmt.Sprintf("A%d", i), []any{"Cổng", "ip", fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255)})
	}
	sw.Flush()
	var buf bytes.Buffer
	f.WriteTo(&buf)
	b := read(t, buf.Bytes())
	found := false
	for _, p := range b.Problems {
		if strings.Contains(p.Message, "hơn 50000 dòng") {
			found = true
		}
	}
	if !found || len(b.Assets) != DefaultLimits.RowsPerSheet {
		t.Fatalf("rows %d, problems %v", len(b.Assets), b.Problems)
	}
}

func TestCellProblems(t *testing.T) {
	data := book(t, map[string][][]any{
		// Headers in another order, without diacritics and in other case.
		inventory.AssetsSheet.Name: {
			{"gia tri", "LOAI TAI SAN", "thuoc he thong", "Cột lạ"},
			{"300.1.1.1", "Địa chỉ IP", "Cổng"},
			{},
			{"10.0.0.1/24", "Dải địa chỉ IP", "Cổng"},
			{"-bad-.gov.vn", "Tên miền", "Cổng"},
			{"cầnthơ.gov.vn", "tên miền", "Cổng"},
			{"10.0.0.2", "ip", "Cổng"},
			{"10.0.0.3", "router", "Cổng"},
		},
		inventory.SystemsSheet.Name: {
			{"Tên hệ thống", "Loại hệ thống", "Số máy chủ", "Ngày đưa vào sử dụng"},
			{"Cổng", "Cổng/Trang thông tin điện tử", 2, "32/13/2020"},
			{"Một cửa", "internal_app", 1, ""},
		},
	}, func(f *excelize.File) {
		f.SetCellFormula(inventory.AssetsSheet.Name, "A8", "CONCAT(\"10.0.0.\",\"4\")")
		f.MergeCell(inventory.SystemsSheet.Name, "A3", "B3")
	})
	b := read(t, data)
	got := map[string]bool{}
	for _, p := range b.Problems {
		got[fmt.Sprintf("%s!%s%d", p.Sheet, p.Column, p.Row)] = true
		t.Log(p)
	}
	for _, want := range []string{
		"Tài sản!D0",  // unknown column
		"Tài sản!A2",  // invalid IP
		"Tài sản!A4",  // host bits in CIDR
		"Tài sản!A5",  // invalid domain
		"Tài sản!B8",  // unknown asset kind
		"Tài sản!A8",  // formula
		"Hệ thống!D2", // bad date
		"Hệ thống!A3", // merged cells
	} {
		if !got[want] {
			t.Errorf("no problem at %s", want)
		}
	}
	// …and the merged cell leaves B3 (a required column) empty.
	if len(b.Problems) != 9 {
		t.Errorf("%d problems, want 9", len(b.Problems))
	}
	// The Vietnamese domain is valid and normalised to its ASCII form; the
	// blank row is skipped.
	if len(b.Assets) != 6 || b.Assets[3].Invalid || !strings.HasPrefix(b.Assets[3].Value, "xn--") {
		t.Fatalf("assets: %+v", b.Assets)
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, sample())
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ReadBytes(data, Limits{FileBytes: 1 << 20, UnzippedBytes: 4 << 20, Entries: 50, RowsPerSheet: 100})
	})
}

// TestExportShowsDaysTheVietnameseWay: every date cell of an export reads
// dd/mm/yyyy in Excel and stays a date (its raw value is a serial day).
func TestExportShowsDaysTheVietnameseWay(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		sheet inventory.Sheet
		field string
		want  string
	}{
		{inventory.SystemsSheet, "level_decision_date", "15/01/2025"},
		{inventory.SystemsSheet, "go_live", "01/05/2019"},
		{inventory.ControlsSheet, "last_restore_test", "01/03/2025"},
		{inventory.QualificationsSheet, "completed_on", "01/06/2024"},
	}
	for _, tt := range tests {
		cell := inventory.ColumnName(tt.sheet.Column(tt.field)) + "2"
		shown, err := f.GetCellValue(tt.sheet.Name, cell)
		if err != nil || shown != tt.want {
			t.Errorf("%s %s (%s) shows %q, want %q (%v)", tt.sheet.Name, tt.field, cell, shown, tt.want, err)
		}
		if raw, _ := f.GetCellValue(tt.sheet.Name, cell, excelize.Options{RawCellValue: true}); strings.Contains(raw, "/") || strings.Contains(raw, "-") {
			t.Errorf("%s %s is text %q, not a date", tt.sheet.Name, tt.field, raw)
		}
	}
}
