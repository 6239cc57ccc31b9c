package scan_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
)

// ExampleRun drives the engine the way the CLI and the server do: parse the
// targets, set the limits, and receive findings as they are made.
func ExampleRun() {
	targets, err := scan.ParseTargets([]string{"192.0.2.10", "https://portal.example.gov.vn/"}, false)
	if err != nil {
		log.Fatal(err)
	}
	exclusions, _ := scan.ParseExclusions([]string{"192.0.2.0/24", "example.gov.vn"})
	cfg := scan.Config{
		Profile:    scan.ProfileSafe,
		PerHost:    2,
		Timeout:    5 * time.Second,
		Exclusions: exclusions, // everything above is excluded: nothing is contacted
		Lang:       "en",
	}
	summary, err := scan.Run(context.Background(), cfg, targets, func(f check.Finding) {
		fmt.Println(f.Severity, f.CheckID, f.Host, f.Evidence)
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(summary.Findings, "findings,", len(summary.Skipped), "targets skipped")
	// Output: 0 findings, 2 targets skipped
}
