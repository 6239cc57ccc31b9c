package inventory

import (
	"context"
	"fmt"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/storage"
)

// Import writes a parsed workbook into the subtree of the organisation
// orgID: every row is resolved against the stored inventory (organisation
// codes, system names, staff e-mails) and the rows of the file, then
// planned; a batch with any problem writes nothing unless opt.SkipInvalid.
// Rows are matched by natural key, so importing the same file again changes
// nothing. One audit entry records the import with its counts.
func Import(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, b *Batch, opt importing.Options) (ImportResult, error) {
	var p *importPlan
	plan, err := importing.Run(ctx, db, opt, func(q storage.Querier) (*importing.Plan, error) {
		path, err := identity.CheckOrg(ctx, q, actor, access.Write, orgID)
		if err != nil {
			return nil, err
		}
		sn, err := loadSnapshot(ctx, q, path)
		if err != nil {
			return nil, err
		}
		if !actor.Global() {
			sn.limit()
		}
		if sn.regs, err = registrations(ctx, q, nil); err != nil {
			return nil, err
		}
		p = planImport(sn, b, orgID)
		return p.Plan, nil
	}, func(tx *storage.Tx, _ *importing.Plan) error {
		if err := applyImport(ctx, tx, p); err != nil {
			return err
		}
		counts := map[string]importing.Counts{}
		for k, v := range p.Counts {
			counts[k] = *v
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "inventory.import", ObjectType: "org", ObjectID: orgID, OrgID: orgID,
			New: map[string]any{"source": opt.Source, "counts": counts, "problems": len(b.Problems)}})
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import inventory: %w", err)
	}
	return ImportResult{Plan: *plan, Problems: b.Problems, Unlisted: b.Unlisted, Warnings: p.warnings}, nil
}

// loadSnapshot reads the inventory of the subtree at path.
func loadSnapshot(ctx context.Context, q storage.Querier, path string) (*snapshot, error) {
	sn := newSnapshot()
	like := path + "%"
	loads := []struct {
		query string
		args  []any
		row   func(storage.Scanner) error
	}{
		{"SELECT id, code, path FROM orgs WHERE archived_at IS NULL", nil, func(r storage.Scanner) error {
			var id int64
			var code, p string
			if err := r.Scan(&id, &code, &p); err != nil {
				return err
			}
			sn.allOrgs[code], sn.orgCodes[id] = id, code
			if strings.HasPrefix(p, path) {
				sn.orgs[code] = id
			}
			return nil
		}},
		{"SELECT " + staffTable.Select("st") + " FROM staff st JOIN orgs o ON o.id = st.org_id WHERE o.path LIKE ?", []any{like}, func(r storage.Scanner) error {
			p := &Staff{}
			if err := r.Scan(staffTable.Dest(p)...); err != nil {
				return err
			}
			sn.staff[staffKey(p.OrgID, p.Email)], sn.staffIDs[p.ID] = p, p
			return nil
		}},
		{"SELECT " + systemSelect + " FROM systems s JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE ?", []any{like}, func(r storage.Scanner) error {
			s := &System{}
			if err := r.Scan(systemTable.Dest(s)...); err != nil {
				return err
			}
			sn.systems[sysKey(s.OrgID, s.Name)], sn.sysByID[s.ID] = s, s
			return nil
		}},
		{"SELECT " + assetTable.Select("a") + " FROM assets a JOIN orgs o ON o.id = a.org_id WHERE o.path LIKE ?", []any{like}, func(r storage.Scanner) error {
			a := &Asset{}
			if err := r.Scan(assetTable.Dest(a)...); err != nil {
				return err
			}
			sn.assets[assetKey(a.OrgID, a.Kind, a.Value)] = a
			return nil
		}},
		{`SELECT sa.system_id, sa.asset_id FROM system_assets sa JOIN systems s ON s.id = sa.system_id JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE ?`, []any{like}, func(r storage.Scanner) error {
			var k [2]int64
			if err := r.Scan(&k[0], &k[1]); err != nil {
				return err
			}
			sn.links[k] = true
			return nil
		}},
		{"SELECT " + controlTable.Select("c") + " FROM system_controls c JOIN systems s ON s.id = c.system_id JOIN orgs o ON o.id = s.org_id WHERE o.path LIKE ?", []any{like}, func(r storage.Scanner) error {
			c := &Control{}
			if err := r.Scan(controlTable.Dest(c)...); err != nil {
				return err
			}
			sn.controls[controlKey(c.SystemID, c.Control)] = c
			return nil
		}},
		{"SELECT " + qualificationTable.Select("q") + ` FROM qualifications q JOIN staff st ON st.id = q.staff_id
			JOIN orgs o ON o.id = st.org_id WHERE o.path LIKE ?`, []any{like}, func(r storage.Scanner) error {
			q, err := scanQualification(r)
			if err != nil {
				return err
			}
			sn.quals[qualKey(q.StaffID, q.Course, q.CompletedOn)] = true
			sn.qualList = append(sn.qualList, q)
			return nil
		}},
	}
	for _, l := range loads {
		rows, err := q.Query(ctx, l.query, l.args...)
		if err := storage.Each(rows, err, l.row); err != nil {
			return nil, fmt.Errorf("load inventory: %w", err)
		}
	}
	return sn, nil
}

// applyImport writes the plan: staff first (systems name their contact),
// then systems, assets and links, controls, qualifications. Rows whose ids
// nothing else needs are written in batches.
func applyImport(ctx context.Context, tx *storage.Tx, p *importPlan) error {
	staffIDs, systemIDs := map[string]int64{}, map[string]int64{}
	for k, st := range p.sn.staff {
		staffIDs[k] = st.ID
	}
	for k, sys := range p.sn.systems {
		systemIDs[k] = sys.ID
	}
	for _, s := range p.staff {
		r := &s.row.Staff
		switch s.op {
		case importing.Create:
			if err := insertStaffRow(ctx, tx, r); err != nil {
				return err
			}
		case importing.Update:
			r.ID = s.old.ID
			if err := updateStaffRow(ctx, tx, r); err != nil {
				return err
			}
		case importing.Unchanged:
			r.ID = s.old.ID
		}
		staffIDs[staffKey(r.OrgID, r.Email)] = r.ID
	}
	for _, s := range p.systems {
		r := s.row
		if s.op == importing.Skip {
			continue
		}
		if r.ContactEmail != "" && r.ContactStaffID == 0 {
			r.ContactStaffID = staffIDs[staffKey(r.OrgID, r.ContactEmail)]
		}
		switch s.op {
		case importing.Create:
			if err := insertSystemRow(ctx, tx, &r.System); err != nil {
				return err
			}
		case importing.Update:
			r.ID = s.old.ID
			if err := updateSystemRow(ctx, tx, &r.System); err != nil {
				return err
			}
		}
		if r.ID != 0 {
			systemIDs[sysKey(r.OrgID, r.Name)] = r.ID
		}
	}
	links := tx.NewBatch("system_assets", "system_id", "asset_id")
	for _, a := range p.assets {
		r := a.row
		switch a.op {
		case importing.Skip:
			continue
		case importing.Create:
			if err := insertAssetRow(ctx, tx, &r.Asset); err != nil {
				return err
			}
		case importing.Update:
			r.ID = a.old.ID
			if err := updateAssetRow(ctx, tx, &r.Asset); err != nil {
				return err
			}
		case importing.Unchanged:
			r.ID = a.old.ID
		}
		for _, name := range a.link {
			if err := links.Add(ctx, systemIDs[sysKey(r.OrgID, name)], r.ID); err != nil {
				return fmt.Errorf("link asset %s to %q: %w", r.Value, name, err)
			}
		}
	}
	newControls := tx.NewBatch("system_controls", controlTable.Names()...)
	for _, c := range p.controls {
		r := &c.row.Control
		switch c.op {
		case importing.Create:
			r.SystemID = systemIDs[sysKey(c.row.OrgID, c.row.SystemName)]
			r.UpdatedAt = tx.Now()
			if err := newControls.Add(ctx, controlTable.Values(r)...); err != nil {
				return err
			}
		case importing.Update:
			if err := setControlRow(ctx, tx, r); err != nil {
				return err
			}
		}
	}
	newQuals := tx.NewBatch("qualifications", qualificationTable.Names()...)
	for _, q := range p.quals {
		q.StaffID, q.CreatedAt = staffIDs[staffKey(q.OrgID, q.StaffEmail)], tx.Now()
		if err := newQuals.Add(ctx, qualificationTable.Values(&q.Qualification)...); err != nil {
			return err
		}
	}
	for _, batch := range []*storage.Batch{links, newControls, newQuals} {
		if err := batch.Flush(ctx); err != nil {
			return err
		}
	}
	return nil
}
