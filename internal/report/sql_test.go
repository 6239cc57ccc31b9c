package report

import (
	"strings"
	"testing"

	"github.com/khien/khien/internal/finding"
)

func TestOpenIn(t *testing.T) {
	var names []string
	for _, s := range finding.OpenStatuses() {
		names = append(names, "'"+string(s)+"'")
	}
	if want := "f.status IN (" + strings.Join(names, ", ") + ")"; openIn != want {
		t.Errorf("openIn is %s; the open statuses are %s", openIn, want)
	}
}
