package api_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/inventory"
)

// TestFindingsAPI imports an Nmap file through the API as a background job,
// reads the findings as the owning agency and another, and moves one
// through its lifecycle, on both databases.
func TestFindingsAPI(t *testing.T) {
	nmap, err := os.ReadFile("../finding/source/testdata/nmap-7.94.xml")
	if err != nil {
		t.Fatal(err)
	}
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		a := app.Org(t, "SYT", "Sở Y tế")
		b := app.Org(t, "STP", "Sở Tư pháp")
		tokens := map[string]string{}
		for name, u := range map[string]*apptest.User{
			"op-a":  app.User(t, access.AgencyOperator, a.ID),
			"op-b":  app.User(t, access.AgencyOperator, b.ID),
			"coord": app.User(t, access.Coordinator, app.Root.ID),
		} {
			tokens[name] = app.Token(t, u)
		}
		c := apiClient{t, app, tokens}
		sys := inventory.System{OrgID: a.ID, Name: "Cổng dịch vụ công", Kind: "web_portal", Level: 3}
		if err := inventory.CreateSystem(t.Context(), app.Store, access.SystemActor("test"), &sys); err != nil {
			t.Fatal(err)
		}
		if err := inventory.AddAsset(t.Context(), app.Store, access.SystemActor("test"), sys.ID, &inventory.Asset{Kind: "ip", Value: "192.0.2.10"}); err != nil {
			t.Fatal(err)
		}

		// An agency operator may not import scanner results.
		if status, body := c.do("op-a", "POST", "/api/v1/imports?wait=true", multipartFile(t, "scan.xml", nmap)); status != 403 {
			t.Fatalf("operator import: %d %s", status, body)
		}
		status, body := c.do("coord", "POST", "/api/v1/imports?wait=true", multipartFile(t, "scan.xml", nmap))
		var job finding.ImportJob
		json.Unmarshal(body, &job)
		if status != 201 || job.Status != finding.ImportDone || job.Created == 0 || job.Format != "nmap" {
			t.Fatalf("import: %d %s", status, body)
		}
		if status, body := c.do("coord", "GET", "/api/v1/imports/"+itoa(job.ID), nil); status != 200 {
			t.Fatalf("get import: %d %s", status, body)
		}
		// The same file again changes nothing.
		_, body = c.do("coord", "POST", "/api/v1/imports?wait=true", multipartFile(t, "scan.xml", nmap))
		var again finding.ImportJob
		json.Unmarshal(body, &again)
		if again.Created != 0 || again.Updated != 0 || again.Status != finding.ImportDone {
			t.Fatalf("re-import: %s", body)
		}
		// A file of no known format fails with a reason.
		_, body = c.do("coord", "POST", "/api/v1/imports?wait=true", multipartFile(t, "notes.txt", []byte("hello")))
		var bad finding.ImportJob
		json.Unmarshal(body, &bad)
		if bad.Status != finding.ImportFailed || bad.Error == "" {
			t.Fatalf("unknown format: %s", body)
		}

		var list struct {
			Items []map[string]any `json:"items"`
			Total int              `json:"total"`
		}
		status, body = c.do("op-a", "GET", "/api/v1/findings?system_id="+itoa(sys.ID)+"&severity=info,low,medium,high,critical&status=new", nil)
		json.Unmarshal(body, &list)
		if status != 200 || list.Total == 0 || list.Items[0]["check_id"] == nil || list.Items[0]["system_id"].(float64) != float64(sys.ID) {
			t.Fatalf("agency's findings: %d %s", status, body)
		}
		id := int64(list.Items[0]["id"].(float64))
		_, body = c.do("op-b", "GET", "/api/v1/findings", nil)
		json.Unmarshal(body, &list)
		if list.Total != 0 {
			t.Fatalf("another agency sees %d findings", list.Total)
		}
		if status, _ := c.do("op-b", "GET", "/api/v1/findings/"+itoa(id), nil); status != 404 {
			t.Fatalf("another agency reads a finding: %d", status)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/findings/"+itoa(id)+"/status", map[string]string{"status": "fixed"}); status != 422 {
			t.Fatalf("fixed without evidence: %d %s", status, body)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/findings/"+itoa(id)+"/status", map[string]string{"status": "fixed", "note": "Đã đóng cổng trên tường lửa"}); status != 200 {
			t.Fatalf("fixed: %d %s", status, body)
		}
		var d finding.Detail
		_, body = c.do("op-a", "GET", "/api/v1/findings/"+itoa(id), nil)
		json.Unmarshal(body, &d)
		if d.Status != finding.Fixed || len(d.History) != 1 || len(d.Sources) != 1 || len(d.Factors) == 0 {
			t.Fatalf("detail: %s", body)
		}
	})
}

// TestFindingsExportAPI exports findings in each format through the API.
func TestFindingsExportAPI(t *testing.T) {
	app := apptest.New(t, "sqlite")
	c := apiClient{t, app, map[string]string{"coord": app.Token(t, app.User(t, access.Coordinator, app.Root.ID))}}
	if status, body := c.do("coord", "POST", "/api/v1/imports?wait=true", multipartFile(t, "scan.xml", mustRead(t, "../finding/source/testdata/nmap-7.94.xml"))); status != 201 {
		t.Fatalf("import: %d %s", status, body)
	}
	for _, format := range finding.ExportFormats {
		status, body := c.do("coord", "GET", "/api/v1/findings/export?format="+format+"&severity=info,high,critical", nil)
		if status != 200 || len(body) < 20 {
			t.Errorf("export %s: %d %.200s", format, status, body)
		}
	}
	if status, _ := c.do("coord", "GET", "/api/v1/findings/export?format=docx", nil); status != 422 {
		t.Errorf("unknown export format: %d", status)
	}
	if status, body := c.do("coord", "GET", "/api/v1/findings/template", nil); status != 200 || string(body[:2]) != "PK" {
		t.Errorf("template: %d", status)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
