package responseplan

import (
	"context"
	"fmt"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
)

var drillTable = storage.Table[Drill]{Name: "response_drills", Columns: []storage.Column[Drill]{
	{Name: "id", Field: func(d *Drill) any { return &d.ID }, Fixed: true},
	{Name: "org_id", Field: func(d *Drill) any { return &d.OrgID }, Fixed: true},
	{Name: "scenario", Field: func(d *Drill) any { return &d.Scenario }},
	{Name: "kind", Field: func(d *Drill) any { return &d.Kind }},
	{Name: "title", Field: func(d *Drill) any { return &d.Title }},
	{Name: "held_on", Field: func(d *Drill) any { return &d.HeldOn }},
	{Name: "participants", Field: func(d *Drill) any { return &d.Participants }},
	{Name: "worked", Field: func(d *Drill) any { return &d.Worked }},
	{Name: "failed", Field: func(d *Drill) any { return &d.Failed }},
	{Name: "follow_ups", Field: func(d *Drill) any { return storage.JSON{P: &d.FollowUps} }},
	{Name: "created_by", Field: func(d *Drill) any { return &d.CreatedBy }, Fixed: true},
	{Name: "created_at", Field: func(d *Drill) any { return storage.UTC{P: &d.CreatedAt} }, Fixed: true},
}}

var drillSelect = "SELECT " + drillTable.Select("d") + ", o.code, o.path"

const drillFrom = " FROM response_drills d JOIN orgs o ON o.id = d.org_id"

func scanDrill(r storage.Scanner) (Drill, error) {
	var d Drill
	err := r.Scan(drillTable.Dest(&d, &d.OrgCode, &d.OrgPath)...)
	if d.FollowUps == nil {
		d.FollowUps = []string{}
	}
	return d, err
}

// withSystems fills each drill's systems.
func withSystems(ctx context.Context, q storage.Querier, ds []Drill) error {
	for i := range ds {
		ids, err := storage.IDs(q.Query(ctx, "SELECT system_id FROM response_drill_systems WHERE drill_id = ? ORDER BY system_id", ds[i].ID))
		if err != nil {
			return fmt.Errorf("systems of drill %d: %w", ds[i].ID, err)
		}
		ds[i].SystemIDs = ids
	}
	return nil
}

// RecordDrill records a drill on systems the actor may handle incidents
// on, led by the organisation of the first of them; a system outside the
// actor's scope is not found.
func RecordDrill(ctx context.Context, db *storage.Store, actor access.Actor, in DrillInput) (Drill, error) {
	in.Normalise()
	if err := in.Validate(Today(db.Now())); err != nil {
		return Drill{}, err
	}
	var out Drill
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		d := Drill{Scenario: in.Scenario, Kind: in.Kind, Title: in.Title, HeldOn: in.HeldOn, Participants: in.Participants, Worked: in.Worked,
			Failed: in.Failed, FollowUps: in.FollowUps, CreatedBy: actor.Email, CreatedAt: tx.Now()}
		if d.FollowUps == nil {
			d.FollowUps = []string{}
		}
		for i, id := range in.SystemIDs {
			path, err := system(ctx, tx, actor, id)
			if err != nil {
				return err
			}
			if err := actor.Check(access.HandleIncident, path); err != nil {
				return err
			}
			if i == 0 {
				if err := tx.QueryRow(ctx, "SELECT org_id FROM systems WHERE id = ?", id).Scan(&d.OrgID); err != nil {
					return err
				}
			}
		}
		var err error
		if d.ID, err = drillTable.Insert(ctx, tx, &d); err != nil {
			return fmt.Errorf("record drill: %w", err)
		}
		for _, id := range in.SystemIDs {
			if _, err := tx.Exec(ctx, "INSERT INTO response_drill_systems (drill_id, system_id) VALUES (?, ?)", d.ID, id); err != nil {
				return fmt.Errorf("drill %d system %d: %w", d.ID, id, err)
			}
		}
		if out, err = scanDrill(tx.QueryRow(ctx, drillSelect+drillFrom+" WHERE d.id = ?", d.ID)); err != nil {
			return err
		}
		out.SystemIDs = in.SystemIDs
		return audit.Record(ctx, tx, actor, audit.Change{Action: "drill.record", ObjectType: "drill", ObjectID: d.ID, OrgID: d.OrgID, New: out})
	})
	return out, err
}

// DrillFilter narrows the list of drills.
type DrillFilter struct {
	SystemID int64
	Kind     string
}

// ListDrills lists the drills the actor sees, newest first.
func ListDrills(ctx context.Context, q storage.Querier, actor access.Actor, f DrillFilter, p storage.Page) (storage.Paged[Drill], error) {
	w := storage.Scoped(actor.OrgFilter("o.path"))
	if f.SystemID != 0 {
		w.Add("EXISTS (SELECT 1 FROM response_drill_systems x WHERE x.drill_id = d.id AND x.system_id = ?)", f.SystemID)
	}
	if f.Kind != "" {
		w.Add("d.kind = ?", f.Kind)
	}
	res, err := storage.List[Drill]{Select: drillSelect, From: drillFrom, Where: w, Order: storage.Keyset{Text: []string{"d.held_on"}, ID: "d.id", Desc: true},
		Scan: scanDrill, Key: func(d Drill) []any { return []any{d.HeldOn, d.ID} }}.Read(ctx, q, p)
	if err != nil {
		return res, fmt.Errorf("list drills: %w", err)
	}
	return res, withSystems(ctx, q, res.Items)
}
