package app_test

import (
	"net/url"

	"github.com/khien/khien/internal/access"
)

// settingsEditors may change an organisation's report settings: those who manage
// organisations and the agency's own administrators.
var settingsEditors = []access.Role{access.Admin, access.Coordinator, access.AgencyAdmin}

// reportSettingsRows: an organisation's report header settings, read by everyone who sees
// the organisation.
var reportSettingsRows = map[string]rule{
	"GET /api/v1/orgs/{id}/report-settings": object(everyone, global, childOrg, nil),
	"PUT /api/v1/orgs/{id}/report-settings": object(settingsEditors, global, childOrg, func(c *cell) any {
		return map[string]any{"signer_name": "Trần Thị Minh Thư", "recipients": []string{"Lưu: VT"}}
	}),
	"GET /admin/orgs/{id}/report-settings": object(everyone, global, childOrg, nil),
	"POST /admin/orgs/{id}/report-settings": object(settingsEditors, global, childOrg, func(c *cell) any {
		return url.Values{"signer_name": {"Trần Thị Minh Thư"}, "recipients": {"Lưu: VT"}}
	}),
}
