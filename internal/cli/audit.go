package cli

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
	"github.com/spf13/cobra"
)

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Nhật ký kiểm toán / audit log",
	}
	cmd.AddCommand(newAuditVerifyCmd(), newAuditCheckpointCmd())
	return cmd
}

func newAuditVerifyCmd() *cobra.Command {
	var db dbFlags
	var lang string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Kiểm tra tính toàn vẹn của nhật ký / check the audit log's chain with the audit key and against the latest signed checkpoint (exit 1 naming what is wrong)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := db.open(cmd.Context())
			if err != nil {
				return err
			}
			defer d.Close()
			// Verifying never creates a key: without one, signed entries are an error.
			key, err := audit.ReadKey(db.keyPath())
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return withExitCode(2, err)
			}
			cp, err := audit.LatestCheckpoint(db.checkpointsPath(), key)
			if err == nil {
				var head audit.Head
				if head, err = audit.Verify(cmd.Context(), storage.New(d), key, cp); err == nil {
					printVerified(cmd, lang, head, cp, db.checkpointsPath())
					return nil
				}
			}
			var broken *audit.Break
			switch {
			case errors.As(err, &broken):
				return withExitCode(1, fmt.Errorf("%s: %w", i18n.T(i18n.Negotiate(lang), "cli.audit.broken_plain"), broken))
			case errors.Is(err, audit.ErrNoKey):
				return withExitCode(2, validation.Say("cli.audit.no_key", db.keyPath()))
			}
			return err
		},
	}
	db.register(cmd)
	langFlag(cmd, &lang)
	return cmd
}

func printVerified(cmd *cobra.Command, lang string, head audit.Head, cp *audit.Checkpoint, path string) {
	out := cmd.OutOrStdout()
	signed := i18n.T(i18n.Negotiate(lang), "cli.audit.none_signed")
	if head.FirstKeyedID != 0 {
		signed = i18n.T(i18n.Negotiate(lang), "cli.audit.signed_from", head.FirstKeyedID)
	}
	say(out, lang, "cli.audit.intact", head.Count, signed)
	if cp == nil {
		say(out, lang, "cli.audit.no_checkpoint", path)
		return
	}
	say(out, lang, "cli.audit.matches", cp.At.In(i18n.Vietnam).Format("02/01/2006 15:04:05"), cp.Count, cp.LastID, head.Count-cp.Count)
}

func newAuditCheckpointCmd() *cobra.Command {
	var db dbFlags
	var lang string
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Ghi điểm kiểm tra có chữ ký / verify the log and append a signed checkpoint of its head to the checkpoint file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, closeDB, err := db.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer closeDB()
			cp, err := db.checkpoint(cmd.Context(), store)
			var broken *audit.Break
			if errors.As(err, &broken) {
				return withExitCode(1, fmt.Errorf("%s: %w", i18n.T(i18n.Negotiate(lang), "cli.audit.broken_no_checkpoint"), broken))
			}
			if err != nil {
				return err
			}
			say(cmd.OutOrStdout(), lang, "cli.audit.checkpoint_written", db.checkpointsPath(), cp.Count, cp.LastID)
			return nil
		},
	}
	db.register(cmd)
	db.registerWitness(cmd)
	langFlag(cmd, &lang)
	return cmd
}
