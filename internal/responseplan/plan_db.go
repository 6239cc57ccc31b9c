package responseplan

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

var planTable = storage.Table[Plan]{Name: "response_plans", Columns: []storage.Column[Plan]{
	{Name: "id", Field: func(p *Plan) any { return &p.ID }, Fixed: true},
	{Name: "system_id", Field: func(p *Plan) any { return &p.SystemID }, Fixed: true},
	{Name: "version", Field: func(p *Plan) any { return &p.Version }, Fixed: true},
	{Name: "scenarios", Field: func(p *Plan) any { return storage.JSON{P: &p.Scenarios} }},
	{Name: "contacts", Field: func(p *Plan) any { return storage.JSON{P: &p.Contacts} }},
	{Name: "escalation", Field: func(p *Plan) any { return &p.Escalation }},
	{Name: "rto_hours", Field: func(p *Plan) any { return &p.RTOHours }},
	{Name: "rpo_hours", Field: func(p *Plan) any { return &p.RPOHours }},
	{Name: "note", Field: func(p *Plan) any { return &p.Note }},
	{Name: "created_by", Field: func(p *Plan) any { return &p.CreatedBy }, Fixed: true},
	{Name: "created_at", Field: func(p *Plan) any { return storage.UTC{P: &p.CreatedAt} }, Fixed: true},
}}

const planSelect = ` FROM response_plans p JOIN systems s ON s.id = p.system_id JOIN orgs o ON o.id = s.org_id`

// scanPlan reads a plan with its system and the system's last change.
func scanPlan(r storage.Scanner) (Plan, error) {
	var p Plan
	var changed time.Time
	err := r.Scan(planTable.Dest(&p, &p.SystemName, &p.OrgID, &p.OrgPath, storage.UTC{P: &changed})...)
	p.Status = PlanStatus(p.CreatedAt, changed, true)
	return p, err
}

var planColumns = "SELECT " + planTable.Select("p") + ", s.name, s.org_id, o.path, s.updated_at"

// system reads a system in use the actor sees: its organisation's path.
func system(ctx context.Context, q storage.Querier, actor access.Actor, id int64) (string, error) {
	var path string
	err := q.QueryRow(ctx, "SELECT o.path FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ? AND s.archived_at IS NULL", id).Scan(&path)
	if storage.IsNoRows(err) || err == nil && !actor.InScope(path) {
		return "", access.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("system %d: %w", id, err)
	}
	return path, nil
}

// SavePlan saves a new version of a system's plan; the earlier versions stay.
func SavePlan(ctx context.Context, db *storage.Store, actor access.Actor, systemID int64, in PlanInput) (Plan, error) {
	in.Normalise()
	if err := in.Validate(); err != nil {
		return Plan{}, err
	}
	var out Plan
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		path, err := system(ctx, tx, actor, systemID)
		if err != nil {
			return err
		}
		if err := actor.Check(access.HandleIncident, path); err != nil {
			return err
		}
		p := Plan{SystemID: systemID, Scenarios: in.Scenarios, Contacts: in.Contacts, Escalation: in.Escalation, RTOHours: in.RTOHours,
			RPOHours: in.RPOHours, Note: in.Note, CreatedBy: actor.Email, CreatedAt: tx.Now()}
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM response_plans WHERE system_id = ?", systemID).Scan(&p.Version); err != nil {
			return fmt.Errorf("plan version of system %d: %w", systemID, err)
		}
		if p.ID, err = planTable.Insert(ctx, tx, &p); err != nil {
			if storage.IsUniqueViolation(err) {
				return storage.Conflict("version", "responseplan.err.concurrent")
			}
			return fmt.Errorf("save plan of system %d: %w", systemID, err)
		}
		out, err = scanPlan(tx.QueryRow(ctx, planColumns+planSelect+" WHERE p.id = ?", p.ID))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "responseplan.save", ObjectType: "system", ObjectID: systemID, OrgID: out.OrgID, New: out})
	})
	return out, err
}

// Versions are a system's plans, newest first; the first is the plan in force.
func Versions(ctx context.Context, q storage.Querier, actor access.Actor, systemID int64) ([]Plan, error) {
	if _, err := system(ctx, q, actor, systemID); err != nil {
		return nil, err
	}
	return storage.Collect[Plan](q.Query(ctx, planColumns+planSelect+" WHERE p.system_id = ? ORDER BY p.version DESC", systemID))(scanPlan)
}

// Current is a system's plan in force, access.ErrNotFound when it has none.
func Current(ctx context.Context, q storage.Querier, actor access.Actor, systemID int64) (Plan, error) {
	ps, err := Versions(ctx, q, actor, systemID)
	if err != nil {
		return Plan{}, err
	}
	if len(ps) == 0 {
		return Plan{}, access.ErrNotFound
	}
	return ps[0], nil
}

// Readiness is a system's preparation: its plan and its last live-fire drill.
type Readiness struct {
	SystemID    int64      `json:"system_id"`
	SystemName  string     `json:"system_name"`
	Level       int        `json:"level"`
	OrgID       int64      `json:"org_id"`
	OrgCode     string     `json:"org_code"`
	OrgPath     string     `json:"-"`
	PlanStatus  string     `json:"plan_status"`
	PlanVersion int        `json:"plan_version,omitempty"`
	PlanSavedAt *time.Time `json:"plan_saved_at,omitempty"`
	LastDrill   string     `json:"last_drill,omitempty"` // YYYY-MM-DD of the last live-fire drill
	DrillDue    bool       `json:"drill_due"`
}

// ReadinessFilter narrows the readiness list.
type ReadinessFilter struct {
	OrgID      int64
	PlanStatus string // none, current, to_review; "" for all
	DrillDue   bool   // only level-3+ systems without a live-fire drill in 12 months
	NeedsWork  bool   // no plan, a plan to review, or a drill due
}

// lastDrill is the day of a system s's last live-fire drill.
const lastDrill = `(SELECT MAX(d.held_on) FROM response_drill_systems ds JOIN response_drills d ON d.id = ds.drill_id WHERE ds.system_id = s.id AND d.kind = 'live')`

// ListReadiness lists the systems in use the actor sees with their plan and drill status, by name.
func ListReadiness(ctx context.Context, q storage.Querier, actor access.Actor, f ReadinessFilter, p storage.Page, now time.Time) (storage.Paged[Readiness], error) {
	if f.PlanStatus != "" && !slices.Contains(PlanStatuses, f.PlanStatus) {
		return storage.Paged[Readiness]{}, validation.Invalid("plan_status", "responseplan.err.status", f.PlanStatus)
	}
	cutoff := DrillCutoff(Today(now))
	w := storage.Scoped(actor.OrgFilter("o.path"))
	w.Add("s.archived_at IS NULL AND s.status <> 'retired'")
	if f.OrgID != 0 {
		w.Add("o.path LIKE (SELECT path FROM orgs WHERE id = ?) || '%'", f.OrgID)
	}
	const none, review = "p.id IS NULL", "p.id IS NOT NULL AND s.updated_at > p.created_at"
	due := fmt.Sprintf("s.level >= %d AND (%s IS NULL OR %s < ?)", DrillLevel, lastDrill, lastDrill)
	switch f.PlanStatus {
	case PlanNone:
		w.Add(none)
	case PlanToReview:
		w.Add(review)
	case PlanCurrent:
		w.Add("p.id IS NOT NULL AND s.updated_at <= p.created_at")
	}
	if f.DrillDue {
		w.Add(due, cutoff)
	}
	if f.NeedsWork {
		w.Add("("+none+" OR "+review+" OR "+due+")", cutoff)
	}
	res, err := storage.List[Readiness]{
		Select: "SELECT s.id, s.name, s.level, o.id, o.code, o.path, s.updated_at, p.version, p.created_at, " + lastDrill,
		From: ` FROM systems s JOIN orgs o ON o.id = s.org_id
			LEFT JOIN response_plans p ON p.system_id = s.id AND p.version = (SELECT MAX(version) FROM response_plans WHERE system_id = s.id)`,
		Where: w, Order: storage.Keyset{Text: []string{"s.name"}, ID: "s.id"},
		Scan: func(r storage.Scanner) (Readiness, error) {
			var x Readiness
			var changed time.Time
			var version *int
			var saved *time.Time
			var last *string
			if err := r.Scan(&x.SystemID, &x.SystemName, &x.Level, &x.OrgID, &x.OrgCode, &x.OrgPath, storage.UTC{P: &changed}, &version,
				storage.OptionalUTC{P: &saved}, &last); err != nil {
				return x, err
			}
			if version != nil {
				x.PlanVersion, x.PlanSavedAt = *version, saved
				x.PlanStatus = PlanStatus(*saved, changed, true)
			} else {
				x.PlanStatus = PlanNone
			}
			if last != nil {
				x.LastDrill = *last
			}
			x.DrillDue = DrillDue(x.Level, x.LastDrill, Today(now))
			return x, nil
		},
		Key: func(x Readiness) []any { return []any{x.SystemName, x.SystemID} },
	}.Read(ctx, q, p)
	if err != nil {
		return res, fmt.Errorf("list readiness: %w", err)
	}
	return res, nil
}
