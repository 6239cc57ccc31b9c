package app_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/storage"
)

// findingRows: the findings API, the unassigned queue, threat hunts and the policy.
var findingRows = map[string]rule{
	"GET /api/v1/findings":        unscoped(everyone...),
	"GET /api/v1/findings/counts": unscoped(everyone...),
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
	"GET /api/v1/hunts":                         unscoped(everyone...),
	"POST /api/v1/hunts/{id}/finish":            object(handlers, global, huntIn, func(c *cell) any { return map[string]string{"note": "Không thấy dấu hiệu xâm nhập"} }),
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

// newFinding imports one finding of severity sev on a fresh system of the cell's organisation.
func newFinding(c *cell, sev finding.Severity) finding.View {
	ctx := context.Background()
	s := newSystem(c)
	o := source.Observation{Tool: "khien", RuleID: "http.missing-hsts", Title: "Missing HSTS", Severity: sev, Host: c.unique("may") + ".cantho.gov.vn", Port: 443}
	if _, err := finding.ImportObservations(ctx, c.app.Store, inventoryActor(), finding.ImportRequest{SystemID: s.ID}, []source.Observation{o}, nil); err != nil {
		c.t.Fatal(err)
	}
	res, err := finding.List(ctx, c.app.Store, inventoryActor(), finding.Filter{SystemID: s.ID}, storage.Page{})
	if err != nil || len(res.Items) != 1 {
		c.t.Fatalf("finding of system %d: %v %d", s.ID, err, len(res.Items))
	}
	return res.Items[0]
}

func findingIn(c *cell) string { return strconv.FormatInt(newFinding(c, finding.Low).ID, 10) }

func findingFileIn(c *cell) string {
	f := newFinding(c, finding.Low)
	file, err := finding.Attach(context.Background(), c.app.Store, inventoryActor(), f.ID, "bang-chung.txt", []byte("đã sửa"))
	if err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(f.ID, 10)}, "file_id": {strconv.FormatInt(file.ID, 10)}}.Encode()
}

func huntIn(c *cell) string {
	f := newFinding(c, finding.Critical)
	if f.HuntID == 0 {
		c.t.Fatalf("critical finding %d opened no hunt", f.ID)
	}
	return strconv.FormatInt(f.HuntID, 10)
}
