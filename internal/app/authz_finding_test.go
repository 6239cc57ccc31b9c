package app_test

import (
	"context"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
)

// findingRows: the findings API, the unassigned queue and the policy.
var findingRows = map[string]rule{
	"GET /api/v1/findings":          unscoped(everyone...),
	"GET /api/v1/findings/export":   unscoped(everyone...),
	"GET /api/v1/findings/template": unscoped(everyone...),
	"GET /api/v1/findings/counts":   unscoped(everyone...),
	"POST /api/v1/findings/status": object(writers, global, nil, func(c *cell) any {
		return map[string]any{"ids": []int64{newFinding(c, finding.Low).ID}, "status": "confirmed"}
	}),
	"POST /api/v1/findings/assign": object(writers, global, nil, func(c *cell) any {
		return map[string]any{"ids": []int64{newFinding(c, finding.Low).ID}, "assignee_org_id": c.org.ID}
	}),
	"GET /api/v1/findings/unassigned": unscoped(everyone...),
	"POST /api/v1/findings/unassigned/assign": object(global, global, nil, func(c *cell) any {
		return map[string]any{"host": c.unique("lac-") + ".example.vn", "system_id": newSystem(c).ID}
	}),
	"GET /api/v1/findings/policy":         unscoped(everyone...),
	"PUT /api/v1/findings/policy":         {kind: "unscoped", own: global, body: func(c *cell) any { return finding.DefaultPolicy() }},
	"GET /api/v1/findings/{id}":           object(everyone, global, findingIn, nil),
	"POST /api/v1/findings/{id}/status":   object(writers, global, findingIn, func(c *cell) any { return map[string]string{"status": "confirmed"} }),
	"POST /api/v1/findings/{id}/comments": object(writers, global, findingIn, func(c *cell) any { return map[string]string{"note": "Đã kiểm tra"} }),
	"POST /api/v1/findings/{id}/files": object(writers, global, findingIn, func(c *cell) any {
		return upload{"file", "bang-chung.txt", "nginx: add_header Strict-Transport-Security"}
	}),
	"GET /api/v1/findings/{id}/files/{file_id}": object(everyone, global, findingFileIn, nil),
	"POST /api/v1/imports":                      {kind: "unscoped", own: scanners, body: func(c *cell) any { return upload{"file", "scan.jsonl", "{}"} }},
	"GET /api/v1/imports/{id}":                  object(global, global, importIn, nil),
}

// scanners may import scanner results.
var scanners = []access.Role{access.Admin, access.Coordinator, access.Auditor}

// importIn queues an import of a small file as the system.
func importIn(c *cell) string {
	j, err := finding.QueueImport(context.Background(), c.app.Store, inventoryActor(), finding.ImportRequest{}, "scan.jsonl", strings.NewReader("{}"))
	if err != nil {
		c.t.Fatal(err)
	}
	return strconv.FormatInt(j.ID, 10)
}

// handlers may work incident cases and threat hunts.
var handlers = []access.Role{access.Admin, access.Coordinator, access.Responder, access.AgencyAdmin, access.AgencyOperator}
