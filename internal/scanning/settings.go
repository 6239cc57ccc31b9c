package scanning

import (
	"context"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// Limits are the scanner's per-host limits. A system's own may only be
// lower than the server's: the server's are the maximum anyone gets.
type Limits struct {
	PerHost     int     `json:"per_host"`      // concurrent connections per host
	PerHostRate float64 `json:"per_host_rate"` // requests per second per host
	HTTPBudget  int     `json:"http_budget"`   // HTTP requests per web host
	ConnectRate float64 `json:"connect_rate"`  // new connection attempts per second per host (port probes included)
}

// DefaultLimits are the safe profile's limits, the maximum unless the
// server is configured lower.
var DefaultLimits = Limits{PerHost: 2, PerHostRate: 5, HTTPBudget: 150, ConnectRate: 20}

// Settings are how one system may be scanned: when (its window) and how
// hard (limits of 0 take the server's).
type Settings struct {
	SystemID  int64     `json:"system_id"`
	Window    string    `json:"window"`
	Limits              // zero fields: the server's
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the window and that no limit exceeds the maximum.
func (s Settings) Validate(max Limits) error {
	var errs validation.Errors
	if _, err := ParseWindow(s.Window); err != nil {
		errs = append(errs, validation.Invalid("window", "scan.err.window", err.Error()))
	}
	if s.PerHost < 0 || s.PerHost > max.PerHost {
		errs = append(errs, validation.Invalid("per_host", "scan.err.limit", 0, max.PerHost))
	}
	if s.PerHostRate < 0 || s.PerHostRate > max.PerHostRate {
		errs = append(errs, validation.Invalid("per_host_rate", "scan.err.limit", 0, max.PerHostRate))
	}
	if s.ConnectRate < 0 || s.ConnectRate > max.ConnectRate {
		errs = append(errs, validation.Invalid("connect_rate", "scan.err.limit", 0, max.ConnectRate))
	}
	if s.HTTPBudget < 0 || s.HTTPBudget > max.HTTPBudget {
		errs = append(errs, validation.Invalid("http_budget", "scan.err.limit", 0, max.HTTPBudget))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Effective is the limits a scan of the system runs with: its own where
// set, the maximum elsewhere, never above the maximum.
func (s Settings) Effective(max Limits) Limits {
	pick := func(own, m float64) float64 {
		if own <= 0 || own > m {
			return m
		}
		return own
	}
	return Limits{
		PerHost:     int(pick(float64(s.PerHost), float64(max.PerHost))),
		PerHostRate: pick(s.PerHostRate, max.PerHostRate),
		HTTPBudget:  int(pick(float64(s.HTTPBudget), float64(max.HTTPBudget))),
		ConnectRate: pick(s.ConnectRate, max.ConnectRate),
	}
}

// apply sets the limits on a scanner configuration.
func (l Limits) apply(cfg *scan.Config) {
	cfg.PerHost, cfg.PerHostRate, cfg.HTTPBudget, cfg.PerHostConnRate = l.PerHost, l.PerHostRate, l.HTTPBudget, l.ConnectRate
}

var settingsTable = storage.Table[Settings]{Name: "scan_settings", Columns: []storage.Column[Settings]{
	{Name: "system_id", Field: func(s *Settings) any { return &s.SystemID }, Fixed: true},
	{Name: "window_spec", Field: func(s *Settings) any { return &s.Window }},
	{Name: "per_host", Field: func(s *Settings) any { return &s.PerHost }},
	{Name: "per_host_rate", Field: func(s *Settings) any { return &s.PerHostRate }},
	{Name: "http_budget", Field: func(s *Settings) any { return &s.HTTPBudget }},
	{Name: "connect_rate", Field: func(s *Settings) any { return &s.ConnectRate }},
	{Name: "updated_by", Field: func(s *Settings) any { return &s.UpdatedBy }},
	{Name: "updated_at", Field: func(s *Settings) any { return storage.UTC{P: &s.UpdatedAt} }},
}}

// settingsOf reads a system's settings; a system without any has the
// defaults (always open, the server's limits).
func settingsOf(ctx context.Context, q storage.Querier, systemID int64) (Settings, error) {
	s := Settings{SystemID: systemID}
	err := q.QueryRow(ctx, "SELECT "+settingsTable.Select("t")+" FROM scan_settings t WHERE t.system_id = ?", systemID).Scan(settingsTable.Dest(&s)...)
	if storage.IsNoRows(err) {
		return Settings{SystemID: systemID}, nil
	}
	return s, err
}

// GetSettings returns the scan settings of a system in the actor's scope.
func GetSettings(ctx context.Context, q storage.Querier, actor access.Actor, systemID int64) (Settings, error) {
	if _, _, err := systemPath(ctx, q, actor, systemID); err != nil {
		return Settings{}, err
	}
	return settingsOf(ctx, q, systemID)
}

// SetSettings changes a system's window and limits. Whoever may change the
// system's data may: the settings only ever make a scan gentler.
func SetSettings(ctx context.Context, db *storage.Store, actor access.Actor, s Settings) (Settings, error) {
	if err := s.Validate(DefaultLimits); err != nil {
		return s, err
	}
	w, _ := ParseWindow(s.Window)
	s.Window = w.String()
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		orgID, path, err := systemPath(ctx, tx, actor, s.SystemID)
		if err != nil {
			return err
		}
		if !actor.Can(access.Write, path) {
			return access.Denied(actor.Role, access.Write)
		}
		old, err := settingsOf(ctx, tx, s.SystemID)
		if err != nil {
			return err
		}
		s.UpdatedBy, s.UpdatedAt = actor.Email, tx.Now()
		if old.UpdatedAt.IsZero() {
			_, err = settingsTable.Insert(ctx, tx, &s)
		} else {
			_, err = tx.Exec(ctx, "UPDATE scan_settings SET window_spec = ?, per_host = ?, per_host_rate = ?, http_budget = ?, connect_rate = ?, updated_by = ?, updated_at = ? WHERE system_id = ?",
				s.Window, s.PerHost, s.PerHostRate, s.HTTPBudget, s.ConnectRate, s.UpdatedBy, s.UpdatedAt, s.SystemID)
		}
		if err != nil {
			return fmt.Errorf("save scan settings: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "scan.settings", ObjectType: "system", ObjectID: s.SystemID, OrgID: orgID, Old: old, New: s})
	})
	return s, err
}
