package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/identity/orgsheet"
	"github.com/khien/khien/internal/importing"
	"github.com/khien/khien/internal/validation"
	"github.com/spf13/cobra"
)

func newOrgCmd() *cobra.Command {
	var lang string
	cmd := &cobra.Command{
		Use:   "org",
		Short: "Cây cơ quan, đơn vị: xem, tạo, xuất, nhập / the organisation tree: list, create, export, import",
	}
	cmd.PersistentFlags().StringVar(&lang, "lang", i18n.VI, "language of the output: vi or en")
	cmd.AddCommand(newOrgListCmd(&lang), newOrgCreateCmd(&lang), newOrgExportCmd(), newOrgImportCmd(&lang))
	return cmd
}

func newOrgListCmd(lang *string) *cobra.Command {
	var db dbFlags
	var q identity.OrgQuery
	cmd := &cobra.Command{
		Use:   "list [--search TEXT] [--archived]",
		Short: "List the organisations in tree order: code, name, kind, parent, status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			actor := access.SystemActor("cli")
			orgs, err := identity.AllOrgs(ctx, store, actor, q)
			if err != nil {
				return err
			}
			l := i18n.Negotiate(*lang)
			codes := map[int64]string{}
			for _, o := range orgs {
				codes[o.ID] = o.Code
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", i18n.T(l, "orgs.code"), i18n.T(l, "orgs.name"), i18n.T(l, "orgs.kind"), i18n.T(l, "orgs.parent"), i18n.T(l, "orgs.state"))
			for _, o := range orgs {
				parent, ok := codes[o.ParentID]
				if !ok && o.ParentID != 0 { // filtered out by the search
					p, err := identity.GetOrg(ctx, store, actor, o.ParentID)
					if err != nil {
						return err
					}
					parent, codes[o.ParentID] = p.Code, p.Code
				}
				state := i18n.T(l, "orgs.active")
				if o.ArchivedAt != nil {
					state = i18n.T(l, "orgs.archived")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", o.Code, o.Name, i18n.T(l, "orgkind."+o.Kind), parent, state)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), i18n.T(l, "org.cli.count", len(orgs)))
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&q.Search, "search", "", "only organisations whose name or code contains the text (diacritics ignored)")
	cmd.Flags().BoolVar(&q.IncludeArchived, "archived", false, "include archived organisations (merged ones among them)")
	return cmd
}

func newOrgCreateCmd(lang *string) *cobra.Command {
	var db dbFlags
	var in identity.OrgInput
	var parentRef string
	cmd := &cobra.Command{
		Use:   "create --code CODE --name NAME [--kind KIND] [--parent CODE]",
		Short: "Create an organisation under a parent (the root when not given)",
		Long:  "Kinds: province, department, district, commune, unit (or their Vietnamese names); unit when not given.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			l := i18n.Negotiate(*lang)
			kind, ok := orgsheet.ParseKind(in.Kind)
			if !ok {
				return withExitCode(2, validation.Invalid("kind", "orgsheet.err.kind", in.Kind).Localize(l))
			}
			in.Kind = kind
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			parent, err := findOrg(ctx, store, parentRef)
			if err != nil {
				return err
			}
			in.ParentID = parent.ID
			o, err := identity.CreateOrg(ctx, store, access.SystemActor("cli"), in)
			if es, invalid := validation.As(err); invalid {
				return withExitCode(2, es.Localize(l))
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), i18n.T(l, "org.cli.created", o.Code, o.Name, parent.Code))
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&in.Code, "code", "", "code of the new organisation (required): letters, digits, . _ -")
	cmd.Flags().StringVar(&in.Name, "name", "", "full name (required)")
	cmd.Flags().StringVar(&in.Kind, "kind", identity.OrgUnit, "kind of organisation")
	cmd.Flags().StringVar(&parentRef, "parent", "", "code or id of the parent (default: the root)")
	cmd.MarkFlagRequired("code")
	cmd.MarkFlagRequired("name")
	return cmd
}

func newOrgExportCmd() *cobra.Command {
	var db dbFlags
	var out, org string
	cmd := &cobra.Command{
		Use:   "export [--org CODE] -o FILE.xlsx|FILE.csv",
		Short: `Export the organisation tree (or one subtree) to xlsx (sheet "Đơn vị") or CSV, for "khien org import"`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			var orgID int64
			if org != "" {
				o, err := findOrg(ctx, store, org)
				if err != nil {
					return err
				}
				orgID = o.ID
			}
			rows, err := orgsheet.Export(ctx, store, access.SystemActor("cli"), orgID)
			if err != nil {
				return err
			}
			if err := writeAtomically(out, func(w io.Writer) error { return orgsheet.Write(w, out, rows) }); err != nil {
				return err
			}
			l := i18n.Negotiate(cmd.Flag("lang").Value.String())
			fmt.Fprintln(cmd.OutOrStdout(), i18n.T(l, "org.cli.exported", len(rows), out))
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&org, "org", "", "code or id of the top of the subtree (default: the whole tree)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write, .xlsx or .csv (required)")
	cmd.MarkFlagRequired("output")
	return cmd
}

func newOrgImportCmd(lang *string) *cobra.Command {
	var db dbFlags
	var opt importing.Options
	cmd := &cobra.Command{
		Use:   "import FILE.xlsx|FILE.csv",
		Short: "Check an organisation file completely, then create, rename, move and archive to match it",
		Long: `Checks the whole file first and lists every problem with its row and column; nothing is
written while any problem remains. Rows may come in any order: parents are found by code, in
the file or in the database. Importing the same file again changes nothing. --dry-run shows
what would be created and changed. Exit status 1 when the file has problems.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			l := i18n.Negotiate(*lang)
			data, err := os.Open(args[0])
			if err != nil {
				return withExitCode(2, err)
			}
			defer data.Close()
			f, err := orgsheet.Read(args[0], data)
			if err != nil {
				return withExitCode(2, err)
			}
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			opt.Source = filepath.Base(args[0])
			res, err := orgsheet.Import(ctx, store, access.SystemActor("cli"), f, opt)
			if err != nil {
				return err
			}
			printOrgPlan(cmd.OutOrStdout(), cmd.ErrOrStderr(), res, l)
			switch {
			case len(res.Problems) > 0:
				return withExitCode(1, errors.New(i18n.T(l, "org.cli.problems", args[0], len(res.Problems))))
			case !res.Written:
				fmt.Fprintln(cmd.OutOrStdout(), i18n.T(l, "org.cli.dry_run"))
			default:
				fmt.Fprintln(cmd.OutOrStdout(), i18n.T(l, "org.cli.imported", args[0]))
			}
			return nil
		},
	}
	db.register(cmd)
	cmd.Flags().BoolVar(&opt.DryRun, "dry-run", false, "check and show what would change, without writing")
	return cmd
}

// printOrgPlan prints the problems (on stderr), then what the import
// creates and changes, then the counts.
func printOrgPlan(out, errOut io.Writer, res orgsheet.Result, lang string) {
	for _, p := range res.Problems {
		fmt.Fprintln(errOut, p.Describe(lang))
	}
	if len(res.Problems) == 0 {
		for _, c := range res.Created {
			fmt.Fprintln(out, i18n.T(lang, "org.cli.create_line", c.Line, c.Code, c.Name, c.ParentCode))
		}
		for _, c := range res.Changes {
			for _, f := range c.Fields {
				fmt.Fprintln(out, i18n.T(lang, "org.cli.change_line", c.Row, c.Key, orgsheet.FieldLabel(f.Field, lang), f.Old, f.New))
			}
		}
	}
	if c := res.Counts[orgsheet.SheetName]; c != nil {
		fmt.Fprintln(out, i18n.T(lang, "org.cli.counts", c.Created, c.Updated, c.Unchanged, c.Skipped))
	}
}

// writeAtomically writes a file through write, replacing path only once
// the file is complete: a failed export leaves the old file as it was.
func writeAtomically(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".khien-*"+filepath.Ext(path))
	if err != nil {
		return withExitCode(2, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return validation.Say("cli.write", path, err.Error())
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
