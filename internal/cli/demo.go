package cli

import (
	"errors"
	"fmt"

	"github.com/khien/khien/internal/demo"
	"github.com/khien/khien/internal/storage"
	"github.com/spf13/cobra"
)

func newDemoCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Nạp dữ liệu mẫu thành phố Cần Thơ / load a demo city into an empty database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := db.open(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			sum, err := demo.Load(cmd.Context(), storage.New(d))
			if errors.Is(err, demo.ErrNotEmpty) {
				return withExitCode(2, err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "demo city loaded: %d agencies, %d systems, %d assets, %d staff\n", sum.Agencies, sum.Systems, sum.Assets, sum.Staff)
			return nil
		},
	}
	db.register(cmd)
	return cmd
}
