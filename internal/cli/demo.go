package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/khien/khien/internal/demo"
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
