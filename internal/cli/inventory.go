package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/inventory"
	"github.com/khien/khien/internal/inventory/workbook"
	"github.com/spf13/cobra"
)

func newInventoryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Danh mục hệ thống thông tin: mẫu Excel, nhập, xuất / inventory Excel template, import, export",
	}
	cmd.AddCommand(newInventoryTemplateCmd(), newInventoryImportCmd(), newInventoryExportCmd())
	return cmd
}

func newInventoryTemplateCmd() *cobra.Command {
	var out, lang string
	cmd := &cobra.Command{
		Use:   "template -o FILE.xlsx",
		Short: "Write the empty inventory workbook agencies fill in",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := writeWorkbook(out, &inventory.Batch{}); err != nil {
				return err
			}
			say(cmd.OutOrStdout(), lang, "cli.inventory.template_written", out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (required)")
	langFlag(cmd, &lang)
	cmd.MarkFlagRequired("output")
	return cmd
}

func newInventoryExportCmd() *cobra.Command {
	var db dbFlags
	var out, org, lang string
	cmd := &cobra.Command{
		Use:   "export [--org CODE] -o FILE.xlsx",
		Short: "Export the inventory (of one organisation and its sub-organisations, or all) in the template's layout",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			actor := access.SystemActor("cli")
			var orgID int64
			if org != "" {
				o, err := findOrg(ctx, store, org)
				if err != nil {
					return err
				}
				orgID = o.ID
			}
			b, err := inventory.Export(ctx, store, actor, orgID)
			if err != nil {
				return err
			}
			if err := writeWorkbook(out, b); err != nil {
				return err
			}
			say(cmd.OutOrStdout(), lang, "cli.inventory.exported", out,
				len(b.Systems), len(b.Assets), len(b.Controls), len(b.Staff), len(b.Qualifications))
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&org, "org", "", "organisation code or id (default: every organisation)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (required)")
	langFlag(cmd, &lang)
	cmd.MarkFlagRequired("output")
	return cmd
}

func newInventoryImportCmd() *cobra.Command {
	var db dbFlags
	var org, lang string
	var opt importing.Options
	cmd := &cobra.Command{
		Use:   "import --org CODE FILE.xlsx|FILE.csv",
		Short: "Check an inventory workbook (or a CSV of assets) and import it into an organisation",
		Long: `Checks the whole file first and lists every problem with its sheet, row and column.
Nothing is written while any problem remains, unless --valid-only is given. Rows are
matched by natural key (system name, asset value, staff e-mail), so importing the same
file again changes nothing. Exit status 1 when the file has problems.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f, err := os.Open(args[0])
			if err != nil {
				return withExitCode(2, err)
			}
			defer f.Close()
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			o, err := findOrg(ctx, store, org)
			if err != nil {
				return err
			}
			opt.Source = args[0]
			res, err := workbook.Import(ctx, store, access.SystemActor("cli"), o.ID, opt, func() (string, io.Reader, error) { return args[0], f, nil })
			if err != nil {
				return err
			}
			printProblems(cmd.ErrOrStderr(), &inventory.Batch{Problems: res.Problems, Unlisted: res.Unlisted}, lang)
			if res.Counts != nil {
				printCounts(cmd.OutOrStdout(), res, lang)
				printChanges(cmd.OutOrStdout(), res, lang)
			}
			printProblems(cmd.ErrOrStderr(), &inventory.Batch{Problems: res.Warnings}, lang)
			if !res.Written {
				if len(res.Problems) > 0 {
					return withExitCode(1, errors.New(i18n.T(i18n.Negotiate(lang), "cli.inventory.not_imported", args[0], len(res.Problems)+res.Unlisted)))
				}
				say(cmd.OutOrStdout(), lang, "cli.inventory.dry_run")
			}
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&org, "org", "", "code or id of the organisation the file belongs to (required)")
	cmd.MarkFlagRequired("org")
	cmd.Flags().BoolVar(&opt.DryRun, "dry-run", false, "check and count without writing")
	cmd.Flags().BoolVar(&opt.SkipInvalid, "valid-only", false, "import the valid rows even when others have problems")
	langFlag(cmd, &lang)
	return cmd
}

// printProblems lists the problems in lang (Vietnamese unless supported).
func printProblems(w io.Writer, b *inventory.Batch, lang string) {
	lang = i18n.Negotiate(lang)
	for _, p := range b.Problems {
		fmt.Fprintln(w, p.Describe(lang))
	}
	if b.Unlisted > 0 {
		fmt.Fprintln(w, i18n.T(lang, "inv.import.unlisted", b.Unlisted))
	}
}

// printCounts tables what the import did by sheet, headed in lang.
func printCounts(w io.Writer, res inventory.ImportResult, lang string) {
	lang = i18n.Negotiate(lang)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{}
	for _, k := range []string{"sheet", "created", "updated", "unchanged", "skipped"} {
		head = append(head, strings.ToUpper(i18n.T(lang, "inv.import."+k)))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, s := range inventory.Sheets {
		c := res.Counts[s.Name]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", s.Name, c.Created, c.Updated, c.Unchanged, c.Skipped)
	}
	tw.Flush()
}

// printChanges lists, in lang, every field that the updated rows change,
// marking and counting the fields they empty.
func printChanges(w io.Writer, res inventory.ImportResult, lang string) {
	lang = i18n.Negotiate(lang)
	for _, c := range inventory.LocalizeChanges(res.Changes, lang) {
		fmt.Fprintf(w, "%s%s%s\n", i18n.T(lang, "inv.problem.sheet", c.Sheet), i18n.T(lang, "inv.problem.row", c.Row), ": "+c.Key)
		for _, f := range c.Fields {
			mark, value := " ", f.New
			if f.Cleared {
				mark, value = "!", i18n.T(lang, "inv.import.emptied")
			}
			fmt.Fprintf(w, "  %s %s: %s → %s\n", mark, f.Header, f.Old, value)
		}
	}
	if n := res.Cleared(); n > 0 {
		fmt.Fprintln(w, i18n.T(lang, "inv.import.cleared", n))
	}
}

// writeWorkbook writes b to path, replacing it only once complete.
func writeWorkbook(path string, b *inventory.Batch) error {
	return writeAtomically(path, func(w io.Writer) error { return workbook.Write(w, b) })
}
