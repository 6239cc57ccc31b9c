package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// OrgProfile is an organisation with what hangs off it: the page of one
// organisation names its sub-units, systems and staff and where a merge took it.
type OrgProfile struct {
	Org      identity.Org
	Parent   *identity.Org
	Children []identity.Org // direct sub-units, archived ones included, by code
	Systems  []SystemView   // of the organisation and its sub-units, by organisation code then name
	Staff    []StaffView    // likewise
	// MergedInto is the merge that took this organisation's data elsewhere.
	MergedInto *Merge
	// MergedFrom are the merges into this organisation, newest first.
	MergedFrom []Merge
}

// profileLimit bounds the systems and staff an organisation page lists.
const profileLimit = 500

// GetOrgProfile reads one organisation in the actor's scope with its
// sub-units, systems, staff and merges, from one snapshot.
func GetOrgProfile(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (OrgProfile, error) {
	var p OrgProfile
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		var err error
		if p.Org, err = identity.GetOrg(ctx, tx, actor, id); err != nil {
			return err
		}
		orgs, err := identity.AllOrgs(ctx, tx, actor, identity.OrgQuery{IncludeArchived: true})
		if err != nil {
			return err
		}
		for i, o := range orgs {
			switch {
			case o.ID == p.Org.ParentID:
				p.Parent = &orgs[i]
			case o.ParentID == p.Org.ID:
				p.Children = append(p.Children, o)
			}
		}
		sortOrgsByCode(p.Children)
		systems, err := ListSystems(ctx, tx, actor, SystemFilter{OrgID: id, Level: -1}, storage.First(profileLimit))
		if err != nil {
			return err
		}
		staff, err := ListStaff(ctx, tx, actor, StaffFilter{OrgID: id}, storage.First(profileLimit))
		if err != nil {
			return err
		}
		p.Systems, p.Staff = systems.Items, staff.Items
		merges, err := orgMerges(ctx, tx, id)
		for i, m := range merges {
			if m.fromID == id {
				p.MergedInto = &merges[i].Merge
			} else {
				p.MergedFrom = append(p.MergedFrom, m.Merge)
			}
		}
		return err
	})
	return p, err
}

// orgMerge is a merge with the organisation it came from.
type orgMerge struct {
	Merge
	fromID int64
}

// orgMerges lists the merges from or into the organisation, newest first.
// The caller has checked that the organisation is in scope; a merge's other
// side is named even outside it, as the organisation's own history.
func orgMerges(ctx context.Context, db storage.Querier, id int64) ([]orgMerge, error) {
	rows, err := db.Query(ctx, `SELECT m.from_org_id, f.code, f.name, i.code, i.name, m.merged_at, m.actor, m.moved FROM org_merges m
		JOIN orgs f ON f.id = m.from_org_id JOIN orgs i ON i.id = m.into_org_id
		WHERE m.from_org_id = ? OR m.into_org_id = ? ORDER BY m.merged_at DESC, m.id DESC`, id, id)
	if err != nil {
		return nil, fmt.Errorf("organisation merges: %w", err)
	}
	defer rows.Close()
	var out []orgMerge
	for rows.Next() {
		var m orgMerge
		if err := rows.Scan(&m.fromID, &m.FromCode, &m.FromName, &m.IntoCode, &m.IntoName, &m.At, &m.Actor, &m.Moved); err != nil {
			return nil, err
		}
		m.At = m.At.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// sortOrgsByCode orders organisations by code, as lists of them read.
func sortOrgsByCode(orgs []identity.Org) {
	slices.SortFunc(orgs, func(a, b identity.Org) int { return strings.Compare(a.Code, b.Code) })
}
