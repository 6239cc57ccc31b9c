// Package document is the administrative document that every report is written as, in the
// layout of Decree 30/2020/NĐ-CP (header with the issuing body and the national motto,
// number, place and date, title, body, recipients and signature), and its three writers:
// DOCX (WriteDOCX), PDF (WritePDF) and XLSX (WriteXLSX, the tables only). It reads no
// database: the report kinds build a Document from their data and choose a writer.
package document

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/khien/khien/internal/i18n"
)

// Document is one administrative document. Texts may be in any case and any Unicode
// normalisation: the writers upper-case what the decree writes upper-case and normalise
// everything to NFC.
type Document struct {
	Lang        string    // i18n.VI (default) or i18n.EN: the fixed labels' language
	Parent      string    // the issuing body's governing body ("UBND thành phố Cần Thơ"), may be empty
	Issuer      string    // the issuing body ("Sở Khoa học và Công nghệ")
	Number      string    // after "Số:", e.g. "15/BC-SKHCN" (spaces before the slash leave room to number by hand)
	Place       string    // the place name of the date line ("Cần Thơ")
	Date        time.Time // the date of the document, shown in Vietnam time
	Title       string    // the kind of document ("Báo cáo")
	Subtitle    string    // the summary of its content (trích yếu), may be empty
	DataAsOf    time.Time // when the data shown was read; zero: no statement
	Body        []Block
	Recipients  []string // "Nơi nhận" entries, without the leading dash or trailing semicolon
	Signature   Signature
	Description string // document metadata (DOCX core properties, PDF info): the subject
}

// Signature is the signature block: the authority ("TM. Ủy ban nhân dân", "KT. Giám đốc"),
// the signer's title and name; any may be empty.
type Signature struct {
	Authority string
	Title     string
	Name      string
}

// A Block is one element of the body: *Heading, *Paragraph, *List, *Table or *Image.
type Block interface{ block() }

// Heading is a numbered heading. Level 1 is numbered I, II, …; level 2 1, 2, …; level 3 a, b, …
// (the usual outline of Vietnamese administrative documents), each restarting under its parent.
type Heading struct {
	Level int
	Text  string
}

// Paragraph is body text; a newline starts a new line within it.
type Paragraph struct{ Text string }

// List is a bulleted list.
type List struct{ Items []string }

// Table is a table with one header row, repeated on every page it spans. Widths are relative
// weights of the columns (nil or zero: equal); Rows hold the cells under the header.
type Table struct {
	Title   string // above the table, and the sheet's name in XLSX
	Columns []Column
	Rows    [][]Cell
}

// Column is a table column: its header text and its relative width.
type Column struct {
	Header string
	Width  float64
}

// Image is a PNG picture (a chart) with its caption, as wide as the text unless Width (mm) is
// smaller.
type Image struct {
	PNG     []byte
	Caption string
	Width   float64
}

func (*Heading) block()   {}
func (*Paragraph) block() {}
func (*List) block()      {}
func (*Table) block()     {}
func (*Image) block()     {}

// Cell is one table cell: a text, a number or a date. Numbers and dates stay typed so that
// XLSX keeps them as numbers and dates; DOCX and PDF show them formatted for the language.
type Cell struct {
	kind cellKind
	text string
	num  float64
	date time.Time
}

type cellKind uint8

const (
	textCell cellKind = iota
	numberCell
	dateCell
)

// Text is a text cell.
func Text(s string) Cell { return Cell{kind: textCell, text: s} }

// Number is a numeric cell.
func Number(f float64) Cell { return Cell{kind: numberCell, num: f} }

// Date is a date cell, shown dd/mm/yyyy in Vietnam time.
func Date(t time.Time) Cell { return Cell{kind: dateCell, date: t} }

// Format is the cell as shown in a document in lang.
func (c Cell) Format(lang string) string {
	switch c.kind {
	case numberCell:
		return FormatNumber(c.num, lang)
	case dateCell:
		return c.date.In(i18n.Vietnam).Format("02/01/2006")
	}
	return c.text
}

// FormatNumber writes f with grouped thousands and at most two decimals: 1.234,5 in
// Vietnamese, 1,234.5 in English.
func FormatNumber(f float64, lang string) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	group, point := ".", ","
	if lang == i18n.EN {
		group, point = ",", "."
	}
	s := strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString(point + frac)
	}
	return b.String()
}

// lang is the document's language, Vietnamese unless English is asked for.
func (d *Document) lang() string {
	if d.Lang == i18n.EN {
		return i18n.EN
	}
	return i18n.VI
}

// Labels of the fixed parts, in the document's language.
func (d *Document) nation() string { return i18n.T(d.lang(), "document.nation") }
func (d *Document) motto() string  { return i18n.T(d.lang(), "document.motto") }
func (d *Document) numberLine() string {
	return i18n.T(d.lang(), "document.number", clean(d.Number))
}
func (d *Document) recipientsLabel() string { return i18n.T(d.lang(), "document.recipients") }

// dateLine is the place and date line. The decree writes a day below 10 and the months
// January and February with a leading zero ("ngày 05 tháng 02", "ngày 03 tháng 12").
func (d *Document) dateLine() string {
	t := d.Date.In(i18n.Vietnam)
	day := fmt.Sprintf("%02d", t.Day())
	if d.lang() == i18n.EN {
		return i18n.T(i18n.EN, "document.date", clean(d.Place), day, t.Month().String(), t.Year())
	}
	month := strconv.Itoa(int(t.Month()))
	if t.Month() <= time.February {
		month = "0" + month
	}
	return i18n.T(i18n.VI, "document.date", clean(d.Place), day, month, t.Year())
}

// dataAsOfLine states the time of the data, or is empty when it is not known.
func (d *Document) dataAsOfLine() string {
	if d.DataAsOf.IsZero() {
		return ""
	}
	t := d.DataAsOf.In(i18n.Vietnam)
	return i18n.T(d.lang(), "document.data_as_of", t.Format("15:04"), t.Format("02/01/2006"))
}

// recipientLines are the "Nơi nhận" entries as the decree writes them: "- Name;" and the last
// one ending with a full stop.
func (d *Document) recipientLines() []string {
	lines := make([]string, len(d.Recipients))
	for i, r := range d.Recipients {
		r = strings.TrimRight(clean(r), ";. ")
		end := ";"
		if i == len(d.Recipients)-1 {
			end = "."
		}
		lines[i] = "- " + r + end
	}
	return lines
}

// Frame is the header and closing of a document as the writers print them: capitals where
// the decree writes capitals, the fixed labels in the document's language, the number, the
// place and date line and the recipients with their dashes and punctuation. A page shows it
// as a preview of the documents an organisation issues.
type Frame struct {
	Parent, Issuer  string // in capitals; Parent may be empty
	Nation, Motto   string
	Number          string // "Số:       /BC-SKHCN"
	DateLine        string
	RecipientsLabel string
	Recipients      []string // "- UBND thành phố Cần Thơ;" … "- Lưu: VT."
	Authority       string   // in capitals, may be empty
	Title           string   // in capitals, may be empty
	Signer          string
}

// Frame is d's header and closing as printed.
func (d *Document) Frame() Frame {
	return Frame{Parent: upper(d.Parent), Issuer: upper(d.Issuer), Nation: d.nation(), Motto: d.motto(), Number: d.numberLine(),
		DateLine: d.dateLine(), RecipientsLabel: d.recipientsLabel(), Recipients: d.recipientLines(),
		Authority: upper(d.Signature.Authority), Title: upper(d.Signature.Title), Signer: clean(d.Signature.Name)}
}

// upper is s in upper case, for the parts the decree writes in capitals.
func upper(s string) string { return strings.ToUpper(clean(s)) }

// numberer gives headings their numbers, restarting each level under its parent.
type numberer struct{ counts [3]int }

// next returns the label of a heading at level (clamped to 1–3): "I.", "1.", "a)".
func (n *numberer) next(level int) string {
	level = min(max(level, 1), 3)
	n.counts[level-1]++
	for i := level; i < len(n.counts); i++ {
		n.counts[i] = 0
	}
	c := n.counts[level-1]
	switch level {
	case 1:
		return roman(c) + "."
	case 2:
		return strconv.Itoa(c) + "."
	}
	return letter(c) + ")"
}

func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// letter numbers level-3 headings with the Vietnamese alphabet's letters, as documents do
// (a, b, c, d, đ, e, …), and by number past its end.
func letter(n int) string {
	letters := []string{"a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "x", "y"}
	if n >= 1 && n <= len(letters) {
		return letters[n-1]
	}
	return strconv.Itoa(n)
}

// clean makes any input text safe for every writer: valid UTF-8, NFC (so that PDF glyphs and
// text search match), no control characters but newlines (tabs become spaces, CR LF a
// newline), and none of the code points XML 1.0 forbids.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = norm.NFC.String(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r), r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return -1
		}
		return r
	}, s)
}

// isClean is the fast path of clean: plain printable ASCII, or valid NFC text with no
// control characters.
func isClean(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		} else if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if ascii {
		return true
	}
	if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}

// pngSize is the pixel size of a PNG, or an error if it is not one.
func pngSize(data []byte) (w, h int, err error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, fmt.Errorf("document: image is not a PNG: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, fmt.Errorf("document: image has no pixels")
	}
	return cfg.Width, cfg.Height, nil
}

// widths are the table's column widths as fractions of the table width.
func (t *Table) widths() []float64 {
	n := len(t.Columns)
	out := make([]float64, n)
	total := 0.0
	for _, c := range t.Columns {
		if c.Width > 0 && !math.IsInf(c.Width, 0) {
			total += c.Width
		}
	}
	for i, c := range t.Columns {
		if total == 0 || c.Width <= 0 || math.IsInf(c.Width, 0) {
			out[i] = 1 / float64(n)
			if total > 0 {
				out[i] = 0.5 / float64(n) // an unweighted column among weighted ones stays narrow
			}
			continue
		}
		out[i] = c.Width / total
	}
	sum := 0.0
	for _, f := range out {
		sum += f
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// Page geometry shared by the DOCX and PDF writers: A4 with margins inside the decree's ranges
// (top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm).
const (
	pageWidthMM    = 210.0
	pageHeightMM   = 297.0
	marginTopMM    = 20.0
	marginBottomMM = 20.0
	marginLeftMM   = 30.0
	marginRightMM  = 15.0
	textWidthMM    = pageWidthMM - marginLeftMM - marginRightMM

	// headerLeftShare is the issuing body's share of the header's width; the national name
	// takes the rest.
	headerLeftShare = 0.42
)

// Font sizes (points), within the decree's ranges: 14 pt for the body, 12 pt for the issuing
// body and the national name (12–13 pt; at 12 pt "SỞ KHOA HỌC VÀ CÔNG NGHỆ" fits on one line),
// 13 pt for the motto and the number, 12 pt for the recipients, and 12 pt inside tables so
// that wide tables fit; 10 pt inside a table of more than wideTable columns, as an annex's
// list is set, so that a date or a word still fits its column on A4 portrait.
const (
	bodyPt       = 14.0
	headerPt     = 12.0
	mottoPt      = 13.0
	recipientsPt = 12.0
	tablePt      = 12.0
	wideTablePt  = 10.0
	captionPt    = 12.0
	wideTable    = 8
)

// pt is the size of the table's text.
func (t *Table) pt() float64 {
	if len(t.Columns) > wideTable {
		return wideTablePt
	}
	return tablePt
}
