package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/khien/khien/internal/database"
	"github.com/spf13/cobra"
)

func newMigrateCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Quản lý lược đồ cơ sở dữ liệu / database schema migrations",
	}
	db.register(cmd)
	cmd.PersistentFlags().AddFlagSet(cmd.Flags())
	status := &cobra.Command{
		Use:   "status",
		Short: "List migrations and whether each is applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := database.Open(cmd.Context(), db.config())
			if err != nil {
				return configError(err)
			}
			defer d.Close()
			st, err := d.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tNAME\tSTATE")
			for _, m := range st {
				state := "pending"
				if m.Applied {
					state = "applied"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Version, m.Name, state)
			}
			return tw.Flush()
		},
	}
	up := &cobra.Command{
		Use:   "up",
		Short: "Apply every pending migration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := db.open(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
			return nil
		},
	}
	cmd.AddCommand(status, up)
	return cmd
}

func newBackupCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Sao lưu cơ sở dữ liệu SQLite khi máy chủ đang chạy / consistent copy of the SQLite database",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := db.open(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			if err := d.Backup(cmd.Context(), args[0]); err != nil {
				return configError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backup written to %s\n", args[0])
			fmt.Fprintf(cmd.OutOrStdout(), "the audit key %s is not in the backup: keep a copy of it separately (without it the restored audit log cannot be verified or extended)\n", db.keyPath())
			return nil
		},
	}
	db.register(cmd)
	return cmd
}

func newRestoreCmd() *cobra.Command {
	var dataDir string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Khôi phục cơ sở dữ liệu SQLite từ bản sao lưu / restore a SQLite backup (server stopped)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kept, err := database.Restore(cmd.Context(), dataDir, args[0], force)
			if kept != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "the database it replaces is kept as %s\n", kept)
			}
			if err != nil {
				return configError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s into %s\n", args[0], dataDir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "./khien-data", "data directory to restore into")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing database")
	return cmd
}
