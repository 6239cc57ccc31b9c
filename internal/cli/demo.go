package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/i18n"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var db dbFlags
	var lang string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Nạp dữ liệu mẫu thành phố Cần Thơ / load a demo city into an empty database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l := i18n.Negotiate(lang)
			store, closeDB, err := db.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			sum, err := demo.Load(cmd.Context(), store)
			if errors.Is(err, demo.ErrNotEmpty) {
				return withExitCode(2, errors.New(i18n.T(l, "demo.cli.not_empty")))
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, i18n.T(l, "demo.cli.loaded", sum.Agencies, sum.Systems, sum.Assets, sum.Staff, sum.Merged))
			printDemoFindings(out, l, sum.Findings)
			fmt.Fprintln(out, i18n.T(l, "demo.cli.agent", sum.Agent.Name, sum.Agent.System, sum.Agent.Token))
			fmt.Fprintln(out, i18n.T(l, "demo.cli.campaign", sum.Campaign.Orgs, sum.Campaign.Submitted, sum.Campaign.Accepted, sum.Campaign.Late))
			fmt.Fprintln(out, i18n.T(l, "demo.cli.scans", sum.Scans.Done, sum.Scans.Stale, sum.Scans.Schedules, sum.Scans.NextRun.In(i18n.Vietnam).Format("02/01/2006 15:04"), sum.Scans.Refused))
			fmt.Fprintln(out, i18n.T(l, "demo.cli.reports", sum.Reports.Versions))
			fmt.Fprintln(out, i18n.T(l, "demo.cli.incidents", sum.Incidents.Cases, sum.Incidents.Open))
			fmt.Fprintln(out, i18n.T(l, "demo.cli.accounts", demo.Password))
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, u := range sum.Users {
				org := u.OrgCode
				if org == "" {
					org = i18n.T(l, "demo.cli.city")
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Email, u.Role, org)
			}
			return tw.Flush()
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&lang, "lang", i18n.VI, "language of the output: vi or en")
	return cmd
}

// printDemoFindings says what the demo's findings hold and where to look.
func printDemoFindings(out io.Writer, l string, f demo.FindingsSummary) {
	var sevs, statuses []string
	for _, s := range []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low, finding.Info} {
		sevs = append(sevs, fmt.Sprintf("%s %d", strings.ToLower(i18n.T(l, "finding.severity."+string(s))), f.BySeverity[string(s)]))
	}
	for _, s := range finding.Statuses {
		statuses = append(statuses, fmt.Sprintf("%s %d", strings.ToLower(i18n.T(l, "finding.status."+string(s))), f.ByStatus[string(s)]))
	}
	fmt.Fprintln(out, i18n.T(l, "demo.cli.findings", f.Imports, f.Total, strings.Join(sevs, ", "), f.Open, f.Overdue, f.Unassigned))
	fmt.Fprintln(out, "  "+i18n.T(l, "demo.cli.statuses", strings.Join(statuses, ", ")))
	fmt.Fprintln(out, "  "+i18n.T(l, "demo.cli.hunts", f.HuntsOpen, f.HuntsDone))
	fmt.Fprintln(out, "  "+i18n.T(l, "demo.cli.where"))
}
