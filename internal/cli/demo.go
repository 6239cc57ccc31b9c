package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/khien/khien/internal/demo"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Nạp dữ liệu mẫu thành phố Cần Thơ / load a demo city into an empty database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, closeDB, err := db.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			sum, err := demo.Load(cmd.Context(), store)
			if errors.Is(err, demo.ErrNotEmpty) {
				return withExitCode(2, err)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "demo city loaded: %d agencies, %d systems, %d assets, %d staff\n", sum.Agencies, sum.Systems, sum.Assets, sum.Staff)
			fmt.Fprintf(out, "demo accounts (password %q; admin, coordinator and auditor enrol an OTP app at first sign-in):\n", demo.Password)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, u := range sum.Users {
				org := u.OrgCode
				if org == "" {
					org = "(thành phố)"
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Email, u.Role, org)
			}
			return tw.Flush()
		},
	}
	db.register(cmd)
	return cmd
}
