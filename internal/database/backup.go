package database

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

var sqliteHeader = []byte("SQLite format 3\x00")

// Backup writes a consistent copy of the SQLite database to file while the
// server keeps running: VACUUM INTO reads one snapshot inside a transaction.
func (db *DB) Backup(ctx context.Context, file string) error {
	if db.Dialect.Name() != "sqlite" {
		return configErr("db.backup.postgres")
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", file, err)
	}
	if _, err := os.Stat(abs); err == nil {
		return configErr("db.backup.exists", abs)
	}
	tmp := abs + ".partial"
	os.Remove(tmp)
	if _, err := db.Write.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup to %s: %w", abs, err)
	}
	return nil
}

// Restore replaces the SQLite database in dataDir with the backup file and
// returns where the database it replaced was kept ("" when there was none).
// It holds the data directory's lock, so it refuses while a server runs
// there. The backup is checked first (intact, and not from a newer khien) and
// copied under a temporary name, so a failed restore leaves the old database
// untouched; the old database is renamed to khien.db.before-restore-<UTC time>
// (with its WAL), never deleted.
func Restore(ctx context.Context, dataDir, file string, force bool) (kept string, err error) {
	if err := checkSQLiteFile(ctx, file); err != nil {
		return "", err
	}
	unlock, err := LockDataDir(dataDir, "khien restore")
	if err != nil {
		return "", err
	}
	defer unlock()
	dst := filepath.Join(dataDir, SQLiteFile)
	if _, err := os.Stat(dst); err == nil {
		if !force {
			return "", configErr("db.restore.not_empty", dataDir)
		}
		kept = dst + ".before-restore-" + time.Now().UTC().Format("20060102-150405")
		if _, err := os.Stat(kept); err == nil {
			// Rename would overwrite the copy kept by a restore a moment ago.
			return "", configErr("db.restore.kept_exists", kept)
		}
	}
	tmp := dst + ".restore"
	if err := copyFile(file, tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("restore %s: %w", file, err)
	}
	if kept != "" {
		// The WAL goes with its database: a server killed without a
		// checkpoint left its last writes there.
		for _, suffix := range []string{"-wal", ""} {
			if err := os.Rename(dst+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				os.Remove(tmp)
				return "", fmt.Errorf("restore: keep the old database as %s: %w", kept+suffix, err)
			}
		}
	}
	if err := os.Remove(dst + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		os.Remove(tmp)
		return kept, fmt.Errorf("restore: remove old %s: %w", dst+"-shm", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return kept, fmt.Errorf("restore %s: %w", file, err)
	}
	return kept, nil
}

// checkSQLiteFile makes sure file is an intact Khiên SQLite database.
func checkSQLiteFile(ctx context.Context, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return configErr("db.restore.unreadable", file, err.Error())
	}
	head := make([]byte, len(sqliteHeader))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head, sqliteHeader) {
		return configErr("db.restore.not_sqlite", file)
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open backup %s: %w", file, err)
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		return configErr("db.restore.corrupt", file, fmt.Sprintf("%v %s", err, result))
	}
	var version int64
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(max(version_id), 0) FROM goose_db_version").Scan(&version); err != nil {
		return configErr("db.restore.not_khien", file)
	}
	// A server would refuse a newer schema at start, with the old database
	// already replaced; refuse it now instead.
	latest, err := latestMigration()
	if err != nil {
		return err
	}
	if version > latest {
		return fmt.Errorf("%w: %w", ErrNewerSchema, configErr("db.restore.newer", file, version, latest))
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
