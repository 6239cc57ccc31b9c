package app_test

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scanning"
)

// scanningWebRows: the scans pages and the scanning section of a system's
// page, with the same rights as the API (scanningRows).
var scanningWebRows = map[string]rule{
	"GET /scans":            unscoped(everyone...),
	"GET /scans/exclusions": unscoped(everyone...),
	"POST /scans/exclusions": {kind: "unscoped", own: global, body: func(c *cell) any {
		return url.Values{"value": {c.unique("scada-") + ".cantho.gov.vn"}, "reason": {"SCADA"}}
	}},
	"POST /scans/exclusions/{id}/remove": {kind: "unscoped", own: global, target: globalExclusionIn},
	"GET /scans/{id}":                    object(everyone, global, scanIn, nil),
	"POST /scans/{id}/control":           object(scanners, global, scanIn, func(*cell) any { return url.Values{"action": {"cancel"}} }),
	"POST /inventory/systems/{id}/scans": object(scanners, global, systemIn, nil),
	"POST /admin/orgs/{id}/scans":        object(scanners, global, func(c *cell) string { return c.orgID() }, func(*cell) any { return url.Values{} }),
	"POST /campaigns/{id}/scans":         object(global, global, campaignIn, func(*cell) any { return url.Values{} }),
	"POST /inventory/systems/{id}/authorizations": object(global, global, systemIn, func(*cell) any {
		return url.Values{"valid_until": {time.Now().In(i18n.Vietnam).AddDate(0, 1, 0).Format(time.DateOnly)}, "document_no": {"15/QĐ"}}
	}),
	"POST /inventory/systems/{id}/authorizations/{authorization_id}/revoke": object(global, global, systemAuthorizationIn, nil),
	"POST /inventory/systems/{id}/exclusions": object(writers, global, systemIn, func(*cell) any {
		return url.Values{"value": {"10.0.0.0/8"}, "reason": {"SCADA"}}
	}),
	"POST /inventory/systems/{id}/exclusions/{exclusion_id}/remove": object(writers, global, systemExclusionIn, nil),
	"POST /inventory/systems/{id}/scan-settings": object(writers, global, systemIn, func(*cell) any {
		return url.Values{"window": {"22:00-05:00; sat,sun"}, "per_host": {"1"}}
	}),
	"POST /inventory/systems/{id}/schedules":                       object(scanners, global, systemIn, nil),
	"POST /inventory/systems/{id}/schedules/{schedule_id}/enabled": object(scanners, global, systemScheduleIn, func(*cell) any { return url.Values{"enabled": {"0"}} }),
}

// systemAuthorizationIn is a new system of the cell's organisation with an
// authorisation, as the path parameters id and authorization_id.
func systemAuthorizationIn(c *cell) string {
	s := newSystem(c)
	a, err := scanning.Authorize(context.Background(), c.app.Store, inventoryActor(), scanning.Authorization{SystemID: s.ID,
		ValidUntil: time.Now().In(i18n.Vietnam).AddDate(0, 1, 0).Format(time.DateOnly)})
	if err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(s.ID, 10)}, "authorization_id": {strconv.FormatInt(a.ID, 10)}}.Encode()
}

func systemExclusionIn(c *cell) string {
	s := newSystem(c)
	e, err := scanning.AddExclusion(context.Background(), c.app.Store, inventoryActor(), scanning.Exclusion{SystemID: s.ID, Value: "10.1.2.3"})
	if err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(s.ID, 10)}, "exclusion_id": {strconv.FormatInt(e.ID, 10)}}.Encode()
}

func systemScheduleIn(c *cell) string {
	s := newSystem(c)
	sc, err := scanning.CreateSchedule(context.Background(), c.app.Store, inventoryActor(), scanning.Schedule{SystemID: s.ID})
	if err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(s.ID, 10)}, "schedule_id": {strconv.FormatInt(sc.ID, 10)}}.Encode()
}

func globalExclusionIn(c *cell) string {
	e, err := scanning.AddExclusion(context.Background(), c.app.Store, inventoryActor(), scanning.Exclusion{Value: c.unique("thiet-bi-") + ".cantho.gov.vn"})
	if err != nil {
		c.t.Fatal(err)
	}
	return strconv.FormatInt(e.ID, 10)
}
