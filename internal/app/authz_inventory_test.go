package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
)

// inventoryRows: systems, assets, controls, staff, merges and the workbook.
var inventoryRows = map[string]rule{
	"GET /api/v1/systems":                                         unscoped(everyone...),
	"POST /api/v1/systems":                                        object(writers, global, parentOrg, systemJSON),
	"GET /api/v1/systems/{id}":                                    object(everyone, global, systemIn, nil),
	"PATCH /api/v1/systems/{id}":                                  object(writers, global, systemIn, func(c *cell) any { return map[string]string{"purpose": "Thử"} }),
	"DELETE /api/v1/systems/{id}":                                 object(writers, global, func(c *cell) string { return systemIn(c) + "?confirm=1" }, nil),
	"GET /api/v1/systems/{id}/removal":                            object(everyone, global, systemIn, nil),
	"POST /api/v1/systems/{id}/archive":                           object(writers, global, systemIn, nil),
	"POST /api/v1/systems/{id}/restore":                           object(writers, global, systemIn, nil),
	"GET /api/v1/systems/{id}/devices":                            object(everyone, global, systemIn, nil),
	"PUT /api/v1/systems/{id}/devices":                            object(writers, global, systemIn, func(c *cell) any { return map[string]int{"servers": 2} }),
	"GET /api/v1/systems/{id}/assets":                             object(everyone, global, systemIn, nil),
	"POST /api/v1/systems/{id}/assets":                            object(writers, global, systemIn, func(c *cell) any { return map[string]string{"kind": "ip", "value": "10.9.9.9"} }),
	"DELETE /api/v1/systems/{id}/assets/{asset_id}":               object(writers, global, systemAssetIn, nil),
	"GET /api/v1/systems/{id}/controls":                           object(everyone, global, systemIn, nil),
	"PUT /api/v1/systems/{id}/controls/{control}":                 object(writers, global, systemControlIn, func(c *cell) any { return map[string]string{"status": "yes"} }),
	"DELETE /api/v1/systems/{id}/controls/{control}":              object(writers, global, systemControlIn, nil),
	"GET /api/v1/assets":                                          unscoped(everyone...),
	"GET /api/v1/assets/conflicts":                                unscoped(global...),
	"POST /api/v1/assets/conflicts/resolve":                       object(global, global, nil, conflictJSON),
	"POST /api/v1/assets/conflicts/unshare":                       object(global, global, nil, sharedJSON),
	"GET /api/v1/assets/shared":                                   unscoped(global...),
	"GET /api/v1/assets/{id}":                                     object(everyone, global, assetIn, nil),
	"PATCH /api/v1/assets/{id}":                                   object(writers, global, assetIn, func(c *cell) any { return map[string]string{"notes": "Thử"} }),
	"GET /api/v1/staff":                                           unscoped(everyone...),
	"GET /api/v1/merges":                                          unscoped(everyone...),
	"POST /api/v1/staff":                                          object(writers, global, parentOrg, staffJSON),
	"GET /api/v1/staff/{id}":                                      object(everyone, global, staffIn, nil),
	"PATCH /api/v1/staff/{id}":                                    object(writers, global, staffIn, func(c *cell) any { return map[string]string{"position": "Thử"} }),
	"DELETE /api/v1/staff/{id}":                                   object(writers, global, staffIn, nil),
	"POST /api/v1/staff/{id}/qualifications":                      object(writers, global, staffIn, func(c *cell) any { return map[string]string{"course": "Thử"} }),
	"DELETE /api/v1/staff/{id}/qualifications/{qualification_id}": object(writers, global, qualificationIn, nil),
	"POST /api/v1/orgs/{id}/merge": object(global, global, childOrg, func(c *cell) any {
		into, _ := strconv.ParseInt(childOrg(c), 10, 64)
		return map[string]int64{"into_org_id": into}
	}),
	"GET /api/v1/inventory/enums":                           unscoped(everyone...),
	"GET /api/v1/inventory/template":                        unscoped(everyone...),
	"GET /api/v1/inventory/export":                          unscoped(everyone...),
	"POST /api/v1/inventory/import":                         unscoped(writers...),
	"GET /inventory":                                        unscoped(everyone...),
	"GET /inventory/systems/new":                            unscoped(writers...),
	"POST /inventory/systems":                               object(writers, global, parentOrg, systemForm),
	"GET /inventory/systems/{id}":                           object(everyone, global, systemIn, nil),
	"GET /inventory/systems/{id}/edit":                      object(writers, global, systemIn, nil),
	"POST /inventory/systems/{id}":                          object(writers, global, systemIn, systemForm),
	"GET /inventory/systems/{id}/delete":                    object(everyone, global, systemIn, nil),
	"POST /inventory/systems/{id}/delete":                   object(writers, global, systemIn, nil),
	"POST /inventory/systems/{id}/archive":                  object(writers, global, systemIn, nil),
	"POST /inventory/systems/{id}/restore":                  object(writers, global, systemIn, nil),
	"POST /inventory/systems/{id}/assets":                   object(writers, global, systemIn, func(c *cell) any { return url.Values{"kind": {"ip"}, "value": {"10.9.9.9"}} }),
	"POST /inventory/systems/{id}/assets/{asset_id}/remove": object(writers, global, systemAssetIn, nil),
	"POST /inventory/systems/{id}/controls":                 object(writers, global, systemIn, func(c *cell) any { return url.Values{"control": {"mfa"}, "status": {"no"}} }),
	"POST /inventory/systems/{id}/devices":                  object(writers, global, systemIn, func(c *cell) any { return url.Values{"servers": {"2"}} }),
	"GET /inventory/assets":                                 unscoped(everyone...),
	"GET /inventory/assets/{id}":                            object(everyone, global, assetIn, nil),
	"POST /inventory/assets/{id}": object(writers, global, assetIn, func(c *cell) any {
		return url.Values{"kind": {"domain"}, "value": {c.unique("may") + ".cantho.gov.vn"}}
	}),
	"GET /inventory/conflicts":                               unscoped(global...),
	"POST /inventory/conflicts/resolve":                      object(global, global, nil, conflictForm),
	"POST /inventory/conflicts/unshare":                      object(global, global, nil, sharedForm),
	"GET /inventory/staff":                                   unscoped(everyone...),
	"POST /inventory/staff":                                  object(writers, global, parentOrg, staffForm),
	"GET /inventory/staff/{id}":                              object(everyone, global, staffIn, nil),
	"POST /inventory/staff/{id}":                             object(writers, global, staffIn, staffForm),
	"POST /inventory/staff/{id}/delete":                      object(writers, global, staffIn, nil),
	"POST /inventory/staff/{id}/qualifications":              object(writers, global, staffIn, func(c *cell) any { return url.Values{"course": {"Thử"}} }),
	"POST /inventory/staff/{id}/qualifications/{qid}/delete": object(writers, global, qualificationIn, nil),
	"GET /inventory/merge":                                   unscoped(global...),
	"POST /inventory/merge":                                  object(global, global, parentOrg, func(c *cell) any { return url.Values{"from": {childOrg(c)}, "into": {childOrg(c)}} }),
	"GET /inventory/template.xlsx":                           unscoped(everyone...),
	"GET /inventory/export.xlsx":                             unscoped(everyone...),
	"GET /inventory/import":                                  unscoped(everyone...),
	"POST /inventory/import":                                 object(writers, global, parentOrg, func(c *cell) any { return url.Values{"org_id": {c.orgID()}} }),
	"POST /inventory/import/{token}":                         object(writers, global, uploadOf, func(c *cell) any { return url.Values{"mode": {"all"}} })}

// Inventory targets and bodies.
var writers = []access.Role{access.Admin, access.Coordinator, access.Auditor, access.AgencyAdmin, access.AgencyOperator}

func inventoryActor() access.Actor { return access.SystemActor("matrix") }

func newSystem(c *cell) inventory.System {
	s := inventory.System{OrgID: c.org.ID, Name: c.unique("Hệ thống "), Kind: "internal_app"}
	if err := inventory.CreateSystem(context.Background(), c.app.Store, inventoryActor(), &s); err != nil {
		c.t.Fatal(err)
	}
	return s
}

func systemIn(c *cell) string { return strconv.FormatInt(newSystem(c).ID, 10) }

func systemAssetIn(c *cell) string {
	s := newSystem(c)
	a := inventory.Asset{Kind: "domain", Value: c.unique("tai-san-") + ".cantho.gov.vn"}
	if err := inventory.AddAsset(context.Background(), c.app.Store, inventoryActor(), s.ID, &a); err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(s.ID, 10)}, "asset_id": {strconv.FormatInt(a.ID, 10)}}.Encode()
}

func assetIn(c *cell) string {
	v, _ := url.ParseQuery(systemAssetIn(c))
	return v.Get("asset_id")
}

func systemControlIn(c *cell) string {
	s := newSystem(c)
	ctl := inventory.Control{SystemID: s.ID, Control: "firewall", Status: "partial"}
	if err := inventory.SetControl(context.Background(), c.app.Store, inventoryActor(), &ctl); err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(s.ID, 10)}, "control": {"firewall"}}.Encode()
}

func newStaff(c *cell) inventory.Staff {
	p := inventory.Staff{OrgID: c.org.ID, Name: "Cán bộ thử", Email: c.unique("canbo") + "@matrix.local"}
	if err := inventory.CreateStaff(context.Background(), c.app.Store, inventoryActor(), &p); err != nil {
		c.t.Fatal(err)
	}
	return p
}

func staffIn(c *cell) string { return strconv.FormatInt(newStaff(c).ID, 10) }

func qualificationIn(c *cell) string {
	p := newStaff(c)
	q := inventory.Qualification{StaffID: p.ID, Course: "Khóa thử"}
	if err := inventory.AddQualification(context.Background(), c.app.Store, inventoryActor(), &q); err != nil {
		c.t.Fatal(err)
	}
	id, qid := strconv.FormatInt(p.ID, 10), strconv.FormatInt(q.ID, 10)
	return url.Values{"id": {id}, "qualification_id": {qid}, "qid": {qid}}.Encode()
}

// uploadOf keeps a (broken) file for the cell's user, as the preview does.
func uploadOf(c *cell) string {
	keeper := inventoryActor()
	keeper.UserID, keeper.Email = c.user.ID, c.user.Email
	token, err := importing.Stash(context.Background(), c.app.Store, keeper, c.org.ID, "thu.xlsx", []byte("not a workbook"))
	if err != nil {
		c.t.Fatal(err)
	}
	return token
}

func systemJSON(c *cell) any {
	return map[string]any{"org_id": c.org.ID, "name": c.unique("Hệ thống "), "kind": "web_portal", "level": 2}
}
func systemForm(c *cell) any {
	return url.Values{"org_id": {c.orgID()}, "name": {c.unique("Hệ thống ")}, "kind": {"web_portal"}, "level": {"2"}, "status": {"operating"}}
}
func staffJSON(c *cell) any {
	return map[string]any{"org_id": c.org.ID, "name": "Cán bộ mới", "email": c.unique("moi") + "@matrix.local"}
}
func staffForm(c *cell) any {
	return url.Values{"org_id": {c.orgID()}, "name": {"Cán bộ mới"}, "email": {c.unique("moi") + "@matrix.local"}}
}

// newConflict registers one fresh IP address for a system of the cell's
// organisation and for one of another organisation.
func newConflict(c *cell) string {
	// One sequence number for both octets: two numbers taken mod 250 repeat
	// after 250 cases, and a repeat of a value marked shared is no conflict.
	n := c.seq.Add(1)
	ip := fmt.Sprintf("10.%d.%d.%d", 77+n/62500%100, n/250%250, n%250)
	other := c.app.Org(c.t, c.unique("TRUNG"), "Đơn vị kê khai trùng")
	for _, org := range []int64{c.org.ID, other.ID} {
		s := inventory.System{OrgID: org, Name: c.unique("Hệ thống "), Kind: "network"}
		if err := inventory.CreateSystem(context.Background(), c.app.Store, inventoryActor(), &s); err != nil {
			c.t.Fatal(err)
		}
		if err := inventory.AddAsset(context.Background(), c.app.Store, inventoryActor(), s.ID, &inventory.Asset{Kind: "ip", Value: ip}); err != nil {
			c.t.Fatal(err)
		}
	}
	return ip
}

func conflictJSON(c *cell) any {
	return map[string]any{"kind": "ip", "value": newConflict(c), "shared": true}
}
func conflictForm(c *cell) any {
	return url.Values{"kind": {"ip"}, "value": {newConflict(c)}, "shared": {"1"}}
}

// newShared is a conflict that the coordinator marked as shared infrastructure.
func newShared(c *cell) string {
	ip := newConflict(c)
	if err := inventory.ResolveConflict(context.Background(), c.app.Store, inventoryActor(), inventory.Resolution{Kind: "ip", Value: ip, Shared: true}); err != nil {
		c.t.Fatal(err)
	}
	return ip
}

func sharedJSON(c *cell) any { return map[string]any{"kind": "ip", "value": newShared(c)} }
func sharedForm(c *cell) any { return url.Values{"kind": {"ip"}, "value": {newShared(c)}} }
