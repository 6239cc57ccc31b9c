package access

import "testing"

func TestCan(t *testing.T) {
	agency := "/1/5/"
	other := "/1/6/"
	child := "/1/5/9/"
	tests := []struct {
		name   string
		actor  Actor
		action Action
		path   string
		want   bool
	}{
		{"admin anywhere", Actor{Role: Admin, OrgPath: "/1/"}, ManageOrgs, other, true},
		{"coordinator reads all", Actor{Role: Coordinator, OrgPath: "/1/"}, Read, other, true},
		{"coordinator cannot manage users", Actor{Role: Coordinator, OrgPath: "/1/"}, ManageUsers, other, false},
		{"operator own", Actor{Role: AgencyOperator, OrgPath: agency}, Write, agency, true},
		{"operator child", Actor{Role: AgencyOperator, OrgPath: agency}, Write, child, true},
		{"operator other", Actor{Role: AgencyOperator, OrgPath: agency}, Read, other, false},
		{"operator not users", Actor{Role: AgencyOperator, OrgPath: agency}, ManageUsers, agency, false},
		{"agency admin users", Actor{Role: AgencyAdmin, OrgPath: agency}, ManageUsers, child, true},
		{"viewer reads", Actor{Role: Viewer, OrgPath: agency}, Read, agency, true},
		{"viewer cannot write", Actor{Role: Viewer, OrgPath: agency}, Write, agency, false},
		{"auditor assigned", Actor{Role: Auditor, OrgPath: "/1/", AssignedPaths: []string{agency}}, Scan, child, true},
		{"auditor unassigned", Actor{Role: Auditor, OrgPath: "/1/", AssignedPaths: []string{agency}}, Read, other, false},
		{"prefix is by whole id", Actor{Role: Viewer, OrgPath: "/1/5/"}, Read, "/1/55/", false},
	}
	for _, tt := range tests {
		if got := tt.actor.Can(tt.action, tt.path); got != tt.want {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOrgFilter(t *testing.T) {
	cond, args := Actor{Role: Viewer, OrgPath: "/1/5/"}.OrgFilter("o.path")
	if cond != "(o.path LIKE ?)" || len(args) != 1 || args[0] != "/1/5/%" {
		t.Fatalf("got %q %v", cond, args)
	}
	if cond, _ := (Actor{Role: Auditor}).OrgFilter("p"); cond != "1=0" {
		t.Fatalf("auditor without assignments must see nothing, got %q", cond)
	}
	if cond, _ := (Actor{Role: Coordinator}).OrgFilter("p"); cond != "1=1" {
		t.Fatalf("coordinator sees all, got %q", cond)
	}
}

func TestUsersAndGrants(t *testing.T) {
	agency := "/1/5/"
	tests := []struct {
		name  string
		actor Actor
		read  bool
		grant []Role
	}{
		{"admin", Actor{Role: Admin, OrgPath: "/1/"}, true, Roles},
		{"coordinator reads users, grants nothing", Actor{Role: Coordinator, OrgPath: "/1/"}, true, nil},
		{"agency admin grants agency roles", Actor{Role: AgencyAdmin, OrgPath: agency}, true, []Role{AgencyAdmin, AgencyOperator, Viewer}},
		{"operator", Actor{Role: AgencyOperator, OrgPath: agency}, false, nil},
		{"viewer", Actor{Role: Viewer, OrgPath: agency}, false, nil},
	}
	for _, tt := range tests {
		if got := tt.actor.Can(ReadUsers, agency); got != tt.read {
			t.Errorf("%s: Can(ReadUsers) = %v", tt.name, got)
		}
		for _, r := range Roles {
			want := false
			for _, g := range tt.grant {
				want = want || g == r
			}
			if got := tt.actor.CanGrant(r); got != want {
				t.Errorf("%s: CanGrant(%s) = %v, want %v", tt.name, r, got, want)
			}
		}
	}
}

func TestCanSomewhere(t *testing.T) {
	tests := []struct {
		name   string
		actor  Actor
		action Action
		want   bool
	}{
		{"viewer writes nowhere", Actor{Role: Viewer, OrgPath: "/1/5/"}, Write, false},
		{"operator writes in its agency", Actor{Role: AgencyOperator, OrgPath: "/1/5/"}, Write, true},
		{"operator manages no organisation", Actor{Role: AgencyOperator, OrgPath: "/1/5/"}, ManageOrgs, false},
		{"agency admin manages no organisation", Actor{Role: AgencyAdmin, OrgPath: "/1/5/"}, ManageOrgs, false},
		{"coordinator manages organisations", Actor{Role: Coordinator, OrgPath: "/1/"}, ManageOrgs, true},
		{"auditor writes where assigned", Actor{Role: Auditor, OrgPath: "/1/", AssignedPaths: []string{"/1/5/"}}, Write, true},
		{"auditor without assignment writes nowhere", Actor{Role: Auditor, OrgPath: "/1/"}, Write, false},
		{"responder writes nowhere", Actor{Role: Responder, OrgPath: "/1/", AssignedPaths: []string{"/1/5/"}}, Write, false},
		{"responder handles incidents where assigned", Actor{Role: Responder, OrgPath: "/1/", AssignedPaths: []string{"/1/5/"}}, HandleIncident, true},
	}
	for _, tt := range tests {
		if got := tt.actor.CanSomewhere(tt.action); got != tt.want {
			t.Errorf("%s: CanSomewhere = %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, name := range actionNames {
		if _, err := ParseAction(name); err != nil {
			t.Errorf("ParseAction(%q): %v", name, err)
		}
	}
	if _, err := ParseAction("delete_everything"); err == nil {
		t.Error("ParseAction accepts an unknown action")
	}
}
