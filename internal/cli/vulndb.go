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
		Short: "Cơ sở dữ liệu lỗ hổng / offline vulnerability database (NVD, CISA KEV, EPSS)",
	}
	cmd.AddCommand(newVulndbImportCmd(), newVulndbInfoCmd(), newVulndbMatchCmd())
	return cmd
}

func newVulndbImportCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "import [--db FILE] FEED...",
		Short: "Nhập tệp NVD, CISA KEV và EPSS / import NVD CVE JSON 2.0, CISA KEV and EPSS files",
		Long: `Nhập vào tệp cơ sở dữ liệu các tệp nguồn NVD CVE JSON 2.0 (nvdcve-2.0-YYYY.json[.gz]),
danh mục CISA KEV (known_exploited_vulnerabilities.json) và tệp điểm EPSS của FIRST
(epss_scores-YYYY-MM-DD.csv[.gz]); loại tệp được nhận biết theo nội dung, tệp nén gzip
hay không đều được. NVD và KEV được cộng thêm vào dữ liệu đã có; mỗi tệp EPSS là một bản
chụp đầy đủ nên thay thế điểm EPSS cũ, ngày chấm điểm được lưu lại (xem "khien vulndb info").
Tệp mới bắt đầu từ bộ CVE có sẵn trong Khiên, các nguồn cấp bổ sung và cập nhật bộ đó.
Tải các tệp trên một máy có Internet rồi chép vào mạng nội bộ.

Imports NVD CVE JSON 2.0 feed files, the CISA KEV catalogue and FIRST's EPSS scores
(epss_scores-YYYY-MM-DD.csv, plain or gzip-compressed), each recognised by its content,
into the database file. NVD and KEV add to what the file holds; an EPSS file is a complete
snapshot and replaces the previous scores, keeping its score date (see "khien vulndb info").
A new file starts from the built-in set, which the feeds extend and update.
Download the files on a connected machine and carry them in.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// A new file starts from the built-in set, which the feeds
			// extend and update.
			db := vulndb.Builtin()
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
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d CVE, %d in KEV, %d products, %d EPSS scores\n", path, s.CVEs, s.KEV, s.Products, s.EPSS)
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
		Long: `In số CVE, số mục KEV, số sản phẩm, số điểm EPSS cùng ngày chấm điểm và phiên bản mô hình EPSS.

Prints the counts of CVEs, KEV entries, products and EPSS scores, with the EPSS score date
(epss_date) and model version.`,
		Args: cobra.NoArgs,
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
