package inventory

import (
	"context"
	"fmt"
	"sort"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Export returns the inventory of the organisation orgID and its
// subtree (0: every organisation, for those who see them all) as a batch in
// a fixed order (organisation code, then name), so two exports of the same
// data are identical. The export is audited.
func Export(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64) (*Batch, error) {
	var b Batch
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		path := "/"
		if orgID == 0 && !actor.Global() {
			return fmt.Errorf("%w: %w", access.ErrForbidden, validation.Say("inv.export.choose_org"))
		}
		if orgID != 0 {
			p, err := identity.CheckOrg(ctx, tx, actor, access.Read, orgID)
			if err != nil {
				return err
			}
			path = p
		}
		sn, err := loadSnapshot(ctx, tx, path)
		if err != nil {
			return err
		}
		code := sn.orgCodes
		for _, p := range sn.staff {
			b.Staff = append(b.Staff, StaffRow{OrgCode: code[p.OrgID], Staff: *p})
		}
		sort.Slice(b.Staff, func(i, j int) bool {
			x, y := b.Staff[i], b.Staff[j]
			return x.OrgCode < y.OrgCode || x.OrgCode == y.OrgCode && x.Email < y.Email
		})
		for _, sys := range sn.systems {
			r := SystemRow{OrgCode: code[sys.OrgID], System: *sys}
			if sys.OperatorOrgID != 0 {
				r.OperatorOrgCode = code[sys.OperatorOrgID]
			}
			if p := sn.staffIDs[sys.ContactStaffID]; p != nil {
				r.ContactEmail = p.Email
			}
			b.Systems = append(b.Systems, r)
		}
		sort.Slice(b.Systems, func(i, j int) bool {
			x, y := b.Systems[i], b.Systems[j]
			return x.OrgCode < y.OrgCode || x.OrgCode == y.OrgCode && i18n.Fold(x.Name) < i18n.Fold(y.Name)
		})
		assetSystems := map[int64][]string{}
		for l := range sn.links {
			assetSystems[l[1]] = append(assetSystems[l[1]], sn.sysByID[l[0]].Name)
		}
		for _, a := range sn.assets {
			names := assetSystems[a.ID]
			sort.Strings(names)
			b.Assets = append(b.Assets, AssetRow{OrgCode: code[a.OrgID], Systems: names, Asset: *a})
		}
		sort.Slice(b.Assets, func(i, j int) bool {
			x, y := b.Assets[i], b.Assets[j]
			if x.OrgCode != y.OrgCode {
				return x.OrgCode < y.OrgCode
			}
			if x.Kind != y.Kind {
				return x.Kind < y.Kind
			}
			return x.Value < y.Value
		})
		controlOrder := map[string]int{}
		for i, o := range Controls {
			controlOrder[o.Code] = i
		}
		for _, c := range sn.controls {
			sys := sn.sysByID[c.SystemID]
			b.Controls = append(b.Controls, ControlRow{OrgCode: code[sys.OrgID], SystemName: sys.Name, Control: *c})
		}
		sort.Slice(b.Controls, func(i, j int) bool {
			x, y := b.Controls[i], b.Controls[j]
			if x.OrgCode != y.OrgCode {
				return x.OrgCode < y.OrgCode
			}
			if fx, fy := i18n.Fold(x.SystemName), i18n.Fold(y.SystemName); fx != fy {
				return fx < fy
			}
			return controlOrder[x.Control.Control] < controlOrder[y.Control.Control]
		})
		for _, q := range sn.qualList {
			p := sn.staffIDs[q.StaffID]
			b.Qualifications = append(b.Qualifications, QualificationRow{OrgCode: code[p.OrgID], StaffEmail: p.Email, Qualification: q})
		}
		sort.Slice(b.Qualifications, func(i, j int) bool {
			x, y := b.Qualifications[i], b.Qualifications[j]
			if x.OrgCode != y.OrgCode {
				return x.OrgCode < y.OrgCode
			}
			if x.StaffEmail != y.StaffEmail {
				return x.StaffEmail < y.StaffEmail
			}
			if x.CompletedOn != y.CompletedOn {
				return x.CompletedOn < y.CompletedOn
			}
			return x.Course < y.Course
		})
		return nil
	})
	if err == nil {
		// Audited once the snapshot is read: the chain is appended in a
		// write transaction of its own.
		err = audit.Write(ctx, db, actor, audit.Change{Action: "inventory.export", ObjectType: "org", ObjectID: orgID, OrgID: orgID,
			New: map[string]int{"systems": len(b.Systems), "assets": len(b.Assets), "staff": len(b.Staff)}})
	}
	if err != nil {
		return nil, fmt.Errorf("export inventory: %w", err)
	}
	return &b, nil
}
