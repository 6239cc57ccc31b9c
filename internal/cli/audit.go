package cli

import (
	"errors"
	"fmt"

	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/spf13/cobra"
)

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Nhật ký kiểm toán / audit log",
	}
	cmd.AddCommand(newAuditVerifyCmd())
	return cmd
}

func newAuditVerifyCmd() *cobra.Command {
	var db dbFlags
	var lang string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Kiểm tra tính toàn vẹn của nhật ký / check the audit log's hash chain (exit 1 naming the first broken entry)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, closeDB, err := db.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			n, err := audit.Verify(cmd.Context(), store)
			var broken *audit.Break
			if errors.As(err, &broken) {
				return withExitCode(1, fmt.Errorf("%s: %w", i18n.T(i18n.Negotiate(lang), "cli.audit.broken", n), broken))
			}
			if err != nil {
				return err
			}
			say(cmd.OutOrStdout(), lang, "cli.audit.intact", n)
			return nil
		},
	}
	db.register(cmd)
	langFlag(cmd, &lang)
	return cmd
}
