package orgsheet

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/khien/khien/internal/identity"
	"github.com/xuri/excelize/v2"
)

var sample = []Row{
	{Line: 2, Code: "ROOT", Name: "Thành phố Cần Thơ", Kind: identity.OrgProvince},
	{Line: 3, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment, ParentCode: "ROOT"},
	{Line: 4, Code: "001", Name: "Phường Ninh Kiều, \"trung tâm\"", Kind: identity.OrgCommune, ParentCode: "ROOT"},
	{Line: 5, Code: "H-CHAUTHANH", Name: "Ủy ban nhân dân huyện Châu Thành", Kind: identity.OrgDistrict, ParentCode: "ROOT", Archived: true},
}

// TestWriteRead writes the rows in both formats and reads them back.
func TestWriteRead(t *testing.T) {
	for _, name := range []string{"don-vi.xlsx", "don-vi.csv"} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, name, sample); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			Write(&again, name, sample)
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("the same rows gave different bytes")
			}
			f, err := Read(name, bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Problems) > 0 || !slices.Equal(f.Rows, sample) {
				t.Fatalf("read back %+v, problems %v", f.Rows, f.Problems)
			}
		})
	}
}

func TestReadProblems(t *testing.T) {
	tests := []struct {
		name, file string
		data       string
		want       []string // problems, as Describe gives them in Vietnamese
		rows       int
	}{
		{"semicolons, BOM, English headers, blank lines", "a.csv", "\ufeffCode;Name;Parent code\n\nA;Đơn vị A;ROOT\n", nil, 1},
		{"not UTF-8", "a.csv", "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên\nA,\xff,ROOT\n", []string{"tệp CSV không phải UTF-8"}, 0},
		{"missing and unknown columns", "a.csv", "Mã đơn vị,Ghi chú\nA,x\n", []string{"cột B (Ghi chú): cột không thuộc mẫu", "thiếu cột \"Tên đơn vị\"", "thiếu cột \"Mã đơn vị cấp trên\""}, 0},
		{"empty", "a.csv", "\n\n", []string{"tệp không có dòng tiêu đề"}, 0},
		{"bad cells", "a.csv", "Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên,Đã lưu trữ\nA,Đơn vị A,tỉnh lỵ,ROOT,hmm\n",
			[]string{"dòng 2, cột C (Loại): loại đơn vị không hợp lệ", "dòng 2, cột E (Đã lưu trữ): cột lưu trữ chỉ nhận"}, 1},
		{"not a workbook", "a.xlsx", "PK not really", []string{"tệp không phải bảng tính Excel"}, 0},
		{"quotes broken", "a.csv", "Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên\n\"A,B\n", []string{"không đọc được tệp"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(tt.file, strings.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Problems) != len(tt.want) || len(f.Rows) != tt.rows {
				t.Fatalf("problems %v, %d rows; want %d problems, %d rows", f.Problems, len(f.Rows), len(tt.want), tt.rows)
			}
			for i, p := range f.Problems {
				if !strings.Contains(p.String(), tt.want[i]) {
					t.Errorf("problem %d: %q, want %q", i, p, tt.want[i])
				}
			}
		})
	}
}

// TestReadXLSXSheets: the sheet "Đơn vị", or a workbook's only sheet.
func TestReadXLSXSheets(t *testing.T) {
	tests := []struct {
		sheets  []string
		problem string
	}{
		{[]string{"Sheet1"}, ""},
		{[]string{"Sheet1", "Ghi chú"}, "bảng tính không có trang \"Đơn vị\""},
	}
	for _, tt := range tests {
		x := excelize.NewFile()
		for _, s := range tt.sheets[1:] {
			x.NewSheet(s)
		}
		x.SetSheetRow("Sheet1", "A1", &[]string{"Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"})
		x.SetSheetRow("Sheet1", "A2", &[]string{"A", "Đơn vị A", "ROOT"})
		var buf bytes.Buffer
		if _, err := x.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		f, _ := Read("a.xlsx", &buf)
		switch {
		case tt.problem == "" && (len(f.Problems) > 0 || len(f.Rows) != 1):
			t.Errorf("%v: rows %v, problems %v", tt.sheets, f.Rows, f.Problems)
		case tt.problem != "" && (len(f.Problems) != 1 || !strings.Contains(f.Problems[0].String(), tt.problem)):
			t.Errorf("%v: problems %v, want %q", tt.sheets, f.Problems, tt.problem)
		}
	}
}

// FuzzRead: any input reads without panicking, every problem has a
// catalogue key, and the plan of what was read is decided.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, "a.csv", sample)
	f.Add(buf.Bytes(), true)
	buf.Reset()
	Write(&buf, "a.xlsx", sample)
	f.Add(buf.Bytes(), false)
	f.Add([]byte("Code;Name;Parent code\nA;B;A\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		name := "a.xlsx"
		if csv {
			name = "a.csv"
		}
		file, err := Read(name, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range file.Problems {
			if p.Key == "" || strings.Contains(p.String(), "%!") {
				t.Fatalf("problem without a proper message: %+v", p)
			}
		}
		p := planImport(stored(), file)
		if c := p.Counts[SheetName]; c.Created+c.Updated+c.Unchanged+c.Skipped != len(file.Rows) {
			t.Fatalf("counts %+v for %d rows", c, len(file.Rows))
		}
		if len(file.Problems) > 0 && p.Counts[SheetName].Skipped != len(file.Rows) {
			t.Fatalf("a file with problems plans writes: %+v", p.Counts[SheetName])
		}
	})
}
