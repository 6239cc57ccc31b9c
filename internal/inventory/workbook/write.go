package workbook

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/khien/khien/internal/inventory"
	"github.com/xuri/excelize/v2"
)

// Names of the sheets around the data sheets.
const (
	InstructionsSheet = "Hướng dẫn"
	ListsSheet        = "Danh mục"
)

// maxDataRow is how far down dropdowns reach in the template.
const maxDataRow = 5000

// Write writes the batch as an inventory workbook: an instructions sheet,
// one sheet per entity with Vietnamese headers and dropdowns for every
// enumeration, and a hidden sheet with the dropdowns' lists. An empty batch
// is the template.
func Write(w io.Writer, b *inventory.Batch) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", InstructionsSheet); err != nil {
		return err
	}
	if err := writeInstructions(f); err != nil {
		return fmt.Errorf("write instructions: %w", err)
	}
	lists, err := writeLists(f)
	if err != nil {
		return fmt.Errorf("write lists: %w", err)
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
	styles := cellStyles{header: header}
	if styles.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dmy}); err != nil {
		return err
	}
	for _, sheet := range inventory.Sheets {
		if _, err := f.NewSheet(sheet.Name); err != nil {
			return err
		}
		if err := writeSheet(f, sheet, b.Records(sheet), styles, lists); err != nil {
			return fmt.Errorf("write sheet %s: %w", sheet.Name, err)
		}
	}
	if err := f.SetSheetVisible(ListsSheet, false); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// cellStyles are the workbook's styles: the header row, and days shown the
// Vietnamese way (15/07/2024) while Excel keeps them as dates.
type cellStyles struct{ header, date int }

func writeSheet(f *excelize.File, sheet inventory.Sheet, rows [][]string, styles cellStyles, lists map[string]string) error {
	head := make([]any, len(sheet.Columns))
	for i, c := range sheet.Columns {
		h := c.Header
		if c.Required {
			h += " *"
		}
		head[i] = h
		col := inventory.ColumnName(i)
		if err := f.SetColWidth(sheet.Name, col, col, c.Width); err != nil {
			return err
		}
		if c.Enum != nil {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, max(maxDataRow, len(rows)+1))
			dv.SetSqrefDropList(lists[c.Field+"|"+sheet.Name])
			dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", "Hãy chọn một giá trị trong danh sách.")
			if err := f.AddDataValidation(sheet.Name, dv); err != nil {
				return err
			}
		}
	}
	if err := f.SetSheetRow(sheet.Name, "A1", &head); err != nil {
		return err
	}
	last := inventory.ColumnName(len(sheet.Columns) - 1)
	if err := f.SetCellStyle(sheet.Name, "A1", last+"1", styles.header); err != nil {
		return err
	}
	if err := f.SetPanes(sheet.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for r, row := range rows {
		vals := make([]any, len(row))
		for i, v := range row {
			vals[i] = v
			if sheet.Columns[i].Number && v != "" {
				if n, err := strconv.Atoi(v); err == nil {
					vals[i] = n
				}
			}
			if sheet.Columns[i].Date && v != "" {
				if d, err := time.Parse(inventory.DateLayout, v); err == nil {
					vals[i] = d
				}
			}
		}
		if err := f.SetSheetRow(sheet.Name, "A"+strconv.Itoa(r+2), &vals); err != nil {
			return err
		}
	}
	for i, c := range sheet.Columns {
		if c.Date && len(rows) > 0 {
			col := inventory.ColumnName(i)
			if err := f.SetCellStyle(sheet.Name, col+"2", col+strconv.Itoa(len(rows)+1), styles.date); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeLists writes every enumeration into the hidden lists sheet and
// returns the range of each, keyed by field and sheet.
func writeLists(f *excelize.File) (map[string]string, error) {
	if _, err := f.NewSheet(ListsSheet); err != nil {
		return nil, err
	}
	out := map[string]string{}
	col := 0
	for _, sheet := range inventory.Sheets {
		for _, c := range sheet.Columns {
			if c.Enum == nil {
				continue
			}
			name := inventory.ColumnName(col)
			if err := f.SetCellValue(ListsSheet, name+"1", sheet.Name+": "+c.Header); err != nil {
				return nil, err
			}
			for i, l := range c.Enum.Labels() {
				if err := f.SetCellValue(ListsSheet, name+strconv.Itoa(i+2), l); err != nil {
					return nil, err
				}
			}
			out[c.Field+"|"+sheet.Name] = fmt.Sprintf("'%s'!$%s$2:$%s$%d", ListsSheet, name, name, len(c.Enum)+1)
			col++
		}
	}
	return out, nil
}

// instructions are the lines of the first sheet.
var instructions = []string{
	"HƯỚNG DẪN KÊ KHAI DANH MỤC HỆ THỐNG THÔNG TIN",
	"",
	"1. Mỗi sheet là một loại thông tin: Hệ thống, Tài sản, Biện pháp bảo vệ, Cán bộ, Đào tạo. Không đổi tên sheet.",
	"2. Dòng 1 là tiêu đề cột; cột có dấu * là bắt buộc. Có thể đổi thứ tự cột, viết có hoặc không dấu, nhưng không đổi tên cột.",
	"3. Cột có danh sách chọn: chọn giá trị trong danh sách, không tự gõ giá trị khác.",
	"4. Mã đơn vị: để trống nếu là đơn vị đang nhập liệu; ghi mã của đơn vị trực thuộc nếu kê khai thay đơn vị đó.",
	"5. Ngày ghi theo dạng dd/mm/yyyy (ví dụ 15/01/2025).",
	"6. Tài sản: Loại tài sản là Tên miền (ví dụ cantho.gov.vn hoặc tên miền tiếng Việt), Địa chỉ URL (https://…), Địa chỉ IP (IPv4 hoặc IPv6),",
	"   Dải địa chỉ IP (ví dụ 10.10.0.0/24), Máy chủ (ghi tên máy chủ ở cột Giá trị) hoặc Thiết bị mạng/bảo mật (ghi tên thiết bị).",
	"   Cột \"Thuộc hệ thống\" ghi tên hệ thống như ở sheet Hệ thống; một tài sản thuộc nhiều hệ thống thì ngăn cách bằng dấu chấm phẩy (;).",
	"7. Biện pháp bảo vệ: mỗi dòng một biện pháp của một hệ thống, tình trạng Có / Một phần / Không.",
	"8. Cán bộ: thư điện tử là khóa nhận diện cán bộ; sheet Đào tạo và cột \"Thư điện tử cán bộ đầu mối\" dùng thư điện tử này.",
	"9. Không dùng công thức, không gộp ô. Dòng trống được bỏ qua.",
	"10. Khi nhập, Khiên kiểm tra toàn bộ tệp và liệt kê mọi lỗi theo sheet, dòng, cột; chưa sửa hết lỗi thì không ghi dữ liệu",
	"    (trừ khi người dùng chọn chỉ nhập các dòng hợp lệ). Nhập lại cùng một tệp không làm thay đổi dữ liệu.",
	"11. Cập nhật hệ thống, tài sản, biện pháp, cán bộ đã có: ô để trống nghĩa là giữ nguyên giá trị đang lưu; chỉ cần ghi các cột muốn sửa.",
	"    Muốn xóa giá trị của một ô, ghi đúng một dấu gạch ngang (-) vào ô đó. Trang xem trước liệt kê từng trường sẽ thay đổi và số trường sẽ bị xóa.",
}

func writeInstructions(f *excelize.File) error {
	if err := f.SetColWidth(InstructionsSheet, "A", "A", 140); err != nil {
		return err
	}
	for i, line := range instructions {
		if err := f.SetCellValue(InstructionsSheet, "A"+strconv.Itoa(i+1), line); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	return f.SetCellStyle(InstructionsSheet, "A1", "A1", bold)
}

// ContentType is the media type of xlsx workbooks.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Serve sends the batch as a workbook download named name. The workbook is
// built before the first byte is sent, so a failure is a clean error.
func Serve(w http.ResponseWriter, name string, b *inventory.Batch) error {
	var buf bytes.Buffer
	if err := Write(&buf, b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Cache-Control", "no-store")
	_, err := buf.WriteTo(w)
	return err
}
