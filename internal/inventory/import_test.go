package inventory

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/khien/khien/internal/i18n"

	"github.com/khien/khien/internal/importing"
)

// TestPlanImport decides rows against a snapshot without a database.
func TestPlanImport(t *testing.T) {
	stored := &System{ID: 7, OrgID: 2, Name: "Cổng thông tin", Kind: "web_portal", Level: 2, Status: "operating", Purpose: "Thông tin"}
	sn := newSnapshot()
	sn.orgs["SKHCN"], sn.allOrgs["SKHCN"], sn.allOrgs["STC"] = 2, 2, 3
	sn.systems[sysKey(2, stored.Name)], sn.sysByID[7] = stored, stored
	sn.assets[assetKey(2, "domain", "skhcn.cantho.gov.vn")] = &Asset{ID: 9, OrgID: 2, Kind: "domain", Value: "skhcn.cantho.gov.vn"}
	sn.links[[2]int64{7, 9}] = true

	system := func(name string, level int, purpose string) SystemRow {
		return SystemRow{Ref: Ref{Sheet: SystemsSheet.Name, Row: 2}, System: System{OrgID: 2, Name: name, Kind: "web_portal", Level: level, Status: "operating", Purpose: purpose}}
	}
	tests := []struct {
		name    string
		row     SystemRow
		org     string
		want    importing.Op
		changes int
	}{
		{"same as stored", system("Cổng thông tin", 2, "Thông tin"), "", importing.Unchanged, 0},
		{"same name without diacritics matches", system("Cong thong tin", 2, "Thông tin"), "", importing.Update, 1},
		{"level changes", system("Cổng thông tin", 3, "Thông tin"), "", importing.Update, 1},
		{"new system", system("Một cửa điện tử", 1, ""), "", importing.Create, 0},
		{"organisation outside the subtree", system("Khác", 1, ""), "STC", importing.Skip, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.row
			r.OrgCode = tt.org
			b := &Batch{Systems: []SystemRow{r}}
			p := planImport(sn, b, 2)
			if got := p.systems[0].op; got != tt.want {
				t.Fatalf("op %s, want %s (problems %v)", got, tt.want, b.Problems)
			}
			if tt.want == importing.Update && (len(p.Changes) != 1 || len(p.Changes[0].Fields) != tt.changes) {
				t.Fatalf("changes %+v, want %d fields", p.Changes, tt.changes)
			}
		})
	}

	// An asset already linked to its system is unchanged; naming a second
	// system it is not linked to is an update that adds the link.
	b := &Batch{
		Systems: []SystemRow{system("Một cửa điện tử", 1, "")},
		Assets: []AssetRow{
			{Ref: Ref{Sheet: AssetsSheet.Name, Row: 2}, Systems: []string{"Cổng thông tin"}, Asset: Asset{OrgID: 2, Kind: "domain", Value: "skhcn.cantho.gov.vn"}},
			{Ref: Ref{Sheet: AssetsSheet.Name, Row: 3}, Systems: []string{"Cổng thông tin", "Một cửa điện tử"}, Asset: Asset{OrgID: 2, Kind: "domain", Value: "motcua.cantho.gov.vn"}},
		},
	}
	p := planImport(sn, b, 2)
	if p.assets[0].op != importing.Unchanged || p.assets[1].op != importing.Create || len(p.assets[1].link) != 2 {
		t.Fatalf("assets: %s, %s with links %v", p.assets[0].op, p.assets[1].op, p.assets[1].link)
	}
}

// An importer without the global view cannot tell from the problems which
// organisation codes exist outside its subtree (issue 10, item 6): a code
// of another agency and a code of none read the same; the operator of one of
// its own systems stays usable. With the global view the problems say which.
func TestImportProblemsRevealNoOutsideCodes(t *testing.T) {
	problems := func(limited bool) map[int]string {
		sn := newSnapshot()
		sn.orgs["SKHCN"], sn.allOrgs["SKHCN"], sn.allOrgs["STC"], sn.allOrgs["TTDL"] = 2, 2, 3, 4
		stored := &System{ID: 7, OrgID: 2, Name: "Cổng thông tin", Kind: "web_portal", Level: 2, Status: "operating", OperatorOrgID: 4}
		sn.systems[sysKey(2, stored.Name)], sn.sysByID[7] = stored, stored
		if limited {
			sn.limit()
		}
		row := func(n int, org, operator string) SystemRow {
			return SystemRow{Ref: Ref{Sheet: SystemsSheet.Name, Row: n}, OrgCode: org, OperatorOrgCode: operator,
				System: System{Name: fmt.Sprint("Hệ thống ", n), Kind: "web_portal", Level: 1, Status: "operating"}}
		}
		b := &Batch{Systems: []SystemRow{row(2, "STC", ""), row(3, "NOPE", ""), row(4, "", "STC"), row(5, "", "NOPE"), row(6, "", "TTDL")}}
		planImport(sn, b, 2)
		out := map[int]string{} // row → problem: rows 2, 3 name the owner, 4–6 the operator
		for _, p := range b.Problems {
			out[p.Row] = p.Key
		}
		return out
	}
	limited := problems(true)
	want := map[int]string{2: "inv.err.org_not_available", 3: "inv.err.org_not_available", 4: "inv.err.org_not_available", 5: "inv.err.org_not_available"}
	if !maps.Equal(limited, want) {
		t.Errorf("without the global view: %v, want %v", limited, want)
	}
	global := problems(false)
	if want := map[int]string{2: "inv.err.org_not_under", 3: "inv.err.no_org_code", 5: "inv.err.no_org_code"}; !maps.Equal(global, want) {
		t.Errorf("with the global view: %v", global)
	}
}

// TestBlankKeepsDashClears: over a stored system a blank cell keeps the
// stored value, "-" empties it; for a new system a blank is empty.
func TestBlankKeepsDashClears(t *testing.T) {
	// The operator is an archived organisation: no code in the snapshot.
	stored := &System{ID: 7, OrgID: 2, Name: "Một cửa", Kind: "internal_app", Purpose: "Thủ tục", Level: 2, LevelDecision: "5/QĐ", OperatorOrgID: 99,
		Hosting: "cloud", Users: 40, PersonalData: true, DataSubjects: 9, GoLive: "2021-05-01", Status: "planned", DeviceCounts: DeviceCounts{Servers: 3}}
	tests := []struct {
		name    string
		cells   Record
		want    func(s *System)
		cleared []string
	}{
		{"blank cells keep", Record{"users": "50"}, func(s *System) { s.Users = 50 }, nil},
		{"a dash clears", Record{"purpose": "-", "servers": "-", "hosting": "-"}, func(s *System) { s.Purpose, s.Servers, s.Hosting = "", 0, "" },
			[]string{"purpose", "hosting", "servers"}},
		// A field going from a value to empty, no or 0 is cleared, whether
		// by a dash or written out.
		{"a dash on a boolean is no", Record{"personal_data": "-", "data_subjects": "-"}, func(s *System) { s.PersonalData, s.DataSubjects = false, 0 },
			[]string{"personal_data", "data_subjects"}},
		{"yes to no written out", Record{"personal_data": "Không", "data_subjects": "0"}, func(s *System) { s.PersonalData, s.DataSubjects = false, 0 },
			[]string{"personal_data", "data_subjects"}},
		{"the level to not classified", Record{"level": "-", "level_decision": "-"}, func(s *System) { s.Level, s.LevelDecision = 0, "" },
			[]string{"level", "level_decision"}},
		{"the merged row is checked", Record{"level": "-"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sn := newSnapshot()
			sn.orgs["SKHCN"], sn.allOrgs["SKHCN"] = 2, 2
			old := *stored
			sn.systems[sysKey(2, old.Name)], sn.sysByID[7] = &old, &old
			b := &Batch{}
			rec := Record{"name": "Một cửa", "kind": "Phần mềm nội bộ"}
			for k, v := range tt.cells {
				rec[k] = v
			}
			b.AddRecord(SystemsSheet, 2, rec)
			p := planImport(sn, b, 2)
			if tt.want == nil {
				if p.systems[0].op != importing.Skip {
					t.Fatalf("level cleared under a decision number: %s", p.systems[0].op)
				}
				return
			}
			want := *stored
			want.ID = 0
			tt.want(&want)
			if got := b.Systems[0].System; p.systems[0].op != importing.Update || got != want {
				t.Fatalf("%s\n got %+v\nwant %+v (problems %v)", p.systems[0].op, got, want, b.Problems)
			}
			var cleared []string
			for _, f := range p.Changes[0].Fields {
				if f.Cleared {
					cleared = append(cleared, f.Field)
				}
			}
			if strings.Join(cleared, " ") != strings.Join(tt.cleared, " ") {
				t.Fatalf("cleared %v, want %v", cleared, tt.cleared)
			}
		})
	}

	// A new system's blank cells are empty.
	b := &Batch{}
	b.AddRecord(SystemsSheet, 2, Record{"name": "Mới", "kind": "other"})
	p := planImport(newSnapshot(), b, 2)
	if s := b.Systems[0].System; p.systems[0].op != importing.Create || s.Purpose != "" || s.Users != 0 || s.Status != "operating" {
		t.Fatalf("new system %s %+v", p.systems[0].op, s)
	}
}

// TestLocalizeChanges shows a change as people read it.
func TestLocalizeChanges(t *testing.T) {
	cs := []importing.Change{{Sheet: SystemsSheet.Name, Row: 2, Key: "Một cửa", Fields: []importing.FieldChange{
		{Field: "hosting", Old: "cloud", New: "provincial_dc"}, {Field: "go_live", Old: "2021-05-01", New: ""},
		{Field: "personal_data", Old: "yes", New: "no"}, {Field: "users", Old: "40", New: "50"}}}}
	tests := []struct{ lang, want string }{
		{i18n.VI, "Nơi đặt hệ thống: Điện toán đám mây → Trung tâm dữ liệu tỉnh/thành phố; Ngày đưa vào sử dụng: 01/05/2021 → ; Có dữ liệu cá nhân: Có → Không; Số người dùng: 40 → 50"},
		{i18n.EN, "Hosting: Cloud → Provincial data centre; Go-live date: 01/05/2021 → ; Holds personal data: Yes → No; Users: 40 → 50"},
	}
	for _, tt := range tests {
		var parts []string
		for _, f := range LocalizeChanges(cs, tt.lang)[0].Fields {
			parts = append(parts, f.Header+": "+f.Old+" → "+f.New)
		}
		if got := strings.Join(parts, "; "); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.lang, got, tt.want)
		}
	}
}
