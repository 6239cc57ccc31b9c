// Package jobs is Khiên's engine for background work, River
// (github.com/riverqueue/river) over Khiên's own database: SQLite through
// riversqlite, PostgreSQL through riverpgxv5. Jobs are rows in River's tables
// (created by database.Migrate), so they survive restarts, are inserted in
// the same transaction as the rows they are about, and on PostgreSQL are
// shared by every `khien serve` on the database.
//
// A capability defines its work as River types: job arguments
// (river.JobArgs) and a worker (river.Worker[T]). The app adds the workers
// and periodic jobs to a Registry, builds the Engine with New, and starts it
// with the server. A capability inserts a job with Insert, inside its own
// storage transaction.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/khien/khien/internal/storage"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
)

// Defaults, for a small server (two cores) whose jobs wait on the database
// and on files as much as they compute.
const (
	// DefaultWorkers is how many jobs one process works at once.
	DefaultWorkers = 4
	// DefaultJobTimeout cancels a job's context after this long; a worker
	// overrides it with its Timeout method.
	DefaultJobTimeout = 10 * time.Minute
	// DefaultRescueAfter is how long a job may stay running before it is taken
	// for the work of a process that died, and run again. It is longer than
	// DefaultJobTimeout, so that a live job is never run twice; River also
	// waits for a kind's own, longer, timeout.
	DefaultRescueAfter = 15 * time.Minute
	// DefaultStopTimeout is how long a stopping engine lets running jobs
	// finish; then their contexts are cancelled and River puts the jobs back
	// in the queue, without counting the attempt, for another server or the
	// next start.
	DefaultStopTimeout = 30 * time.Second
	// MaxAttempts is how often a failing job runs before River discards it,
	// with River's backoff (attempt⁴ seconds: 1 s, 16 s, 81 s … about 80
	// minutes in all). A job sets its own with InsertOpts.MaxAttempts.
	MaxAttempts = 8
)

// Config is the engine's configuration; a zero field takes its default.
type Config struct {
	Workers     int           // jobs worked at once by this process
	JobTimeout  time.Duration // per job (never -1, none: River would then never rescue a job)
	RescueAfter time.Duration // a job running longer, and past its timeout, is rescued
	StopTimeout time.Duration // how long Stop lets running jobs finish
	Logger      *slog.Logger  // nil: slog.Default()

	// WorkOnly keeps the engine out of leader election (the leader runs
	// periodic jobs, retries and rescues): the crash test's engine, whose
	// lease would outlive its killed process (the crash tests of jobs and
	// of scans).
	WorkOnly bool
}

// Registry is the work an engine does: every job kind's worker and the
// periodic jobs. Fill it before New.
type Registry struct {
	workers  *river.Workers
	periodic []*river.PeriodicJob
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{workers: river.NewWorkers()} }

// AddWorker registers the worker of the job kind T. It panics when the kind
// already has one: registration is wiring, done once at start.
func AddWorker[T river.JobArgs](r *Registry, w river.Worker[T]) {
	river.AddWorker(r.workers, w)
}

// AddPeriodic inserts a job with args at the engine's start and then every
// interval. Only the leader inserts it, so with several servers on one
// PostgreSQL database it runs once an interval, on one of them; its kind
// needs a worker (AddWorker).
func (r *Registry) AddPeriodic(every time.Duration, args river.JobArgs) {
	r.periodic = append(r.periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return args, nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}

// client is what the engine needs of a River client of either driver
// (River's clients are typed by their driver's transaction).
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// stopMargin is how long Stop waits, after the stop timeout has cancelled
// the running jobs, for them to return and for River to record them.
const stopMargin = 10 * time.Second

// Engine works the jobs of a Registry on a Store's database.
type Engine struct {
	client client
	pool   *pgxpool.Pool // PostgreSQL only
	stop   time.Duration
}

// New builds an engine over store's database; Start starts it. On SQLite it
// shares the single writer connection (River's advice for SQLite, and the
// only way not to wait on the file's lock); on PostgreSQL it opens a pgx
// pool of its own from the database URL, for LISTEN/NOTIFY and leader
// election.
func New(ctx context.Context, store *storage.Store, cfg Config, reg *Registry) (*Engine, error) {
	rc := riverConfig(cfg)
	rc.Workers = reg.workers
	rc.PeriodicJobs = reg.periodic
	rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cmp.Or(cfg.Workers, DefaultWorkers)}}
	rc.JobTimeout = cmp.Or(cfg.JobTimeout, DefaultJobTimeout)
	rc.RescueStuckJobsAfter = cmp.Or(cfg.RescueAfter, DefaultRescueAfter)
	rc.LeaderElectionDisabled = cfg.WorkOnly
	e := &Engine{stop: cmp.Or(cfg.StopTimeout, DefaultStopTimeout)}
	rc.SoftStopTimeout = e.stop
	db := store.DB()
	var err error
	if db.Dialect.Name() == "sqlite" {
		e.client, err = river.NewClient(riversqlite.New(db.Write), rc)
	} else {
		e.pool, err = openPool(ctx, db.URL, rc.Queues[river.QueueDefault].MaxWorkers)
		if err != nil {
			return nil, err
		}
		e.client, err = river.NewClient(riverpgxv5.New(e.pool), rc)
	}
	if err != nil {
		e.closePool()
		return nil, fmt.Errorf("job engine: %w", err)
	}
	return e, nil
}

// riverConfig is what the engine and the insert-only clients share.
func riverConfig(cfg Config) *river.Config {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &river.Config{Logger: logger, MaxAttempts: MaxAttempts}
}

// openPool opens the engine's pgx pool: a connection per worker, as River
// advises, plus its own few (the listener, the leader's maintenance, the
// completer).
func openPool(ctx context.Context, url string, workers int) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("job engine: database URL: %w", err)
	}
	pc.MaxConns = int32(workers + 5)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("job engine: open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("job engine: %w", err)
	}
	return pool, nil
}

// Start starts working jobs until Stop. It does not stop when ctx ends:
// the server stops it once the HTTP server has stopped.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.client.Start(context.WithoutCancel(ctx)); err != nil {
		e.closePool()
		return fmt.Errorf("start job engine: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones: those that do not
// finish within the stop timeout are cancelled and go back to the queue
// (when they return: a job that ignores its context stays running until
// the rescuer takes it).
// Then it closes the PostgreSQL pool.
func (e *Engine) Stop(ctx context.Context) error {
	// The grace is River's SoftStopTimeout; this bound only keeps a job that
	// ignores its cancelled context from holding the shutdown for ever.
	ctx, cancel := context.WithTimeout(ctx, e.stop+stopMargin)
	defer cancel()
	err := e.client.Stop(ctx)
	e.closePool()
	if err != nil {
		return fmt.Errorf("stop job engine: %w", err)
	}
	return nil
}

func (e *Engine) closePool() {
	if e.pool != nil {
		e.pool.Close()
	}
}

// inserters are River clients that only insert, one per dialect, with no
// pool: they write into the caller's transaction only. Both take a
// database/sql transaction, which is what storage.Tx holds: riversqlite on
// SQLite, and on PostgreSQL riverdatabasesql, River's driver for
// database/sql (here over pgx's stdlib), whose rows are the ones the
// engine's riverpgxv5 client works. The alternative, digging the pgx.Tx out
// from under database/sql, has no supported way.
var inserters = sync.OnceValues(func() (map[string]*river.Client[*sql.Tx], error) {
	sqlite, err := river.NewClient(riversqlite.New(nil), riverConfig(Config{}))
	if err != nil {
		return nil, err
	}
	postgres, err := river.NewClient(riverdatabasesql.New(nil), riverConfig(Config{}))
	if err != nil {
		return nil, err
	}
	return map[string]*river.Client[*sql.Tx]{"sqlite": sqlite, "postgres": postgres}, nil
})

// Insert adds a job to tx: it runs once tx commits, and never if tx rolls
// back. opts may be nil (args' own InsertOpts, then River's defaults: queue
// "default", MaxAttempts).
func Insert(ctx context.Context, tx *storage.Tx, args river.JobArgs, opts *river.InsertOpts) (id int64, err error) {
	clients, err := inserters()
	if err != nil {
		return 0, fmt.Errorf("insert job %s: %w", args.Kind(), err)
	}
	res, err := clients[tx.Dialect().Name()].InsertTx(ctx, tx.SQLTx(), args, opts)
	if err != nil {
		return 0, fmt.Errorf("insert job %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}
