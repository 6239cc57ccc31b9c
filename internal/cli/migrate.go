package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/i18n"
	"github.com/spf13/cobra"
)

func newMigrateCmd() *cobra.Command {
	var db dbFlags
	var lang string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Quản lý lược đồ cơ sở dữ liệu / database schema migrations",
	}
	db.register(cmd)
	langFlag(cmd, &lang)
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
			l := i18n.Negotiate(lang)
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "%s\t%s\t%s\n", i18n.T(l, "cli.migrate.version"), i18n.T(l, "cli.migrate.name"), i18n.T(l, "cli.migrate.state"))
			for _, m := range st {
				state := "cli.migrate.pending"
				if m.Applied {
					state = "cli.migrate.applied"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Version, m.Name, i18n.T(l, state))
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
			say(cmd.OutOrStdout(), lang, "cli.migrate.up_to_date")
			return nil
		},
	}
	cmd.AddCommand(status, up)
	return cmd
}

func newBackupCmd() *cobra.Command {
	var db dbFlags
	var lang string
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
			say(cmd.OutOrStdout(), lang, "cli.backup.written", args[0])
			say(cmd.OutOrStdout(), lang, "cli.backup.key_apart", db.keyPath())
			return nil
		},
	}
	db.register(cmd)
	langFlag(cmd, &lang)
	return cmd
}

func newRestoreCmd() *cobra.Command {
	var dataDir, lang string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Khôi phục cơ sở dữ liệu SQLite từ bản sao lưu / restore a SQLite backup (server stopped)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kept, err := database.Restore(cmd.Context(), dataDir, args[0], force)
			if kept != "" {
				say(cmd.OutOrStdout(), lang, "cli.restore.kept", kept)
			}
			if err != nil {
				return configError(err)
			}
			say(cmd.OutOrStdout(), lang, "cli.restore.done", args[0], dataDir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "./khien-data", "data directory to restore into")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing database")
	langFlag(cmd, &lang)
	return cmd
}
