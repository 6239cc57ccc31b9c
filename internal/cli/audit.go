package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/storage"
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
					printVerified(cmd, head, cp, db.checkpointsPath())
					return nil
				}
			}
			var broken *audit.Break
			switch {
			case errors.As(err, &broken):
				return withExitCode(1, fmt.Errorf("audit log BROKEN: %w", broken))
			case errors.Is(err, audit.ErrNoKey):
				return withExitCode(2, fmt.Errorf("%w: give its file with --audit-key (looked for %s)", err, db.keyPath()))
			}
			return err
		},
	}
	db.register(cmd)
	return cmd
}

func printVerified(cmd *cobra.Command, head audit.Head, cp *audit.Checkpoint, path string) {
	out := cmd.OutOrStdout()
	signed := "none signed"
	if head.FirstKeyedID != 0 {
		signed = fmt.Sprintf("signed from id %d", head.FirstKeyedID)
	}
	fmt.Fprintf(out, "audit log intact: %d entries verified (%s)\n", head.Count, signed)
	if cp == nil {
		fmt.Fprintf(out, "no checkpoint in %s yet: run khien audit checkpoint (khien serve writes them)\n", path)
		return
	}
	fmt.Fprintf(out, "matches the checkpoint of %s (%d entries up to id %d); %d entries since\n",
		cp.At.Format(time.RFC3339), cp.Count, cp.LastID, head.Count-cp.Count)
}

func newAuditCheckpointCmd() *cobra.Command {
	var db dbFlags
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
				return withExitCode(1, fmt.Errorf("audit log BROKEN, no checkpoint written: %w", broken))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "checkpoint written to %s: %d entries up to id %d\n", db.checkpointsPath(), cp.Count, cp.LastID)
			return nil
		},
	}
	db.register(cmd)
	db.registerWitness(cmd)
	return cmd
}
