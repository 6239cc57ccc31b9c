package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/storage"
	"github.com/riverqueue/river"
)

// noteArgs is a test job: its worker sends Note on the worker's channel.
type noteArgs struct {
	Note string `json:"note"`
}

func (noteArgs) Kind() string { return "test_note" }

type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	engine string
	done   chan<- worked
}

// worked is one run of a job: which engine ran which job.
type worked struct {
	engine string
	id     int64
	note   string
}

func (w *noteWorker) Work(ctx context.Context, job *river.Job[noteArgs]) error {
	w.done <- worked{w.engine, job.ID, job.Args.Note}
	return nil
}

func testConfig(t *testing.T) Config {
	return Config{Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}
}

// startEngine starts an engine over store, stopped when the test ends.
func startEngine(t *testing.T, store *storage.Store, cfg Config, reg *Registry) *Engine {
	t.Helper()
	ctx := context.Background()
	e, err := New(ctx, store, cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return e
}

// receive waits for the next run, failing the test after a deadline.
func receive(t *testing.T, ch <-chan worked) worked {
	t.Helper()
	select {
	case w := <-ch:
		return w
	case <-time.After(30 * time.Second):
		t.Fatal("no job ran within 30 s")
		return worked{}
	}
}

func insertNote(t *testing.T, store *storage.Store, note string, commit bool) int64 {
	t.Helper()
	var id int64
	errRollback := errors.New("roll back")
	err := store.InTx(context.Background(), func(tx *storage.Tx) error {
		// The capability's own row and its job, in one transaction.
		if _, err := tx.Exec(context.Background(), "INSERT INTO job_test_import (note, status) VALUES (?, 'queued')", note); err != nil {
			return err
		}
		var err error
		if id, err = Insert(context.Background(), tx, noteArgs{Note: note}, nil); err != nil {
			return err
		}
		if !commit {
			return errRollback
		}
		return nil
	})
	if err != nil && !(errors.Is(err, errRollback) && !commit) {
		t.Fatal(err)
	}
	return id
}

func count(t *testing.T, store *storage.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := store.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func createImportTable(t *testing.T, store *storage.Store) {
	t.Helper()
	err := store.InTx(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec(context.Background(), "CREATE TABLE job_test_import (note TEXT PRIMARY KEY, status TEXT NOT NULL)")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRiverTablesAfterMigrate: database.Migrate creates River's tables.
func TestRiverTablesAfterMigrate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		store := storage.New(db)
		for _, table := range []string{"river_job", "river_leader", "river_queue", "river_migration"} {
			count(t, store, "SELECT COUNT(*) FROM "+table)
		}
		if n := count(t, store, "SELECT COUNT(*) FROM river_migration"); n == 0 {
			t.Error("no River migration recorded")
		}
		// Migrating again is a no-op.
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestInsertInTransaction: a job inserted in a committed transaction runs,
// one in a rolled-back transaction leaves neither its row nor its job; the
// worker writes through the same store (on SQLite, the engine's connection).
func TestInsertInTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		store := storage.New(db)
		createImportTable(t, store)
		done := make(chan worked, 4)
		reg := NewRegistry()
		AddWorker(reg, river.WorkFunc(func(ctx context.Context, job *river.Job[noteArgs]) error {
			err := store.InTx(ctx, func(tx *storage.Tx) error {
				_, err := tx.Exec(ctx, "UPDATE job_test_import SET status = 'done' WHERE note = ?", job.Args.Note)
				return err
			})
			done <- worked{id: job.ID, note: job.Args.Note}
			return err
		}))
		startEngine(t, store, testConfig(t), reg)

		insertNote(t, store, "rolled back", false)
		kept := insertNote(t, store, "committed", true)
		if got := receive(t, done); got.id != kept || got.note != "committed" {
			t.Fatalf("ran %+v, want job %d", got, kept)
		}
		// SQLite may give the committed job the rolled-back one's id: count them.
		if n := count(t, store, "SELECT COUNT(*) FROM river_job"); n != 1 {
			t.Errorf("%d jobs in river_job, want only the committed one", n)
		}
		if n := count(t, store, "SELECT COUNT(*) FROM job_test_import WHERE note = 'rolled back'"); n != 0 {
			t.Error("the rolled-back row is there")
		}
		waitFor(t, func() bool {
			return count(t, store, "SELECT COUNT(*) FROM job_test_import WHERE note = 'committed' AND status = 'done'") == 1 &&
				count(t, store, "SELECT COUNT(*) FROM river_job WHERE id = ? AND state = 'completed'", kept) == 1
		})
		select {
		case got := <-done:
			t.Errorf("another job ran: %+v", got)
		default:
		}
	})
}

// TestPeriodicJob: a periodic job runs at start and again after its interval.
func TestPeriodicJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		store := storage.New(db)
		done := make(chan worked, 8)
		reg := NewRegistry()
		AddWorker(reg, &noteWorker{done: done})
		reg.AddPeriodic(200*time.Millisecond, noteArgs{Note: "tick"})
		startEngine(t, store, testConfig(t), reg)
		first, second := receive(t, done), receive(t, done)
		if first.note != "tick" || second.note != "tick" || first.id == second.id {
			t.Errorf("runs %+v and %+v, want two jobs of the periodic note", first, second)
		}
	})
}

// TestEnginesShareJobs: two engines on one PostgreSQL database (two `khien
// serve`) work every job exactly once between them.
func TestEnginesShareJobs(t *testing.T) {
	db := dbtest.Open(t, "postgres")
	store := storage.New(db)
	createImportTable(t, store)
	const n = 40
	done := make(chan worked, n*2)
	for _, name := range []string{"a", "b"} {
		reg := NewRegistry()
		AddWorker(reg, &noteWorker{engine: name, done: done})
		startEngine(t, store, testConfig(t), reg)
	}
	for i := range n {
		insertNote(t, store, fmt.Sprint("job ", i), true)
	}
	runs := map[int64]int{}
	byEngine := map[string]int{}
	for range n {
		w := receive(t, done)
		runs[w.id]++
		byEngine[w.engine]++
	}
	waitFor(t, func() bool { return count(t, store, "SELECT COUNT(*) FROM river_job WHERE state = 'completed'") == n })
	select {
	case w := <-done:
		t.Errorf("a job ran twice: %+v", w)
	default:
	}
	if len(runs) != n {
		t.Errorf("%d distinct jobs ran, want %d", len(runs), n)
	}
	t.Logf("jobs worked by engine: %v", byEngine)
}

// TestStopReleasesRunningJob: a job still running when the stop timeout
// ends is cancelled and goes back to the queue at once, without counting as
// an attempt, and another engine (a restart) completes it.
func TestStopReleasesRunningJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		store := storage.New(db)
		ctx := context.Background()
		started := make(chan int64, 1)
		reg := NewRegistry()
		AddWorker(reg, river.WorkFunc(func(ctx context.Context, job *river.Job[crashArgs]) error {
			started <- job.ID
			<-ctx.Done()
			return ctx.Err()
		}))
		cfg := testConfig(t)
		cfg.StopTimeout = 100 * time.Millisecond
		first, err := New(ctx, store, cfg, reg)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Start(ctx); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := store.InTx(ctx, func(tx *storage.Tx) error { id, err = Insert(ctx, tx, crashArgs{}, nil); return err }); err != nil {
			t.Fatal(err)
		}
		select {
		case <-started:
		case <-time.After(30 * time.Second):
			t.Fatal("the job did not start within 30 s")
		}
		if err := first.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		var state string
		if err := store.QueryRow(ctx, "SELECT state FROM river_job WHERE id = ?", id).Scan(&state); err != nil || state != "available" {
			t.Fatalf("after the stop the job is %q (%v), want available: back in the queue", state, err)
		}
		done := make(chan int, 1)
		reg = NewRegistry()
		AddWorker(reg, &crashWorker{done: done})
		startEngine(t, store, testConfig(t), reg)
		select {
		case attempt := <-done:
			if attempt != 1 {
				t.Errorf("completed on attempt %d, want 1: a stop is not a failed attempt", attempt)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the released job was not completed within 30 s")
		}
	})
}

// The crash test runs a second copy of this test binary as the engine that
// dies: crashEnv holds its database (a data directory or a PostgreSQL URL).
const crashEnv = "KHIEN_JOBS_CRASH_DB"

func TestMain(m *testing.M) {
	if target := os.Getenv(crashEnv); target != "" {
		runDoomedEngine(target)
		return
	}
	os.Exit(m.Run())
}

// crashArgs is the job the doomed engine starts and never finishes.
type crashArgs struct{}

func (crashArgs) Kind() string { return "test_crash" }

type crashWorker struct {
	river.WorkerDefaults[crashArgs]
	done chan<- int // the attempt that completed; nil: block until killed
}

func (w *crashWorker) Work(ctx context.Context, job *river.Job[crashArgs]) error {
	if w.done == nil {
		select {} // the process is killed here
	}
	w.done <- job.Attempt
	return nil
}

// NextRetry schedules the rescued job at once, so the test waits only for
// River's scheduler.
func (w *crashWorker) NextRetry(*river.Job[crashArgs]) time.Time { return time.Now() }

// runDoomedEngine works jobs until the test kills its process.
func runDoomedEngine(target string) {
	ctx := context.Background()
	db, err := dbtest.OpenTarget(ctx, target)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	reg := NewRegistry()
	AddWorker(reg, &crashWorker{})
	e, err := New(ctx, storage.New(db), Config{WorkOnly: true}, reg)
	if err == nil {
		err = e.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	select {}
}

// TestCrashedJobIsRescued: a job whose process was killed mid-job (SIGKILL,
// no stop at all) is rescued and completed by another engine.
func TestCrashedJobIsRescued(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			cfg := dbtest.Config(t, kind)
			ctx := context.Background()
			db, err := database.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			store := storage.New(db)
			var id int64
			err = store.InTx(ctx, func(tx *storage.Tx) error {
				id, err = Insert(ctx, tx, crashArgs{}, nil)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}

			doomed := dbtest.StartDoomed(t, crashEnv, dbtest.Target(cfg))
			waitFor(t, func() bool {
				return count(t, store, "SELECT COUNT(*) FROM river_job WHERE id = ? AND state = 'running'", id) == 1
			})
			running := time.Now()
			doomed.Kill(t)

			// River's rescuer takes a job as stuck once it has run longer than
			// RescueAfter; it looks when its engine starts leading and then
			// every 30 s, so the second engine starts once the job is stuck.
			const rescueAfter = time.Second
			time.Sleep(time.Until(running.Add(rescueAfter)))
			done := make(chan int, 1)
			reg := NewRegistry()
			AddWorker(reg, &crashWorker{done: done})
			startEngine(t, store, Config{JobTimeout: rescueAfter / 2, RescueAfter: rescueAfter, Logger: testConfig(t).Logger}, reg)
			select {
			case attempt := <-done:
				if attempt != 2 {
					t.Errorf("completed on attempt %d, want 2 (the killed one was 1)", attempt)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the crashed job was not rescued within 30 s")
			}
		})
	}
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
