package document

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/khien/khien/internal/i18n"
)

func write(t testing.TB, fn func(io.Writer, *Document) error, d *Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := fn(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// docxParts parses every XML part of a DOCX and returns the parts by name.
func docxParts(data []byte) (map[string][]byte, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	parts := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		parts[f.Name] = b
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			dec := xml.NewDecoder(bytes.NewReader(b))
			for {
				_, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return nil, err
				}
			}
		}
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/numbering.xml", "word/settings.xml", "word/header1.xml"} {
		if parts[name] == nil {
			return nil, errors.New("no part " + name)
		}
	}
	return parts, nil
}

// docxText is the text of document.xml, a line per paragraph.
func docxText(t *testing.T, doc []byte) string {
	t.Helper()
	text, err := paragraphText(doc)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// tool returns the path of a command-line tool, or skips the test naming the package.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian package %s; .ci/run installs it)", name, pkg)
	}
	return p
}

func runTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s %v: %v: %s", name, args, err, ee.Stderr)
		}
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return out
}

// pdfText is pdftotext's reading of a PDF file.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	return string(runTool(t, tool(t, "pdftotext", "poppler-utils"), "-enc", "UTF-8", path, "-"))
}

// pageNumbers checks that the first page has no number and the second starts with "2" (the
// number in the top margin).
func pageNumbers(t *testing.T, what, path string) {
	t.Helper()
	pdftotext := tool(t, "pdftotext", "poppler-utils")
	for page, want := range map[string]string{"1": "UBND", "2": "2"} {
		words := strings.Fields(string(runTool(t, pdftotext, "-enc", "UTF-8", "-f", page, "-l", page, path, "-")))
		if len(words) == 0 || words[0] != want {
			t.Errorf("%s: page %s starts with %q, want %q", what, page, words[:min(len(words), 3)], want)
		}
	}
}

// firstPageInk renders the first page at 30 dpi and counts its dark pixels.
func firstPageInk(t *testing.T, path string) int {
	t.Helper()
	out := filepath.Join(t.TempDir(), "page")
	runTool(t, tool(t, "pdftoppm", "poppler-utils"), "-png", "-r", "30", "-f", "1", "-l", "1", "-singlefile", path, out)
	f, err := os.Open(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if (r+g+b)/3 < 0x8000 {
				dark++
			}
		}
	}
	return dark
}

// pages is the page count pdfinfo gives.
func pages(t *testing.T, path string) int {
	t.Helper()
	for _, line := range strings.Split(string(runTool(t, tool(t, "pdfinfo", "poppler-utils"), path)), "\n") {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("pdfinfo gave no page count")
	return 0
}

func saveTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// minInk is the least dark pixels a first page with the header, title and text has at 30 dpi
// (a blank page has none).
const minInk = 1500

func TestDOCX(t *testing.T) {
	for lang, want := range wantText {
		t.Run(lang, func(t *testing.T) {
			data := write(t, WriteDOCX, sample(t, lang))
			parts, err := docxParts(data)
			if err != nil {
				t.Fatal(err)
			}
			if parts["word/media/image1.png"] == nil {
				t.Error("the chart is not in word/media")
			}
			assertHas(t, "document.xml", docxText(t, parts["word/document.xml"]), want)
			doc := string(parts["word/document.xml"])
			for _, markup := range []string{`<w:tblHeader/>`, `<w:pgSz w:w="11906" w:h="16838"/>`, `w:left="1701"`, `r:embed="rIdImg1"`, `<w:titlePg/>`} {
				if !strings.Contains(doc, markup) {
					t.Errorf("document.xml lacks %s", markup)
				}
			}
		})
	}
}

// TestDOCXInLibreOffice converts the DOCX to PDF with LibreOffice, as an agency opening it
// would, and reads the text back.
func TestDOCXInLibreOffice(t *testing.T) {
	soffice := tool(t, "soffice", "libreoffice-writer-nogui")
	dir := t.TempDir()
	in := saveTemp(t, "bao-cao.docx", write(t, WriteDOCX, sample(t, i18n.VI)))
	runTool(t, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "pdf", "--outdir", dir, in)
	out := filepath.Join(dir, "bao-cao.pdf")
	assertHas(t, "LibreOffice's PDF", pdfText(t, out), wantText[i18n.VI])
	pageNumbers(t, "LibreOffice's PDF", out)
	if n := pages(t, out); n < 4 {
		t.Errorf("LibreOffice laid the document on %d page(s), want the long table over several", n)
	}
	if ink := firstPageInk(t, out); ink < minInk {
		t.Errorf("LibreOffice's first page has %d dark pixels: blank?", ink)
	}
}

func TestPDF(t *testing.T) {
	for lang, want := range wantText {
		t.Run(lang, func(t *testing.T) {
			data := write(t, WritePDF, sample(t, lang))
			if !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Fatalf("not a PDF: %q", data[:min(len(data), 16)])
			}
			path := saveTemp(t, "bao-cao.pdf", data)
			text := pdfText(t, path)
			assertHas(t, "pdftotext", text, want)
			// The long table runs over pages and repeats its header row on each.
			if n := strings.Count(text, "Số phát hiện"); n < 3 {
				t.Errorf("the table's header row appears %d times, want one per page (3 or more)", n)
			}
			pageNumbers(t, "the PDF", path)
			if ink := firstPageInk(t, path); ink < minInk {
				t.Errorf("the first page has %d dark pixels: blank?", ink)
			}
		})
	}
}

func TestXLSX(t *testing.T) {
	data := write(t, WriteXLSX, sample(t, i18n.VI))
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || sheets[0] != "Bảng 1. Hệ thống đã rà soát" {
		t.Fatalf("sheets %q", sheets)
	}
	s := sheets[0]
	last := headerRow + sampleRows
	for _, c := range []struct{ cell, want string }{
		{"A1", "Báo cáo Kết quả rà soát, đánh giá an toàn thông tin năm 2026: Bảng 1. Hệ thống đã rà soát"},
		{"A2", "Số liệu tính đến 17:00 ngày 02/12/2026."},
		{"B4", "Hệ thống"},
		{"E4", "Ngày quét"},
		{"B5", "Hệ thống thông tin số 1 của Sở Tài nguyên và Môi trường"},
		{"C" + strconv.Itoa(last), "3023"},
		{"E" + strconv.Itoa(last), "05/08/2026"},
	} {
		if got, err := f.GetCellValue(s, c.cell); err != nil || got != c.want {
			t.Errorf("%s = %q (%v), want %q", c.cell, got, err, c.want)
		}
	}
	// A number cell has no type attribute (or "n"); text is a shared or inline string.
	for cell, number := range map[string]bool{"A5": true, "C5": true, "D5": true, "B5": false} {
		typ, _ := f.GetCellType(s, cell)
		if isNumber := typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber; isNumber != number {
			t.Errorf("%s has type %v: number %v, want %v", cell, typ, isNumber, number)
		}
	}
	if raw, _ := f.GetCellValue(s, "E5", excelize.Options{RawCellValue: true}); raw != "46358" { // 2 December 2026
		t.Errorf("E5 holds %q, want the date's serial 46358", raw)
	}
	panes, err := f.GetPanes(s)
	if err != nil || !panes.Freeze || panes.YSplit != headerRow {
		t.Errorf("panes %+v (%v): want the rows down to the header frozen", panes, err)
	}
	if w, _ := f.GetColWidth(s, "B"); w < 30 {
		t.Errorf("column B is %v wide, want the widest", w)
	}
	style, _ := f.GetCellStyle(s, "B4")
	if st, _ := f.GetStyle(style); st == nil || st.Font == nil || !st.Font.Bold {
		t.Error("the header row is not bold")
	}
}

func TestXLSXWithoutTables(t *testing.T) {
	d := sample(t, i18n.EN)
	d.Body = d.Body[:2]
	f, err := excelize.OpenReader(bytes.NewReader(write(t, WriteXLSX, d)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, _ := f.GetCellValue("1", "A2"); got != "Data as of 17:00 on 02/12/2026." {
		t.Errorf("A2 = %q", got)
	}
}

func TestBadImage(t *testing.T) {
	d := sample(t, i18n.VI)
	d.Body = []Block{&Image{PNG: []byte("not a png")}}
	for name, fn := range map[string]func(io.Writer, *Document) error{"docx": WriteDOCX, "pdf": WritePDF} {
		if err := fn(io.Discard, d); err == nil {
			t.Errorf("%s: no error for a broken image", name)
		}
	}
}

// TestPDFTallRow: a cell longer than a page is split over pages, none of its lines lost, the
// header row repeated above each part.
func TestPDFTallRow(t *testing.T) {
	lines := make([]string, 150)
	for i := range lines {
		lines[i] = "dòng " + strconv.Itoa(i+1)
	}
	d := sample(t, i18n.VI)
	d.Body = []Block{&Table{Columns: []Column{{"Bằng chứng", 3}, {"Mức", 1}}, Rows: [][]Cell{{Text("đầu")}, {Text(strings.Join(lines, "\n")), Number(9.8)}, {Text("cuối")}}}}
	path := saveTemp(t, "dai.pdf", write(t, WritePDF, d))
	text := pdfText(t, path)
	assertHas(t, "pdftotext", text, []string{"đầu", "dòng 1 ", "dòng 75", "dòng 150", "9,8", "cuối"})
	n := pages(t, path)
	if headers := strings.Count(text, "Bằng chứng"); n < 4 || headers != n {
		t.Errorf("%d pages, %d header rows: want the row over 4 pages or more, a header row on each", n, headers)
	}
}
