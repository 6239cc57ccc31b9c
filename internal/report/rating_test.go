package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/validation"
)

func TestRate(t *testing.T) {
	for _, c := range []struct {
		open map[finding.Severity]int
		want Rating
	}{
		{nil, RatingPass},
		{map[finding.Severity]int{finding.Info: 40}, RatingPass},
		{map[finding.Severity]int{finding.Low: 1, finding.Info: 3}, RatingLow},
		{map[finding.Severity]int{finding.Medium: 2, finding.Low: 9}, RatingMedium},
		{map[finding.Severity]int{finding.High: 1, finding.Medium: 2}, RatingHigh},
		{map[finding.Severity]int{finding.Critical: 1, finding.High: 5, finding.Low: 1}, RatingCritical},
		{map[finding.Severity]int{finding.Critical: 0, finding.High: 0, finding.Medium: 1}, RatingMedium},
	} {
		if got := Rate(c.open); got != c.want {
			t.Errorf("Rate(%v) = %s, want %s", c.open, got, c.want)
		}
	}
}

func TestByPriority(t *testing.T) {
	v := func(id int64, sev finding.Severity, due string, prio int) finding.View {
		return finding.View{Finding: finding.Finding{ID: id, Severity: sev, DueDate: due, Priority: prio}}
	}
	for _, c := range []struct {
		name string
		in   []finding.View
		want []int64
	}{
		{"severity first", []finding.View{v(1, finding.Low, "2026-01-01", 90), v(2, finding.Critical, "2026-12-01", 10), v(3, finding.Medium, "", 50)}, []int64{2, 3, 1}},
		{"earlier due first", []finding.View{v(1, finding.High, "2026-12-20", 50), v(2, finding.High, "2026-12-05", 50)}, []int64{2, 1}},
		{"no due date last", []finding.View{v(1, finding.High, "", 99), v(2, finding.High, "2026-12-05", 1)}, []int64{2, 1}},
		{"then priority", []finding.View{v(1, finding.High, "2026-12-05", 40), v(2, finding.High, "2026-12-05", 70)}, []int64{2, 1}},
		{"then id", []finding.View{v(5, finding.Info, "", 0), v(4, finding.Info, "", 0)}, []int64{4, 5}},
	} {
		got := slices.Clone(c.in)
		slices.SortFunc(got, byPriority)
		var ids []int64
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		if !slices.Equal(ids, c.want) {
			t.Errorf("%s: %v, want %v", c.name, ids, c.want)
		}
	}
}

func TestGoverningBody(t *testing.T) {
	for _, c := range []struct {
		parent identity.Org
		want   string
	}{
		{identity.Org{}, ""},
		{identity.Org{ID: 1, Name: "Thành phố Cần Thơ", Kind: identity.OrgProvince}, "UBND thành phố Cần Thơ"},
		{identity.Org{ID: 1, Name: "Tỉnh An Giang", Kind: identity.OrgProvince}, "UBND tỉnh An Giang"},
		{identity.Org{ID: 1, Name: "Ủy ban nhân dân thành phố Cần Thơ", Kind: identity.OrgProvince}, "Ủy ban nhân dân thành phố Cần Thơ"},
		{identity.Org{ID: 2, Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment}, "Sở Khoa học và Công nghệ"},
		{identity.Org{ID: 3, Name: "UBND phường Ninh Kiều", Kind: identity.OrgCommune}, "UBND phường Ninh Kiều"},
	} {
		if got := governingBody(c.parent); got != c.want {
			t.Errorf("governingBody(%q) = %q, want %q", c.parent.Name, got, c.want)
		}
	}
}

func TestPlaceName(t *testing.T) {
	for _, c := range []struct{ root, want string }{
		{"Thành phố Cần Thơ", "Cần Thơ"},
		{"thành phố Hà Nội", "Hà Nội"},
		{"Tỉnh An Giang", "An Giang"},
		{"UBND thành phố Cần Thơ", "Cần Thơ"},
		{"Ủy ban nhân dân tỉnh Vĩnh Long", "Vĩnh Long"},
		{"Thành phố", "Thành phố"}, // the name of a fresh install's root, kept as it is
		{"Cần Thơ", "Cần Thơ"},
	} {
		if got := placeName(c.root); got != c.want {
			t.Errorf("placeName(%q) = %q, want %q", c.root, got, c.want)
		}
	}
}

func TestRequestCheck(t *testing.T) {
	for _, c := range []struct {
		req    Request
		fields []string // fields in error; none: valid
	}{
		{Request{Kind: "system", Format: "docx"}, nil},
		{Request{Kind: "system", Format: "pdf"}, nil},
		{Request{Kind: "system", Format: "xlsx"}, nil},
		{Request{Kind: "incident", Format: "docx"}, []string{"kind"}},
		{Request{Kind: "campaign", Format: "pdf"}, nil},
		{Request{Kind: "weekly", Format: "csv"}, []string{"kind", "format"}},
		{Request{Kind: "system", Format: ""}, []string{"format"}},
	} {
		err := c.req.Check()
		if c.fields == nil {
			if err != nil {
				t.Errorf("%+v: %v", c.req, err)
			}
			continue
		}
		es, ok := validation.As(err)
		if !ok {
			t.Fatalf("%+v: %v is not a validation error", c.req, err)
		}
		var got []string
		for _, e := range es {
			got = append(got, e.Field)
		}
		if !slices.Equal(got, c.fields) {
			t.Errorf("%+v: fields %v, want %v", c.req, got, c.fields)
		}
		// The message lists what is supported.
		want := map[string]string{"kind": "system", "format": "docx, pdf, xlsx"}[c.fields[0]]
		if msg := es.Localize(i18n.VI).Error(); !strings.Contains(msg, want) || strings.Contains(msg, "report.err") {
			t.Errorf("%+v: message %q", c.req, msg)
		}
	}
}
