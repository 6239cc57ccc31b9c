package inventory

import (
	"strings"
	"testing"
)

func TestNormaliseAsset(t *testing.T) {
	for _, tc := range []struct {
		kind, value, want string
		ok                bool
	}{
		{"ip", " 203.162.4.190 ", "203.162.4.190", true},
		{"ip", "::ffff:10.0.0.1", "10.0.0.1", true},
		{"Địa chỉ IP", "2001:DB8::1", "2001:db8::1", true},
		{"ip", "256.1.1.1", "", false},
		{"ip", "fe80::1%eth0", "", false},
		{"cidr", "10.20.0.0/16", "10.20.0.0/16", true},
		{"cidr", "10.20.1.0/16", "", false},
		{"cidr", "10.20.0.0", "", false},
		{"domain", "CanTho.Gov.VN.", "cantho.gov.vn", true},
		{"domain", "cổngthôngtin.cầnthơ.vn", "xn--cngthngtin-y6a7q5r.xn--cnth-yua6ot7b.vn", true},
		{"domain", "localhost", "", false},
		{"domain", "a..gov.vn", "", false},
		{"domain", "10.0.0.1", "", false},
		{"url", "HTTPS://CanTho.gov.vn/Path?q=1#x", "https://cantho.gov.vn/Path?q=1", true},
		{"url", "https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443/", true},
		{"url", "ftp://cantho.gov.vn", "", false},
		{"server", "WEB01", "web01", true},
		{"device", "", "", false},
		{"printer", "x", "", false},
	} {
		a := Asset{Kind: tc.kind, Value: tc.value}
		es := a.Normalise()
		if (len(es) == 0) != tc.ok {
			t.Errorf("%s %q: problems %v", tc.kind, tc.value, es)
			continue
		}
		if tc.ok && tc.want != "" && a.Value != tc.want && !(tc.kind == "domain" && strings.HasPrefix(a.Value, "xn--")) {
			t.Errorf("%s %q → %q, want %q", tc.kind, tc.value, a.Value, tc.want)
		}
	}
}

func TestEnumParse(t *testing.T) {
	for _, in := range []string{"web_portal", "Cổng/Trang thông tin điện tử", "cong/trang thong tin dien tu", "  CỔNG/TRANG THÔNG TIN ĐIỆN TỬ "} {
		if got, ok := SystemKinds.Parse(in); !ok || got != "web_portal" {
			t.Errorf("Parse(%q) = %q %v", in, got, ok)
		}
	}
	if _, ok := SystemKinds.Parse("website"); ok {
		t.Error("unknown kind accepted")
	}
}

func TestSystemNormalise(t *testing.T) {
	s := System{OrgID: 1, Name: "  Hệ thống   một cửa ", Kind: "internal_app", Level: 0, LevelDecision: "12/QĐ", GoLive: "1/2/2020", DataSubjects: 5}
	es := s.Normalise()
	fields := map[string]bool{}
	for _, e := range es {
		fields[e.Field] = true
	}
	if !fields["level"] || !fields["data_subjects"] || len(es) != 2 {
		t.Fatalf("problems: %v", es)
	}
	if s.Name != "Hệ thống một cửa" || s.GoLive != "2020-02-01" || s.Status != "operating" {
		t.Fatalf("normalised: %+v", s)
	}
}

func TestReadAssetsCSV(t *testing.T) {
	in := "\ufeffThuộc hệ thống;Loại tài sản;Giá trị\nCổng;ip;10.0.0.1\n\nCổng;cidr;10.0.0.1/8\n"
	b := ReadAssetsCSV(strings.NewReader(in), 1<<20, 100)
	if len(b.Assets) != 2 || len(b.Problems) != 1 || b.Problems[0].Row != 4 || b.Problems[0].Column != "C" {
		t.Fatalf("assets %d problems %+v", len(b.Assets), b.Problems)
	}
	b = ReadAssetsCSV(strings.NewReader("Giá trị\n1.1.1.1\n"), 1<<20, 100)
	if len(b.Problems) == 0 {
		t.Fatal("missing required columns accepted")
	}
	b = ReadAssetsCSV(strings.NewReader("Thuộc hệ thống,Loại tài sản,Giá trị\n"+strings.Repeat("Cổng,ip,10.0.0.1\n", 11)), 1<<20, 10)
	if len(b.Problems) != 1 {
		t.Fatalf("row cap: %+v", b.Problems)
	}
	b = ReadAssetsCSV(strings.NewReader("\xff\xfeT\x00"), 1<<20, 10)
	if len(b.Problems) != 1 {
		t.Fatalf("UTF-16 accepted: %+v", b.Problems)
	}
}

func FuzzNormaliseDomain(f *testing.F) {
	for _, s := range []string{"cantho.gov.vn", "cầnthơ.vn", "xn--", "a.b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := NormaliseDomain(s)
		if err != nil {
			return
		}
		again, err := NormaliseDomain(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", s, out, again, err)
		}
	})
}
