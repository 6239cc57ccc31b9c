package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/khien/khien/internal/database/dbtest"
)

// TestImportCommand imports an Nmap file twice and a file of no known
// format: one JSON summary line per file, nothing the second time, and a
// clear error for the third.
func TestImportCommand(t *testing.T) {
	cfg := dbtest.Config(t, "sqlite")
	file := "../finding/source/testdata/nmap-7.94.xml"
	args := append([]string{"import", file}, configArgs(cfg)...)
	code, out := run(args...)
	var sum map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &sum); err != nil || code != 0 {
		t.Fatalf("import: %d %v\n%s", code, err, out)
	}
	for _, k := range []string{"created", "updated", "closed", "reopened", "unassigned", "skipped"} {
		if _, ok := sum[k]; !ok {
			t.Errorf("summary lacks %q: %s", k, out)
		}
	}
	if sum["created"].(float64) == 0 || sum["unassigned"] != sum["created"] {
		t.Errorf("first import (no assets registered: all unassigned): %s", out)
	}
	code, out = run(args...)
	if code != 0 || !strings.Contains(out, `"created":0,"updated":0`) {
		t.Errorf("second import: %d %s", code, out)
	}
	code, out = run(append([]string{"import", "import_test.go"}, configArgs(cfg)...)...)
	if code == 0 || !strings.Contains(out, "Không nhận ra định dạng tệp") {
		t.Errorf("unknown format: %d %s", code, out)
	}
	code, out = run(append([]string{"import", "--format", "word", file}, configArgs(cfg)...)...)
	if code != 2 || !strings.Contains(out, "unknown format") {
		t.Errorf("unknown --format: %d %s", code, out)
	}
}
