package document

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The DOCX writer emits WordprocessingML (ECMA-376) directly: no library writes the decree's
// layout, and the parts a document like this needs are few. Lengths are in twentieths of a
// point (twips) for the page and paragraphs, half-points for font sizes, EMU for drawings.

const (
	twipsPerMM = 1440 / 25.4
	emuPerMM   = 36000
	mainNS     = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	relNS      = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	relType    = relNS + "/"
	fontName   = "Times New Roman"
)

func twips(mm float64) int { return int(mm*twipsPerMM + 0.5) }

// WriteDOCX writes d as a Word document.
func WriteDOCX(w io.Writer, d *Document) error {
	dw := &docxWriter{doc: d}
	body, err := dw.document()
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	parts := []struct {
		name string
		data []byte
	}{
		{"[Content_Types].xml", []byte(contentTypes)},
		{"_rels/.rels", []byte(packageRels)},
		{"docProps/core.xml", dw.core()},
		{"word/document.xml", body},
		{"word/_rels/document.xml.rels", dw.documentRels()},
		{"word/styles.xml", []byte(styles)},
		{"word/settings.xml", []byte(settings)},
		{"word/numbering.xml", []byte(numbering)},
		{"word/header1.xml", []byte(pageNumberHeader)},
		{"word/header2.xml", []byte(emptyHeader)},
	}
	for i, img := range dw.images {
		parts = append(parts, struct {
			name string
			data []byte
		}{fmt.Sprintf("word/media/image%d.png", i+1), img})
	}
	for _, p := range parts {
		f, err := z.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := f.Write(p.data); err != nil {
			return err
		}
	}
	return z.Close()
}

type docxWriter struct {
	doc    *Document
	b      bytes.Buffer
	images [][]byte // word/media/imageN.png, relationship rIdImgN
}

// run is a piece of text in one style.
type run struct {
	text         string
	bold, italic bool
	size         float64 // points
}

// paraProps are the paragraph properties the layout uses.
type paraProps struct {
	align         string // "left", "center", "right", "both"
	before, after int    // spacing in twips
	firstLine     int    // first-line indent in twips
	keepNext      bool
	bullet        bool
}

func (dw *docxWriter) document() ([]byte, error) {
	d := dw.doc
	b := &dw.b
	b.WriteString(xml.Header)
	b.WriteString(`<w:document ` + mainNS + ` xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>`)
	dw.header()
	dw.titleBlock()
	var num numberer
	for _, bl := range d.Body {
		switch bl := bl.(type) {
		case *Heading:
			dw.para(paraProps{align: "both", before: 120, after: 120, keepNext: true},
				run{text: num.next(bl.Level) + " " + clean(bl.Text), bold: true, size: bodyPt})
		case *Paragraph:
			dw.para(paraProps{align: "both", after: 120, firstLine: twips(10)}, run{text: clean(bl.Text), size: bodyPt})
		case *List:
			for _, it := range bl.Items {
				dw.para(paraProps{align: "both", after: 60, bullet: true}, run{text: clean(it), size: bodyPt})
			}
		case *Table:
			dw.table(bl)
		case *Image:
			if err := dw.image(bl); err != nil {
				return nil, err
			}
		}
	}
	dw.closing()
	fmt.Fprintf(b, `<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:headerReference w:type="first" r:id="rIdHeaderFirst"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="%d" w:footer="%d" w:gutter="0"/>`+
		`<w:titlePg/></w:sectPr></w:body></w:document>`,
		twips(pageWidthMM), twips(pageHeightMM), twips(marginTopMM), twips(marginRightMM), twips(marginBottomMM), twips(marginLeftMM), twips(10), twips(10))
	return b.Bytes(), nil
}

// header is the decree's top block: a borderless two-column table with the issuing body on
// the left and the national name and motto on the right, each with its rule, then the
// number on the left and the place and date on the right.
func (dw *docxWriter) header() {
	d := dw.doc
	left, right := textWidthMM*headerLeftShare, textWidthMM*(1-headerLeftShare)
	dw.layoutTable([]float64{left, right}, func(cell func(i int, content func())) {
		cell(0, func() {
			if d.Parent != "" {
				dw.para(paraProps{align: "center"}, run{text: upper(d.Parent), size: headerPt})
			}
			dw.para(paraProps{align: "center"}, run{text: upper(d.Issuer), bold: true, size: headerPt})
			dw.rule(left, left/3)
		})
		cell(1, func() {
			dw.para(paraProps{align: "center"}, run{text: d.nation(), bold: true, size: headerPt})
			dw.para(paraProps{align: "center"}, run{text: d.motto(), bold: true, size: mottoPt})
			dw.rule(right, mottoRuleMM)
		})
	}, func(cell func(i int, content func())) {
		cell(0, func() { dw.para(paraProps{align: "center", before: 120}, run{text: d.numberLine(), size: mottoPt}) })
		cell(1, func() {
			dw.para(paraProps{align: "center", before: 120}, run{text: d.dateLine(), italic: true, size: bodyPt})
		})
	})
}

// mottoRuleMM is the length of the rule under the motto: as long as the motto line (13 pt
// bold, 56 mm in Vietnamese), as the decree asks.
const mottoRuleMM = 56.0

func (dw *docxWriter) titleBlock() {
	d := dw.doc
	dw.para(paraProps{align: "center", before: 360}, run{text: upper(d.Title), bold: true, size: bodyPt})
	if d.Subtitle != "" {
		dw.para(paraProps{align: "center"}, run{text: clean(d.Subtitle), bold: true, size: bodyPt})
	}
	dw.rule(textWidthMM, textWidthMM/4)
	if s := d.dataAsOfLine(); s != "" {
		dw.para(paraProps{align: "center", after: 240}, run{text: s, italic: true, size: mottoPt})
	}
}

// closing is the recipients on the left and the signature block on the right.
func (dw *docxWriter) closing() {
	d := dw.doc
	left, right := textWidthMM*0.45, textWidthMM*0.55
	dw.b.WriteString(`<w:p><w:pPr><w:spacing w:before="240" w:after="0"/></w:pPr></w:p>`)
	dw.layoutTable([]float64{left, right}, func(cell func(i int, content func())) {
		cell(0, func() {
			if len(d.Recipients) == 0 {
				dw.para(paraProps{})
				return
			}
			dw.para(paraProps{}, run{text: d.recipientsLabel(), bold: true, italic: true, size: recipientsPt})
			for _, r := range d.recipientLines() {
				dw.para(paraProps{}, run{text: r, size: recipientsPt - 1})
			}
		})
		cell(1, func() {
			s := d.Signature
			if s.Authority != "" {
				dw.para(paraProps{align: "center"}, run{text: upper(s.Authority), bold: true, size: bodyPt})
			}
			if s.Title != "" {
				dw.para(paraProps{align: "center"}, run{text: upper(s.Title), bold: true, size: bodyPt})
			}
			for range 4 { // room for the signature and seal
				dw.para(paraProps{align: "center"})
			}
			dw.para(paraProps{align: "center"}, run{text: clean(s.Name), bold: true, size: bodyPt})
		})
	})
}

// layoutTable writes a borderless table of one row per function, columns widths in mm.
func (dw *docxWriter) layoutTable(cols []float64, rows ...func(cell func(i int, content func()))) {
	b := &dw.b
	total := 0.0
	for _, c := range cols {
		total += c
	}
	fmt.Fprintf(b, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/>`+
		`<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>`+
		`<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`, twips(total))
	for _, c := range cols {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, twips(c))
	}
	b.WriteString(`</w:tblGrid>`)
	for _, row := range rows {
		b.WriteString(`<w:tr>`)
		row(func(i int, content func()) {
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, twips(cols[i]))
			content()
			b.WriteString(`</w:tc>`)
		})
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
}

// rule is a centred horizontal line of length mm in a space width mm wide: the bottom border
// of an empty paragraph indented from both sides.
func (dw *docxWriter) rule(width, length float64) {
	side := twips(max(width-length, 0) / 2)
	fmt.Fprintf(&dw.b, `<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>`+
		`<w:spacing w:before="0" w:after="0" w:line="60" w:lineRule="exact"/><w:ind w:left="%d" w:right="%d"/><w:rPr><w:sz w:val="4"/></w:rPr></w:pPr></w:p>`, side, side)
}

// para writes one paragraph of runs; a newline in a run's text is a line break.
func (dw *docxWriter) para(p paraProps, runs ...run) {
	b := &dw.b
	b.WriteString(`<w:p><w:pPr>`)
	if p.keepNext {
		b.WriteString(`<w:keepNext/>`)
	}
	if p.bullet {
		b.WriteString(`<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>`)
	}
	fmt.Fprintf(b, `<w:spacing w:before="%d" w:after="%d"/>`, p.before, p.after)
	if p.firstLine > 0 {
		fmt.Fprintf(b, `<w:ind w:firstLine="%d"/>`, p.firstLine)
	}
	if p.align != "" {
		fmt.Fprintf(b, `<w:jc w:val="%s"/>`, p.align)
	}
	b.WriteString(`</w:pPr>`)
	for _, r := range runs {
		dw.run(r)
	}
	b.WriteString(`</w:p>`)
}

func (dw *docxWriter) run(r run) {
	b := &dw.b
	b.WriteString(`<w:r><w:rPr>`)
	if r.bold {
		b.WriteString(`<w:b/>`)
	}
	if r.italic {
		b.WriteString(`<w:i/>`)
	}
	size := r.size
	if size == 0 {
		size = bodyPt
	}
	fmt.Fprintf(b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr>`, int(size*2), int(size*2))
	for i, line := range strings.Split(r.text, "\n") {
		if i > 0 {
			b.WriteString(`<w:br/>`)
		}
		b.WriteString(`<w:t xml:space="preserve">`)
		xml.EscapeText(b, []byte(line)) //nolint:errcheck // a bytes.Buffer does not fail
		b.WriteString(`</w:t>`)
	}
	b.WriteString(`</w:r>`)
}

// table writes a data table with borders; its header row repeats on every page and rows do
// not split across pages.
func (dw *docxWriter) table(t *Table) {
	if len(t.Columns) == 0 {
		return
	}
	b := &dw.b
	lang := dw.doc.lang()
	if t.Title != "" {
		dw.para(paraProps{align: "left", before: 120, after: 60, keepNext: true}, run{text: clean(t.Title), bold: true, size: bodyPt})
	}
	widths := t.widths()
	cols := make([]int, len(widths))
	for i, f := range widths {
		cols[i] = twips(f * textWidthMM)
	}
	fmt.Fprintf(b, `<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`, twips(textWidthMM))
	for _, c := range cols {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, c)
	}
	b.WriteString(`</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>`)
	for i, c := range t.Columns {
		fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/><w:vAlign w:val="center"/></w:tcPr>`, cols[i])
		dw.para(paraProps{align: "center"}, run{text: clean(c.Header), bold: true, size: t.pt()})
		b.WriteString(`</w:tc>`)
	}
	b.WriteString(`</w:tr>`)
	for _, row := range t.Rows {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		for i := range t.Columns {
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, cols[i])
			var c Cell
			if i < len(row) {
				c = row[i]
			}
			align := "left"
			if c.kind != textCell {
				align = "right"
			}
			dw.para(paraProps{align: align}, run{text: clean(c.Format(lang)), size: t.pt()})
			b.WriteString(`</w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	dw.para(paraProps{after: 60})
}

// image writes a centred inline picture and its caption.
func (dw *docxWriter) image(img *Image) error {
	wmm, hmm, err := imageSize(img)
	if err != nil {
		return err
	}
	dw.images = append(dw.images, img.PNG)
	n := len(dw.images)
	cx, cy := int(wmm*emuPerMM), int(hmm*emuPerMM)
	b := &dw.b
	fmt.Fprintf(b, `<w:p><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/><w:jc w:val="center"/></w:pPr><w:r><w:drawing>`+
		`<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" name="Picture %d"/>`+
		`<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>`+
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>`+
		`<pic:nvPicPr><pic:cNvPr id="%d" name="image%d.png"/><pic:cNvPicPr/></pic:nvPicPr>`+
		`<pic:blipFill><a:blip r:embed="rIdImg%d"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`,
		cx, cy, n, n, n, n, n, cx, cy)
	if img.Caption != "" {
		dw.para(paraProps{align: "center", after: 120}, run{text: clean(img.Caption), italic: true, size: captionPt})
	}
	return nil
}

// imageSize is the picture's size on the page in mm: as wide as asked (the text width at
// most), its aspect kept, and no taller than maxImageMM.
func imageSize(img *Image) (w, h float64, err error) {
	pw, ph, err := pngSize(img.PNG)
	if err != nil {
		return 0, 0, err
	}
	w = textWidthMM
	if img.Width > 0 && img.Width < w {
		w = img.Width
	}
	h = w * float64(ph) / float64(pw)
	if h > maxImageMM {
		w, h = w*maxImageMM/h, maxImageMM
	}
	return w, h, nil
}

// maxImageMM keeps a picture and its caption on one page under the header.
const maxImageMM = 180.0

func (dw *docxWriter) documentRels() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for _, r := range [][2]string{
		{"rIdStyles", "styles"}, {"rIdSettings", "settings"}, {"rIdNumbering", "numbering"},
	} {
		fmt.Fprintf(&b, `<Relationship Id="%s" Type="%s%s" Target="%s.xml"/>`, r[0], relType, r[1], r[1])
	}
	fmt.Fprintf(&b, `<Relationship Id="rIdHeader" Type="%sheader" Target="header1.xml"/>`, relType)
	fmt.Fprintf(&b, `<Relationship Id="rIdHeaderFirst" Type="%sheader" Target="header2.xml"/>`, relType)
	for i := range dw.images {
		fmt.Fprintf(&b, `<Relationship Id="rIdImg%d" Type="%simage" Target="media/image%d.png"/>`, i+1, relType, i+1)
	}
	b.WriteString(`</Relationships>`)
	return b.Bytes()
}

func (dw *docxWriter) core() []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>`)
	xml.EscapeText(&b, []byte(clean(dw.doc.Title+" "+dw.doc.Subtitle))) //nolint:errcheck // a bytes.Buffer does not fail
	b.WriteString(`</dc:title><dc:subject>`)
	xml.EscapeText(&b, []byte(clean(dw.doc.Description))) //nolint:errcheck // a bytes.Buffer does not fail
	b.WriteString(`</dc:subject><dc:language>` + dw.doc.lang() + `</dc:language></cp:coreProperties>`)
	return b.Bytes()
}

const contentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Default Extension="png" ContentType="image/png"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>` +
	`<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
	`<Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const packageRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="` + relType + `officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

// styles sets Times New Roman at the body size with Vietnamese as the language, single
// spacing, and the bordered table style the data tables use.
const styles = xml.Header + `<w:styles ` + mainNS + `>` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="` + fontName + `" w:hAnsi="` + fontName + `" w:eastAsia="` + fontName + `" w:cs="` + fontName + `"/>` +
	`<w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>` +
	`<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:tblPr>` +
	`<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders>` +
	`<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

const settings = xml.Header + `<w:settings ` + mainNS + `><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`

// numbering has the one bullet list: a dash, as Vietnamese documents write lists.
const numbering = xml.Header + `<w:numbering ` + mainNS + `>` +
	`<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>` +
	`<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/><w:lvlJc w:val="left"/>` +
	`<w:pPr><w:ind w:left="851" w:hanging="284"/></w:pPr><w:rPr><w:rFonts w:ascii="` + fontName + `" w:hAnsi="` + fontName + `"/></w:rPr></w:lvl></w:abstractNum>` +
	`<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>`

// pageNumberHeader centres the page number in the top margin; the decree numbers pages from
// the second (the first page uses emptyHeader).
const pageNumberHeader = xml.Header + `<w:hdr ` + mainNS + `><w:p><w:pPr><w:jc w:val="center"/></w:pPr>` +
	`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
	`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>`

const emptyHeader = xml.Header + `<w:hdr ` + mainNS + `><w:p/></w:hdr>`
