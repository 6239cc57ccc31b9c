package finding

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/xuri/excelize/v2"
)

func TestExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		portal := hsts(day1)
		portal.Title = "Thiếu HSTS trên cổng thông tin"
		run(t, f, f.admin, ImportRequest{}, file(portal, log4j("nuclei", "CVE-2021-44228", day1)))
		formats := map[string]func(t *testing.T, data []byte) []string{
			"csv": func(t *testing.T, data []byte) []string {
				if !bytes.HasPrefix(data, []byte("\uFEFF")) {
					t.Fatal("no BOM")
				}
				recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
				must(t, err)
				if recs[0][1] != "Tiêu đề" || recs[0][2] != "Mức độ" {
					t.Fatalf("headers: %v", recs[0])
				}
				var titles []string
				for _, r := range recs[1:] {
					titles = append(titles, r[1]+"/"+r[2])
				}
				return titles
			},
			"xlsx": func(t *testing.T, data []byte) []string {
				x, err := excelize.OpenReader(bytes.NewReader(data))
				must(t, err)
				rows, err := x.GetRows(exportSheet)
				must(t, err)
				if rows[0][0] != "Mã" {
					t.Fatalf("headers: %v", rows[0])
				}
				var titles []string
				for _, r := range rows[1:] {
					titles = append(titles, r[1]+"/"+r[2])
				}
				return titles
			},
			"json": func(t *testing.T, data []byte) []string {
				var items []View
				must(t, json.Unmarshal(data, &items))
				var titles []string
				for _, v := range items {
					titles = append(titles, v.Title+"/"+string(v.Severity))
				}
				return titles
			},
			"sarif": func(t *testing.T, data []byte) []string {
				var log struct {
					Version string `json:"version"`
					Runs    []struct {
						Tool struct {
							Driver struct {
								Name  string `json:"name"`
								Rules []struct {
									ID string `json:"id"`
								} `json:"rules"`
							} `json:"driver"`
						} `json:"tool"`
						Results []struct {
							RuleID    string `json:"ruleId"`
							RuleIndex int    `json:"ruleIndex"`
							Level     string `json:"level"`
							Message   struct {
								Text string `json:"text"`
							} `json:"message"`
						} `json:"results"`
					} `json:"runs"`
				}
				must(t, json.Unmarshal(data, &log))
				if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name == "" {
					t.Fatalf("sarif: %s", data)
				}
				run := log.Runs[0]
				var titles []string
				for _, r := range run.Results {
					if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
						t.Errorf("result of %s indexes rule %d", r.RuleID, r.RuleIndex)
					}
					titles = append(titles, r.Message.Text+"/"+r.Level)
				}
				return titles
			},
		}
		want := map[string]string{
			"csv":   "Log4Shell/Nghiêm trọng,Thiếu HSTS trên cổng thông tin/Thấp",
			"xlsx":  "Log4Shell/Nghiêm trọng,Thiếu HSTS trên cổng thông tin/Thấp",
			"json":  "Log4Shell/critical,Thiếu HSTS trên cổng thông tin/low",
			"sarif": "Log4Shell/error,Thiếu HSTS trên cổng thông tin/note",
		}
		for format, parse := range formats {
			var buf bytes.Buffer
			must(t, Export(ctx, f.store, f.admin, Filter{}, format, &buf))
			if got := strings.Join(parse(t, buf.Bytes()), ","); got != want[format] {
				t.Errorf("%s: %s, want %s", format, got, want[format])
			}
			// The agency sees its own only.
			buf.Reset()
			must(t, Export(ctx, f.store, f.operatorA, Filter{}, format, &buf))
			if got := strings.Join(parse(t, buf.Bytes()), ","); strings.Contains(got, "Log4Shell") || got == "" {
				t.Errorf("%s as agency A: %s", format, got)
			}
		}
		var n int
		must(t, f.store.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'finding.export'").Scan(&n))
		if n != 2*len(formats) {
			t.Errorf("%d exports audited, want %d", n, 2*len(formats))
		}
		if err := Export(ctx, f.store, f.admin, Filter{}, "pdf", &bytes.Buffer{}); err == nil {
			t.Error("unknown format accepted")
		}
		// An empty list is still a valid document.
		var buf bytes.Buffer
		must(t, Export(ctx, f.store, f.admin, Filter{CVE: "CVE-1999-0001"}, "sarif", &buf))
		var empty map[string]any
		must(t, json.Unmarshal(buf.Bytes(), &empty))
		buf.Reset()
		must(t, Export(ctx, f.store, f.admin, Filter{CVE: "CVE-1999-0001"}, "json", &buf))
		if strings.TrimSpace(buf.String()) != "[]" {
			t.Errorf("empty json: %q", buf.String())
		}
	})
}
