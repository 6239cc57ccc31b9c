package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/khien/khien/internal/validation"
	"github.com/khien/khien/internal/vulndb"
)

const defaultVulnDB = "khien-vulndb.json.gz"

func newVulndbCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vulndb",
		Short: "Cơ sở dữ liệu lỗ hổng / offline vulnerability database (NVD, CISA KEV)",
	}
	cmd.AddCommand(newVulndbImportCmd(), newVulndbInfoCmd(), newVulndbMatchCmd())
	return cmd
}

func newVulndbImportCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "import [--db FILE] FEED...",
		Short: "Nhập tệp NVD CVE JSON 2.0 và CISA KEV / import NVD CVE JSON 2.0 and CISA KEV files",
		Long: `Imports NVD CVE JSON 2.0 feed files (nvdcve-2.0-YYYY.json[.gz]) and the CISA KEV
catalogue (known_exploited_vulnerabilities.json) into the database file, adding to what
it already holds. Download the files on a connected machine and carry them in.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db := vulndb.New()
			if _, err := os.Stat(path); err == nil {
				if db, err = vulndb.Load(path); err != nil {
					return err
				}
			} else if !errors.Is(err, os.ErrNotExist) {
				return validation.Say("cli.vulndb.read", err.Error())
			}
			for _, file := range args {
				res, err := db.ImportFile(file)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d CVE (%s)\n", file, res.CVEs, res.Kind)
			}
			if err := db.Save(path); err != nil {
				return err
			}
			s := db.Stats()
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d CVE, %d in KEV, %d products\n", path, s.CVEs, s.KEV, s.Products)
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "db", defaultVulnDB, "database file to create or update")
	return cmd
}

func loadVulnDB(path string) (*vulndb.DB, error) {
	if path == "" {
		return vulndb.Builtin(), nil
	}
	return vulndb.Load(path)
}

func newVulndbInfoCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Thông tin cơ sở dữ liệu / show database statistics",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := loadVulnDB(path)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(db.Stats())
		},
	}
	cmd.Flags().StringVar(&path, "db", "", "database file (default: the built-in set)")
	return cmd
}

func newVulndbMatchCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "match PRODUCT VERSION",
		Short: "Tra CVE theo sản phẩm / list CVEs affecting a product version",
		Long:  "PRODUCT is a scanner product name (openssh, apache, php, jquery…) or a CPE vendor:product key.",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := loadVulnDB(path)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "CVE\tCVSS\tKEV\tSUMMARY")
			for _, v := range db.Match(args[0], args[1]) {
				fmt.Fprintf(tw, "%s\t%.1f\t%t\t%s\n", v.ID, v.Score, v.KEV, v.Summary)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&path, "db", "", "database file (default: the built-in set)")
	return cmd
}
