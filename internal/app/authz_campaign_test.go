package app_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/khien/khien/internal/campaign"
	"github.com/khien/khien/internal/storage"
)

// campaignRows: campaigns are created and run by the city level; an
// agency sees those that include it and submits its own obligations.
var campaignRows = map[string]rule{
	"GET /api/v1/campaigns": unscoped(everyone...),
	"POST /api/v1/campaigns": {kind: "unscoped", own: global, body: func(c *cell) any {
		return map[string]any{"title": c.unique("Kế hoạch "), "year": 2025, "org_ids": []int64{c.org.ID}}
	}},
	"GET /api/v1/campaigns/templates":              unscoped(everyone...),
	"GET /api/v1/campaigns/{id}":                   object(everyone, global, campaignIn, nil),
	"PATCH /api/v1/campaigns/{id}":                 object(global, global, campaignIn, func(c *cell) any { return map[string]string{"title": c.unique("Kế hoạch ")} }),
	"POST /api/v1/campaigns/{id}/activate":         object(global, global, draftIn, nil),
	"POST /api/v1/campaigns/{id}/close":            object(global, global, campaignIn, nil),
	"GET /api/v1/obligations":                      unscoped(everyone...),
	"GET /api/v1/obligations/{id}":                 object(everyone, global, obligationIn, nil),
	"POST /api/v1/obligations/{id}/submit":         object(writers, global, obligationIn, func(c *cell) any { return upload{"file", "danh-muc.csv", "ten,ip\ncong,10.0.0.1"} }),
	"POST /api/v1/obligations/{id}/accept":         object(global, global, submittedIn, func(c *cell) any { return map[string]string{"comment": "Đầy đủ"} }),
	"POST /api/v1/obligations/{id}/return":         object(global, global, submittedIn, func(c *cell) any { return map[string]string{"comment": "Thiếu địa chỉ IP"} }),
	"GET /api/v1/obligations/{id}/files/{file_id}": object(everyone, global, obligationFileIn, nil),
	"GET /campaigns":                               unscoped(everyone...),
	"GET /campaigns/new":                           unscoped(global...),
	"POST /campaigns":                              {kind: "unscoped", own: global, body: campaignForm},
	"GET /campaigns/{id}":                          object(everyone, global, campaignIn, nil),
	"POST /campaigns/{id}/activate":                object(global, global, draftIn, nil),
	"POST /campaigns/{id}/close":                   object(global, global, campaignIn, nil),
	"GET /obligations/{id}":                        object(everyone, global, obligationIn, nil),
	"POST /obligations/{id}/submit":                object(writers, global, obligationIn, func(c *cell) any { return upload{"file", "danh-muc.csv", "ten,ip\ncong,10.0.0.1"} }),
	"POST /obligations/{id}/review":                object(global, global, submittedIn, func(c *cell) any { return url.Values{"decision": {"accept"}} }),
	"GET /obligations/{id}/files/{file_id}":        object(everyone, global, obligationFileIn, nil),
}

func campaignForm(c *cell) any {
	return url.Values{"title": {c.unique("Kế hoạch ")}, "year": {"2025"}, "template": {"yearly_review"}, "org_ids": {c.orgID()}}
}

func newCampaign(c *cell, status campaign.Status) campaign.Campaign {
	cp, err := campaign.Create(context.Background(), c.app.Store, inventoryActor(), campaign.CreateInput{Input: campaign.Input{
		Title: c.unique("Kế hoạch "), Year: time.Now().Year(), Template: "yearly_review", OrgIDs: []int64{c.org.ID}, Status: status}})
	if err != nil {
		c.t.Fatal(err)
	}
	return cp
}

func campaignIn(c *cell) string { return strconv.FormatInt(newCampaign(c, campaign.Active).ID, 10) }
func draftIn(c *cell) string    { return strconv.FormatInt(newCampaign(c, campaign.Draft).ID, 10) }

func newObligation(c *cell) int64 {
	cp := newCampaign(c, campaign.Active)
	obs, err := campaign.ListObligations(context.Background(), c.app.Store, inventoryActor(), campaign.ObligationFilter{CampaignID: cp.ID}, storage.First(1))
	if err != nil || len(obs.Items) == 0 {
		c.t.Fatalf("obligations of campaign %d: %v", cp.ID, err)
	}
	return obs.Items[0].ID
}

func obligationIn(c *cell) string { return strconv.FormatInt(newObligation(c), 10) }

func submitted(c *cell) int64 {
	id := newObligation(c)
	if _, err := campaign.Submit(context.Background(), c.app.Store, inventoryActor(), id, "danh-muc.csv", []byte("ten,ip"), ""); err != nil {
		c.t.Fatal(err)
	}
	return id
}

func submittedIn(c *cell) string { return strconv.FormatInt(submitted(c), 10) }

func obligationFileIn(c *cell) string {
	id := submitted(c)
	d, err := campaign.GetObligation(context.Background(), c.app.Store, inventoryActor(), id)
	if err != nil || len(d.FileList) == 0 {
		c.t.Fatalf("files of obligation %d: %v", id, err)
	}
	return fmt.Sprintf("id=%d&file_id=%d", id, d.FileList[0].ID)
}
