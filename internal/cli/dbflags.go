package cli

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/storage"
	"github.com/spf13/cobra"
)

// dbFlags are the flags of every command that opens the database.
type dbFlags struct {
	dataDir     string
	url         string
	auditKey    string
	checkpoints string
	witness     string // set by the commands that write checkpoints
}

func (f *dbFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dataDir, "data", "./khien-data", "data directory for the embedded SQLite database")
	cmd.Flags().StringVar(&f.url, "database-url", "", "PostgreSQL URL (postgres://…); overrides --data (env KHIEN_DATABASE_URL)")
	cmd.Flags().StringVar(&f.auditKey, "audit-key", "", "file of the key that signs the audit log; replicas of one PostgreSQL database share it (env KHIEN_AUDIT_KEY, default DATA/"+audit.KeyFile+")")
	cmd.Flags().StringVar(&f.checkpoints, "audit-checkpoints", "", "append-only file of signed audit log checkpoints (env KHIEN_AUDIT_CHECKPOINTS, default DATA/"+audit.CheckpointFile+")")
}

// registerWitness adds the flag of the commands that write checkpoints.
func (f *dbFlags) registerWitness(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.witness, "audit-witness-url", os.Getenv("KHIEN_AUDIT_WITNESS_URL"), "also POST every signed audit checkpoint (one JSON line) to this URL, an external witness (env KHIEN_AUDIT_WITNESS_URL)")
}

// checkpoint verifies the audit log, appends a signed checkpoint to the
// checkpoint file and sends it to the witness, if one is configured.
func (f *dbFlags) checkpoint(ctx context.Context, store *storage.Store) (audit.Checkpoint, error) {
	cp, err := audit.WriteCheckpoint(ctx, store, store.AuditKey(), f.checkpointsPath())
	if err != nil || f.witness == "" {
		return cp, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return cp, audit.SendToWitness(ctx, http.DefaultClient, f.witness, cp)
}

// keyPath is the audit key's file: the flag, the environment, the data directory.
func (f *dbFlags) keyPath() string { return f.path(f.auditKey, "KHIEN_AUDIT_KEY", audit.KeyFile) }

// checkpointsPath is the audit checkpoint file, chosen like keyPath.
func (f *dbFlags) checkpointsPath() string {
	return f.path(f.checkpoints, "KHIEN_AUDIT_CHECKPOINTS", audit.CheckpointFile)
}

func (f *dbFlags) path(flag, env, name string) string {
	if flag != "" {
		return flag
	}
	if v := os.Getenv(env); v != "" {
		return v
	}
	return filepath.Join(f.dataDir, name)
}

func (f *dbFlags) config() database.Config {
	url := f.url
	if url == "" {
		url = os.Getenv("KHIEN_DATABASE_URL")
	}
	return database.Config{DataDir: f.dataDir, URL: url}
}

// open opens and migrates the database.
func (f *dbFlags) open(ctx context.Context) (*database.DB, error) {
	db, err := database.Open(ctx, f.config())
	if err != nil {
		return nil, configError(err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, configError(err)
	}
	return db, nil
}

// openStore opens and migrates the database and returns its storage layer,
// signing audit entries with the audit key (generated on first use), with
// the function that closes it.
func (f *dbFlags) openStore(ctx context.Context) (*storage.Store, func(), error) {
	db, err := f.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	closeDB := func() {
		if err := db.Close(); err != nil {
			slog.Error("close database", "err", err)
		}
	}
	store := storage.New(db)
	key, created, err := audit.OpenKey(ctx, store, f.keyPath())
	if err != nil {
		closeDB()
		return nil, nil, withExitCode(2, err)
	}
	if created {
		slog.Warn("audit key created: back it up separately from the database (khien backup does not include it)", "path", f.keyPath())
	}
	store.SetAuditKey(key)
	return store, closeDB, nil
}

// configError keeps configuration errors to the one line that says what to
// fix, with exit code 2.
func configError(err error) error {
	if errors.Is(err, database.ErrConfig) {
		return withExitCode(2, err)
	}
	return err
}
