package app_test

import (
	"context"
	"net/url"
	"strconv"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/report"
)

// reportRows: the reports, each of one object the reader must see (another agency's is 404);
// a stored report is seen, and downloaded, by whoever sees its organisation.
var reportRows = map[string]rule{
	"GET /api/v1/reports/campaign/{id}": object(everyone, global, func(c *cell) string { return campaignIn(c) + "?format=xlsx" }, nil),
	"GET /api/v1/reports/followup/{id}": object(everyone, global, func(c *cell) string { return c.orgID() + "?format=xlsx" }, nil),
	"GET /api/v1/reports/org/{id}":      object(everyone, global, func(c *cell) string { return c.orgID() + "?format=xlsx" }, nil),
	"GET /api/v1/reports/system/{id}":   object(everyone, global, func(c *cell) string { return systemIn(c) + "?format=xlsx" }, nil),
	"POST /api/v1/reports": object(everyone, global, nil, func(c *cell) any {
		return map[string]any{"kind": "system", "id": newSystem(c).ID, "format": "xlsx"}
	}),
	"GET /api/v1/reports":                     unscoped(everyone...),
	"GET /api/v1/reports/files/{id}":          object(everyone, global, reportFileIn, nil),
	"GET /api/v1/reports/files/{id}/download": object(everyone, global, reportFileIn, nil),

	"GET /reports": unscoped(everyone...),
	"POST /reports": object(everyone, global, nil, func(c *cell) any {
		return url.Values{"kind": {"system"}, "id": {systemIn(c)}, "format": {"xlsx"}}
	}),
	"GET /reports/{id}":          object(everyone, global, reportFileIn, nil),
	"GET /reports/{id}/download": object(everyone, global, reportFileIn, nil),
}

// reportFileIn generates a report on a fresh system of the cell's organisation, a stored
// report ready to download.
func reportFileIn(c *cell) string {
	f, err := report.Generate(context.Background(), c.app.Store, access.SystemActor("test"), report.Request{Kind: "system", ID: newSystem(c).ID, Format: "xlsx"}, c.app.Store.Now())
	if err != nil {
		c.t.Fatal(err)
	}
	return strconv.FormatInt(f.ID, 10)
}
