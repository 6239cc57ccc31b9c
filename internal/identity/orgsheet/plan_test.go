package orgsheet

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
)

// stored is a small tree: ROOT → SKHCN → TTCNTT, ROOT → OLD (archived).
func stored() []identity.Org {
	archived := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	return []identity.Org{
		{ID: 1, Code: "ROOT", Name: "Thành phố Cần Thơ", Kind: identity.OrgProvince, Path: "/1/"},
		{ID: 2, ParentID: 1, Code: "SKHCN", Name: "Sở Khoa học và Công nghệ", Kind: identity.OrgDepartment, Path: "/1/2/"},
		{ID: 3, ParentID: 2, Code: "TTCNTT", Name: "Trung tâm Công nghệ thông tin", Kind: identity.OrgUnit, Path: "/1/2/3/"},
		{ID: 4, ParentID: 1, Code: "OLD", Name: "Sở cũ", Kind: identity.OrgDepartment, Path: "/1/4/", ArchivedAt: &archived},
	}
}

// file builds a File from rows "code|name|kind|parent|archived" on lines 2, 3, …
func file(rows ...string) *File {
	f := &File{cols: map[string]int{"code": 0, "name": 1, "kind": 2, "parent_code": 3, "archived": 4}}
	for i, r := range rows {
		f.addRow(i+2, strings.Split(r, "|"))
	}
	return f
}

func TestPlanImport(t *testing.T) {
	same := []string{
		"ROOT|Thành phố Cần Thơ|province||",
		"SKHCN|Sở Khoa học và Công nghệ|department|ROOT|",
		"TTCNTT|Trung tâm Công nghệ thông tin|unit|SKHCN|",
		"OLD|Sở cũ|department|ROOT|Có",
	}
	tests := []struct {
		name     string
		rows     []string
		problems []string // "line column key", in order
		counts   importing.Counts
		changes  []string // "code field old→new"
		created  []string
	}{
		{name: "the stored tree changes nothing", rows: same, counts: importing.Counts{Unchanged: 4}},
		{name: "children before parents, codes in any case", rows: []string{
			"X-A|Xã A|commune|p-b|", "P-B|Phường B|Xã, phường|skhcn|", "SKHCN|Sở Khoa học và Công nghệ|department|root|"},
			counts: importing.Counts{Created: 2, Unchanged: 1}, created: []string{"X-A", "P-B"}},
		{name: "rename, move, archive and restore", rows: []string{
			"TTCNTT|Trung tâm Chuyển đổi số|unit|ROOT|Có", "OLD|Sở cũ|department|ROOT|"},
			counts:  importing.Counts{Updated: 2},
			changes: []string{"TTCNTT name Trung tâm Công nghệ thông tin→Trung tâm Chuyển đổi số", "TTCNTT parent_code SKHCN→ROOT", "TTCNTT archived →Có", "OLD archived Có→"}},
		{name: "a kind changes, shown by its label", rows: []string{"SKHCN|Sở Khoa học và Công nghệ|unit|ROOT|"},
			counts: importing.Counts{Updated: 1}, changes: []string{"SKHCN kind Sở, ban, ngành→Đơn vị"}},
		{name: "unknown parent, duplicate, bad cells", rows: []string{
			"A|Đơn vị A|unit|NOWHERE|", "A|Đơn vị A lần nữa|unit|ROOT|", "b c||huyện lạ|ROOT|có lẽ", "|Không mã|unit|ROOT|", "|Không mã nữa|unit|ROOT|"},
			problems: []string{"2 D orgsheet.err.no_parent", "3 A orgsheet.err.duplicate", "4 A identity.err.org_code", "4 B identity.err.org_name", "4 C orgsheet.err.kind", "4 E orgsheet.err.archived", "5 A identity.err.org_code", "6 A identity.err.org_code"},
			counts:   importing.Counts{Skipped: 5}},
		{name: "a cycle in the file, and through the database", rows: []string{
			"A|Đơn vị A|unit|B|", "B|Đơn vị B|unit|A|", "SKHCN|Sở Khoa học và Công nghệ|department|TTCNTT|"},
			problems: []string{"2 D orgsheet.err.cycle", "3 D orgsheet.err.cycle", "4 D orgsheet.err.cycle"},
			counts:   importing.Counts{Skipped: 3}},
		{name: "only the root has no parent; the root stays the root", rows: []string{
			"NEW|Đơn vị mới|unit||", "ROOT|Thành phố Cần Thơ|province|SKHCN|Có"},
			problems: []string{"2 D orgsheet.err.parent_required", "3 D identity.err.root_move", "3 E identity.err.root_archive"},
			counts:   importing.Counts{Skipped: 2}},
		{name: "no new child under an organisation that stays archived", rows: []string{"N|Đơn vị N|unit|OLD|"},
			problems: []string{"2 D identity.err.parent_archived"}, counts: importing.Counts{Skipped: 1}},
		{name: "a new child of a restored organisation", rows: []string{"N|Đơn vị N|unit|OLD|", "OLD|Sở cũ|department|ROOT|"},
			counts: importing.Counts{Created: 1, Updated: 1}, created: []string{"N"}, changes: []string{"OLD archived Có→"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := file(tt.rows...)
			p := planImport(stored(), f)
			var problems []string
			for _, pr := range p.Problems {
				problems = append(problems, strings.Join([]string{strconv.Itoa(pr.Line), pr.Column, pr.Key}, " "))
			}
			if !slices.Equal(problems, tt.problems) {
				t.Errorf("problems:\n got %q\nwant %q", problems, tt.problems)
			}
			if got := *p.Counts[SheetName]; got != tt.counts {
				t.Errorf("counts %+v, want %+v", got, tt.counts)
			}
			var changes, created []string
			for _, c := range p.Changes {
				for _, fc := range c.Fields {
					changes = append(changes, c.Key+" "+fc.Field+" "+fc.Old+"→"+fc.New)
				}
			}
			for _, c := range p.Created {
				created = append(created, c.Code)
			}
			if !slices.Equal(changes, tt.changes) || !slices.Equal(created, tt.created) {
				t.Errorf("changes %q, created %q; want %q, %q", changes, created, tt.changes, tt.created)
			}
		})
	}
}

func TestProblemDescribe(t *testing.T) {
	p := Problem{Line: 4, Column: "D", Header: "Mã đơn vị cấp trên", Key: "orgsheet.err.no_parent", Args: []any{"X"}}
	for lang, want := range map[string]string{
		i18n.VI: "dòng 4, cột D (Mã đơn vị cấp trên): không có đơn vị mã X trong tệp hay trong cơ sở dữ liệu",
		i18n.EN: "row 4, column D (Mã đơn vị cấp trên): no organisation with code X in the file or the database",
	} {
		if got := p.Describe(lang); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
