package api_test

import (
	"encoding/json"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/campaign"
)

// TestCampaignsAPI: the acceptance contract (POST /campaigns with title,
// year and org_ids answers 201 with an id), a campaign from a template with
// its obligations, an agency's submission and the coordinator's return and
// acceptance; the contract checker validates every exchange.
func TestCampaignsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		a := app.Org(t, "SKHCN", "Sở Khoa học và Công nghệ")
		b := app.Org(t, "NINHKIEU", "UBND Quận Ninh Kiều")
		c := apiClient{t, app, map[string]string{
			"coord": app.Token(t, app.User(t, access.Coordinator, app.Root.ID)),
			"op-a":  app.Token(t, app.User(t, access.AgencyOperator, a.ID)),
			"op-b":  app.Token(t, app.User(t, access.AgencyOperator, b.ID)),
		}}
		status, body := c.do("coord", "POST", "/api/v1/campaigns", map[string]any{"title": "Rà soát 2025", "year": 2025, "org_ids": []int64{a.ID}})
		var created struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		json.Unmarshal(body, &created)
		if status != 201 || created.ID == 0 || created.Status != "active" {
			t.Fatalf("create: %d %s", status, body)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/campaigns", map[string]any{"title": "x", "year": 2025, "org_ids": []int64{a.ID}}); status != 403 {
			t.Fatalf("agency creates: %d %s", status, body)
		}
		if status, body := c.do("coord", "POST", "/api/v1/campaigns", map[string]any{"title": "x", "year": 2025, "org_ids": []int64{}}); status != 422 {
			t.Fatalf("no organisations: %d %s", status, body)
		}

		status, body = c.do("coord", "POST", "/api/v1/campaigns", map[string]any{"title": "Kế hoạch 104/KH-UBND", "year": 2025, "template": "yearly_review",
			"org_ids": []int64{a.ID, b.ID}, "document_no": "104/KH-UBND", "document_date": "2025-05-09", "issuing_body": "UBND thành phố Cần Thơ"})
		var d campaign.Detail
		json.Unmarshal(body, &d)
		if status != 201 || len(d.Phases) != 4 || len(d.Progress) != 2 {
			t.Fatalf("from a template: %d %s", status, body)
		}
		var obs struct {
			Items []campaign.ObligationView `json:"items"`
			Total int                       `json:"total"`
		}
		_, body = c.do("op-a", "GET", "/api/v1/obligations?campaign_id="+itoa(d.ID), nil)
		json.Unmarshal(body, &obs)
		if obs.Total != 4 || obs.Items[0].OrgID != a.ID || obs.Items[0].PhaseKind != "inventory" {
			t.Fatalf("agency's obligations: %s", body)
		}
		inv := obs.Items[0].ID
		if status, _ := c.do("op-b", "POST", "/api/v1/obligations/"+itoa(inv)+"/submit", multipartFile(t, "ds.csv", []byte("ten,ip"))); status != 404 {
			t.Errorf("another agency submits: %d", status)
		}
		status, body = c.do("op-a", "POST", "/api/v1/obligations/"+itoa(inv)+"/submit", multipartFile(t, "danh-muc.csv", []byte("ten,ip\ncong,10.0.0.1")))
		var v campaign.ObligationView
		json.Unmarshal(body, &v)
		if status != 200 || v.Status != campaign.Submitted || v.Files != 1 {
			t.Fatalf("submit: %d %s", status, body)
		}
		if status, _ := c.do("op-a", "POST", "/api/v1/obligations/"+itoa(inv)+"/accept", map[string]string{"comment": ""}); status != 403 {
			t.Errorf("agency accepts: %d", status)
		}
		if status, body := c.do("coord", "POST", "/api/v1/obligations/"+itoa(inv)+"/return", map[string]string{"comment": ""}); status != 422 {
			t.Errorf("return without a comment: %d %s", status, body)
		}
		if status, body := c.do("coord", "POST", "/api/v1/obligations/"+itoa(inv)+"/return", map[string]string{"comment": "Thiếu địa chỉ IP máy chủ"}); status != 200 {
			t.Errorf("return: %d %s", status, body)
		}
		c.do("op-a", "POST", "/api/v1/obligations/"+itoa(inv)+"/submit", multipartFile(t, "danh-muc-2.csv", []byte("ten,ip\ncong,10.0.0.1\nmot-cua,10.0.0.2")))
		status, body = c.do("coord", "POST", "/api/v1/obligations/"+itoa(inv)+"/accept", map[string]string{"comment": "Đầy đủ"})
		json.Unmarshal(body, &v)
		if status != 200 || v.Status != campaign.Accepted {
			t.Fatalf("accept: %d %s", status, body)
		}
		status, body = c.do("op-a", "GET", "/api/v1/obligations/"+itoa(inv), nil)
		var od campaign.ObligationDetail
		json.Unmarshal(body, &od)
		if status != 200 || len(od.FileList) != 2 || len(od.History) != 4 {
			t.Fatalf("obligation: %d %s", status, body)
		}
		if status, body := c.do("op-a", "GET", "/api/v1/obligations/"+itoa(inv)+"/files/"+itoa(od.FileList[0].ID), nil); status != 200 || len(body) == 0 {
			t.Errorf("download: %d", status)
		}
		if status, body := c.do("op-b", "GET", "/api/v1/campaigns/"+itoa(d.ID), nil); status != 200 || !json.Valid(body) {
			t.Errorf("agency B's view: %d", status)
		}
		_, body = c.do("op-b", "GET", "/api/v1/campaigns/"+itoa(d.ID), nil)
		json.Unmarshal(body, &d)
		if len(d.Progress) != 1 || d.Progress[0].ID != b.ID {
			t.Errorf("agency B sees progress %+v", d.Progress)
		}
		title := "Kế hoạch 104/KH-UBND (sửa đổi)"
		if status, body := c.do("coord", "PATCH", "/api/v1/campaigns/"+itoa(d.ID), map[string]string{"title": title}); status != 200 {
			t.Errorf("patch: %d %s", status, body)
		}
		if status, body := c.do("coord", "POST", "/api/v1/campaigns/"+itoa(d.ID)+"/activate", nil); status != 422 {
			t.Errorf("activate an active campaign: %d %s", status, body)
		}
		if status, body := c.do("coord", "POST", "/api/v1/campaigns/"+itoa(d.ID)+"/close", nil); status != 200 {
			t.Errorf("close: %d %s", status, body)
		}
		var list struct {
			Items []campaign.View `json:"items"`
			Total int             `json:"total"`
		}
		_, body = c.do("op-b", "GET", "/api/v1/campaigns?status=closed", nil)
		json.Unmarshal(body, &list)
		if list.Total != 1 || list.Items[0].Title != title || list.Items[0].Obligations != 4 {
			t.Errorf("agency B's list: %s", body)
		}
		if status, _ := c.do("coord", "GET", "/api/v1/campaigns/templates", nil); status != 200 {
			t.Errorf("templates: %d", status)
		}
	})
}
