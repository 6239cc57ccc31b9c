package app_test

// dashboardRows: the dashboards, API and page. Everyone reads the figures
// of their own scope; an organisation or system outside it (by query) is
// not found, which internal/dashboard's TestScope and the API test check.
var dashboardRows = map[string]rule{
	"GET /api/v1/dashboard": unscoped(everyone...),
	"GET /dashboard":        unscoped(everyone...),
}
