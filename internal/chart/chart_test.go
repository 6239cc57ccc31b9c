package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

var sample = Data{
	Title:      "Lỗ hổng <theo> mức độ & trạng thái",
	Categories: []string{"Nghiêm trọng", "Cao", "Trung bình"},
	Series:     []Series{{"Đang mở", []float64{3, 5, 9}}, {"Đã xử lý", []float64{1, 2, 3.5}}},
}

func TestDraw(t *testing.T) {
	draws := map[string]func(Data, Format) ([]byte, error){"bar": Bar, "stacked": StackedBar, "line": Line}
	for name, draw := range draws {
		t.Run(name+"/svg", func(t *testing.T) {
			b, err := draw(sample, SVG)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("style=")) {
				t.Error("SVG has style attributes, which the pages' CSP refuses")
			}
			wellFormed(t, b)
			for _, want := range []string{"Đang mở", "Nghiêm trọng", ">9<", ">3.5<", "&lt;theo&gt;"} {
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("SVG lacks %q", want)
				}
			}
		})
		t.Run(name+"/png", func(t *testing.T) {
			b, err := draw(sample, PNG)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
				t.Error("not a PNG")
			}
		})
	}
}

func TestShape(t *testing.T) {
	for name, d := range map[string]Data{
		"no series":     {Categories: []string{"a"}},
		"no categories": {Series: []Series{{"a", nil}}},
		"short series":  {Categories: []string{"a", "b"}, Series: []Series{{"a", []float64{1}}}},
	} {
		if _, err := Bar(d, SVG); !errors.Is(err, ErrShape) {
			t.Errorf("%s: %v, want ErrShape", name, err)
		}
	}
}

func TestWhole(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 12: "12", 2.25: "2.2", 3.5: "3.5"} {
		if got := whole(v); got != want {
			t.Errorf("whole(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestPresentation(t *testing.T) {
	got := string(presentation([]byte(`<text style="stroke:none; fill:black;font-family:'Roboto',sans-serif;">x</text>`)))
	want := `<text stroke="none" fill="black" font-family="'Roboto',sans-serif">x</text>`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v\n%s", err, strings.SplitN(string(b), "\n", 2)[0])
		}
	}
}
