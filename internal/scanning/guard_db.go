package scanning

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// loadGuardInput reads what the scope guard decides on for a system.
func loadGuardInput(ctx context.Context, q storage.Querier, systemID int64, now time.Time) (GuardInput, error) {
	in := GuardInput{SystemID: systemID, Now: now}
	var archived *time.Time
	err := q.QueryRow(ctx, "SELECT org_id, archived_at FROM systems WHERE id = ?", systemID).Scan(&in.OrgID, storage.OptionalUTC{P: &archived})
	if storage.IsNoRows(err) {
		return in, access.ErrNotFound
	}
	if err != nil {
		return in, fmt.Errorf("system %d: %w", systemID, err)
	}
	in.Archived = archived != nil
	if in.Assets, err = inventory.AssetsOfSystem(ctx, q, systemID); err != nil {
		return in, err
	}
	if in.CampaignID, err = coveringCampaign(ctx, q, systemID, now); err != nil {
		return in, err
	}
	if in.Authorizations, err = authorizationsOf(ctx, q, systemID); err != nil {
		return in, err
	}
	in.Exclusions, err = storage.Collect[Exclusion](q.Query(ctx, "SELECT "+exclusionTable.Select("e")+` FROM scan_exclusions e
		WHERE (e.system_id IS NULL AND e.asset_id IS NULL) OR e.system_id = ?
		   OR e.asset_id IN (SELECT asset_id FROM system_assets WHERE system_id = ?) ORDER BY e.id`, systemID, systemID))(scanExclusion)
	return in, err
}

// coveringCampaign is the active campaign that covers a system today (0:
// none).
func coveringCampaign(ctx context.Context, q storage.Querier, systemID int64, now time.Time) (int64, error) {
	m, err := campaign.CoveringSystems(ctx, q, []int64{systemID}, now)
	return m[systemID], err
}

// MayAuthorize reports whether the actor records what spans agencies:
// written authorisations, global exclusions, campaign scans (the
// coordinator's; seed 000: the city's security team plans the reviews).
func MayAuthorize(a access.Actor) bool {
	return a.System || a.Role == access.Admin || a.Role == access.Coordinator
}

var authorizationTable = storage.Table[Authorization]{Name: "scan_authorizations", Columns: []storage.Column[Authorization]{
	{Name: "id", Field: func(a *Authorization) any { return &a.ID }, Fixed: true},
	{Name: "system_id", Field: func(a *Authorization) any { return &a.SystemID }, Fixed: true},
	{Name: "authorized_by", Field: func(a *Authorization) any { return &a.AuthorizedBy }},
	{Name: "document_no", Field: func(a *Authorization) any { return &a.DocumentNo }},
	{Name: "valid_until", Field: func(a *Authorization) any { return &a.ValidUntil }},
	{Name: "note", Field: func(a *Authorization) any { return &a.Note }},
	{Name: "actor", Field: func(a *Authorization) any { return &a.Actor }, Fixed: true},
	{Name: "created_at", Field: func(a *Authorization) any { return storage.UTC{P: &a.CreatedAt} }, Fixed: true},
	{Name: "revoked_at", Field: func(a *Authorization) any { return storage.OptionalUTC{P: &a.RevokedAt} }},
}}

func scanAuthorization(sc storage.Scanner) (Authorization, error) {
	var a Authorization
	return a, sc.Scan(authorizationTable.Dest(&a)...)
}

func authorizationsOf(ctx context.Context, q storage.Querier, systemID int64) ([]Authorization, error) {
	return storage.Collect[Authorization](q.Query(ctx, "SELECT "+authorizationTable.Select("a")+
		" FROM scan_authorizations a WHERE a.system_id = ? ORDER BY a.valid_until DESC, a.id DESC", systemID))(scanAuthorization)
}

// systemPath is the organisation path of a system the actor can see.
func systemPath(ctx context.Context, q storage.Querier, actor access.Actor, systemID int64) (orgID int64, path string, err error) {
	err = q.QueryRow(ctx, "SELECT o.id, o.path FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?", systemID).Scan(&orgID, &path)
	if storage.IsNoRows(err) || err == nil && !actor.InScope(path) {
		return 0, "", access.ErrNotFound
	}
	return orgID, path, err
}

// maxAuthorization bounds how far ahead an authorisation may run: the
// plans it rests on are yearly.
const maxAuthorization = 366 * 24 * time.Hour

// Authorize records the coordinator's written authorisation to scan a
// system outside any campaign.
func Authorize(ctx context.Context, db *storage.Store, actor access.Actor, a Authorization) (Authorization, error) {
	if !MayAuthorize(actor) {
		return a, access.Denied(actor.Role, access.Scan)
	}
	a.AuthorizedBy, a.DocumentNo, a.Note = strings.TrimSpace(a.AuthorizedBy), strings.TrimSpace(a.DocumentNo), strings.TrimSpace(a.Note)
	until, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(a.ValidUntil), i18n.Vietnam)
	if err != nil {
		return a, validation.Invalid("valid_until", "scan.err.valid_until", a.ValidUntil)
	}
	now := db.Now()
	if until.Format(time.DateOnly) < now.In(i18n.Vietnam).Format(time.DateOnly) || until.Sub(now) > maxAuthorization {
		return a, validation.Invalid("valid_until", "scan.err.valid_until_range", a.ValidUntil)
	}
	a.ValidUntil = until.Format(time.DateOnly)
	for _, f := range []struct{ name, v string }{{"authorized_by", a.AuthorizedBy}, {"document_no", a.DocumentNo}, {"note", a.Note}} {
		if len(f.v) > 500 {
			return a, validation.Invalid(f.name, "validation.field_too_long", 500)
		}
	}
	err = db.InTx(ctx, func(tx *storage.Tx) error {
		orgID, _, err := systemPath(ctx, tx, actor, a.SystemID)
		if err != nil {
			return err
		}
		a.Actor, a.CreatedAt, a.RevokedAt = actor.Email, tx.Now(), nil
		if a.ID, err = authorizationTable.Insert(ctx, tx, &a); err != nil {
			return fmt.Errorf("record the authorisation: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "scan.authorize", ObjectType: "scan_authorization", ObjectID: a.ID, OrgID: orgID, New: a})
	})
	return a, err
}

// Authorizations lists a system's written authorisations, newest first.
func Authorizations(ctx context.Context, q storage.Querier, actor access.Actor, systemID int64) ([]Authorization, error) {
	if _, _, err := systemPath(ctx, q, actor, systemID); err != nil {
		return nil, err
	}
	return authorizationsOf(ctx, q, systemID)
}

// RevokeAuthorization ends an authorisation now; it stays on record.
func RevokeAuthorization(ctx context.Context, db *storage.Store, actor access.Actor, id int64) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		a, err := scanAuthorization(tx.QueryRow(ctx, "SELECT "+authorizationTable.Select("a")+" FROM scan_authorizations a WHERE a.id = ?", id))
		if storage.IsNoRows(err) {
			return access.ErrNotFound
		}
		if err != nil {
			return err
		}
		orgID, _, err := systemPath(ctx, tx, actor, a.SystemID)
		if err != nil {
			return err
		}
		if !MayAuthorize(actor) {
			return access.Denied(actor.Role, access.Scan)
		}
		if a.RevokedAt != nil {
			return nil
		}
		now := tx.Now()
		if _, err := tx.Exec(ctx, "UPDATE scan_authorizations SET revoked_at = ? WHERE id = ?", now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "scan.authorization_revoke", ObjectType: "scan_authorization", ObjectID: id, OrgID: orgID,
			Old: map[string]any{"revoked_at": nil}, New: map[string]any{"revoked_at": now}})
	})
}

var exclusionTable = storage.Table[Exclusion]{Name: "scan_exclusions", Columns: []storage.Column[Exclusion]{
	{Name: "id", Field: func(e *Exclusion) any { return &e.ID }, Fixed: true},
	{Name: "system_id", Field: func(e *Exclusion) any { return storage.OptionalID{P: &e.SystemID} }, Fixed: true},
	{Name: "asset_id", Field: func(e *Exclusion) any { return storage.OptionalID{P: &e.AssetID} }, Fixed: true},
	{Name: "value", Field: func(e *Exclusion) any { return &e.Value }},
	{Name: "reason", Field: func(e *Exclusion) any { return &e.Reason }},
	{Name: "actor", Field: func(e *Exclusion) any { return &e.Actor }, Fixed: true},
	{Name: "created_at", Field: func(e *Exclusion) any { return storage.UTC{P: &e.CreatedAt} }, Fixed: true},
}}

func scanExclusion(sc storage.Scanner) (Exclusion, error) {
	var e Exclusion
	return e, sc.Scan(exclusionTable.Dest(&e)...)
}

// exclusionOwner is the organisation an exclusion belongs to (0 for a
// global one) and whether the actor may change it: anyone who may change a
// system's data may exclude from it (an exclusion only ever narrows a
// scan); global ones are the coordinator's.
func exclusionOwner(ctx context.Context, q storage.Querier, actor access.Actor, e Exclusion) (int64, error) {
	switch {
	case e.AssetID != 0:
		var orgID int64
		var path string
		err := q.QueryRow(ctx, "SELECT o.id, o.path FROM assets a JOIN orgs o ON o.id = a.org_id WHERE a.id = ?", e.AssetID).Scan(&orgID, &path)
		if storage.IsNoRows(err) || err == nil && !actor.InScope(path) {
			return 0, access.ErrNotFound
		}
		if err == nil && !actor.Can(access.Write, path) {
			err = access.Denied(actor.Role, access.Write)
		}
		return orgID, err
	case e.SystemID != 0:
		orgID, path, err := systemPath(ctx, q, actor, e.SystemID)
		if err == nil && !actor.Can(access.Write, path) {
			err = access.Denied(actor.Role, access.Write)
		}
		return orgID, err
	}
	if !MayAuthorize(actor) {
		return 0, access.Denied(actor.Role, access.Write)
	}
	return 0, nil
}

// AddExclusion records something never to scan. A value is an address, a
// range, a host name (with its subdomains) or a URL's host.
func AddExclusion(ctx context.Context, db *storage.Store, actor access.Actor, e Exclusion) (Exclusion, error) {
	e.Value, e.Reason = strings.TrimSpace(e.Value), strings.TrimSpace(e.Reason)
	switch {
	case e.AssetID != 0 && e.Value != "":
		return e, validation.Invalid("value", "scan.err.exclusion_asset_value")
	case e.AssetID == 0 && e.Value == "":
		return e, validation.Invalid("value", "scan.err.required")
	case len(e.Value) > 300 || len(e.Reason) > 500:
		return e, validation.Invalid("value", "validation.field_too_long", 300)
	}
	if e.AssetID != 0 {
		e.SystemID = 0
	} else if _, err := scan.ParseExclusions([]string{e.Value}); err != nil {
		return e, validation.Invalid("value", "scan.err.exclusion", e.Value, err.Error())
	}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		orgID, err := exclusionOwner(ctx, tx, actor, e)
		if err != nil {
			return err
		}
		e.Actor, e.CreatedAt = actor.Email, tx.Now()
		if e.ID, err = exclusionTable.Insert(ctx, tx, &e); err != nil {
			return fmt.Errorf("record the exclusion: %w", err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "scan.exclude", ObjectType: "scan_exclusion", ObjectID: e.ID, OrgID: orgID, New: e})
	})
	return e, err
}

// ExclusionFilter selects exclusions: of one system (with its assets'), or
// the global ones.
type ExclusionFilter struct {
	SystemID int64
}

// Exclusions lists the exclusions that apply to a system (its own, its
// assets' and the global ones), or only the global ones.
func Exclusions(ctx context.Context, q storage.Querier, actor access.Actor, f ExclusionFilter) ([]Exclusion, error) {
	if f.SystemID == 0 {
		return storage.Collect[Exclusion](q.Query(ctx, "SELECT "+exclusionTable.Select("e")+
			" FROM scan_exclusions e WHERE e.system_id IS NULL AND e.asset_id IS NULL ORDER BY e.id"))(scanExclusion)
	}
	if _, _, err := systemPath(ctx, q, actor, f.SystemID); err != nil {
		return nil, err
	}
	in, err := loadGuardInput(ctx, q, f.SystemID, q.Now())
	return in.Exclusions, err
}

// RemoveExclusion removes an exclusion, with the removal audited with what
// it was.
func RemoveExclusion(ctx context.Context, db *storage.Store, actor access.Actor, id int64) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		e, err := scanExclusion(tx.QueryRow(ctx, "SELECT "+exclusionTable.Select("e")+" FROM scan_exclusions e WHERE e.id = ?", id))
		if storage.IsNoRows(err) {
			return access.ErrNotFound
		}
		if err != nil {
			return err
		}
		orgID, err := exclusionOwner(ctx, tx, actor, e)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM scan_exclusions WHERE id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "scan.exclusion_remove", ObjectType: "scan_exclusion", ObjectID: id, OrgID: orgID, Old: e})
	})
}
