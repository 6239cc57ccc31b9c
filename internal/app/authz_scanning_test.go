package app_test

import (
	"context"
	"strconv"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scanning"
)

// scanningRows: scans are run by those who may scan the organisation
// (coordinator, its assigned auditor); written authorisations are the
// coordinator's; exclusions and windows, which only make scans gentler,
// by whoever may change the system's data.
var scanningRows = map[string]rule{
	"POST /api/v1/scans":                object(scanners, global, nil, systemBody),
	"POST /api/v1/orgs/{id}/scans":      object(scanners, global, func(c *cell) string { return c.orgID() }, func(*cell) any { return map[string]string{} }),
	"POST /api/v1/campaigns/{id}/scans": object(global, global, campaignIn, func(*cell) any { return map[string]string{} }),
	"POST /api/v1/scans/remote":         object(scanners, global, nil, systemBody),
	// Only the user who started a scan with khien scan --server reports on it
	// (the API test shows it); the matrix's scans were started by no one of them.
	"POST /api/v1/scans/{id}/results": object(nil, nil, scanIn, func(*cell) any { return map[string]any{"findings": []any{}, "hosts_done": []any{}} }),
	// The agent routes take an agent's token, no user's (TestAgentTokens).
	"POST /api/v1/agent/claim":                  public(),
	"POST /api/v1/agent/scans/{id}/results":     public(),
	"GET /api/v1/scans":                         unscoped(everyone...),
	"GET /api/v1/scans/{id}":                    object(everyone, global, scanIn, nil),
	"POST /api/v1/scans/{id}/pause":             object(scanners, global, scanIn, nil),
	"POST /api/v1/scans/{id}/resume":            object(scanners, global, scanIn, nil),
	"POST /api/v1/scans/{id}/cancel":            object(scanners, global, scanIn, nil),
	"POST /api/v1/authorizations":               object(global, global, nil, authorizationBody),
	"GET /api/v1/systems/{id}/authorizations":   object(everyone, global, systemIn, nil),
	"POST /api/v1/authorizations/{id}/revoke":   object(global, global, authorizationIn, nil),
	"GET /api/v1/scan-exclusions":               unscoped(everyone...),
	"POST /api/v1/scan-exclusions":              object(writers, global, nil, exclusionBody),
	"DELETE /api/v1/scan-exclusions/{id}":       object(writers, global, exclusionIn, nil),
	"GET /api/v1/systems/{id}/scan-settings":    object(everyone, global, systemIn, nil),
	"PUT /api/v1/systems/{id}/scan-settings":    object(writers, global, systemIn, func(*cell) any { return map[string]any{"window": "22:00-05:00; sat,sun", "per_host": 1} }),
	"GET /api/v1/systems/{id}/scan-schedules":   object(everyone, global, systemIn, nil),
	"GET /api/v1/campaigns/{id}/scan-schedules": object(everyone, global, campaignIn, nil),
	"POST /api/v1/scan-schedules":               object(scanners, global, nil, systemBody),
	"POST /api/v1/scan-schedules/{id}/enable":   object(scanners, global, scheduleIn, nil),
	"POST /api/v1/scan-schedules/{id}/disable":  object(scanners, global, scheduleIn, nil),
}

func systemBody(c *cell) any { return map[string]any{"system_id": newSystem(c).ID} }

func authorizationBody(c *cell) any {
	return map[string]any{"system_id": newSystem(c).ID, "valid_until": time.Now().In(i18n.Vietnam).AddDate(0, 1, 0).Format(time.DateOnly), "document_no": "15/QĐ"}
}

func exclusionBody(c *cell) any {
	return map[string]any{"system_id": newSystem(c).ID, "value": "10.0.0.0/8", "reason": "SCADA"}
}

// scanIn is a scan of a new system of the cell's organisation (refused:
// nothing authorises it, which is still a scan on record).
func scanIn(c *cell) string {
	list, err := scanning.RequestScans(context.Background(), c.app.Store, inventoryActor(), scanning.ScanRequest{SystemID: newSystem(c).ID})
	if err != nil {
		c.t.Fatal(err)
	}
	return strconv.FormatInt(list[0].ID, 10)
}

func authorizationIn(c *cell) string {
	a, err := scanning.Authorize(context.Background(), c.app.Store, inventoryActor(), scanning.Authorization{SystemID: newSystem(c).ID,
		ValidUntil: time.Now().In(i18n.Vietnam).AddDate(0, 1, 0).Format(time.DateOnly)})
	if err != nil {
		c.t.Fatal(err)
	}
	return strconv.FormatInt(a.ID, 10)
}

func exclusionIn(c *cell) string {
	e, err := scanning.AddExclusion(context.Background(), c.app.Store, inventoryActor(), scanning.Exclusion{SystemID: newSystem(c).ID, Value: "10.1.2.3"})
	if err != nil {
		c.t.Fatal(err)
	}
	return strconv.FormatInt(e.ID, 10)
}

func scheduleIn(c *cell) string {
	s, err := scanning.CreateSchedule(context.Background(), c.app.Store, inventoryActor(), scanning.Schedule{SystemID: newSystem(c).ID})
	if err != nil {
		c.t.Fatal(err)
	}
	return strconv.FormatInt(s.ID, 10)
}
