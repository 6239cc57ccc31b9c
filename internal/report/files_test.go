package report

import (
	"errors"
	"fmt"
	"testing"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/validation"
)

// TestEveryKindHasASubject: a kind added to builders without its subject could be neither
// queued nor generated.
func TestEveryKindHasASubject(t *testing.T) {
	for _, k := range Kinds {
		if subjects[k] == nil {
			t.Errorf("report kind %s has no subject in subject.go", k)
		}
	}
}

func TestStagesAdvance(t *testing.T) {
	last := 0
	for _, s := range Stages {
		if stageProgress[s] <= last {
			t.Errorf("stage %s starts at %d%%, not after %d%%", s, stageProgress[s], last)
		}
		last = stageProgress[s]
	}
	if last != 100 {
		t.Errorf("the last stage is at %d%%", last)
	}
}

func TestFailureOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{validation.Invalid("format", "report.err.format", "odt", "docx"), "report.err.format"},
		{fmt.Errorf("system 4: %w", access.ErrNotFound), "report_files.err.not_found"},
		{access.Denied(access.Viewer, access.Write), "report_files.err.forbidden"},
		{errors.New("disk full"), "report_files.err.internal"},
	} {
		if got := failureOf(c.err); got.Key != c.want {
			t.Errorf("failureOf(%v) = %s, want %s", c.err, got.Key, c.want)
		}
	}
}
