package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/storage"
	"github.com/spf13/cobra"
)

// dbFlags are the flags of every command that opens the database.
type dbFlags struct {
	dataDir string
	url     string
}

func (f *dbFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dataDir, "data", "./khien-data", "data directory for the embedded SQLite database")
	cmd.Flags().StringVar(&f.url, "database-url", "", "PostgreSQL URL (postgres://…); overrides --data (env KHIEN_DATABASE_URL)")
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

// openStore opens and migrates the database and returns its storage layer
// with the function that closes it.
func (f *dbFlags) openStore(ctx context.Context) (*storage.Store, func(), error) {
	db, err := f.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return storage.New(db), func() {
		if err := db.Close(); err != nil {
			slog.Error("close database", "err", err)
		}
	}, nil
}

// configError keeps configuration errors to the one line that says what to
// fix, with exit code 2.
func configError(err error) error {
	if errors.Is(err, database.ErrConfig) {
		return withExitCode(2, fmt.Errorf("%v", err))
	}
	return err
}
