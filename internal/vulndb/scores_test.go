package vulndb_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/khien/khien/internal/scan/check"
)

// The built-in scores are those their vectors give.
func TestBuiltinScoresMatchVectors(t *testing.T) {
	raw, err := os.ReadFile("builtin.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		CVEs []struct {
			ID     string  `json:"id"`
			Score  float64 `json:"score"`
			Vector string  `json:"vec"`
		} `json:"cves"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	for _, c := range f.CVEs {
		if s, err := check.CVSSScore(c.Vector); err != nil || s != c.Score {
			t.Errorf("%s: score %.1f, vector %s gives %.1f (%v)", c.ID, c.Score, c.Vector, s, err)
		}
	}
}
