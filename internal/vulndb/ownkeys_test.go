package vulndb

import "testing"

// A feed's update of a built-in CVE replaces its data and keeps Khiên's own
// translated ranges, which no feed carries.
func TestPutKeepsOwnKeys(t *testing.T) {
	db := Builtin()
	db.put(&record{Vuln: Vuln{ID: "CVE-2022-41082", Score: 8.0, Vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"},
		Products: map[string][]Range{"microsoft:exchange_server": {{Version: "2016"}}}})
	if got := db.Match("exchange", "15.1.2507.6"); len(got) != 2 || got[1].ID != "CVE-2022-41082" || got[1].Score != 8.0 {
		t.Errorf("after the update: %+v", got)
	}
	if len(db.byKey["microsoft:exchange_server"]) != 1 {
		t.Errorf("feed key not indexed")
	}
	db.put(&record{Vuln: Vuln{ID: "CVE-2024-23897"}, Products: map[string][]Range{"jenkins:jenkins": {{EndExcluding: "2.400"}}}})
	if got := db.Match("jenkins", "2.441"); len(got) != 0 {
		t.Errorf("feed ranges did not replace the built-in ones: %+v", got)
	}
}
