package cli

import (
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/khien/khien/internal/agent/client"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scanning"
	"github.com/khien/khien/internal/scanning/remote"
	"github.com/khien/khien/internal/validation"
)

// runRemoteScan is `khien scan --server URL --token T --system ID`: the
// server's scope guard decides what may be scanned (the system's
// registered assets, under a campaign or a written authorisation, less its
// exclusions); the scan runs here and its results go to the server as they
// are found. Targets given on the command line only narrow the plan.
func runRemoteScan(cmd *cobra.Command, args []string, f *scanFlags) error {
	if f.token == "" || f.system <= 0 {
		return validation.Say("cli.scan.remote_flags")
	}
	base, err := f.config()
	if err != nil {
		return err
	}
	c := client.New(f.server, f.token, nil)
	c.UserAgent = "khien-scan/" + Version
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var a scanning.Assignment
	if err := c.Do(ctx, http.MethodPost, "/api/v1/scans/remote?lang="+f.lang, map[string]any{"system_id": f.system, "profile": f.profile}, &a); err != nil {
		return validation.Say("cli.scan.remote_refused", err.Error())
	}
	out := cmd.OutOrStdout()
	if a.Scan.Status == scanning.StatusRefused {
		fmt.Fprintln(out, i18n.T(f.lang, "cli.scan.remote_guard", a.Scan.ID, a.Scan.Reason))
		return withExitCode(4, validation.Say("cli.scan.remote_guard_short"))
	}
	for _, t := range args {
		if !slices.Contains(a.Targets, t) {
			refusal := validation.Say("cli.scan.not_in_plan", t, f.system)
			// The scan the server opened ends here, with why.
			_ = c.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/scans/%d/results", a.Scan.ID),
				scanning.Report{Findings: []scanning.Finding{}, Hosts: []scanning.HostReport{}, State: scanning.ReportFailed, Error: refusal.Error()}, nil)
			return refusal
		}
	}
	if len(args) > 0 {
		a.Targets = args
	}
	a.Exclusions = append(a.Exclusions, f.exclude...)
	fmt.Fprintln(out, i18n.T(f.lang, "cli.scan.remote_started", a.Scan.ID, a.Scan.SystemName, len(a.Targets)))
	s, err := remote.Run(ctx, c, a, base, fmt.Sprintf("/api/v1/scans/%d/results?lang=%s", a.Scan.ID, f.lang))
	fmt.Fprintln(out, i18n.T(f.lang, "cli.scan.remote_result", s.ID, s.Status, s.HostsDone, s.Findings, s.NewFindings, s.Reopened, s.Verified))
	return err
}
