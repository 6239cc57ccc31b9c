// Package chart draws the dashboards' and reports' charts on the server, as
// SVG for pages and PNG for documents, from plain data. The charts are meant
// to be read in print and in grey: series take distinct grey levels (and
// lines distinct point shapes), and every bar and point carries its value.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/go-analyze/charts"
)

// Format is the output of a drawing.
type Format string

// The formats: SVG for pages (inline), PNG for documents.
const (
	SVG Format = "svg"
	PNG Format = "png"
)

// Series is one named row of values, one per category.
type Series struct {
	Name   string
	Values []float64
}

// Data is what a chart shows: categories along one axis, one or more series.
type Data struct {
	Title      string
	Categories []string
	Series     []Series
	// Width and Height in pixels; 0 takes 640 × 320.
	Width, Height int
}

// greys are the series fills, dark to light, far enough apart to tell in print.
var greys = []charts.Color{
	{R: 0x20, G: 0x20, B: 0x20, A: 0xff},
	{R: 0x80, G: 0x80, B: 0x80, A: 0xff},
	{R: 0xc0, G: 0xc0, B: 0xc0, A: 0xff},
	{R: 0x50, G: 0x50, B: 0x50, A: 0xff},
	{R: 0xa0, G: 0xa0, B: 0xa0, A: 0xff},
	{R: 0xe0, G: 0xe0, B: 0xe0, A: 0xff},
}

// shapes tell the lines apart where their greys are close.
var shapes = []charts.SymbolShape{charts.SymbolCircle, charts.SymbolSquare, charts.SymbolDiamond, charts.SymbolDot}

var black = charts.Color{R: 0, G: 0, B: 0, A: 0xff}

var theme = charts.MakeTheme(charts.ThemeOption{
	AxisStrokeColor:    black,
	AxisSplitLineColor: charts.Color{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff},
	BackgroundColor:    charts.Color{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
	TextColor:          black,
	SeriesColors:       greys,
})

// ErrShape is returned for data whose series do not have one value per category.
var ErrShape = errors.New("chart: each series needs one value per category")

func (d Data) check() error {
	if len(d.Series) == 0 || len(d.Categories) == 0 {
		return ErrShape
	}
	for _, s := range d.Series {
		if len(s.Values) != len(d.Categories) {
			return ErrShape
		}
	}
	return nil
}

func (d Data) values() [][]float64 {
	out := make([][]float64, len(d.Series))
	for i, s := range d.Series {
		out[i] = s.Values
	}
	return out
}

func (d Data) names() []string {
	out := make([]string, len(d.Series))
	for i, s := range d.Series {
		out[i] = s.Name
	}
	return out
}

func (d Data) painter(f Format) *charts.Painter {
	w, h := d.Width, d.Height
	if w <= 0 {
		w = 640
	}
	if h <= 0 {
		h = 320
	}
	return charts.NewPainter(charts.PainterOptions{OutputFormat: string(f), Width: w, Height: h})
}

// Bar draws one bar per category and series, side by side.
func Bar(d Data, f Format) ([]byte, error) { return bar(d, f, false) }

// StackedBar draws one bar per category, its series stacked.
func StackedBar(d Data, f Format) ([]byte, error) { return bar(d, f, true) }

func bar(d Data, f Format, stacked bool) ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	series := charts.NewSeriesListBar(d.values(), charts.BarSeriesOption{Label: charts.SeriesLabel{Show: charts.Ptr(true), ValueFormatter: whole}})
	for i := range series {
		series[i].Name = d.Series[i].Name
	}
	opt := charts.NewBarChartOptionWithSeries(series)
	opt.Theme = theme
	opt.StackSeries = charts.Ptr(stacked)
	opt.CategoryAxis.Labels = d.Categories
	opt.Title.Text = d.Title
	opt.Legend.SeriesNames = d.names()
	opt.Legend.Symbol = charts.SymbolSquare
	opt.Legend.Offset = charts.OffsetRight
	opt.ValueAxis[0].Min = charts.Ptr(0.0)
	opt.ValueFormatter = whole
	return draw(d.painter(f), f, func(p *charts.Painter) error { return p.BarChart(opt) })
}

// Line draws one line per series across the categories.
func Line(d Data, f Format) ([]byte, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	series := charts.NewSeriesListLine(d.values(), charts.LineSeriesOption{Label: charts.SeriesLabel{Show: charts.Ptr(true), ValueFormatter: whole}})
	for i := range series {
		series[i].Name = d.Series[i].Name
		series[i].Symbol = charts.Symbol{Shape: shapes[i%len(shapes)]}
	}
	opt := charts.NewLineChartOptionWithSeries(series)
	opt.Theme = theme
	opt.XAxis.Labels = d.Categories
	opt.Title.Text = d.Title
	opt.Legend.SeriesNames = d.names()
	opt.Legend.Offset = charts.OffsetRight
	opt.YAxis[0].Min = charts.Ptr(0.0)
	opt.ValueFormatter = whole
	return draw(d.painter(f), f, func(p *charts.Painter) error { return p.LineChart(opt) })
}

// whole writes a value without decimals when it has none, else with one.
func whole(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func draw(p *charts.Painter, f Format, render func(*charts.Painter) error) ([]byte, error) {
	if err := render(p); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	b, err := p.Bytes()
	if err != nil || f != SVG {
		return b, err
	}
	return presentation(b), nil
}

var (
	styleAttr   = regexp.MustCompile(`style="([^"]*)"`)
	declaration = regexp.MustCompile(`^\s*([a-z-]+)\s*:\s*(.*?)\s*$`)
)

// presentation turns the library's style attributes into SVG presentation
// attributes (fill="…"), which the pages' content security policy allows
// where it refuses inline styles.
func presentation(svg []byte) []byte {
	return styleAttr.ReplaceAllFunc(svg, func(m []byte) []byte {
		var out [][]byte
		for _, decl := range bytes.Split(styleAttr.FindSubmatch(m)[1], []byte(";")) {
			kv := declaration.FindSubmatch(decl)
			if kv == nil {
				continue
			}
			out = append(out, fmt.Appendf(nil, `%s="%s"`, kv[1], kv[2]))
		}
		return bytes.Join(out, []byte(" "))
	})
}
