package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/api"
	"github.com/khien/khien/internal/apptest"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/xuri/excelize/v2"
)

// apiClient sends requests as named users with their bearer tokens.
type apiClient struct {
	t      *testing.T
	app    *apptest.App
	tokens map[string]string
}

func (c apiClient) do(who, method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
		ctype = "application/octet-stream"
	case multipartBody:
		rd = bytes.NewReader(b.data)
		ctype = b.ctype
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, c.app.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.tokens[who])
	req.Header.Set("Content-Type", ctype)
	resp, err := (&http.Client{Transport: c.app.Transport}).Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// TestInventoryAPI drives the inventory endpoints with API tokens as an
// agency operator, a viewer, another agency's operator and the coordinator,
// on both databases.
func TestInventoryAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, app *apptest.App) {
		a := app.Org(t, "SYT", "Sở Y tế")
		b := app.Org(t, "STP", "Sở Tư pháp")
		tokens := map[string]string{"nobody": "not-a-token"}
		for name, u := range map[string]*apptest.User{
			"op-a":   app.User(t, access.AgencyOperator, a.ID),
			"view-a": app.User(t, access.Viewer, a.ID),
			"op-b":   app.User(t, access.AgencyOperator, b.ID),
			"coord":  app.User(t, access.Coordinator, app.Root.ID),
		} {
			tokens[name] = app.Token(t, u)
		}
		c := apiClient{t, app, tokens}

		// The acceptance contract.
		status, body := c.do("op-a", "POST", "/api/v1/systems", map[string]any{"org_id": a.ID, "name": "Hồ sơ sức khỏe điện tử", "kind": "data_store", "level": 3})
		if status != 201 {
			t.Fatalf("create system: %d %s", status, body)
		}
		var created inventory.SystemView
		json.Unmarshal(body, &created)
		if created.ID == 0 || created.Kind != "data_store" || created.Level != 3 || created.OrgCode != "SYT" {
			t.Fatalf("created: %s", body)
		}
		id := itoa(created.ID)
		if status, body := c.do("op-a", "GET", "/api/v1/systems/"+id, nil); status != 200 || !strings.Contains(string(body), `"name":"Hồ sơ sức khỏe điện tử"`) {
			t.Fatalf("get system: %d %s", status, body)
		}
		for _, asset := range []map[string]string{
			{"kind": "ip", "value": "203.113.131.5"}, {"kind": "cidr", "value": "10.30.0.0/24"}, {"kind": "domain", "value": "syt.cầnthơ.vn"},
			{"kind": "url", "value": "https://syt.cantho.gov.vn"}, {"kind": "server", "value": "db01"}, {"kind": "device", "value": "fw-syt"},
		} {
			if status, body := c.do("op-a", "POST", "/api/v1/systems/"+id+"/assets", asset); status != 201 {
				t.Fatalf("add asset %v: %d %s", asset, status, body)
			}
		}
		status, body = c.do("op-a", "GET", "/api/v1/systems/"+id+"/assets", nil)
		var assets api.List[inventory.AssetView]
		json.Unmarshal(body, &assets)
		if status != 200 || assets.Total != 6 {
			t.Fatalf("list assets: %d %s", status, body)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/systems/"+id+"/assets", map[string]string{"kind": "ip", "value": "10.0.0.256"}); status != 422 || !strings.Contains(string(body), `"field":"value"`) {
			t.Fatalf("bad asset: %d %s", status, body)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/systems", map[string]any{"org_id": a.ID, "name": "X", "kind": "website"}); status != 422 {
			t.Fatalf("bad kind: %d %s", status, body)
		}

		// Update, filter, search without diacritics, controls, devices, staff.
		if status, body := c.do("op-a", "PATCH", "/api/v1/systems/"+id, map[string]any{"hosting": "cloud", "hosting_provider": "Viettel IDC"}); status != 200 || !strings.Contains(string(body), `"hosting":"cloud"`) || !strings.Contains(string(body), `"level":3`) {
			t.Fatalf("patch: %d %s", status, body)
		}
		// A body read back from GET can be sent back as it is.
		_, body = c.do("op-a", "GET", "/api/v1/systems/"+id, nil)
		if status, body := c.do("op-a", "PATCH", "/api/v1/systems/"+id, json.RawMessage(body)); status != 200 {
			t.Fatalf("patch with GET body: %d %s", status, body)
		}
		if status, body := c.do("coord", "GET", "/api/v1/systems?q=ho+so+suc+khoe&kind=data_store&level=3", nil); status != 200 || !strings.Contains(string(body), `"total":1`) {
			t.Fatalf("search: %d %s", status, body)
		}
		if status, body := c.do("op-a", "PUT", "/api/v1/systems/"+id+"/controls/firewall", map[string]string{"status": "partial", "product": "FortiGate"}); status != 200 {
			t.Fatalf("control: %d %s", status, body)
		}
		if status, body := c.do("op-a", "PUT", "/api/v1/systems/"+id+"/devices", map[string]int{"servers": 3, "workstations": 40}); status != 200 || !strings.Contains(string(body), `"servers":3`) {
			t.Fatalf("devices: %d %s", status, body)
		}
		status, body = c.do("op-a", "POST", "/api/v1/staff", map[string]any{"org_id": a.ID, "name": "Lê Thị Mai", "email": "mai@syt.cantho.gov.vn"})
		if status != 201 {
			t.Fatalf("staff: %d %s", status, body)
		}
		var person inventory.StaffView
		json.Unmarshal(body, &person)
		if status, body := c.do("op-a", "POST", "/api/v1/staff/"+itoa(person.ID)+"/qualifications", map[string]string{"course": "An toàn thông tin", "completed_on": "01/06/2025"}); status != 201 {
			t.Fatalf("qualification: %d %s", status, body)
		}

		// Scope: the other agency sees nothing and cannot write; the viewer cannot write.
		for _, probe := range []struct{ method, path string }{
			{"GET", "/api/v1/systems/" + id}, {"GET", "/api/v1/systems/" + id + "/assets"}, {"GET", "/api/v1/staff/" + itoa(person.ID)},
			{"PATCH", "/api/v1/systems/" + id}, {"DELETE", "/api/v1/systems/" + id + "?confirm=1"},
		} {
			if status, body := c.do("op-b", probe.method, probe.path, map[string]any{}); status != 404 {
				t.Errorf("op-b %s %s: %d %s", probe.method, probe.path, status, body)
			}
		}
		if status, _ := c.do("op-b", "GET", "/api/v1/systems", nil); status != 200 {
			t.Fatal("op-b list")
		} else if _, body := c.do("op-b", "GET", "/api/v1/systems", nil); !strings.Contains(string(body), `"total":0`) {
			t.Errorf("op-b sees: %s", body)
		}
		if status, body := c.do("op-b", "POST", "/api/v1/systems", map[string]any{"org_id": a.ID, "name": "Lén", "kind": "other"}); status != 404 {
			t.Errorf("op-b creates in SYT: %d %s", status, body)
		}
		if status, body := c.do("view-a", "POST", "/api/v1/systems", map[string]any{"org_id": a.ID, "name": "Xem", "kind": "other"}); status != 403 {
			t.Errorf("viewer creates: %d %s", status, body)
		}
		if status, _ := c.do("nobody", "GET", "/api/v1/systems", nil); status != 401 {
			t.Errorf("anonymous: %d", status)
		}

		// Excel: export SYT, import it into STP's scope is refused for op-b (not found),
		// and op-b importing into its own agency a file naming SYT fails per row.
		status, file := c.do("op-a", "GET", "/api/v1/inventory/export", nil)
		if status != 200 || !bytes.HasPrefix(file, []byte("PK")) {
			t.Fatalf("export: %d", status)
		}
		if status, body := c.do("op-b", "POST", "/api/v1/inventory/import?org_id="+itoa(a.ID), file); status != 404 {
			t.Errorf("op-b imports into SYT: %d %s", status, body)
		}
		status, body = c.do("op-b", "POST", "/api/v1/inventory/import", file)
		// One message whether SYT exists or not: op-b cannot see it (issue 10, item 6).
		if status != 422 || !strings.Contains(string(body), `không có đơn vị mã \"SYT\" trong phạm vi đơn vị đang nhập liệu`) {
			t.Errorf("op-b imports SYT's rows: %d %s", status, body)
		}
		// Re-importing SYT's own export changes nothing.
		status, body = c.do("op-a", "POST", "/api/v1/inventory/import", multipartFile(t, "syt.xlsx", file))
		var res inventory.ImportResult
		json.Unmarshal(body, &res)
		if status != 201 || res.Counts[inventory.SystemsSheet.Name].Unchanged != 1 || res.Counts[inventory.AssetsSheet.Name].Created != 0 {
			t.Fatalf("re-import: %d %s", status, body)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/inventory/import", []byte("not a workbook")); status != 422 || !strings.Contains(string(body), "không phải là bảng tính Excel") {
			t.Errorf("junk import: %d %s", status, body)
		}
		// Conflicts are the coordinator's.
		for _, path := range []string{"/api/v1/assets/conflicts", "/api/v1/assets/shared"} {
			if status, _ := c.do("op-a", "GET", path, nil); status != 403 {
				t.Errorf("operator %s: %d", path, status)
			}
		}
		if status, body := c.do("coord", "POST", "/api/v1/orgs/"+itoa(b.ID)+"/merge", map[string]int64{"into_org_id": a.ID}); status != 201 {
			t.Errorf("merge: %d %s", status, body)
		}
		// A dry run shows each change as people read it, in the asked language.
		wb := excelize.NewFile()
		wb.SetSheetName("Sheet1", inventory.SystemsSheet.Name)
		wb.SetSheetRow(inventory.SystemsSheet.Name, "A1", &[]any{"Tên hệ thống", "Loại hệ thống", "Cấp độ"})
		wb.SetSheetRow(inventory.SystemsSheet.Name, "A2", &[]any{"Hồ sơ sức khỏe điện tử", "data_store", "Cấp độ 2"})
		var xlsx bytes.Buffer
		if err := wb.Write(&xlsx); err != nil {
			t.Fatal(err)
		}
		status, body = c.do("op-a", "POST", "/api/v1/inventory/import?dry_run=1&lang=en&org_id="+itoa(a.ID), xlsx.Bytes())
		res = inventory.ImportResult{}
		json.Unmarshal(body, &res)
		if status != 200 || len(res.Changes) != 1 || len(res.Changes[0].Fields) != 1 ||
			res.Changes[0].Fields[0] != (importing.FieldChange{Field: "level", Header: "Security level", Old: "Level 3", New: "Level 2"}) {
			t.Errorf("dry run changes: %d %s", status, body)
		}
		// Archiving hides the system from the list until it is restored;
		// the removal lists what a deletion would take.
		count := func(query string) int {
			var list struct{ Total int }
			_, body := c.do("op-a", "GET", "/api/v1/systems"+query, nil)
			json.Unmarshal(body, &list)
			return list.Total
		}
		before := count("")
		if status, body := c.do("op-a", "POST", "/api/v1/systems/"+id+"/archive", nil); status != 200 || !strings.Contains(string(body), `"archived_at"`) {
			t.Errorf("archive: %d %s", status, body)
		}
		if count("") != before-1 || count("?archived=1") != 1 {
			t.Errorf("after archiving: %d listed (was %d), %d archived", count(""), before, count("?archived=1"))
		}
		// The coverage filters: no scan has finished, so none is scanned; a window the
		// dashboard does not draw is refused, naming the filter.
		if count("?inuse=1") != before-1 || count("?scanned=6") != 0 {
			t.Errorf("coverage filters: %d in use (want %d), %d scanned", count("?inuse=1"), before-1, count("?scanned=6"))
		}
		if status, body := c.do("op-a", "GET", "/api/v1/systems?scanned=12", nil); status != 422 || !strings.Contains(string(body), `"scanned"`) {
			t.Errorf("scanned=12: %d %s", status, body)
		}
		if status, body := c.do("view-a", "POST", "/api/v1/systems/"+id+"/restore", nil); status != 403 {
			t.Errorf("viewer restores: %d %s", status, body)
		}
		if status, body := c.do("op-a", "POST", "/api/v1/systems/"+id+"/restore", nil); status != 200 || strings.Contains(string(body), `"archived_at"`) || count("") != before {
			t.Errorf("restore: %d %s", status, body)
		}
		if status, body := c.do("op-a", "GET", "/api/v1/systems/"+id+"/removal", nil); status != 200 || !strings.Contains(string(body), `"controls"`) {
			t.Errorf("removal: %d %s", status, body)
		}
		// Deleting needs confirm=1, as the page's confirmation: without it
		// the answer names confirm and points to …/removal.
		for _, tt := range []struct {
			query, want string
		}{
			{"", "GET /api/v1/systems/" + id + "/removal"},
			{"?confirm=0", "?confirm=1"},
			{"?confirm=yes&lang=en", "needs confirmation"},
		} {
			var e errorAnswer
			status, body := c.do("op-a", "DELETE", "/api/v1/systems/"+id+tt.query, nil)
			json.Unmarshal(body, &e)
			if status != 422 || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "confirm" || !strings.Contains(e.Error.Fields[0].Message, tt.want) {
				t.Errorf("delete%s without confirming: %d %s", tt.query, status, body)
			}
		}
		if status, _ := c.do("op-a", "GET", "/api/v1/systems/"+id, nil); status != 200 {
			t.Errorf("deleted without confirming: %d", status)
		}
		if status, body := c.do("op-a", "DELETE", "/api/v1/systems/"+id+"?confirm=1", nil); status != 204 {
			t.Errorf("delete: %d %s", status, body)
		}
		if status, _ := c.do("op-a", "GET", "/api/v1/systems/"+id, nil); status != 404 {
			t.Errorf("after deleting: %d", status)
		}
	})
}

// multipartFile wraps data as the "file" field of a form, as browsers upload.
func multipartFile(t *testing.T, name string, data []byte) multipartBody {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return multipartBody{buf.Bytes(), mw.FormDataContentType()}
}

type multipartBody struct {
	data  []byte
	ctype string
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
