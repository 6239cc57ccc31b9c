package cli

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/scan"
	"github.com/khien/khien/internal/scan/check"
	"github.com/khien/khien/internal/scan/output"
	"github.com/khien/khien/internal/scan/portscan"
	"github.com/khien/khien/internal/validation"
	"github.com/khien/khien/internal/vulndb"
)

type scanFlags struct {
	profile, ports, resolver, vulndb, format, output, failOn, targetsFile, lang, userAgent, caFile string
	server, token                                                                                  string
	system                                                                                         int64
	checks, skipChecks, exclude                                                                    []string
	rate, perHostRate, perHostConnRate                                                             float64
	perHost, parallel                                                                              int
	timeout                                                                                        time.Duration
	allowLarge, verbose, assumeUp                                                                  bool
}

func newScanCmd() *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [flags] TARGET...",
		Short: "Quét an toàn / safe scan of hosts, URLs, addresses and ranges",
		Long: `Quét an toàn các máy chủ, URL, địa chỉ IP và dải mạng mà không làm gián đoạn hệ thống.
Safe scan of hosts, URLs, IP addresses and CIDR ranges without disrupting them.

Targets: example.gov.vn, https://example.gov.vn/path, 203.0.113.10, 2001:db8::1,
203.0.113.0/24 (ranges larger than /20 need --allow-large), or --targets-file.

Danh sách cổng (--ports): top100 là 100 cổng bị phơi bày nhiều nhất trên Internet và
trong mạng cơ quan nhà nước theo các khảo sát và cảnh báo công khai, gồm mọi dịch vụ Khiên
nhận diện được; top1000 thêm các cổng dịch vụ có nguồn khác và mọi cổng hệ thống (1–1023)
được IANA gán cho một dịch vụ TCP; all là 1–65535.
Nguồn của từng cổng: internal/scan/portscan/ports.csv, docs/scanner.md.
Port lists (--ports): top100 is the 100 ports most exposed on the internet and in
government networks by published surveys and advisories, with every service Khiên
identifies; top1000 adds further sourced service ports and every System Port (1-1023)
IANA assigns to a TCP service; all is 1-65535.
Each port's sources: internal/scan/portscan/ports.csv, docs/scanner.md.`,
		RunE: func(cmd *cobra.Command, args []string) error { return runScan(cmd, args, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", scan.ProfileSafe, "safe, or thorough (adds intrusive checks)")
	fl.StringVar(&f.ports, "ports", "top1000", "top100 (most exposed services), top1000 (adds more services and the IANA-assigned ports below 1024), all, or a list such as 22,80,8000-8100")
	fl.StringSliceVar(&f.checks, "checks", nil, "run only these check IDs or tags (see: khien checks)")
	fl.StringSliceVar(&f.skipChecks, "exclude-checks", nil, "do not run these check IDs or tags")
	fl.Float64Var(&f.rate, "rate", 10000, "new connections per second over all hosts (0 = unlimited)")
	fl.IntVar(&f.perHost, "per-host", 2, "concurrent connections per host")
	fl.Float64Var(&f.perHostRate, "per-host-rate", 5, "requests per second per host")
	fl.Float64Var(&f.perHostConnRate, "per-host-connect-rate", 20, "new connection attempts per second per host, closed ports and DNS included (0 = unlimited)")
	fl.DurationVar(&f.timeout, "timeout", 5*time.Second, "connect and read timeout (the port scan adapts its connect timeout to measured round trips, at most this)")
	fl.BoolVar(&f.assumeUp, "assume-up", false, "scan every port of a host even when none of its first 10 ports answers (default: report it unreachable)")
	fl.StringVar(&f.resolver, "resolver", "", "DNS server HOST:PORT for resolution and DNS checks")
	fl.StringVar(&f.vulndb, "vulndb", "", "vulnerability database file (default: the built-in set)")
	fl.StringVar(&f.format, "format", "table", "output format: "+strings.Join(output.Formats, ", "))
	fl.StringVarP(&f.output, "output", "o", "", "write the report to FILE instead of standard output")
	fl.StringVar(&f.failOn, "fail-on", "", "exit with code 3 when a finding at or above this severity is found")
	fl.StringSliceVar(&f.exclude, "exclude", nil, "targets never to scan (addresses, ranges, names); always wins")
	fl.StringVar(&f.targetsFile, "targets-file", "", "read targets from FILE, one per line")
	fl.BoolVar(&f.allowLarge, "allow-large", false, "allow ranges larger than /20")
	fl.StringVar(&f.lang, "lang", "vi", "language of titles and the table: vi or en")
	fl.StringVar(&f.userAgent, "user-agent", scan.DefaultUserAgent, "HTTP User-Agent")
	fl.StringVar(&f.caFile, "ca-file", "", "PEM file of CA certificates to trust instead of the system pool")
	fl.IntVar(&f.parallel, "parallel", 64, "hosts scanned at the same time")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log progress details to standard error")
	fl.StringVar(&f.server, "server", "", "run a scan of a registered system for this Khiên server (with --token, --system): its scope guard decides the targets, results go to it")
	fl.StringVar(&f.token, "token", os.Getenv("KHIEN_TOKEN"), "API token for --server (env KHIEN_TOKEN)")
	fl.Int64Var(&f.system, "system", 0, "the system to scan with --server")
	return cmd
}

func runScan(cmd *cobra.Command, args []string, f *scanFlags) error {
	if f.server != "" {
		return runRemoteScan(cmd, args, f)
	}
	specs := append([]string{}, args...)
	if f.targetsFile != "" {
		file, err := os.Open(f.targetsFile)
		if err != nil {
			return validation.Say("cli.scan.targets_file", err.Error())
		}
		more, err := scan.ReadTargets(file)
		file.Close()
		if err != nil {
			return err
		}
		specs = append(specs, more...)
	}
	if len(specs) == 0 {
		return validation.Say("cli.scan.no_targets")
	}
	targets, err := scan.ParseTargets(specs, f.allowLarge)
	if err != nil {
		return err
	}
	cfg, err := f.config()
	if err != nil {
		return err
	}
	if !cmd.Flags().Changed("ports") {
		cfg.Ports = nil // the default list for hosts; a URL scans its site
	}
	var threshold check.Severity
	if f.failOn != "" {
		if threshold, err = check.ParseSeverity(f.failOn); err != nil {
			return validation.Say("cli.scan.fail_on", err.Error())
		}
	}
	out := cmd.OutOrStdout()
	if f.output != "" {
		file, err := os.Create(f.output)
		if err != nil {
			return validation.Say("cli.scan.output", err.Error())
		}
		defer file.Close()
		out = file
	}
	w, err := output.New(f.format, out, f.lang, Version)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgress(cmd.ErrOrStderr())
	cfg.Progress = bar.update

	failing, writeErr := 0, error(nil)
	summary, err := scan.Run(ctx, cfg, targets, func(fd scan.Finding) {
		if threshold != "" && fd.Severity.Rank() >= threshold.Rank() {
			failing++
		}
		if err := w.Finding(fd); err != nil && writeErr == nil {
			writeErr = err
		}
	})
	bar.finish()
	if err != nil {
		return err
	}
	if err := w.Close(summary); err != nil {
		return err
	}
	if writeErr != nil {
		return writeErr
	}
	if summary.Interrupted {
		return withExitCode(130, validation.Say("cli.scan.interrupted"))
	}
	if failing > 0 {
		return withExitCode(3, validation.Say("cli.scan.failing", failing, threshold))
	}
	if len(summary.Unreachable) > 0 {
		return withExitCode(5, validation.Say("cli.scan.unreachable", len(summary.Unreachable)))
	}
	return nil
}

func (f *scanFlags) config() (scan.Config, error) {
	ports, err := portscan.ParsePorts(f.ports)
	if err != nil {
		return scan.Config{}, err
	}
	ex, err := scan.ParseExclusions(f.exclude)
	if err != nil {
		return scan.Config{}, err
	}
	if f.lang != "vi" && f.lang != "en" {
		return scan.Config{}, validation.Say("cli.scan.bad_lang", f.lang)
	}
	rate, connRate := f.rate, f.perHostConnRate
	if rate == 0 {
		rate = -1 // unlimited, distinct from "default"
	}
	if connRate == 0 {
		connRate = -1
	}
	cfg := scan.Config{
		Profile: f.profile, Ports: ports, Checks: f.checks, SkipChecks: f.skipChecks, Exclusions: ex,
		Rate: rate, PerHost: f.perHost, PerHostRate: f.perHostRate, PerHostConnRate: connRate, Timeout: f.timeout, AssumeUp: f.assumeUp, Resolver: f.resolver,
		UserAgent: f.userAgent, Lang: f.lang, Parallel: f.parallel,
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if f.vulndb != "" {
		if cfg.VulnDB, err = vulndb.LoadKnown(f.vulndb); err != nil {
			return scan.Config{}, err
		}
	}
	if f.caFile != "" {
		pem, err := os.ReadFile(f.caFile)
		if err != nil {
			return scan.Config{}, validation.Say("cli.scan.ca_file", err.Error())
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return scan.Config{}, validation.Say("cli.scan.ca_none", f.caFile)
		}
	}
	return cfg, nil
}

// progress draws a bar on standard error only when it is a terminal. The
// engine reports from several goroutines.
type progress struct {
	mu  sync.Mutex
	w   io.Writer
	tty bool
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer) *progress {
	file, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(file.Fd()))}
}

func (p *progress) update(done, total int) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription("khien scan"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	}
	_ = p.bar.Set(done)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func newChecksCmd() *cobra.Command {
	var format, lang string
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "Liệt kê các kiểm tra / list every scanner check",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if lang != "vi" && lang != "en" {
				return validation.Say("cli.scan.bad_lang", lang)
			}
			cat := check.Catalog()
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(cat)
			case "table":
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, i18n.T(lang, "cli.checks.header"))
				for _, d := range cat {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\t%s\n", d.ID, d.Severity.Name(lang), d.CWE, d.Safe, strings.Join(d.Tags, ","), d.Title(lang))
				}
				return tw.Flush()
			}
			return validation.Say("cli.checks.bad_format", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().StringVar(&lang, "lang", "vi", "title language of the table: vi or en")
	return cmd
}
