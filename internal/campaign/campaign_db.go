package campaign

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

var campaignTable = storage.Table[Campaign]{Name: "campaigns", Columns: []storage.Column[Campaign]{
	{Name: "id", Field: func(c *Campaign) any { return &c.ID }, Fixed: true},
	{Name: "title", Field: func(c *Campaign) any { return &c.Title }},
	{Name: "document_no", Field: func(c *Campaign) any { return &c.DocumentNo }},
	{Name: "document_date", Field: func(c *Campaign) any { return &c.DocumentDate }},
	{Name: "issuing_body", Field: func(c *Campaign) any { return &c.IssuingBody }},
	{Name: "legal_basis", Field: func(c *Campaign) any { return &c.LegalBasis }},
	{Name: "year", Field: func(c *Campaign) any { return &c.Year }},
	{Name: "template", Field: func(c *Campaign) any { return &c.Template }, Fixed: true},
	{Name: "status", Field: func(c *Campaign) any { return &c.Status }},
	{Name: "actor", Field: func(c *Campaign) any { return &c.Actor }, Fixed: true},
	{Name: "created_at", Field: func(c *Campaign) any { return storage.UTC{P: &c.CreatedAt} }, Fixed: true},
	{Name: "updated_at", Field: func(c *Campaign) any { return storage.UTC{P: &c.UpdatedAt} }},
}}

var campaignSelect = campaignTable.Select("c")

// CanManage reports whether the actor creates and runs campaigns and
// reviews what agencies submit: the coordinator and the administrator.
func CanManage(actor access.Actor) bool {
	return actor.System || actor.Role == access.Admin || actor.Role == access.Coordinator
}

// CheckManage is CanManage as an error: forbidden, saying the role.
func CheckManage(actor access.Actor) error {
	if CanManage(actor) {
		return nil
	}
	return fmt.Errorf("%w: %w", access.ErrForbidden, validation.Say("campaign.err.manage", validation.Say("role."+string(actor.Role))))
}

// visible is the condition that the actor sees campaign c: everything for
// the city level; for others, a campaign past its draft that includes an
// organisation of their scope.
func visible(actor access.Actor) (string, []any) {
	if actor.Global() {
		return "1=1", nil
	}
	scope, args := actor.OrgFilter("vo.path")
	return "c.status <> 'draft' AND EXISTS (SELECT 1 FROM campaign_orgs vco JOIN orgs vo ON vo.id = vco.org_id WHERE vco.campaign_id = c.id AND " + scope + ")", args
}

// View is a campaign in a list, with its progress in figures (over the
// obligations the reader sees).
type View struct {
	Campaign
	Orgs        int `json:"orgs"`
	Obligations int `json:"obligations"`
	Done        int `json:"done"` // submitted or accepted
	Accepted    int `json:"accepted"`
	Late        int `json:"late"`
}

// Filter narrows the list of campaigns.
type Filter struct {
	Status string
	Year   int
}

var campaignOrder = storage.Keyset{Int: []string{"c.year"}, ID: "c.id", Desc: true}

// List returns page p of the campaigns the actor sees, newest year first.
func List(ctx context.Context, db storage.Querier, actor access.Actor, f Filter, p storage.Page) (storage.Paged[View], error) {
	w := storage.Scoped(visible(actor))
	if f.Status != "" {
		w.Add("c.status = ?", f.Status)
	}
	if f.Year != 0 {
		w.Add("c.year = ?", f.Year)
	}
	res, err := storage.List[View]{Select: "SELECT " + campaignSelect, From: " FROM campaigns c", Where: w, Order: campaignOrder,
		Scan: func(sc storage.Scanner) (View, error) {
			var v View
			return v, sc.Scan(campaignTable.Dest(&v.Campaign)...)
		},
		Key: func(v View) []any { return []any{int64(v.Year), v.ID} }}.Read(ctx, db, p)
	if err != nil {
		return res, fmt.Errorf("list campaigns: %w", err)
	}
	for i := range res.Items {
		if err := countProgress(ctx, db, actor, &res.Items[i]); err != nil {
			return res, err
		}
	}
	return res, nil
}

// countProgress fills a list row's figures.
func countProgress(ctx context.Context, db storage.Querier, actor access.Actor, v *View) error {
	scope, args := actor.OrgFilter("o.path")
	today := Day(db.Now())
	err := db.QueryRow(ctx, `SELECT count(*),
		COALESCE(sum(CASE WHEN ob.status IN ('submitted', 'accepted') THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN ob.status = 'accepted' THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN ob.status IN ('not_started', 'returned') AND p.due_on < ? THEN 1 ELSE 0 END), 0)
		FROM campaign_obligations ob JOIN campaign_phases p ON p.id = ob.phase_id JOIN orgs o ON o.id = ob.org_id
		WHERE ob.campaign_id = ? AND `+scope, append([]any{today, v.ID}, args...)...).Scan(&v.Obligations, &v.Done, &v.Accepted, &v.Late)
	if err != nil {
		return fmt.Errorf("progress of campaign %d: %w", v.ID, err)
	}
	if err := db.QueryRow(ctx, "SELECT count(*) FROM campaign_orgs co JOIN orgs o ON o.id = co.org_id WHERE co.campaign_id = ? AND "+scope, append([]any{v.ID}, args...)...).Scan(&v.Orgs); err != nil {
		return fmt.Errorf("organisations of campaign %d: %w", v.ID, err)
	}
	return nil
}

// Get returns one campaign the actor sees.
func Get(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (Campaign, error) {
	cond, args := visible(actor)
	var c Campaign
	err := db.QueryRow(ctx, "SELECT "+campaignSelect+" FROM campaigns c WHERE c.id = ? AND "+cond, append([]any{id}, args...)...).Scan(campaignTable.Dest(&c)...)
	if storage.IsNoRows(err) {
		return c, access.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("campaign %d: %w", id, err)
	}
	return c, nil
}

// PhaseInput is a phase of a campaign made without a template.
type PhaseInput struct {
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	StartsOn string `json:"starts_on,omitempty"`
	DueOn    string `json:"due_on"`
}

// validatePhases checks phases given by hand.
func validatePhases(in []PhaseInput) ([]PlannedPhase, validation.Errors) {
	var out []PlannedPhase
	var es validation.Errors
	for i, p := range in {
		field := fmt.Sprintf("phases[%d]", i)
		ph := Phase{Position: i + 1, Kind: strings.TrimSpace(p.Kind), Title: strings.TrimSpace(p.Title), StartsOn: strings.TrimSpace(p.StartsOn), DueOn: strings.TrimSpace(p.DueOn)}
		if ph.Kind == "" {
			ph.Kind = KindOther
		}
		if !known(PhaseKinds, ph.Kind) {
			es.Add(field+".kind", "campaign.err.phase_kind", strings.Join(PhaseKinds, ", "))
		}
		if ph.Title == "" || len([]rune(ph.Title)) > maxTitle {
			es.Add(field+".title", "campaign.err.title", maxTitle)
		}
		if _, err := time.Parse(time.DateOnly, ph.DueOn); err != nil {
			es.Add(field+".due_on", "campaign.err.date")
		}
		if ph.StartsOn != "" {
			if _, err := time.Parse(time.DateOnly, ph.StartsOn); err != nil || ph.StartsOn > ph.DueOn {
				es.Add(field+".starts_on", "campaign.err.starts")
			}
		}
		out = append(out, PlannedPhase{Phase: ph, Obligation: ph.Title})
	}
	return out, es
}

func known(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// CreateInput is Input with phases given by hand (used when no template is chosen).
type CreateInput struct {
	Input
	Phases []PhaseInput `json:"phases,omitempty"`
}

// Create makes a campaign: its organisations and systems, the phases of
// its template (or those given), and one obligation per organisation and
// phase.
func Create(ctx context.Context, db *storage.Store, actor access.Actor, in CreateInput) (Campaign, error) {
	if err := CheckManage(actor); err != nil {
		return Campaign{}, err
	}
	c, es := in.Normalise()
	var phases []PlannedPhase
	allSystems := false
	if t, ok := TemplateByKey(c.Template); ok {
		var err error
		if phases, err = t.Plan(c.Year); err != nil {
			return c, err
		}
		allSystems = t.AllSystems
	} else {
		var pes validation.Errors
		phases, pes = validatePhases(in.Phases)
		es = append(es, pes...)
	}
	if len(es) > 0 {
		return c, es
	}
	orgIDs := unique(in.OrgIDs)
	systemIDs := unique(in.SystemIDs)
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		for _, id := range orgIDs {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM orgs WHERE id = ? AND archived_at IS NULL", id).Scan(&n); err != nil {
				return fmt.Errorf("organisation %d: %w", id, err)
			}
			if n == 0 {
				return validation.Invalid("org_ids", "campaign.err.org_unknown", id)
			}
		}
		for _, id := range systemIDs {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM systems WHERE id = ? AND archived_at IS NULL", id).Scan(&n); err != nil {
				return fmt.Errorf("system %d: %w", id, err)
			}
			if n == 0 {
				return validation.Invalid("system_ids", "campaign.err.system_unknown", id)
			}
		}
		now := tx.Now()
		c.Actor, c.CreatedAt, c.UpdatedAt = actor.Email, now, now
		id, err := campaignTable.Insert(ctx, tx, &c)
		if err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		c.ID = id
		for _, org := range orgIDs {
			if _, err := tx.Exec(ctx, "INSERT INTO campaign_orgs (campaign_id, org_id) VALUES (?, ?)", id, org); err != nil {
				return fmt.Errorf("campaign organisation: %w", err)
			}
		}
		if len(systemIDs) == 0 && allSystems {
			if systemIDs, err = orgSystems(ctx, tx, id); err != nil {
				return err
			}
		}
		for _, s := range systemIDs {
			if _, err := tx.Exec(ctx, "INSERT INTO campaign_systems (campaign_id, system_id) VALUES (?, ?)", id, s); err != nil {
				return fmt.Errorf("campaign system: %w", err)
			}
		}
		for _, p := range phases {
			pid, err := tx.InsertID(ctx, "INSERT INTO campaign_phases (campaign_id, position, kind, title, starts_on, due_on) VALUES (?, ?, ?, ?, ?, ?)",
				id, p.Position, p.Kind, p.Title, p.StartsOn, p.DueOn)
			if err != nil {
				return fmt.Errorf("campaign phase: %w", err)
			}
			for _, org := range orgIDs {
				if _, err := tx.Exec(ctx, "INSERT INTO campaign_obligations (campaign_id, org_id, phase_id, title, status, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
					id, org, pid, p.Obligation, NotStarted, now); err != nil {
					return fmt.Errorf("campaign obligation: %w", err)
				}
			}
		}
		if err := addEvent(ctx, tx, actor, event{campaignID: id, kind: "created", note: c.Title}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "campaign.create", ObjectType: "campaign", ObjectID: id,
			New: map[string]any{"campaign": c, "org_ids": orgIDs, "system_ids": systemIDs}})
	})
	return c, err
}

// orgSystems are the systems in use of a campaign's organisations and their subtrees.
func orgSystems(ctx context.Context, q storage.Querier, campaignID int64) ([]int64, error) {
	ids, err := storage.IDs(q.Query(ctx, `SELECT DISTINCT s.id FROM systems s JOIN orgs so ON so.id = s.org_id
		JOIN campaign_orgs co ON co.campaign_id = ? JOIN orgs o ON o.id = co.org_id
		WHERE s.archived_at IS NULL AND so.path LIKE o.path || '%' ORDER BY s.id`, campaignID))
	if err != nil {
		return nil, fmt.Errorf("systems of campaign %d: %w", campaignID, err)
	}
	return ids, nil
}

func unique(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Update changes a campaign's document fields.
func Update(ctx context.Context, db *storage.Store, actor access.Actor, id int64, e Edit) (Campaign, error) {
	var c Campaign
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		old, err := Get(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := CheckManage(actor); err != nil {
			return err
		}
		c = e.Apply(old)
		if es := c.Validate(); len(es) > 0 {
			return es
		}
		c.UpdatedAt = tx.Now()
		if err := campaignTable.Update(ctx, tx, &c, id); err != nil {
			return fmt.Errorf("update campaign %d: %w", id, err)
		}
		if err := addEvent(ctx, tx, actor, event{campaignID: id, kind: "updated"}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "campaign.update", ObjectType: "campaign", ObjectID: id, Old: old, New: c})
	})
	return c, err
}

// Activate starts a draft campaign; Close ends a draft or active one.
func Activate(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (Campaign, error) {
	return setStatus(ctx, db, actor, id, Active)
}

// Close ends a campaign: it no longer covers its systems.
func Close(ctx context.Context, db *storage.Store, actor access.Actor, id int64) (Campaign, error) {
	return setStatus(ctx, db, actor, id, Closed)
}

// NextStatus checks a campaign's change of status: draft → active,
// draft or active → closed.
func NextStatus(from, to Status) error {
	if (to == Active && from == Draft) || (to == Closed && from != Closed) {
		return nil
	}
	return validation.Invalid("status", "campaign.err.transition", validation.Say("campaign.status."+string(from)), validation.Say("campaign.status."+string(to)))
}

func setStatus(ctx context.Context, db *storage.Store, actor access.Actor, id int64, to Status) (Campaign, error) {
	var c Campaign
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		old, err := Get(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := CheckManage(actor); err != nil {
			return err
		}
		if err := NextStatus(old.Status, to); err != nil {
			return err
		}
		c = old
		c.Status, c.UpdatedAt = to, tx.Now()
		if err := campaignTable.Update(ctx, tx, &c, id); err != nil {
			return fmt.Errorf("campaign %d status: %w", id, err)
		}
		kind := "activated"
		if to == Closed {
			kind = "closed"
		}
		if err := addEvent(ctx, tx, actor, event{campaignID: id, kind: kind}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "campaign." + kind, ObjectType: "campaign", ObjectID: id,
			Old: map[string]Status{"status": old.Status}, New: map[string]Status{"status": to}})
	})
	return c, err
}

// event is a change to record in campaign_events.
type event struct {
	campaignID, obligationID, orgID int64
	kind                            string
	from, to                        ObligationStatus
	note                            string
}

func addEvent(ctx context.Context, tx *storage.Tx, actor access.Actor, e event) error {
	_, err := tx.Exec(ctx, "INSERT INTO campaign_events (campaign_id, obligation_id, org_id, kind, from_status, to_status, note, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		e.campaignID, storage.NullID(e.obligationID), storage.NullID(e.orgID), e.kind, e.from, e.to, e.note, actor.Email, tx.Now())
	if err != nil {
		return fmt.Errorf("campaign event: %w", err)
	}
	return nil
}
