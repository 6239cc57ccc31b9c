package campaign

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/storage"
)

// OrgRef names an organisation in a campaign.
type OrgRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// Cell is one organisation's obligation in one phase, for the progress grid.
type Cell struct {
	PhaseID      int64            `json:"phase_id"`
	ObligationID int64            `json:"obligation_id"`
	Status       ObligationStatus `json:"status"`
}

// OrgProgress is one organisation's row of the progress grid.
type OrgProgress struct {
	OrgRef
	Cells []Cell `json:"cells"`
	Done  int    `json:"done"` // submitted or accepted
	Late  int    `json:"late"`
	Total int    `json:"total"`
}

// Detail is a campaign's page: its scope, phases, every organisation's
// progress the reader sees, what is overdue and what changed in the last
// week.
type Detail struct {
	Campaign
	Orgs      []OrgRef         `json:"orgs"`
	SystemIDs []int64          `json:"system_ids"`
	Phases    []Phase          `json:"phases"`
	Progress  []OrgProgress    `json:"progress"`
	Overdue   []ObligationView `json:"overdue"`
	Changes   []Event          `json:"changes"`
	// Running says whether the campaign covers its systems today.
	Running bool `json:"running"`
}

// Week is how far back "changed since last week" looks.
const Week = 7 * 24 * time.Hour

// GetDetail returns a campaign with its progress as the actor sees it: an
// agency sees its own organisations and systems in the scope, not the
// others'.
func GetDetail(ctx context.Context, db storage.Querier, actor access.Actor, id int64) (Detail, error) {
	c, err := Get(ctx, db, actor, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Campaign: c, Overdue: []ObligationView{}}
	scope, args := actor.OrgFilter("o.path")
	if d.Orgs, err = storage.Collect[OrgRef](db.Query(ctx, "SELECT o.id, o.code, o.name FROM campaign_orgs co JOIN orgs o ON o.id = co.org_id WHERE co.campaign_id = ? AND "+scope+" ORDER BY o.code", append([]any{id}, args...)...))(func(r storage.Scanner) (OrgRef, error) {
		var o OrgRef
		return o, r.Scan(&o.ID, &o.Code, &o.Name)
	}); err != nil {
		return d, fmt.Errorf("organisations of campaign %d: %w", id, err)
	}
	if d.SystemIDs, err = storage.IDs(db.Query(ctx, `SELECT cs.system_id FROM campaign_systems cs JOIN systems s ON s.id = cs.system_id JOIN orgs o ON o.id = s.org_id
		WHERE cs.campaign_id = ? AND `+scope+` ORDER BY cs.system_id`, append([]any{id}, args...)...)); err != nil {
		return d, fmt.Errorf("systems of campaign %d: %w", id, err)
	}
	if d.Phases, err = phasesOf(ctx, db, id); err != nil {
		return d, err
	}
	today := Day(db.Now())
	d.Running = Running(c.Status, c.Year, d.Phases, today)
	obs, err := storage.Collect[ObligationView](db.Query(ctx, obligationSelect+obligationFrom+" WHERE ob.campaign_id = ? AND "+scope+" ORDER BY o.code, p.position, ob.id", append([]any{id}, args...)...))(scanObligation(today))
	if err != nil {
		return d, fmt.Errorf("obligations of campaign %d: %w", id, err)
	}
	d.Progress = Grid(d.Phases, obs)
	for _, o := range obs {
		if o.Status == Late {
			d.Overdue = append(d.Overdue, o)
		}
	}
	d.Changes, err = events(ctx, db, actor, "e.campaign_id = ?", id, db.Now().Add(-Week))
	// Lists are [] in the JSON, never null.
	d.Orgs, d.SystemIDs, d.Changes = orEmpty(d.Orgs), orEmpty(d.SystemIDs), orEmpty(d.Changes)
	return d, err
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Grid arranges obligations (ordered by organisation) into one row per
// organisation with a cell per phase; a phase without an obligation for
// the organisation has an empty cell.
func Grid(phases []Phase, obs []ObligationView) []OrgProgress {
	out := []OrgProgress{}
	col := map[int64]int{}
	for i, p := range phases {
		col[p.ID] = i
	}
	for _, o := range obs {
		if len(out) == 0 || out[len(out)-1].ID != o.OrgID {
			out = append(out, OrgProgress{OrgRef: OrgRef{ID: o.OrgID, Code: o.OrgCode, Name: o.OrgName}, Cells: make([]Cell, len(phases))})
		}
		row := &out[len(out)-1]
		i, ok := col[o.PhaseID]
		if !ok {
			continue
		}
		row.Cells[i] = Cell{PhaseID: o.PhaseID, ObligationID: o.ID, Status: o.Status}
		row.Total++
		switch o.Status {
		case Submitted, Accepted:
			row.Done++
		case Late:
			row.Late++
		}
	}
	return out
}

func phasesOf(ctx context.Context, q storage.Querier, id int64) ([]Phase, error) {
	ps, err := storage.Collect[Phase](q.Query(ctx, "SELECT id, campaign_id, position, kind, title, starts_on, due_on FROM campaign_phases WHERE campaign_id = ? ORDER BY position, id", id))(func(r storage.Scanner) (Phase, error) {
		var p Phase
		return p, r.Scan(&p.ID, &p.CampaignID, &p.Position, &p.Kind, &p.Title, &p.StartsOn, &p.DueOn)
	})
	if err != nil {
		return nil, fmt.Errorf("phases of campaign %d: %w", id, err)
	}
	if ps == nil {
		ps = []Phase{}
	}
	return ps, nil
}

// runningCampaigns are the ids of the campaigns that cover their systems
// on day today.
func runningCampaigns(ctx context.Context, q storage.Querier, today string) ([]int64, error) {
	type active struct {
		id   int64
		year int
	}
	list, err := storage.Collect[active](q.Query(ctx, "SELECT id, year FROM campaigns WHERE status = 'active' ORDER BY id"))(func(r storage.Scanner) (active, error) {
		var a active
		return a, r.Scan(&a.id, &a.year)
	})
	if err != nil {
		return nil, fmt.Errorf("active campaigns: %w", err)
	}
	var out []int64
	for _, a := range list {
		phases, err := phasesOf(ctx, q, a.id)
		if err != nil {
			return nil, err
		}
		if Running(Active, a.year, phases, today) {
			out = append(out, a.id)
		}
	}
	return out, nil
}

// chunk bounds the number of placeholders in one IN list.
const chunk = 500

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// CoveringSystems gives, for each of the systems (in use) that an active
// campaign covers on today, the id of that campaign (the oldest when
// several do). A campaign covers the systems it lists or, when it lists
// none, every system of its organisations and their subtrees; it is
// running while active and today is in one of its scanning phases, or in
// its year when it has no scanning phase. The scope guard of scan
// operations asks this.
func CoveringSystems(ctx context.Context, q storage.Querier, systemIDs []int64, today time.Time) (map[int64]int64, error) {
	out := map[int64]int64{}
	running, err := runningCampaigns(ctx, q, Day(today))
	if err != nil || len(running) == 0 || len(systemIDs) == 0 {
		return out, err
	}
	cs := marks(len(running))
	for start := 0; start < len(systemIDs); start += chunk {
		part := systemIDs[start:min(start+chunk, len(systemIDs))]
		ss := marks(len(part))
		query := `SELECT cs.system_id, cs.campaign_id FROM campaign_systems cs JOIN systems s ON s.id = cs.system_id
			WHERE s.archived_at IS NULL AND cs.system_id IN (` + ss + `) AND cs.campaign_id IN (` + cs + `)
			UNION
			SELECT s.id, co.campaign_id FROM systems s JOIN orgs so ON so.id = s.org_id
			JOIN campaign_orgs co ON co.campaign_id IN (` + cs + `) JOIN orgs o ON o.id = co.org_id
			WHERE s.archived_at IS NULL AND s.id IN (` + ss + `) AND so.path LIKE o.path || '%'
			AND NOT EXISTS (SELECT 1 FROM campaign_systems x WHERE x.campaign_id = co.campaign_id)`
		args := append(append(append(anys(part), anys(running)...), anys(running)...), anys(part)...)
		rows, err := q.Query(ctx, query, args...)
		err = storage.Each(rows, err, func(r storage.Scanner) error {
			var sys, camp int64
			if err := r.Scan(&sys, &camp); err != nil {
				return err
			}
			if cur, ok := out[sys]; !ok || camp < cur {
				out[sys] = camp
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("systems covered by campaigns: %w", err)
		}
	}
	return out, nil
}

// SystemsOf lists the systems in use that a campaign covers (whatever its
// status): those it lists, or those of its organisations' subtrees.
func SystemsOf(ctx context.Context, q storage.Querier, campaignID int64) ([]int64, error) {
	ids, err := storage.IDs(q.Query(ctx, `SELECT cs.system_id FROM campaign_systems cs JOIN systems s ON s.id = cs.system_id
		WHERE cs.campaign_id = ? AND s.archived_at IS NULL ORDER BY cs.system_id`, campaignID))
	if err != nil {
		return nil, fmt.Errorf("systems of campaign %d: %w", campaignID, err)
	}
	if len(ids) > 0 {
		return ids, nil
	}
	var listed int
	if err := q.QueryRow(ctx, "SELECT count(*) FROM campaign_systems WHERE campaign_id = ?", campaignID).Scan(&listed); err != nil {
		return nil, fmt.Errorf("systems of campaign %d: %w", campaignID, err)
	}
	if listed > 0 {
		// It lists systems, all of them archived since.
		return []int64{}, nil
	}
	return orgSystems(ctx, q, campaignID)
}
