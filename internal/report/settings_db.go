package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// settingsRow is one row of report_settings: an organisation's settings and their last change.
type settingsRow struct {
	OrgID int64
	Settings
	UpdatedBy string
	UpdatedAt time.Time
}

var settingsTable = storage.Table[settingsRow]{Name: "report_settings", Columns: []storage.Column[settingsRow]{
	{Name: "org_id", Field: func(s *settingsRow) any { return &s.OrgID }, Fixed: true},
	{Name: "issuer", Field: func(s *settingsRow) any { return &s.Issuer }},
	{Name: "parent", Field: func(s *settingsRow) any { return &s.Parent }},
	{Name: "place", Field: func(s *settingsRow) any { return &s.Place }},
	{Name: "number_prefix", Field: func(s *settingsRow) any { return &s.NumberPrefix }},
	{Name: "signer_authority", Field: func(s *settingsRow) any { return &s.SignerAuthority }},
	{Name: "signer_title", Field: func(s *settingsRow) any { return &s.SignerTitle }},
	{Name: "signer_name", Field: func(s *settingsRow) any { return &s.SignerName }},
	{Name: "recipients", Field: func(s *settingsRow) any { return storage.JSON{P: &s.Recipients} }},
	{Name: "updated_by", Field: func(s *settingsRow) any { return &s.UpdatedBy }},
	{Name: "updated_at", Field: func(s *settingsRow) any { return storage.UTC{P: &s.UpdatedAt} }},
}}

// upsertSettings writes a row whether or not the organisation has one, so that two editors
// saving at once do not clash on the key.
var upsertSettings = func() string {
	names := settingsTable.Names()
	var sets []string
	for _, c := range settingsTable.Columns {
		if !c.Fixed {
			sets = append(sets, c.Name+" = excluded."+c.Name)
		}
	}
	return "INSERT INTO report_settings (" + strings.Join(names, ", ") + ") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") +
		") ON CONFLICT (org_id) DO UPDATE SET " + strings.Join(sets, ", ")
}()

// readSettings reads an organisation's stored settings; one that stored none has them all
// empty (every default).
func readSettings(ctx context.Context, q storage.Querier, orgID int64) (settingsRow, error) {
	s := settingsRow{OrgID: orgID}
	err := q.QueryRow(ctx, "SELECT "+settingsTable.Select("t")+" FROM report_settings t WHERE t.org_id = ?", orgID).Scan(settingsTable.Dest(&s)...)
	if storage.IsNoRows(err) {
		return settingsRow{OrgID: orgID, Settings: Settings{Recipients: []string{}}}, nil
	}
	if err != nil {
		return s, fmt.Errorf("report settings of organisation %d: %w", orgID, err)
	}
	if s.Recipients == nil {
		s.Recipients = []string{}
	}
	return s, nil
}

// GetSettings reads the document settings of an organisation in the actor's scope, with
// the defaults and the effective values in lang. An organisation outside the scope is
// access.ErrNotFound.
func GetSettings(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, lang string) (SettingsView, error) {
	lang = i18n.Negotiate(lang)
	var v SettingsView
	err := db.InReadTx(ctx, func(tx *storage.Tx) error {
		path, err := identity.CheckOrg(ctx, tx, actor, access.Read, orgID)
		if err != nil {
			return err
		}
		h, err := readHeader(ctx, tx, orgID)
		if err != nil {
			return err
		}
		v = SettingsView{OrgID: orgID, Stored: h.stored.Settings, Defaults: h.defaults(lang), Effective: h.effective(lang),
			UpdatedBy: h.stored.UpdatedBy, CanEdit: CanEditSettings(actor, path), lang: lang}
		if !h.stored.UpdatedAt.IsZero() {
			v.UpdatedAt = &h.stored.UpdatedAt
		}
		return nil
	})
	return v, err
}

// SaveSettings replaces the document settings of an organisation (empty fields: the
// defaults) for those CanEditSettings allows, and records the change with the old and new
// values in the audit log. An organisation outside the scope is access.ErrNotFound; one the
// actor sees but may not edit, access.ErrForbidden; bad input, validation.Errors naming the
// fields.
func SaveSettings(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, s Settings) error {
	return db.InTx(ctx, func(tx *storage.Tx) error {
		path, err := identity.CheckOrg(ctx, tx, actor, access.Read, orgID)
		if err != nil {
			return err
		}
		if !CanEditSettings(actor, path) {
			return access.Denied(actor.Role, access.ManageOrgs)
		}
		if err := s.Normalise(); err != nil {
			return err
		}
		old, err := readSettings(ctx, tx, orgID)
		if err != nil {
			return err
		}
		row := settingsRow{OrgID: orgID, Settings: s, UpdatedBy: actor.Email, UpdatedAt: tx.Now()}
		if _, err := tx.Exec(ctx, upsertSettings, settingsTable.Values(&row)...); err != nil {
			return fmt.Errorf("save the report settings of organisation %d: %w", orgID, err)
		}
		return audit.Record(ctx, tx, actor, audit.Change{Action: "report.settings", ObjectType: "org", ObjectID: orgID, OrgID: orgID,
			Old: old.Settings, New: s})
	})
}
