package app_test

// reportRows: the reports, each of one object the reader must see (another agency's is 404).
var reportRows = map[string]rule{
	"GET /api/v1/reports/campaign/{id}": object(everyone, global, func(c *cell) string { return campaignIn(c) + "?format=xlsx" }, nil),
	"GET /api/v1/reports/followup/{id}": object(everyone, global, func(c *cell) string { return c.orgID() + "?format=xlsx" }, nil),
	"GET /api/v1/reports/org/{id}":      object(everyone, global, func(c *cell) string { return c.orgID() + "?format=xlsx" }, nil),
	"GET /api/v1/reports/system/{id}":   object(everyone, global, func(c *cell) string { return systemIn(c) + "?format=xlsx" }, nil),
}
