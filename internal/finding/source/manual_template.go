package source

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// manualText is the template's wording in each language.
var manualText = map[string]struct {
	data, guide                  string
	guideHead                    []string
	required, optional, sevTitle string
	notes                        []string
	example                      []string // one example row, in column order
	severities                   []string
}{
	"vi": {
		data: "Phát hiện", guide: "Hướng dẫn",
		guideHead: []string{"Cột", "Bắt buộc", "Nội dung"}, required: "Có", optional: "Không", sevTitle: "Các mức độ",
		notes: []string{
			"Mỗi dòng của trang \"Phát hiện\" là một phát hiện. Xoá dòng ví dụ trước khi nhập.",
			"Tên cột có thể viết tiếng Việt hoặc tiếng Anh, có dấu hoặc không dấu; các cột khác bị bỏ qua.",
			"Có thể lưu thành CSV (UTF-8, phân cách bằng dấu phẩy hoặc chấm phẩy) với cùng dòng tiêu đề.",
		},
		example: []string{"PT-2024-01", "Lỗi SQL Injection tại trang tìm kiếm", "Tham số q không được lọc, cho phép đọc toàn bộ cơ sở dữ liệu.", "Cao",
			"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", "CWE-89", "", "congdichvu.example.gov.vn", "203.0.113.20", "443", "https",
			"https://congdichvu.example.gov.vn/tim-kiem?q=1", "q", "q=1' OR '1'='1 trả về toàn bộ hồ sơ", "Dùng truy vấn tham số hoá; kiểm tra dữ liệu đầu vào.",
			"https://owasp.org/www-community/attacks/SQL_Injection", "15/03/2024"},
		severities: []string{"Nghiêm trọng", "Cao", "Trung bình", "Thấp", "Thông tin"},
	},
	"en": {
		data: "Findings", guide: "Guide",
		guideHead: []string{"Column", "Required", "Meaning"}, required: "Yes", optional: "No", sevTitle: "Severities",
		notes: []string{
			"Each row of the \"Findings\" sheet is one finding. Delete the example row before importing.",
			"Headers may be Vietnamese or English, with or without diacritics; other columns are ignored.",
			"The sheet may be saved as CSV (UTF-8, comma- or semicolon-separated) with the same header row.",
		},
		example: []string{"PT-2024-01", "SQL injection in the search page", "Parameter q is not filtered and lets anyone read the whole database.", "high",
			"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", "CWE-89", "", "services.example.gov.vn", "203.0.113.20", "443", "https",
			"https://services.example.gov.vn/search?q=1", "q", "q=1' OR '1'='1 returns every record", "Use parameterised queries; validate input.",
			"https://owasp.org/www-community/attacks/SQL_Injection", "15/03/2024"},
		severities: []string{"critical", "high", "medium", "low", "info"},
	},
}

// WriteManualTemplate writes the XLSX template of the manual pentest sheet
// in lang ("vi", the default, or "en"): the header row with one example
// row, a severity drop-down, and a guide sheet explaining each column.
func WriteManualTemplate(w io.Writer, lang string) error {
	t, ok := manualText[lang]
	if !ok {
		t = manualText["vi"]
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", t.data); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"},
	})
	if err != nil {
		return err
	}
	dmy := "dd/mm/yyyy"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dmy})
	if err != nil {
		return err
	}
	head := make([]any, len(manualColumns))
	row := make([]any, len(manualColumns))
	for i, c := range manualColumns {
		head[i] = c.vi
		if lang == "en" {
			head[i] = c.en
		}
		if c.required {
			head[i] = head[i].(string) + " *"
		}
		row[i] = t.example[i]
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(t.data, col, col, c.width); err != nil {
			return err
		}
		switch c.field {
		case "seen":
			if d, err := time.Parse(manualDate, t.example[i]); err == nil {
				row[i] = d
			}
			if err := f.SetCellStyle(t.data, col+"2", col+"2", date); err != nil {
				return err
			}
		case "severity":
			dv := excelize.NewDataValidation(true)
			dv.Sqref = col + "2:" + col + "5000"
			if err := dv.SetDropList(t.severities); err != nil {
				return err
			}
			if err := f.AddDataValidation(t.data, dv); err != nil {
				return err
			}
		}
	}
	if err := f.SetSheetRow(t.data, "A1", &head); err != nil {
		return err
	}
	if err := f.SetSheetRow(t.data, "A2", &row); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(manualColumns))
	if err := f.SetCellStyle(t.data, "A1", last+"1", header); err != nil {
		return err
	}
	if err := f.SetPanes(t.data, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := writeManualGuide(f, lang, header); err != nil {
		return fmt.Errorf("write the guide: %w", err)
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

func writeManualGuide(f *excelize.File, lang string, header int) error {
	t, ok := manualText[lang]
	if !ok {
		t = manualText["vi"]
	}
	if _, err := f.NewSheet(t.guide); err != nil {
		return err
	}
	rows := [][]any{}
	for _, n := range t.notes {
		rows = append(rows, []any{n})
	}
	rows = append(rows, []any{}, []any{t.guideHead[0], t.guideHead[1], t.guideHead[2]})
	headRow := len(rows)
	for _, c := range manualColumns {
		name, guide, req := c.vi, c.guideVI, t.optional
		if lang == "en" {
			name, guide = c.en, c.guideEN
		}
		if c.required {
			req = t.required
		}
		rows = append(rows, []any{name, req, guide})
	}
	rows = append(rows, []any{}, []any{t.sevTitle, strings.Join(t.severities, ", ")})
	for i, r := range rows {
		if err := f.SetSheetRow(t.guide, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(t.guide, fmt.Sprintf("A%d", headRow), fmt.Sprintf("C%d", headRow), header); err != nil {
		return err
	}
	for col, width := range map[string]float64{"A": 26, "B": 12, "C": 90} {
		if err := f.SetColWidth(t.guide, col, col, width); err != nil {
			return err
		}
	}
	return nil
}
