package incident

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

// Kinds of timeline event: written by hand, or by the case itself.
const (
	EventManual    = "manual"
	EventOpened    = "opened"
	EventPhase     = "phase"
	EventTask      = "task"
	EventEvidence  = "evidence"
	EventIndicator = "indicator"
	EventAlert     = "alert"
	EventNotice    = "notice"
)

// Event is one entry of a case's timeline. OccurredAt is kept in UTC and
// shown in Zone, the time zone it was given in.
type Event struct {
	ID           int64     `json:"id"`
	IncidentID   int64     `json:"incident_id"`
	OccurredAt   time.Time `json:"occurred_at"`
	Zone         string    `json:"zone"`
	Kind         string    `json:"kind"`
	Source       string    `json:"source,omitempty"`
	Description  string    `json:"description"`
	IndicatorIDs []int64   `json:"indicator_ids"`
	SystemIDs    []int64   `json:"system_ids"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// Local is the event's time in its own zone (Vietnam time when the zone is unknown).
func (e Event) Local() time.Time {
	if loc, err := time.LoadLocation(e.Zone); err == nil && e.Zone != "" {
		return e.OccurredAt.In(loc)
	}
	return e.OccurredAt.In(zone)
}

var eventTable = storage.Table[Event]{Name: "incident_events", Columns: []storage.Column[Event]{
	{Name: "id", Field: func(e *Event) any { return &e.ID }, Fixed: true},
	{Name: "incident_id", Field: func(e *Event) any { return &e.IncidentID }, Fixed: true},
	{Name: "occurred_at", Field: func(e *Event) any { return storage.UTC{P: &e.OccurredAt} }},
	{Name: "zone", Field: func(e *Event) any { return &e.Zone }},
	{Name: "kind", Field: func(e *Event) any { return &e.Kind }},
	{Name: "source", Field: func(e *Event) any { return &e.Source }},
	{Name: "description", Field: func(e *Event) any { return &e.Description }},
	{Name: "indicator_ids", Field: func(e *Event) any { return storage.JSON{P: &e.IndicatorIDs} }},
	{Name: "system_ids", Field: func(e *Event) any { return storage.JSON{P: &e.SystemIDs} }},
	{Name: "created_by", Field: func(e *Event) any { return &e.CreatedBy }, Fixed: true},
	{Name: "created_at", Field: func(e *Event) any { return storage.UTC{P: &e.CreatedAt} }, Fixed: true},
}}

// AddEventTx writes an event on a case's timeline inside the caller's
// transaction: the case's own writers (evidence, indicators, alerts,
// notices) call it.
func AddEventTx(ctx context.Context, tx *storage.Tx, e Event) error {
	_, err := writeEvent(ctx, tx, e)
	return err
}

// writeEvent writes an event and returns it as stored.
func writeEvent(ctx context.Context, tx *storage.Tx, e Event) (Event, error) {
	if e.Zone == "" {
		e.Zone = zone.String()
	}
	if e.IndicatorIDs == nil {
		e.IndicatorIDs = []int64{}
	}
	if e.SystemIDs == nil {
		e.SystemIDs = []int64{}
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = tx.Now()
	}
	e.OccurredAt = e.OccurredAt.UTC()
	var err error
	if e.ID, err = eventTable.Insert(ctx, tx, &e); err != nil {
		return e, fmt.Errorf("case %d timeline: %w", e.IncidentID, err)
	}
	return e, nil
}

func listEvents(ctx context.Context, q storage.Querier, id int64) ([]Event, error) {
	return storage.Collect[Event](q.Query(ctx, "SELECT "+eventTable.Select("e")+" FROM incident_events e WHERE e.incident_id = ? ORDER BY e.occurred_at, e.id", id))(func(r storage.Scanner) (Event, error) {
		var e Event
		err := r.Scan(eventTable.Dest(&e)...)
		return e, err
	})
}

// EventInput is an event written by hand. OccurredAt carries its own offset;
// Zone names the time zone to show it in (Vietnam time when empty).
type EventInput struct {
	OccurredAt   time.Time `json:"occurred_at"`
	Zone         string    `json:"zone,omitempty"`
	Source       string    `json:"source,omitempty"`
	Description  string    `json:"description"`
	IndicatorIDs []int64   `json:"indicator_ids,omitempty"`
	SystemIDs    []int64   `json:"system_ids,omitempty"`
}

// validate checks an event against its case: the time is given, not in the
// future, the zone known, and the systems are the case's.
func (in *EventInput) validate(c Case, now time.Time) error {
	in.Description, in.Source, in.Zone = strings.TrimSpace(in.Description), strings.TrimSpace(in.Source), strings.TrimSpace(in.Zone)
	var es validation.Errors
	switch {
	case in.OccurredAt.IsZero():
		es.Add("occurred_at", "incident.err.time")
	case in.OccurredAt.After(now.Add(5 * time.Minute)):
		es.Add("occurred_at", "incident.err.future")
	}
	if in.Zone != "" {
		if _, err := time.LoadLocation(in.Zone); err != nil {
			es.Add("zone", "incident.err.zone", in.Zone)
		}
	}
	if in.Description == "" {
		es.Add("description", "incident.err.description")
	}
	checkLong(&es, "description", in.Description)
	if len(in.Source) > maxTitle {
		es.Add("source", "incident.err.too_long", maxTitle)
	}
	es.CheckText("source", in.Source, false)
	for _, id := range in.SystemIDs {
		if !c.HasSystem(id) {
			es.Add("system_ids", "incident.err.system", id)
		}
	}
	return es.Err()
}

// HasSystem reports whether the case touches the system.
func (c Case) HasSystem(id int64) bool {
	for _, s := range c.Systems {
		if s.ID == id {
			return true
		}
	}
	return false
}

// AddEvent writes an event by hand on a case the actor may handle.
func AddEvent(ctx context.Context, db *storage.Store, actor access.Actor, id int64, in EventInput) (Event, error) {
	var out Event
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		c, err := Load(ctx, tx, actor, id, access.HandleIncident)
		if err != nil {
			return err
		}
		now := tx.Now()
		if err := in.validate(c, now); err != nil {
			return err
		}
		if err := checkIndicators(ctx, tx, id, in.IndicatorIDs); err != nil {
			return err
		}
		e := Event{IncidentID: id, OccurredAt: in.OccurredAt, Zone: in.Zone, Kind: EventManual, Source: in.Source, Description: in.Description,
			IndicatorIDs: in.IndicatorIDs, SystemIDs: in.SystemIDs, CreatedBy: actor.Email, CreatedAt: now}
		if out, err = writeEvent(ctx, tx, e); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "incident.event", ObjectType: "incident", ObjectID: id, OrgID: c.OrgID, New: in})
	})
	return out, err
}

// checkIndicators refuses indicator ids that are not the case's. Until the
// case has indicators (indicator.go), none is.
func checkIndicators(ctx context.Context, tx *storage.Tx, caseID int64, ids []int64) error {
	if len(ids) > 0 {
		return validation.Invalid("indicator_ids", "incident.err.indicator", ids[0])
	}
	return nil
}
