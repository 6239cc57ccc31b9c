package inventory

import (
	"fmt"
	"maps"
	"testing"

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
