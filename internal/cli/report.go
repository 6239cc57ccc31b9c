package cli

import (
	"os"
	"strings"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/report"
	"github.com/spf13/cobra"
)

func newReportCmd() *cobra.Command {
	var db dbFlags
	var kind, format, out, lang string
	var id int64
	cmd := &cobra.Command{
		Use:   "report --kind " + strings.Join(report.Kinds, "|") + " --id ID --format docx|pdf|xlsx -o FILE [--lang vi|en]",
		Short: "Lập báo cáo (DOCX, PDF, XLSX) / write a report: kinds " + strings.Join(report.Kinds, ", "),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The request is checked before the database is opened.
			req := report.Request{Kind: kind, ID: id, Format: format, Lang: lang}
			if err := req.Check(); err != nil {
				return err
			}
			ctx := cmd.Context()
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			file, err := report.Generate(ctx, store, access.SystemActor("cli"), req, store.Now())
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, file.Data, 0o644); err != nil {
				return err
			}
			say(cmd.OutOrStdout(), lang, "cli.report.written", out, len(file.Data))
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&kind, "kind", "system", "report kind: "+strings.Join(report.Kinds, ", "))
	cmd.Flags().Int64Var(&id, "id", 0, "id of the object reported on, by kind: the system (system), the organisation (org, followup)")
	cmd.Flags().StringVar(&format, "format", "docx", "file format: "+strings.Join(report.Formats, ", "))
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (required)")
	langFlag(cmd, &lang)
	cmd.MarkFlagRequired("output")
	cmd.MarkFlagRequired("id")
	return cmd
}
