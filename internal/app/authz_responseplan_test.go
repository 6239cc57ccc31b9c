package app_test

import (
	"github.com/khien/khien/internal/incident"
	"github.com/khien/khien/internal/responseplan"
)

// responsePlanRows: response plans, drills and the incident metrics. Everyone
// in scope reads them; the roles that work incidents write plans and record drills.
var responsePlanRows = map[string]rule{
	"GET /api/v1/systems/{id}/response-plans": object(everyone, global, systemIn, nil),
	"POST /api/v1/systems/{id}/response-plans": object(handlers, global, systemIn, func(c *cell) any {
		return responseplan.PlanInput{Scenarios: []responseplan.Scenario{{Category: incident.Defacement, Summary: "Thay đổi giao diện"}},
			Contacts: []responseplan.Contact{{Name: "Trần Thị Bình", Phone: "0292 3820 001"}}}
	}),
	"GET /api/v1/response-readiness": unscoped(everyone...),
	"GET /api/v1/drills":             unscoped(everyone...),
	"POST /api/v1/drills": object(handlers, global, nil, func(c *cell) any {
		return responseplan.DrillInput{Scenario: incident.Ransomware, Kind: responseplan.Live, Title: "Diễn tập", HeldOn: "2026-01-15",
			SystemIDs: []int64{newSystem(c).ID}}
	}),
	"GET /api/v1/incidents/metrics": unscoped(everyone...),
}
