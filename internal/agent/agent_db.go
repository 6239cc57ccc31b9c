package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// record is an agents row: the Agent and the hash of its token.
type record struct {
	Agent
	TokenHash string
}

// agentTable is the one column list of the agents table.
var agentTable = storage.Table[record]{Name: "agents", Columns: []storage.Column[record]{
	{Name: "id", Field: func(r *record) any { return &r.ID }, Fixed: true},
	{Name: "name", Field: func(r *record) any { return &r.Name }, Fixed: true},
	{Name: "token_hash", Field: func(r *record) any { return &r.TokenHash }, Fixed: true},
	{Name: "token_prefix", Field: func(r *record) any { return &r.TokenPrefix }, Fixed: true},
	{Name: "enrolled_at", Field: func(r *record) any { return storage.OptionalUTC{P: &r.EnrolledAt} }},
	{Name: "last_heartbeat_at", Field: func(r *record) any { return storage.OptionalUTC{P: &r.LastHeartbeatAt} }},
	{Name: "version", Field: func(r *record) any { return &r.Version }},
	{Name: "hostname", Field: func(r *record) any { return &r.Hostname }},
	{Name: "address", Field: func(r *record) any { return &r.Address }},
	{Name: "revoked_at", Field: func(r *record) any { return storage.OptionalUTC{P: &r.RevokedAt} }},
	{Name: "created_by", Field: func(r *record) any { return &r.CreatedBy }, Fixed: true},
	{Name: "created_at", Field: func(r *record) any { return storage.UTC{P: &r.CreatedAt} }, Fixed: true},
}}

func scanRecord(sc storage.Scanner) (record, error) {
	var r record
	err := sc.Scan(agentTable.Dest(&r)...)
	return r, err
}

// agentOrder lists agents by name.
var agentOrder = storage.Keyset{Text: []string{"a.name"}, ID: "a.id"}

// Register records a new agent and returns it with its token, which is shown
// this once: only its hash is kept. Only the coordinator and administrators
// register agents.
func Register(ctx context.Context, db *storage.Store, actor access.Actor, name string) (Agent, string, error) {
	if err := manages(actor); err != nil {
		return Agent{}, "", err
	}
	name, err := normaliseName(name)
	if err != nil {
		return Agent{}, "", err
	}
	secret, hash, prefix := NewToken()
	r := record{Agent: Agent{Name: name, TokenPrefix: prefix, CreatedBy: actor.Email}, TokenHash: hash}
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		r.CreatedAt = tx.Now()
		id, err := agentTable.Insert(ctx, tx, &r)
		if err != nil {
			if storage.IsUniqueViolation(err) {
				return storage.Conflict("name", "agent.err.name_taken", name)
			}
			return fmt.Errorf("register agent: %w", err)
		}
		r.ID = id
		return audit.Record(ctx, tx, actor, audit.Change{Action: "agent.register", ObjectType: "agent", ObjectID: id,
			New: map[string]any{"name": name, "token_prefix": prefix}})
	})
	if err != nil {
		return Agent{}, "", err
	}
	r.Status = StatusOf(r.Agent, db.Now())
	r.Systems = []int64{}
	return r.Agent, secret, nil
}

// Authenticate returns the live agent whose token this is:
// access.ErrNotFound for a token that is unknown, malformed or revoked.
func Authenticate(ctx context.Context, q storage.Querier, token string) (Agent, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return Agent{}, access.ErrNotFound
	}
	r, err := scanRecord(q.QueryRow(ctx, "SELECT "+agentTable.Select("a")+" FROM agents a WHERE a.token_hash = ? AND a.revoked_at IS NULL", HashToken(token)))
	if storage.IsNoRows(err) {
		return Agent{}, access.ErrNotFound
	}
	if err != nil {
		return Agent{}, fmt.Errorf("authenticate agent: %w", err)
	}
	r.Status = StatusOf(r.Agent, q.Now())
	return r.Agent, nil
}

// Heartbeat records that the agent is alive, with what it says about itself
// and where it called from. The first heartbeat is the agent's enrolment,
// audited as the agent; later ones are not (one every interval).
func Heartbeat(ctx context.Context, db *storage.Store, agentID int64, hb HeartbeatInfo) error {
	hb.Version, hb.Hostname, hb.Address = clip(hb.Version, 64), clip(hb.Hostname, 255), clip(hb.Address, 64)
	return db.InTx(ctx, func(tx *storage.Tx) error {
		r, err := scanRecord(tx.QueryRow(ctx, "SELECT "+agentTable.Select("a")+" FROM agents a WHERE a.id = ? AND a.revoked_at IS NULL", agentID))
		if storage.IsNoRows(err) {
			return fmt.Errorf("agent %d: %w", agentID, access.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read agent %d: %w", agentID, err)
		}
		now := tx.Now()
		first := r.EnrolledAt == nil
		if first {
			r.EnrolledAt = &now
		}
		r.LastHeartbeatAt, r.Version, r.Hostname, r.Address = &now, hb.Version, hb.Hostname, hb.Address
		if err := agentTable.Update(ctx, tx, &r, agentID); err != nil {
			return fmt.Errorf("heartbeat of agent %d: %w", agentID, err)
		}
		if !first {
			return nil
		}
		return audit.Record(ctx, tx, Actor(r.Agent, hb.Address), audit.Change{Action: "agent.enrol", ObjectType: "agent", ObjectID: agentID,
			New: map[string]string{"version": hb.Version, "hostname": hb.Hostname, "address": hb.Address}})
	})
}

// Actor is the agent as the author of what it does (its audit entries):
// never a user, and with the rights of khien's own work only in what the
// server does on its behalf.
func Actor(a Agent, ip string) access.Actor {
	actor := access.SystemActor("agent " + a.Name)
	actor.IP = ip
	return actor
}

// Revoke ends an agent: its token no longer authenticates. Its pins stay, so
// that the systems pinned to it wait for another agent rather than being
// scanned from where they cannot be reached.
func Revoke(ctx context.Context, db *storage.Store, actor access.Actor, id int64) error {
	if err := manages(actor); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		r, err := scanRecord(tx.QueryRow(ctx, "SELECT "+agentTable.Select("a")+" FROM agents a WHERE a.id = ?", id))
		if storage.IsNoRows(err) {
			return fmt.Errorf("agent %d: %w", id, access.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read agent %d: %w", id, err)
		}
		if r.RevokedAt != nil {
			return nil
		}
		now := tx.Now()
		if _, err := tx.Exec(ctx, "UPDATE agents SET revoked_at = ? WHERE id = ?", now, id); err != nil {
			return fmt.Errorf("revoke agent %d: %w", id, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "agent.revoke", ObjectType: "agent", ObjectID: id,
			Old: map[string]any{"name": r.Name, "revoked_at": nil}, New: map[string]any{"name": r.Name, "revoked_at": now}})
	})
}

// List returns page p of the agents, by name, each with its status and pins.
func List(ctx context.Context, q storage.Querier, actor access.Actor, p storage.Page) (storage.Paged[Agent], error) {
	var out storage.Paged[Agent]
	if err := manages(actor); err != nil {
		return out, err
	}
	res, err := storage.List[record]{Select: "SELECT " + agentTable.Select("a"), From: " FROM agents a", Where: storage.NewWhere("1=1"),
		Order: agentOrder, Scan: scanRecord, Key: func(r record) []any { return []any{r.Name, r.ID} }}.Read(ctx, q, p)
	if err != nil {
		return out, fmt.Errorf("list agents: %w", err)
	}
	out.Total, out.Next = res.Total, res.Next
	out.Items = make([]Agent, 0, len(res.Items))
	for _, r := range res.Items {
		a, err := complete(ctx, q, r)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, a)
	}
	return out, nil
}

// Get returns one agent with its status and pins.
func Get(ctx context.Context, q storage.Querier, actor access.Actor, id int64) (Agent, error) {
	if err := manages(actor); err != nil {
		return Agent{}, err
	}
	r, err := scanRecord(q.QueryRow(ctx, "SELECT "+agentTable.Select("a")+" FROM agents a WHERE a.id = ?", id))
	if storage.IsNoRows(err) {
		return Agent{}, fmt.Errorf("agent %d: %w", id, access.ErrNotFound)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("get agent %d: %w", id, err)
	}
	return complete(ctx, q, r)
}

// complete adds what an agent's row does not hold: its status and its pins.
func complete(ctx context.Context, q storage.Querier, r record) (Agent, error) {
	a := r.Agent
	a.Status = StatusOf(a, q.Now())
	pins, err := PinsOf(ctx, q, a.ID)
	if err != nil {
		return a, err
	}
	a.Systems = pins
	if a.Systems == nil {
		a.Systems = []int64{}
	}
	return a, nil
}

// Pin makes the agent the one that scans the system (agentID 0 unpins it).
// A revoked agent takes no new pins.
func Pin(ctx context.Context, db *storage.Store, actor access.Actor, systemID, agentID int64) error {
	if err := manages(actor); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *storage.Tx) error {
		sys, err := inventory.GetSystem(ctx, tx, actor, systemID)
		if err != nil {
			return err
		}
		old, err := PinnedAgent(ctx, tx, systemID)
		if err != nil {
			return err
		}
		if agentID != 0 {
			var revoked bool
			if err := tx.QueryRow(ctx, "SELECT revoked_at IS NOT NULL FROM agents WHERE id = ?", agentID).Scan(&revoked); err != nil {
				if storage.IsNoRows(err) {
					return validation.Invalid("agent_id", "agent.err.unknown")
				}
				return fmt.Errorf("read agent %d: %w", agentID, err)
			}
			if revoked {
				return validation.Invalid("agent_id", "agent.err.revoked")
			}
		}
		if old == agentID {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM agent_pins WHERE system_id = ?", systemID); err != nil {
			return fmt.Errorf("unpin system %d: %w", systemID, err)
		}
		action := "agent.unpin"
		if agentID != 0 {
			action = "agent.pin"
			if _, err := tx.Exec(ctx, "INSERT INTO agent_pins (system_id, agent_id, actor, created_at) VALUES (?, ?, ?, ?)",
				systemID, agentID, actor.Email, tx.Now()); err != nil {
				return fmt.Errorf("pin system %d: %w", systemID, err)
			}
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: action, ObjectType: "system", ObjectID: systemID, OrgID: sys.OrgID,
			Old: map[string]int64{"agent_id": old}, New: map[string]int64{"agent_id": agentID}})
	})
}

// PinnedAgent is the id of the agent the system is pinned to, 0 when it is
// not pinned. The agent may be revoked (its pins stay): a scan of the system
// then waits for a live agent (see Revoke).
func PinnedAgent(ctx context.Context, q storage.Querier, systemID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT agent_id FROM agent_pins WHERE system_id = ?", systemID).Scan(&id)
	if storage.IsNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pin of system %d: %w", systemID, err)
	}
	return id, nil
}

// PinsOf lists the ids of the systems pinned to the agent, in order.
func PinsOf(ctx context.Context, q storage.Querier, agentID int64) ([]int64, error) {
	ids, err := storage.IDs(q.Query(ctx, "SELECT system_id FROM agent_pins WHERE agent_id = ? ORDER BY system_id", agentID))
	if err != nil {
		return nil, fmt.Errorf("pins of agent %d: %w", agentID, err)
	}
	return ids, nil
}

// PinView is a pin as pages show it: the system and its owner by name.
type PinView struct {
	SystemID   int64  `json:"system_id"`
	SystemName string `json:"system_name"`
	OrgName    string `json:"org_name"`
	AgentID    int64  `json:"agent_id"`
}

// Pins lists every pin, by organisation and system name.
func Pins(ctx context.Context, q storage.Querier, actor access.Actor) ([]PinView, error) {
	if err := manages(actor); err != nil {
		return nil, err
	}
	return storage.Collect[PinView](q.Query(ctx, "SELECT p.system_id, s.name, o.name, p.agent_id FROM agent_pins p JOIN systems s ON s.id = p.system_id JOIN orgs o ON o.id = s.org_id ORDER BY o.name, s.name, p.system_id"))(
		func(sc storage.Scanner) (PinView, error) {
			var v PinView
			return v, sc.Scan(&v.SystemID, &v.SystemName, &v.OrgName, &v.AgentID)
		})
}
