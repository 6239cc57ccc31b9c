package app_test

import (
	"context"
	"net/url"
	"strconv"

	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/storage"
)

// findingWebRows: the findings pages, the unassigned queue, the due-date
// policy and the export.
var findingWebRows = map[string]rule{
	"GET /findings":        unscoped(everyone...),
	"GET /findings/export": unscoped(everyone...),
	"POST /findings/bulk/status": object(writers, global, nil, func(c *cell) any {
		return url.Values{"ids": {findingIn(c)}, "status": {"confirmed"}}
	}),
	"POST /findings/bulk/assign": object(writers, global, nil, func(c *cell) any {
		return url.Values{"ids": {findingIn(c)}, "due_date": {"2030-01-01"}}
	}),
	"GET /findings/{id}":                 object(everyone, global, findingIn, nil),
	"POST /findings/{id}/status":         object(writers, global, findingIn, func(c *cell) any { return url.Values{"status": {"confirmed"}} }),
	"POST /findings/{id}/comment":        object(writers, global, findingIn, func(c *cell) any { return url.Values{"comment": {"Đã kiểm tra"}} }),
	"POST /findings/{id}/assign":         object(writers, global, findingIn, func(c *cell) any { return url.Values{"due_date": {"2030-01-01"}} }),
	"POST /findings/{id}/files":          object(writers, global, findingIn, nil),
	"GET /findings/{id}/files/{file_id}": object(everyone, global, findingFileIn, nil),
	"GET /findings/unassigned":           unscoped(global...),
	"POST /findings/unassigned/assign": object(global, global, nil, func(c *cell) any {
		return url.Values{"host": {c.unique("la-") + ".example.org"}, "system_id": {systemIn(c)}}
	}),
	"POST /findings/unassigned/asset": object(global, global, nil, func(c *cell) any {
		return url.Values{"host": {c.unique("moi-") + ".cantho.gov.vn"}, "system_id": {systemIn(c)}}
	}),
	"GET /findings/policy":        unscoped(everyone...),
	"POST /findings/policy":       unscoped(global...),
	"GET /findings/import":        unscoped(scanners...),
	"POST /findings/import":       {kind: "unscoped", own: scanners, body: func(c *cell) any { return upload{"file", "scan.jsonl", "{}"} }},
	"GET /findings/imports/{id}":  object(global, global, importIn, nil),
	"GET /findings/template.xlsx": unscoped(everyone...),
}

// newFinding imports one finding on a fresh asset of a fresh system of
// the cell's organisation and returns it.
func newFinding(c *cell, sev finding.Severity) finding.View {
	ctx := context.Background()
	s := newSystem(c)
	host := c.unique("pt-") + ".cantho.gov.vn"
	if err := inventory.AddAsset(ctx, c.app.Store, inventoryActor(), s.ID, &inventory.Asset{Kind: "domain", Value: host}); err != nil {
		c.t.Fatal(err)
	}
	obs := source.Observation{Tool: "manual", RuleID: c.unique("PT-"), Title: "Lỗ hổng thử", Severity: sev, Host: host, Port: 443}
	if _, err := finding.ImportObservations(ctx, c.app.Store, inventoryActor(), finding.ImportRequest{SystemID: s.ID}, []source.Observation{obs}, nil); err != nil {
		c.t.Fatal(err)
	}
	res, err := finding.List(ctx, c.app.Store, inventoryActor(), finding.Filter{SystemID: s.ID}, storage.First(1))
	if err != nil || len(res.Items) != 1 {
		c.t.Fatalf("the finding of system %d: %v %+v", s.ID, err, res.Items)
	}
	return res.Items[0]
}

func findingIn(c *cell) string { return strconv.FormatInt(newFinding(c, finding.Medium).ID, 10) }

func findingFileIn(c *cell) string {
	v := newFinding(c, finding.Low)
	f, err := finding.Attach(context.Background(), c.app.Store, inventoryActor(), v.ID, "bang-chung.txt", []byte("đã sửa"))
	if err != nil {
		c.t.Fatal(err)
	}
	return url.Values{"id": {strconv.FormatInt(v.ID, 10)}, "file_id": {strconv.FormatInt(f.ID, 10)}}.Encode()
}
