package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOrgCommands runs the org commands in order on one database: each
// step's exit code and the lines its output must (and must not) hold.
func TestOrgCommands(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bad := write("bad.csv", "Mã đơn vị,Tên đơn vị,Loại,Mã đơn vị cấp trên\nX-A,Xã A,commune,P-B\nP-B,Phường B,commune,X-A\nY,Đơn vị Y,unit,NOWHERE\n")
	good := write("good.csv", "Mã đơn vị;Tên đơn vị;Loại;Mã đơn vị cấp trên;Đã lưu trữ\nX-A;Xã A;Xã, phường;P-B;\nP-B;Phường B;commune;SKHCN;\nH-CU;Huyện cũ;district;ROOT;Có\n")
	steps := []struct {
		args     []string
		code     int
		want     []string
		wantNot  []string
		describe string
	}{
		{[]string{"org", "create", "--code", "SKHCN", "--name", "Sở Khoa học và Công nghệ", "--kind", "department"}, 0,
			[]string{"đã tạo đơn vị SKHCN — Sở Khoa học và Công nghệ (thuộc ROOT)"}, nil, "create"},
		{[]string{"org", "create", "--code", "SKHCN", "--name", "Sở khác", "--lang", "en"}, 2,
			[]string{"code: code already in use: SKHCN"}, nil, "a used code, in English"},
		{[]string{"org", "create", "--code", "A", "--name", "A", "--kind", "tỉnh lỵ"}, 2, []string{"loại đơn vị không hợp lệ"}, nil, "a bad kind"},
		{[]string{"org", "import", "--lang", "en", bad}, 1, []string{
			"row 2, column D (Mã đơn vị cấp trên): parent P-B makes a cycle",
			"row 3, column D (Mã đơn vị cấp trên): parent X-A makes a cycle",
			"row 4, column D (Mã đơn vị cấp trên): no organisation with code NOWHERE",
			"3 problems, nothing imported"}, nil, "problems by row and column"},
		{[]string{"org", "import", "--dry-run", good}, 0, []string{
			"+ dòng 2: X-A — Xã A (thuộc P-B)", "+ dòng 4: H-CU — Huyện cũ (thuộc ROOT)", "3 tạo mới", "chạy thử: chưa ghi gì"}, nil, "dry run"},
		{[]string{"org", "list"}, 0, []string{"SKHCN", "2 đơn vị"}, []string{"X-A"}, "the dry run wrote nothing"},
		{[]string{"org", "import", good}, 0, []string{"3 tạo mới", "đã nhập"}, nil, "import"},
		{[]string{"org", "import", good}, 0, []string{"0 tạo mới, 0 thay đổi, 3 không đổi"}, nil, "again: nothing changes"},
		{[]string{"org", "list", "--lang", "en"}, 0, []string{"Code", "X-A", "Commune or ward", "P-B", "4 organisations"}, []string{"H-CU"}, "list"},
		{[]string{"org", "list", "--archived", "--search", "huyen cu"}, 0, []string{"H-CU", "Quận, huyện", "ROOT", "Đã lưu trữ", "1 đơn vị"}, nil, "archived, searched"},
	}
	for _, s := range steps {
		code, out := run(append(s.args, "--data", data)...)
		if code != s.code {
			t.Fatalf("%s: exit %d, want %d:\n%s", s.describe, code, s.code, out)
		}
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", s.describe, w, out)
			}
		}
		for _, w := range s.wantNot {
			if strings.Contains(out, w) {
				t.Errorf("%s: output has %q:\n%s", s.describe, w, out)
			}
		}
	}
}
