package cli

import (
	"fmt"
	"io"

	"github.com/khien/khien/internal/i18n"
	"github.com/spf13/cobra"
)

// langFlag registers --lang on a command that prints for people: its
// messages, table headers and counts are in that language, Vietnamese unless
// told. The words are catalogue keys (catalog/*/cli.json), so counts read
// "3 hệ thống" in Vietnamese and avoid English plurals ("systems: 3").
func langFlag(cmd *cobra.Command, lang *string) {
	cmd.Flags().StringVar(lang, "lang", i18n.VI, "language of the output: vi or en")
}

// say prints the message key in lang with its arguments, and a new line.
func say(w io.Writer, lang, key string, args ...any) {
	fmt.Fprintln(w, i18n.T(i18n.Negotiate(lang), key, args...))
}
