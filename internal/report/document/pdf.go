package document

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-fonts/liberation/liberationserifbold"
	"github.com/go-fonts/liberation/liberationserifbolditalic"
	"github.com/go-fonts/liberation/liberationserifitalic"
	"github.com/go-fonts/liberation/liberationserifregular"
	"github.com/signintech/gopdf"
)

// The PDF writer lays the document out itself over gopdf: the same layout as the DOCX, in
// Liberation Serif (metric-compatible with Times New Roman, so lines break where Word breaks
// them), embedded as subsets in its four styles. Lengths are in points.

const (
	ptPerMM   = 72 / 25.4
	serif     = "serif"
	lineRatio = 1.2 // line height per point of font size: single spacing
)

// WritePDF writes d as a PDF.
func WritePDF(w io.Writer, d *Document) error {
	pw, err := newPDFWriter(d)
	if err != nil {
		return err
	}
	if err := pw.write(); err != nil {
		return err
	}
	_, err = pw.gp.WriteTo(w)
	return err
}

type pdfWriter struct {
	doc  *Document
	gp   *gopdf.GoPdf
	y    float64 // the cursor: top of the next line
	page int
}

// font is one style and size of the serif face.
type font struct {
	style int // gopdf.Regular, Bold, Italic or Bold|Italic
	size  float64
}

var (
	regular = font{gopdf.Regular, bodyPt}
	bold    = font{gopdf.Bold, bodyPt}
	italic  = font{gopdf.Italic, bodyPt}
)

func (f font) sized(pt float64) font { return font{f.style, pt} }

func newPDFWriter(d *Document) (*pdfWriter, error) {
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{Unit: gopdf.UnitPT, PageSize: *gopdf.PageSizeA4})
	for _, f := range []struct {
		style int
		ttf   []byte
	}{
		{gopdf.Regular, liberationserifregular.TTF},
		{gopdf.Bold, liberationserifbold.TTF},
		{gopdf.Italic, liberationserifitalic.TTF},
		{gopdf.Bold | gopdf.Italic, liberationserifbolditalic.TTF},
	} {
		// A character the font lacks becomes "?" rather than gopdf's silent space.
		opt := gopdf.TtfOption{Style: f.style, OnGlyphNotFoundSubstitute: func(rune) rune { return '?' }}
		if err := gp.AddTTFFontDataWithOption(serif, f.ttf, opt); err != nil {
			return nil, fmt.Errorf("document: font: %w", err)
		}
	}
	gp.SetInfo(gopdf.PdfInfo{Title: clean(d.Title + " " + d.Subtitle), Subject: clean(d.Description), Creator: "Khiên", CreationDate: d.Date})
	return &pdfWriter{doc: d, gp: gp}, nil
}

// Page geometry in points.
var (
	pageTop    = marginTopMM * ptPerMM
	pageBottom = (pageHeightMM - marginBottomMM) * ptPerMM
	textLeft   = marginLeftMM * ptPerMM
	textWidth  = textWidthMM * ptPerMM
)

func (pw *pdfWriter) write() error {
	d := pw.doc
	if err := pw.newPage(); err != nil {
		return err
	}
	if err := pw.header(); err != nil {
		return err
	}
	if err := pw.titleBlock(); err != nil {
		return err
	}
	var num numberer
	for _, bl := range d.Body {
		var err error
		switch bl := bl.(type) {
		case *Heading:
			pw.y += 6
			err = pw.paragraph(num.next(bl.Level)+" "+clean(bl.Text), block{f: bold, keep: 2})
			pw.y += 6
		case *Paragraph:
			err = pw.paragraph(clean(bl.Text), block{f: regular, first: 10 * ptPerMM, keep: 1, justify: true})
			pw.y += 6
		case *List:
			err = pw.list(bl)
		case *Table:
			err = pw.table(bl)
		case *Image:
			err = pw.image(bl)
		}
		if err != nil {
			return err
		}
	}
	return pw.closing()
}

// newPage starts a page; from the second on, the page number is centred in the top margin.
func (pw *pdfWriter) newPage() error {
	pw.gp.AddPage()
	pw.page++
	pw.y = pageTop
	if pw.page == 1 {
		return nil
	}
	return pw.centred(strconv.Itoa(pw.page), regular.sized(mottoPt), textLeft, textWidth, 10*ptPerMM)
}

// ensure starts a new page unless h points fit above the bottom margin.
func (pw *pdfWriter) ensure(h float64) error {
	if pw.y+h <= pageBottom || pw.y == pageTop {
		return nil
	}
	return pw.newPage()
}

func (pw *pdfWriter) setFont(f font) error {
	return pw.gp.SetFontWithStyle(serif, f.style, f.size)
}

func (pw *pdfWriter) width(s string) (float64, error) { return pw.gp.MeasureTextWidth(s) }

// text draws s with its top at (x, y).
func (pw *pdfWriter) text(s string, x, y float64) error {
	if s == "" {
		return nil
	}
	pw.gp.SetXY(x, y)
	return pw.gp.Cell(nil, s)
}

// centred draws one line centred in the column [x, x+w] at y.
func (pw *pdfWriter) centred(s string, f font, x, w, y float64) error {
	if err := pw.setFont(f); err != nil {
		return err
	}
	tw, err := pw.width(s)
	if err != nil {
		return err
	}
	return pw.text(s, x+max(w-tw, 0)/2, y)
}

// wrap breaks text into lines no wider than width in font f, the first line narrower by
// first; newlines break too, and a word longer than a line is cut between characters.
func (pw *pdfWriter) wrap(text string, f font, width, first float64) ([]string, error) {
	if err := pw.setFont(f); err != nil {
		return nil, err
	}
	var lines []string
	avail := func() float64 {
		if len(lines) == 0 {
			return width - first
		}
		return width
	}
	for _, para := range strings.Split(text, "\n") {
		words := strings.Fields(para)
		// Most table cells fit on one line: one measurement instead of one per word.
		if whole := strings.Join(words, " "); len(words) > 1 {
			w, err := pw.width(whole)
			if err != nil {
				return nil, err
			}
			if w <= avail() {
				lines = append(lines, whole)
				continue
			}
		}
		line := ""
		for _, word := range words {
			cand := word
			if line != "" {
				cand = line + " " + word
			}
			w, err := pw.width(cand)
			if err != nil {
				return nil, err
			}
			if w <= avail() {
				line = cand
				continue
			}
			if line != "" {
				lines = append(lines, line)
				line = ""
			}
			// The word alone: cut it while it is too long.
			for {
				w, err := pw.width(word)
				if err != nil {
					return nil, err
				}
				if w <= avail() {
					line = word
					break
				}
				cut, err := pw.fit(word, avail())
				if err != nil {
					return nil, err
				}
				lines = append(lines, word[:cut])
				word = word[cut:]
			}
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// fit is the byte length of the longest prefix of word (one character at least) no wider
// than width.
func (pw *pdfWriter) fit(word string, width float64) (int, error) {
	_, size := utf8.DecodeRuneInString(word)
	best := size
	for i := range word {
		if i == 0 {
			continue
		}
		w, err := pw.width(word[:i])
		if err != nil {
			return 0, err
		}
		if w > width {
			break
		}
		best = i
	}
	return best, nil
}

// block is how a paragraph is set: its font, first-line indent and indent from the left
// margin, how many lines must stay on the page of its first (2 keeps a heading with the next
// line), and whether lines are justified (all but each paragraph's last, as in the DOCX).
type block struct {
	f             font
	first, indent float64
	keep          int
	justify       bool
}

// paragraph draws text wrapped over the text width, breaking pages between lines.
func (pw *pdfWriter) paragraph(text string, b block) error {
	lh := b.f.size * lineRatio
	if err := pw.ensure(float64(b.keep) * lh); err != nil {
		return err
	}
	for p, para := range strings.Split(text, "\n") {
		first := b.first
		if p > 0 {
			first = 0
		}
		lines, err := pw.wrap(para, b.f, textWidth-b.indent, first)
		if err != nil {
			return err
		}
		for i, line := range lines {
			if err := pw.ensure(lh); err != nil {
				return err
			}
			if err := pw.setFont(b.f); err != nil { // a new page drew its number in another size
				return err
			}
			x, width := textLeft+b.indent, textWidth-b.indent
			if i == 0 {
				x, width = x+first, width-first
			}
			if b.justify && i < len(lines)-1 {
				err = pw.justified(line, x, width)
			} else {
				err = pw.text(line, x, pw.y)
			}
			if err != nil {
				return err
			}
			pw.y += lh
		}
	}
	return nil
}

// justified draws a line's words spread to fill width.
func (pw *pdfWriter) justified(line string, x, width float64) error {
	words := strings.Fields(line)
	if len(words) < 2 {
		return pw.text(line, x, pw.y)
	}
	widths := make([]float64, len(words))
	total := 0.0
	for i, w := range words {
		tw, err := pw.width(w)
		if err != nil {
			return err
		}
		widths[i], total = tw, total+tw
	}
	gap := (width - total) / float64(len(words)-1)
	for i, w := range words {
		if err := pw.text(w, x, pw.y); err != nil {
			return err
		}
		x += widths[i] + gap
	}
	return nil
}

// column is a block of centred lines in the column [x, x+w]; it returns the height used.
type columnLine struct {
	text string
	f    font
	rule float64 // a centred rule under the line this long; negative: as long as the line
}

func (pw *pdfWriter) column(lines []columnLine, x, w, y float64) (float64, error) {
	top := y
	for _, l := range lines {
		wrapped, err := pw.wrap(l.text, l.f, w, 0)
		if err != nil {
			return 0, err
		}
		lh := l.f.size * lineRatio
		for _, s := range wrapped {
			if err := pw.centred(s, l.f, x, w, y); err != nil {
				return 0, err
			}
			y += lh
		}
		if l.rule != 0 {
			length := l.rule
			if length < 0 {
				if length, err = pw.width(wrapped[len(wrapped)-1]); err != nil {
					return 0, err
				}
			}
			pw.gp.SetLineWidth(0.6)
			pw.gp.Line(x+(w-length)/2, y+2, x+(w+length)/2, y+2)
			y += 8
		}
	}
	return y - top, nil
}

// header draws the issuing body and the national name and motto side by side, then the
// number and the place and date.
func (pw *pdfWriter) header() error {
	d := pw.doc
	lw, rw := textWidth*headerLeftShare, textWidth*(1-headerLeftShare)
	var left []columnLine
	if d.Parent != "" {
		left = append(left, columnLine{text: upper(d.Parent), f: regular.sized(headerPt)})
	}
	left = append(left, columnLine{text: upper(d.Issuer), f: bold.sized(headerPt), rule: lw / 3})
	right := []columnLine{
		{text: d.nation(), f: bold.sized(headerPt)},
		{text: d.motto(), f: bold.sized(mottoPt), rule: -1},
	}
	hl, err := pw.column(left, textLeft, lw, pw.y)
	if err != nil {
		return err
	}
	hr, err := pw.column(right, textLeft+lw, rw, pw.y)
	if err != nil {
		return err
	}
	pw.y += max(hl, hr) + 6
	hl, err = pw.column([]columnLine{{text: d.numberLine(), f: regular.sized(mottoPt)}}, textLeft, lw, pw.y)
	if err != nil {
		return err
	}
	hr, err = pw.column([]columnLine{{text: d.dateLine(), f: italic}}, textLeft+lw, rw, pw.y)
	if err != nil {
		return err
	}
	pw.y += max(hl, hr) + 18
	return nil
}

func (pw *pdfWriter) titleBlock() error {
	d := pw.doc
	lines := []columnLine{{text: upper(d.Title), f: bold}}
	if d.Subtitle != "" {
		lines = append(lines, columnLine{text: clean(d.Subtitle), f: bold})
	}
	lines[len(lines)-1].rule = textWidth / 4
	if s := d.dataAsOfLine(); s != "" {
		lines = append(lines, columnLine{text: s, f: italic.sized(mottoPt)})
	}
	h, err := pw.column(lines, textLeft, textWidth, pw.y)
	pw.y += h + 12
	return err
}

func (pw *pdfWriter) list(l *List) error {
	for _, it := range l.Items {
		lh := bodyPt * lineRatio
		if err := pw.ensure(lh); err != nil {
			return err
		}
		if err := pw.setFont(regular); err != nil {
			return err
		}
		if err := pw.text("-", textLeft+10*ptPerMM, pw.y); err != nil {
			return err
		}
		if err := pw.paragraph(clean(it), block{f: regular, indent: 15 * ptPerMM, keep: 1, justify: true}); err != nil {
			return err
		}
		pw.y += 3
	}
	return nil
}

// Table cell geometry in points.
const (
	cellPadX = 4.0
	cellPadY = 3.0
)

// table draws a bordered table; a row that does not fit starts a new page, where the header
// row is drawn again.
func (pw *pdfWriter) table(t *Table) error {
	if len(t.Columns) == 0 {
		return nil
	}
	lang := pw.doc.lang()
	fr := t.widths()
	cols := make([]float64, len(fr))
	for i, f := range fr {
		cols[i] = f * textWidth
	}
	headers := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		headers[i] = clean(c.Header)
	}
	headerRow, err := pw.layoutRow(headers, nil, cols, bold.sized(t.pt()))
	if err != nil {
		return err
	}
	first := headerRow.height
	if len(t.Rows) > 0 {
		first += t.pt()*lineRatio + 2*cellPadY
	}
	if t.Title != "" {
		if err := pw.ensure(bodyPt*lineRatio + first); err != nil {
			return err
		}
		if err := pw.paragraph(clean(t.Title), block{f: bold, keep: 1}); err != nil {
			return err
		}
		pw.y += 3
	}
	if err := pw.ensure(first); err != nil {
		return err
	}
	if err := pw.drawRow(headerRow, cols, true); err != nil {
		return err
	}
	texts := make([]string, len(t.Columns))
	right := make([]bool, len(t.Columns))
	for _, row := range t.Rows {
		for i := range t.Columns {
			var c Cell
			if i < len(row) {
				c = row[i]
			}
			texts[i], right[i] = clean(c.Format(lang)), c.kind != textCell
		}
		r, err := pw.layoutRow(texts, right, cols, regular.sized(t.pt()))
		if err != nil {
			return err
		}
		if err := pw.placeRow(r, headerRow, cols); err != nil {
			return err
		}
	}
	pw.y += 9
	return nil
}

// placeRow draws a row where it fits: here, or on a new page under the header row again. A
// row taller than a page is split between its lines over as many pages as it needs.
func (pw *pdfWriter) placeRow(r, header tableRow, cols []float64) error {
	fresh := false // the page holds only the header row
	for pw.y+r.height > pageBottom {
		room := int((pageBottom - pw.y - 2*cellPadY) / (r.f.size * lineRatio))
		if fresh && room < 1 { // a header row as tall as the page: let the row run over
			break
		}
		// Split a row taller than a page, or one that still does not fit on a fresh page
		// (rounding): either way every turn draws at least a line.
		if room >= 1 && (fresh || r.height > pageBottom-pageTop-header.height) {
			head, rest := r.split(room)
			if err := pw.drawRow(head, cols, false); err != nil {
				return err
			}
			r = rest
		}
		if err := pw.newPage(); err != nil {
			return err
		}
		if err := pw.drawRow(header, cols, true); err != nil {
			return err
		}
		fresh = true
	}
	return pw.drawRow(r, cols, false)
}

// split cuts a row after its first n lines.
func (r tableRow) split(n int) (head, rest tableRow) {
	head, rest = r, r
	head.cells, rest.cells = make([][]string, len(r.cells)), make([][]string, len(r.cells))
	most := 0
	for i, lines := range r.cells {
		k := min(n, len(lines))
		head.cells[i], rest.cells[i] = lines[:k], lines[k:]
		most = max(most, len(lines)-k)
	}
	lh := r.f.size * lineRatio
	head.height = float64(n)*lh + 2*cellPadY
	rest.height = float64(most)*lh + 2*cellPadY
	return head, rest
}

// tableRow is a row wrapped into its columns.
type tableRow struct {
	cells  [][]string
	right  []bool
	f      font
	height float64
}

func (pw *pdfWriter) layoutRow(texts []string, right []bool, cols []float64, f font) (tableRow, error) {
	r := tableRow{cells: make([][]string, len(texts)), right: right, f: f}
	most := 1
	for i, s := range texts {
		lines, err := pw.wrap(s, f, cols[i]-2*cellPadX, 0)
		if err != nil {
			return r, err
		}
		r.cells[i] = lines
		most = max(most, len(lines))
	}
	r.height = float64(most)*f.size*lineRatio + 2*cellPadY
	return r, nil
}

// drawRow draws a row at the cursor: the header row on grey, centred; numbers and dates
// right-aligned.
func (pw *pdfWriter) drawRow(r tableRow, cols []float64, header bool) error {
	x := textLeft
	pw.gp.SetLineWidth(0.5)
	for i, w := range cols {
		if header {
			pw.gp.SetFillColor(217, 217, 217)
			pw.gp.RectFromUpperLeftWithStyle(x, pw.y, w, r.height, "FD")
		} else {
			pw.gp.RectFromUpperLeftWithStyle(x, pw.y, w, r.height, "D")
		}
		pw.gp.SetFillColor(0, 0, 0) // text is painted with the fill colour
		if err := pw.setFont(r.f); err != nil {
			return err
		}
		y := pw.y + cellPadY
		for _, line := range r.cells[i] {
			lx := x + cellPadX
			if header || (r.right != nil && r.right[i]) {
				tw, err := pw.width(line)
				if err != nil {
					return err
				}
				if header {
					lx = x + max(w-tw, 0)/2
				} else {
					lx = x + w - cellPadX - tw
				}
			}
			if err := pw.text(line, lx, y); err != nil {
				return err
			}
			y += r.f.size * lineRatio
		}
		x += w
	}
	pw.y += r.height
	return nil
}

func (pw *pdfWriter) image(img *Image) error {
	wmm, hmm, err := imageSize(img)
	if err != nil {
		return err
	}
	w, h := wmm*ptPerMM, hmm*ptPerMM
	holder, err := gopdf.ImageHolderByBytes(img.PNG)
	if err != nil {
		return fmt.Errorf("document: image: %w", err)
	}
	if err := pw.ensure(h + 6 + captionPt*lineRatio); err != nil {
		return err
	}
	pw.y += 6
	if err := pw.gp.ImageByHolder(holder, textLeft+(textWidth-w)/2, pw.y, &gopdf.Rect{W: w, H: h}); err != nil {
		return fmt.Errorf("document: image: %w", err)
	}
	pw.y += h + 3
	if img.Caption != "" {
		lines, err := pw.wrap(clean(img.Caption), italic.sized(captionPt), textWidth, 0)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if err := pw.ensure(captionPt * lineRatio); err != nil {
				return err
			}
			if err := pw.centred(l, italic.sized(captionPt), textLeft, textWidth, pw.y); err != nil {
				return err
			}
			pw.y += captionPt * lineRatio
		}
	}
	pw.y += 6
	return nil
}

// closing draws the recipients (left) and the signature block (right), together on one page.
func (pw *pdfWriter) closing() error {
	d := pw.doc
	lw, rw := textWidth*0.45, textWidth*0.55
	var left []string
	if len(d.Recipients) > 0 {
		left = append([]string{d.recipientsLabel()}, d.recipientLines()...)
	}
	s := d.Signature
	var right []columnLine
	for _, t := range []string{s.Authority, s.Title} {
		if t != "" {
			right = append(right, columnLine{text: upper(t), f: bold})
		}
	}
	right = append(right, columnLine{text: "\n\n\n", f: regular}, columnLine{text: clean(s.Name), f: bold})

	// Measure both sides first so that the block does not split.
	leftLines := make([][]string, len(left))
	lh := recipientsPt * lineRatio
	hl := 0.0
	for i, l := range left {
		f := regular.sized(recipientsPt - 1)
		if i == 0 {
			f = font{gopdf.Bold | gopdf.Italic, recipientsPt}
		}
		lines, err := pw.wrap(l, f, lw, 0)
		if err != nil {
			return err
		}
		leftLines[i] = lines
		hl += float64(len(lines)) * lh
	}
	hr := 0.0
	for _, l := range right {
		lines, err := pw.wrap(l.text, l.f, rw, 0)
		if err != nil {
			return err
		}
		hr += float64(len(lines)) * l.f.size * lineRatio
	}
	pw.y += 12
	if err := pw.ensure(max(hl, hr)); err != nil {
		return err
	}
	top := pw.y
	if _, err := pw.column(right, textLeft+lw, rw, top); err != nil {
		return err
	}
	y := top
	for i, lines := range leftLines {
		f := regular.sized(recipientsPt - 1)
		if i == 0 {
			f = font{gopdf.Bold | gopdf.Italic, recipientsPt}
		}
		for _, l := range lines {
			if y+lh > pageBottom { // more recipients than a page holds
				if err := pw.newPage(); err != nil {
					return err
				}
				y = pw.y
			}
			if err := pw.setFont(f); err != nil {
				return err
			}
			if err := pw.text(l, textLeft, y); err != nil {
				return err
			}
			y += lh
		}
	}
	pw.y = max(y, top+hr)
	return nil
}
