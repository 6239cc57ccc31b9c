// Package cli wires the khien subcommands. It parses flags and calls into the
// capability packages; it holds no business logic of its own.
package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/validation"
	"github.com/spf13/cobra"
)

// Build information, set with -ldflags "-X github.com/khien/khien/internal/cli.Version=…".
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// exitError carries a process exit code through cobra's error return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExitCode makes Execute exit with code after printing err (when err is not nil).
func withExitCode(code int, err error) error { return &exitError{code: code, err: err} }

// NewRoot builds the command tree. Every capability adds its commands here.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "khien",
		Short:         "Khiên — an toàn thông tin cho cơ quan nhà nước / public-sector cyber security",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newVersionCmd(),
		newServeCmd(),
		newMigrateCmd(),
		newBackupCmd(),
		newRestoreCmd(),
		newUserCmd(),
		newTokenCmd(),
		newAuditCmd(),
		newOrgCmd(),
		newInventoryCmd(),
		newImportCmd(),
		newDemoCmd(),
		newScanCmd(),
		newChecksCmd(),
		newVulndbCmd(),
		newAgentCmd(),
		newReportCmd(),
	)
	return root
}

// Execute runs the command line and returns the process exit code.
func Execute() int {
	code, msg := runRoot(NewRoot())
	if msg != "" {
		fmt.Fprintln(os.Stderr, "khien:", msg)
	}
	return code
}

// runRoot runs root and returns the exit code and the error's line, in the
// language of the command's --lang (Vietnamese without one).
func runRoot(root *cobra.Command) (int, string) {
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0, ""
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err == nil {
			return ee.code, ""
		}
		code = ee.code
	}
	lang := i18n.VI
	if f := cmd.Flags().Lookup("lang"); f != nil {
		lang = f.Value.String()
	}
	return code, localize(i18n.Negotiate(lang), err)
}

// localize is err's text in lang: its message (validation.Message) or input
// errors when it carries them, else err as it is.
func localize(lang string, err error) string {
	var m validation.Message
	if errors.As(err, &m) {
		return m.Localize(lang)
	}
	if es, ok := validation.As(err); ok {
		return es.Localize(lang).Error()
	}
	return err.Error()
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "In phiên bản / print version, commit and build date",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "khien %s (commit %s, built %s)\n", Version, Commit, Date)
		},
	}
}
