package cli

import (
	"context"
	"errors"
	"github.com/khien/khien/internal/finding"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/khien/khien/internal/app"
	"github.com/khien/khien/internal/auth"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/jobs"
	"github.com/khien/khien/internal/server"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
	"github.com/riverqueue/river"
	"github.com/spf13/cobra"
)

func newServeCmd() *cobra.Command {
	var db dbFlags
	var cfg server.Config
	var verbose bool
	var trustedProxies, lang string
	var checkpointEvery time.Duration
	var jobsCfg jobs.Config
	var vulnPath string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Chạy máy chủ web và API / run the web UI and API server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			setupLogging(verbose)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg.Version = Version
			var err error
			if cfg.TrustedProxies, err = server.ParseTrustedProxies(trustedProxies); err != nil {
				return withExitCode(2, err)
			}
			if jobsCfg.Workers < 1 {
				return withExitCode(2, validation.Say("cli.serve.job_workers", jobsCfg.Workers))
			}
			if jobsCfg.JobTimeout <= 0 {
				return withExitCode(2, validation.Say("cli.serve.job_timeout", jobsCfg.JobTimeout))
			}
			if jobsCfg.RescueAfter <= jobsCfg.JobTimeout {
				return withExitCode(2, validation.Say("cli.serve.job_rescue_after", jobsCfg.RescueAfter, jobsCfg.JobTimeout))
			}
			return serve(ctx, &db, cfg, jobsCfg, checkpointEvery, vulnPath, lang)
		},
	}
	db.register(cmd)
	db.registerWitness(cmd)
	langFlag(cmd, &lang)
	cmd.Flags().StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate file (PEM)")
	cmd.Flags().StringVar(&cfg.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	cmd.Flags().StringVar(&cfg.HTTPRedirectAddr, "http-redirect-addr", "", "with --tls-cert: also listen for plain HTTP on this address (e.g. 0.0.0.0:80) and redirect it to HTTPS")
	cmd.Flags().StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve /metrics on this address only (e.g. 127.0.0.1:9100), not on --addr")
	cmd.Flags().StringVar(&cfg.MetricsToken, "metrics-token", os.Getenv("KHIEN_METRICS_TOKEN"), "bearer token /metrics requires (env KHIEN_METRICS_TOKEN); without it or --metrics-addr, /metrics is open only on a loopback --addr")
	cmd.Flags().IntVar(&cfg.MaxConnsPerClient, "max-conns-per-client", 128, "connections open at once from one client address (0: no limit; trusted proxies are exempt)")
	cmd.Flags().StringVar(&trustedProxies, "trusted-proxies", "", "reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For and X-Forwarded-Proto are believed")
	cmd.Flags().DurationVar(&checkpointEvery, "audit-checkpoint-every", 10*time.Minute, "how often to verify the audit log and append a signed checkpoint, a periodic background job (also at start and shutdown)")
	cmd.Flags().IntVar(&jobsCfg.Workers, "job-workers", jobs.DefaultWorkers, "background jobs this server works at once")
	cmd.Flags().DurationVar(&jobsCfg.JobTimeout, "job-timeout", jobs.DefaultJobTimeout, "a background job's context is cancelled after this long (a job kind may set its own)")
	cmd.Flags().StringVar(&vulnPath, "vulndb", "", "vulnerability database file imported findings are enriched from (KEV, EPSS; khien vulndb import; default: the built-in set)")
	cmd.Flags().DurationVar(&jobsCfg.RescueAfter, "job-rescue-after", jobs.DefaultRescueAfter, "a job still running after this long is taken as the work of a dead server and run again; longer than --job-timeout")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "log every request")
	return cmd
}

func serve(ctx context.Context, dbf *dbFlags, cfg server.Config, jobsCfg jobs.Config, checkpointEvery time.Duration, vulnPath, lang string) error {
	ln, err := server.Listen(cfg)
	if err != nil {
		return withExitCode(2, err)
	}
	defer ln.Close()
	if cfg := dbf.config(); cfg.URL == "" {
		// Held for the server's lifetime: restore refuses to replace the
		// database under it.
		unlock, err := database.LockDataDir(cfg.DataDir, "khien serve")
		if err != nil {
			return configError(err)
		}
		defer unlock()
	}
	store, closeDB, err := dbf.openStore(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := ensureFirstAdmin(ctx, store, lang); err != nil {
		return err
	}
	srv, err := app.NewServer(store, cfg)
	if err != nil {
		return err
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	slog.Info("khien is serving", "url", scheme+"://"+ln.Addr().String(), "database", store.Dialect().Name(), "version", Version)
	vulns, err := loadVulnDB(vulnPath)
	if err != nil {
		return withExitCode(2, err)
	}
	engine, err := startJobs(ctx, dbf, store, jobsCfg, checkpointEvery, vulns)
	if err != nil {
		return err
	}
	err = srv.Serve(ctx, ln)
	if errors.Is(err, server.ErrListen) {
		err = withExitCode(2, err)
	}
	// Running jobs finish or go back to the queue (jobs.DefaultStopTimeout).
	if err := engine.Stop(context.Background()); err != nil {
		slog.Error("job engine did not stop cleanly", "err", err)
	}
	// The last checkpoint is this process's own, not a job: it records the
	// log as this server leaves it.
	final, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	writeCheckpoint(final, dbf, store)
	return err
}

// checkpointArgs is the periodic job that verifies the audit log and
// appends a signed checkpoint (see writeCheckpoint).
type checkpointArgs struct{}

func (checkpointArgs) Kind() string { return "audit_checkpoint" }

type checkpointWorker struct {
	river.WorkerDefaults[checkpointArgs]
	dbf   *dbFlags
	store *storage.Store
}

// Work never fails the job: a broken chain is logged, and retrying cannot
// mend it; the next period checks again.
func (w *checkpointWorker) Work(ctx context.Context, _ *river.Job[checkpointArgs]) error {
	writeCheckpoint(ctx, w.dbf, w.store)
	return nil
}

// startJobs starts the job engine with the app's workers and the periodic
// audit checkpoint: at start and every checkpointEvery.
func startJobs(ctx context.Context, dbf *dbFlags, store *storage.Store, cfg jobs.Config, checkpointEvery time.Duration, vulns finding.Enricher) (*jobs.Engine, error) {
	reg := app.Jobs(store, vulns)
	jobs.AddWorker(reg, &checkpointWorker{dbf: dbf, store: store})
	reg.AddPeriodic(checkpointEvery, checkpointArgs{})
	engine, err := jobs.New(ctx, store, cfg, reg)
	if err != nil {
		return nil, err
	}
	return engine, engine.Start(ctx)
}

// writeCheckpoint appends a signed checkpoint; a broken chain is logged as
// an error (what monitoring alerts on) and gets none.
func writeCheckpoint(ctx context.Context, dbf *dbFlags, store *storage.Store) {
	cp, err := dbf.checkpoint(ctx, store)
	if err != nil {
		slog.ErrorContext(ctx, "audit checkpoint not written", "path", dbf.checkpointsPath(), "err", err)
		return
	}
	slog.Debug("audit checkpoint written", "path", dbf.checkpointsPath(), "entries", cp.Count, "last_id", cp.LastID)
}

// ensureFirstAdmin creates the first administrator on an empty database, from
// KHIEN_ADMIN_EMAIL and KHIEN_ADMIN_PASSWORD or with a generated password
// printed once on stderr in lang.
func ensureFirstAdmin(ctx context.Context, store *storage.Store, lang string) error {
	n, err := identity.CountUsers(ctx, store)
	if err != nil || n > 0 {
		return err
	}
	email := os.Getenv("KHIEN_ADMIN_EMAIL")
	if email == "" {
		email = "admin@khien.local"
	}
	password := os.Getenv("KHIEN_ADMIN_PASSWORD")
	generated := password == ""
	if generated {
		password = auth.GeneratePassword()
	}
	hash, err := auth.NewPassword(ctx, "KHIEN_ADMIN_PASSWORD", password, auth.PasswordOwner{Email: email})
	if _, invalid := validation.As(err); invalid {
		return withExitCode(2, err)
	}
	if err != nil {
		return err
	}
	created, err := identity.CreateFirstAdmin(ctx, store, "Thành phố", email, hash)
	if err != nil || !created {
		return err
	}
	if generated {
		say(os.Stderr, lang, "cli.serve.first_admin", email, password)
	} else {
		slog.Info("first administrator created", "email", email)
	}
	return nil
}

func setupLogging(verbose bool) {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
}
