package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/finding"
	"github.com/khien/khien/internal/finding/source"
)

func newImportCmd() *cobra.Command {
	var db dbFlags
	var format, org, vulnPath string
	var systemID int64
	cmd := &cobra.Command{
		Use:   "import [--format auto|FORMAT] [--system ID] [--org CODE] FILE...",
		Short: "Nhập kết quả rà quét và kiểm thử thành phát hiện / import scanner and pentest results as findings",
		Long: `Imports result files of Khiên's scanner (khien scan --format jsonl), Nmap XML, Nuclei,
OpenVAS/Greenbone, OWASP ZAP, Nessus, Burp Suite, SARIF, Trivy and the manual pentest sheet.
The format is recognised from the content (--format forces one). Each finding goes to the
system whose registered asset matches its host, IP or URL (--system puts all of them in one
system, --org matches only that organisation's assets); what matches nothing goes to the
unassigned queue. A file is checked whole before anything is written. For each file one JSON
line: {"created","updated","closed","reopened","unassigned","skipped",…}.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			store, closeDB, err := db.openStore(ctx)
			if err != nil {
				return err
			}
			defer closeDB()
			req := finding.ImportRequest{Format: format, SystemID: systemID}
			if org != "" {
				o, err := findOrg(ctx, store, org)
				if err != nil {
					return err
				}
				req.OrgID = o.ID
			}
			if format != "" && format != "auto" {
				if _, err := source.Lookup(format); err != nil {
					return withExitCode(2, err)
				}
			}
			vulns, err := loadVulnDB(vulnPath)
			if err != nil {
				return withExitCode(2, err)
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			for _, path := range args {
				if _, err := os.Stat(path); err != nil {
					return withExitCode(2, err)
				}
				req.FileName = filepath.Base(path)
				open := func() (io.ReadCloser, error) { return os.Open(path) }
				sum, err := finding.Import(ctx, store, access.SystemActor("cli"), req, open, vulns, nil)
				if err != nil {
					return err
				}
				if err := enc.Encode(sum); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "auto", "file format: auto, "+joinFormats())
	cmd.Flags().Int64Var(&systemID, "system", 0, "put every finding in this system (id)")
	cmd.Flags().StringVar(&org, "org", "", "match hosts among this organisation's assets only (code or id)")
	cmd.Flags().StringVar(&vulnPath, "vulndb", "", "vulnerability database file for KEV and EPSS (khien vulndb import; default: the built-in set)")
	db.register(cmd)
	return cmd
}

func joinFormats() string {
	out := ""
	for i, f := range source.Formats() {
		if i > 0 {
			out += ", "
		}
		out += f
	}
	return out
}
