package document

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/i18n"
)

// chartPNG draws a bar chart, grey bars on white, as the report kinds' charts will be.
func chartPNG(t testing.TB, bars ...int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 600, 300))
	for y := range 300 {
		for x := range 600 {
			img.Set(x, y, color.White)
		}
	}
	for i, h := range bars {
		for y := 280 - h; y < 280; y++ {
			for x := 40 + i*110; x < 120+i*110; x++ {
				img.Set(x, y, color.Gray{Y: uint8(40 + 30*i)})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	docDate  = time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)  // 09:00 in Vietnam
	dataTime = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) // 17:00 in Vietnam
)

// sampleRows is the long table: enough rows to run over several pages.
const sampleRows = 120

// sample is a document with every kind of block, in Vietnamese or English.
func sample(t testing.TB, lang string) *Document {
	rows := make([][]Cell, sampleRows)
	for i := range rows {
		rows[i] = []Cell{Number(float64(i + 1)), Text(fmt.Sprintf("Hệ thống thông tin số %d của Sở Tài nguyên và Môi trường", i+1)),
			Number(float64(1000 + 17*i)), Number(float64(i%7) + 0.5), Date(dataTime.AddDate(0, 0, -i))}
	}
	return &Document{
		Lang:     lang,
		Parent:   "UBND thành phố Cần Thơ",
		Issuer:   "Sở Khoa học và Công nghệ",
		Number:   "15/BC-SKHCN",
		Place:    "Cần Thơ",
		Date:     docDate,
		Title:    "Báo cáo",
		Subtitle: "Kết quả rà soát, đánh giá an toàn thông tin năm 2026",
		DataAsOf: dataTime,
		Body: []Block{
			&Heading{Level: 1, Text: "Kết quả rà soát"},
			&Paragraph{Text: "Thực hiện Kế hoạch số 000/KH-UBND, Sở đã rà soát 1.234 hệ thống thông tin; phát hiện 56 lỗ hổng nghiêm trọng, đã khắc phục 12,5% trong tháng. Đoạn văn này đủ dài để xuống dòng nhiều lần trên trang giấy A4 với lề trái ba mươi milimét."},
			&Heading{Level: 2, Text: "Phát hiện theo mức độ nghiêm trọng"},
			&List{Items: []string{"Nghiêm trọng: 56 lỗ hổng", "Cao: 210 lỗ hổng", "Trung bình & thấp: <1.000> lỗ hổng"}},
			&Image{PNG: chartPNG(t, 200, 150, 90, 40, 20), Caption: "Biểu đồ 1. Lỗ hổng theo mức độ"},
			&Heading{Level: 3, Text: "Danh sách hệ thống"},
			&Table{Title: "Bảng 1. Hệ thống đã rà soát", Columns: []Column{{"STT", 1}, {"Hệ thống", 5}, {"Số phát hiện", 2}, {"Tỷ lệ (%)", 2}, {"Ngày quét", 2}}, Rows: rows},
			&Heading{Level: 1, Text: "Đề xuất, kiến nghị"},
			&Paragraph{Text: "Đề nghị các cơ quan, đơn vị khắc phục dứt điểm trước ngày 10 tháng 10."},
		},
		Recipients: []string{"Ban Chỉ đạo An toàn thông tin quốc gia", "Công an thành phố (Phòng An ninh mạng)", "Lưu: VT, CNTT"},
		Signature:  Signature{Authority: "KT. Giám đốc", Title: "Phó Giám đốc", Name: "Nguyễn Thị Hồng Nhung"},
	}
}

// wantText is what every writer must give back exactly, per language.
var wantText = map[string][]string{
	i18n.VI: {
		"UBND THÀNH PHỐ CẦN THƠ", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"Số: 15/BC-SKHCN", "Cần Thơ, ngày 03 tháng 12 năm 2026",
		"BÁO CÁO", "Kết quả rà soát, đánh giá an toàn thông tin năm 2026",
		"Số liệu tính đến 17:00 ngày 02/12/2026.",
		"I. Kết quả rà soát", "1. Phát hiện theo mức độ nghiêm trọng", "a) Danh sách hệ thống", "II. Đề xuất, kiến nghị",
		"1.234 hệ thống thông tin", "12,5%", "Trung bình & thấp: <1.000> lỗ hổng",
		"Biểu đồ 1. Lỗ hổng theo mức độ", "Bảng 1. Hệ thống đã rà soát",
		"Số phát hiện", "3.023", "6,5", "05/08/2026", // the last row: 1000+17*119, and 2 December less 119 days
		"Nơi nhận:", "- Ban Chỉ đạo An toàn thông tin quốc gia;", "- Lưu: VT, CNTT.",
		"KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Thị Hồng Nhung",
	},
	i18n.EN: {
		"SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness",
		"No.: 15/BC-SKHCN", "Cần Thơ, 03 December 2026", "Data as of 17:00 on 02/12/2026.",
		"Recipients:", "3,023", "6.5", "I. Kết quả rà soát",
	},
}

func TestDateLine(t *testing.T) {
	for _, c := range []struct {
		lang string
		date time.Time
		want string
	}{
		{i18n.VI, time.Date(2026, 12, 3, 0, 0, 0, 0, i18n.Vietnam), "Hà Nội, ngày 03 tháng 12 năm 2026"},
		{i18n.VI, time.Date(2026, 2, 5, 0, 0, 0, 0, i18n.Vietnam), "Hà Nội, ngày 05 tháng 02 năm 2026"},
		{i18n.VI, time.Date(2026, 7, 15, 0, 0, 0, 0, i18n.Vietnam), "Hà Nội, ngày 15 tháng 7 năm 2026"},
		{i18n.VI, time.Date(2026, 1, 31, 18, 0, 0, 0, time.UTC), "Hà Nội, ngày 01 tháng 02 năm 2026"}, // already 1 February in Vietnam
		{i18n.EN, time.Date(2026, 12, 3, 0, 0, 0, 0, i18n.Vietnam), "Hà Nội, 03 December 2026"},
		{"fr", time.Date(2026, 12, 3, 0, 0, 0, 0, i18n.Vietnam), "Hà Nội, ngày 03 tháng 12 năm 2026"},
	} {
		d := &Document{Lang: c.lang, Place: "Hà Nội", Date: c.date}
		if got := d.dateLine(); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.lang, c.date, got, c.want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		f      float64
		vi, en string
	}{
		{0, "0", "0"}, {7, "7", "7"}, {1234, "1.234", "1,234"}, {1234567.891, "1.234.567,89", "1,234,567.89"},
		{-4500.5, "-4.500,5", "-4,500.5"}, {0.125, "0,13", "0.13"}, {999, "999", "999"},
	} {
		if got := FormatNumber(c.f, i18n.VI); got != c.vi {
			t.Errorf("vi %v: %q, want %q", c.f, got, c.vi)
		}
		if got := FormatNumber(c.f, i18n.EN); got != c.en {
			t.Errorf("en %v: %q, want %q", c.f, got, c.en)
		}
	}
}

func TestHeadingNumbers(t *testing.T) {
	var n numberer
	var got []string
	for _, level := range []int{1, 2, 3, 3, 3, 3, 3, 2, 1, 2, 0, 9} {
		got = append(got, n.next(level))
	}
	want := "I. 1. a) b) c) d) đ) 2. II. 1. III. a)"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("numbers %q, want %q", s, want)
	}
}

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Cần Thơ", "Cần Thơ"},
		{"Ca\u0302\u0300n Tho\u031b", "Cần Thơ"}, // decomposed becomes NFC
		{"a\tb\r\nc\x00d\x1be", "a b\ncde"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"\uFFFEx\uFFFF", "x"},
	} {
		if got := clean(c.in); got != c.want {
			t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestColumnWidths(t *testing.T) {
	for _, c := range []struct {
		cols []Column
		want []float64
	}{
		{[]Column{{"a", 0}, {"b", 0}}, []float64{0.5, 0.5}},
		{[]Column{{"a", 1}, {"b", 3}}, []float64{0.25, 0.75}},
		{[]Column{{"a", -1}, {"b", 2}}, []float64{0.2, 0.8}},
	} {
		got := (&Table{Columns: c.cols}).widths()
		for i := range got {
			if d := got[i] - c.want[i]; d > 1e-9 || d < -1e-9 {
				t.Errorf("%v: %v, want %v", c.cols, got, c.want)
				break
			}
		}
	}
}

func TestSheetName(t *testing.T) {
	used := map[string]bool{}
	for _, c := range []struct{ title, want string }{
		{"Bảng 1. Hệ thống", "Bảng 1. Hệ thống"},
		{"Bảng 1. Hệ thống", "Bảng 1. Hệ thống 2"},
		{"a/b:c*d?[e]", "a b c d  e"},
		{"", "4"},
		{"Một tên bảng rất dài vượt quá ba mươi mốt ký tự", "Một tên bảng rất dài vượt qu"},
	} {
		if got := sheetName(c.title, len(used)+1, used); got != c.want {
			t.Errorf("sheetName(%q) = %q, want %q", c.title, got, c.want)
		}
	}
}

// assertHas reports the expected texts missing from got, whose whitespace is collapsed first
// (extractors break lines where the layout does).
func assertHas(t *testing.T, what, got string, want []string) {
	t.Helper()
	flat := strings.Join(strings.Fields(got), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}
