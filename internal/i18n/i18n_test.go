package i18n

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Cần Thơ", "can tho"},
		{"ĐÀ NẴNG", "da nang"},
		{"Sở Thông tin và Truyền thông", "so thong tin va truyen thong"},
		{"  nhiều   khoảng  trắng ", "nhieu khoang trang"},
		{"Nguyễn Thị Ánh Tuyết", "nguyen thi anh tuyet"},
		{"plain ascii", "plain ascii"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	vi, en := map[string]bool{}, map[string]bool{}
	for _, k := range Keys(VI) {
		vi[k] = true
	}
	for _, k := range Keys(EN) {
		en[k] = true
		if !vi[k] {
			t.Errorf("key %q is in the English catalogue but not the Vietnamese one", k)
		}
	}
	for k := range vi {
		if !en[k] {
			t.Errorf("key %q is in the Vietnamese catalogue but not the English one", k)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct{ choice, want string }{
		{"", VI},
		{"en", EN},
		{"fr", VI},
		{"vi", VI},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.choice); got != tt.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tt.choice, got, tt.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	f.Add("Cần Thơ")
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if Fold(once) != once {
			t.Errorf("Fold is not idempotent on %q", s)
		}
	})
}
