package web_test

import (
	"bytes"
	"mime/multipart"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/apptest"
)

// TestFindingImportPage uploads an Nmap file through the import form as
// the coordinator and follows the import's page until it has finished; an
// agency operator gets no form.
func TestFindingImportPage(t *testing.T) {
	app := apptest.New(t, "sqlite")
	s := newSite(t, app)
	if resp, body := s.do(t, "coord", "GET", "/findings/import", nil, ""); resp.StatusCode != 200 || !strings.Contains(body, `name="file"`) {
		t.Fatalf("import page: %d", resp.StatusCode)
	}
	if resp, _ := s.do(t, "op-a", "GET", "/findings/import", nil, ""); resp.StatusCode != 403 {
		t.Fatalf("operator's import page: %d", resp.StatusCode)
	}
	data, err := os.ReadFile("../finding/source/testdata/nmap-7.94.xml")
	must(t, err)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("format", "auto")
	fw, _ := mw.CreateFormFile("file", "nmap.xml")
	fw.Write(data)
	mw.Close()
	resp, _ := s.do(t, "coord", "POST", "/findings/import", &buf, mw.FormDataContentType())
	where := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(where, "/findings/imports/") {
		t.Fatalf("upload: %d %s", resp.StatusCode, where)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := s.do(t, "coord", "GET", where, nil, "")
		if strings.Contains(body, `id="import-summary"`) {
			if !strings.Contains(body, "Hoàn tất") || !strings.Contains(body, "nmap") {
				t.Fatalf("finished import page:\n%s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import did not finish:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond) // polling the page, as the browser's refresh does
	}
	if resp, body := s.do(t, "op-a", "GET", "/findings/template.xlsx", nil, ""); resp.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
		t.Fatalf("template: %d", resp.StatusCode)
	}
}
