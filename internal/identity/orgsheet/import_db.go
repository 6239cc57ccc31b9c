package orgsheet

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/storage"
)

// Export returns the organisation orgID (0: the root) and its subtree,
// archived organisations included, as rows in tree order with siblings by
// code: the order depends on the tree alone, not on ids, so exporting a
// re-imported tree gives the same file. The export is audited.
func Export(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64) ([]Row, error) {
	if orgID == 0 {
		root, err := identity.RootOrg(ctx, db)
		if err != nil {
			return nil, err
		}
		orgID = root.ID
	}
	var rows []Row
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		orgs, err := identity.Subtree(ctx, tx, actor, orgID)
		if err != nil {
			return err
		}
		top := orgs[0]
		topParent := ""
		if top.ParentID != 0 {
			// The subtree's parent, by code, so the file imports under it.
			if p, err := identity.GetOrg(ctx, tx, actor, top.ParentID); err == nil {
				topParent = p.Code
			}
		}
		rows = treeRows(orgs, topParent)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export organisations: %w", err)
	}
	err = audit.Write(ctx, db, actor, audit.Change{Action: "org.export", ObjectType: "org", ObjectID: orgID, OrgID: orgID,
		New: map[string]any{"organisations": len(rows)}})
	return rows, err
}

// treeRows orders a subtree (orgs[0] its top) depth first, siblings by code.
func treeRows(orgs []identity.Org, topParent string) []Row {
	children := map[int64][]identity.Org{}
	codeOf := map[int64]string{}
	for _, o := range orgs[1:] {
		children[o.ParentID] = append(children[o.ParentID], o)
	}
	for _, o := range orgs {
		codeOf[o.ID] = o.Code
	}
	var out []Row
	var walk func(o identity.Org, parentCode string)
	walk = func(o identity.Org, parentCode string) {
		out = append(out, Row{Line: len(out) + 2, Code: o.Code, Name: o.Name, Kind: o.Kind, ParentCode: parentCode, Archived: o.ArchivedAt != nil})
		kids := children[o.ID]
		slices.SortFunc(kids, func(a, b identity.Org) int { return cmp.Compare(a.Code, b.Code) })
		for _, c := range kids {
			walk(c, o.Code)
		}
	}
	walk(orgs[0], topParent)
	return out
}

// Import plans the file against the stored tree and, unless opt.DryRun,
// applies it in one transaction: nothing is written while the file has any
// problem. Every change goes through identity's own writes (audited each),
// and the import itself is audited.
func Import(ctx context.Context, db *storage.Store, actor access.Actor, f *File, opt importing.Options) (Result, error) {
	root, err := identity.RootOrg(ctx, db) // a fresh database gets its root first
	if err != nil {
		return Result{}, err
	}
	opt.SkipInvalid = false // a tree with a broken row would leave its children without a parent
	var p *plan
	_, err = importing.Run(ctx, db, opt, func(q storage.Querier) (*importing.Plan, error) {
		stored, err := identity.Subtree(ctx, q, actor, root.ID)
		if err != nil {
			return nil, err
		}
		// Plan a copy each time: the file's problems must not pile up.
		fc := *f
		fc.Problems = slices.Clip(f.Problems)
		p = planImport(stored, &fc)
		return &p.Plan, nil
	}, func(tx *storage.Tx, _ *importing.Plan) error {
		return apply(ctx, tx, actor, p, root.ID, opt.Source)
	})
	if err != nil {
		return Result{}, err
	}
	return p.Result, nil
}

// apply writes a plan without problems: restores first (so children can be
// created under them), creations parents first, renames, moves shallowest
// first (each new parent is then already in place), archives last (so an
// archived organisation's children could be created).
func apply(ctx context.Context, tx *storage.Tx, actor access.Actor, p *plan, rootID int64, source string) error {
	ids := map[string]int64{}
	byKey := map[string]*step{}
	for i := range p.steps {
		s := &p.steps[i]
		byKey[key(s.row.Code)] = s
		if s.old != nil {
			ids[key(s.old.Code)] = s.old.ID
		}
	}
	for _, s := range p.steps {
		if s.op == importing.Update && s.old.ArchivedAt != nil && !s.row.Archived {
			if _, err := identity.SetOrgArchivedTx(ctx, tx, actor, s.old.ID, false); err != nil {
				return rowErr(s, err)
			}
		}
	}
	// idOf finds a parent by code: created by this file (creating it first),
	// or stored.
	var idOf func(code string) (int64, error)
	idOf = func(code string) (int64, error) {
		k := key(code)
		if id, ok := ids[k]; ok {
			return id, nil
		}
		s, ok := byKey[k]
		if !ok || s.op != importing.Create {
			o, err := identity.OrgByCode(ctx, tx, actor, code)
			ids[k] = o.ID
			return o.ID, err
		}
		parentID, err := idOf(s.row.ParentCode)
		if err != nil {
			return 0, err
		}
		o, err := identity.CreateOrgTx(ctx, tx, actor, identity.OrgInput{Code: s.row.Code, Name: s.row.Name, Kind: s.row.Kind, ParentID: parentID})
		if err != nil {
			return 0, rowErr(*s, err)
		}
		ids[k] = o.ID
		return o.ID, nil
	}
	var moves []step
	for _, s := range p.steps {
		switch {
		case s.op == importing.Create:
			if _, err := idOf(s.row.Code); err != nil {
				return err
			}
		case s.op == importing.Update:
			if s.old.Code != s.row.Code || s.old.Name != s.row.Name || s.old.Kind != s.row.Kind {
				in := identity.OrgInput{Code: s.row.Code, Name: s.row.Name, Kind: s.row.Kind}
				if _, err := identity.UpdateOrgTx(ctx, tx, actor, s.old.ID, in); err != nil {
					return rowErr(s, err)
				}
			}
			if s.row.ParentCode != "" {
				moves = append(moves, s)
			}
		}
	}
	slices.SortStableFunc(moves, func(a, b step) int { return cmp.Compare(p.depth[key(a.row.Code)], p.depth[key(b.row.Code)]) })
	for _, s := range moves {
		parentID, err := idOf(s.row.ParentCode)
		if err != nil {
			return rowErr(s, err)
		}
		if parentID == s.old.ParentID {
			continue
		}
		if _, err := identity.MoveOrgTx(ctx, tx, actor, s.old.ID, parentID); err != nil {
			return rowErr(s, err)
		}
	}
	for _, s := range p.steps {
		if s.row.Archived && (s.op == importing.Create || s.op == importing.Update && s.old.ArchivedAt == nil) {
			if _, err := identity.SetOrgArchivedTx(ctx, tx, actor, ids[key(s.row.Code)], true); err != nil {
				return rowErr(s, err)
			}
		}
	}
	var counts importing.Counts
	if c := p.Counts[SheetName]; c != nil {
		counts = *c
	}
	return audit.Record(ctx, tx, actor, audit.Change{Action: "org.import", ObjectType: "org", ObjectID: rootID, OrgID: rootID,
		New: map[string]any{"source": source, "counts": counts}})
}

// rowErr names the row a write failed on: the plan checked what it could,
// so this is a permission or a change made since.
func rowErr(s step, err error) error {
	return fmt.Errorf("row %d (%s): %w", s.row.Line, s.row.Code, err)
}
