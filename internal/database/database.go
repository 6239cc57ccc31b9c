// Package database opens Khiên's database — embedded SQLite by default,
// PostgreSQL for larger deployments — and runs its migrations. The storage
// package holds the SQL; this package only knows how to connect.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/khien/khien/internal/validation"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// SQLiteFile is the database file's name inside the data directory.
const SQLiteFile = "khien.db"

// Config says which database to open.
type Config struct {
	DataDir     string // used for SQLite when URL is empty
	URL         string // postgres://… selects PostgreSQL
	ReadOnly    bool   // open without creating anything (status commands)
	MaxReadConn int    // SQLite reader pool size; 0 picks one from the CPU count
}

// DB is an open database: one writer and a pool of readers for SQLite (its
// single-writer model makes a second writer only wait on the lock), one pool
// for both on PostgreSQL.
type DB struct {
	Write   *sql.DB
	Read    *sql.DB
	Dialect Dialect
	// Path is the SQLite file, empty on PostgreSQL.
	Path string
	// URL is the PostgreSQL URL, empty on SQLite: the job engine
	// (internal/jobs) opens its own pgx pool from it for LISTEN/NOTIFY.
	URL string
}

// ErrConfig marks errors caused by the operator's configuration, which the
// CLI reports as one line with what to fix.
var ErrConfig = errors.New("configuration")

// configErr is an ErrConfig with its message: a catalogue key and arguments
// (validation.Message), so the CLI says it in the operator's --lang.
func configErr(key string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrConfig, validation.Say(key, args...))
}

// Open connects and checks that the database answers.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.URL != "" {
		return openPostgres(ctx, cfg.URL)
	}
	return openSQLite(ctx, cfg)
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, configErr("db.url_scheme", redact(url))
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, configErr("db.pg_open", redact(url), err.Error())
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, configErr("db.pg_unreachable", redact(url), oneLine(err))
	}
	return &DB{Write: db, Read: db, Dialect: postgresDialect{}, URL: url}, nil
}

func openSQLite(ctx context.Context, cfg Config) (*DB, error) {
	dir := cfg.DataDir
	if dir == "" {
		return nil, configErr("db.no_data_dir")
	}
	path := filepath.Join(dir, SQLiteFile)
	if cfg.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, configErr("db.missing", path, err.Error())
		}
	} else if err := ensureDataDir(dir); err != nil {
		return nil, err
	}
	// _txlock=immediate takes the write lock at BEGIN, so a transaction never
	// fails half-way with SQLITE_BUSY when it upgrades from reading to writing.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_time_format=sqlite"
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, configErr("db.sqlite_open", path, err.Error())
	}
	// Check the file really is a database now, so a corrupt file fails at start.
	var mode string
	if err := write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		write.Close()
		return nil, configErr("db.sqlite_unusable", path, err.Error())
	}
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	n := cfg.MaxReadConn
	if n <= 0 {
		n = max(4, runtime.NumCPU()*2)
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return &DB{Write: write, Read: read, Dialect: sqliteDialect{}, Path: path}, nil
}

// ensureDataDir creates the data directory with mode 0700 and checks that it
// is writable, so the operator learns at once rather than at the first write.
func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return configErr("db.dir_create", dir, err.Error())
	}
	probe, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return configErr("db.dir_unwritable", dir, err.Error())
	}
	name := probe.Name()
	probe.Close()
	return os.Remove(name)
}

// Close closes both pools; on SQLite it checkpoints the WAL into the main file.
func (db *DB) Close() error {
	var errs []error
	if db.Read != db.Write {
		errs = append(errs, db.Read.Close())
	}
	if db.Dialect.Name() == "sqlite" {
		_, err := db.Write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, err)
	}
	errs = append(errs, db.Write.Close())
	return errors.Join(errs...)
}

// Ping reports whether the database answers; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.Read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// redact hides a password in a database URL.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":***" + url[at:]
	}
	return url
}

// oneLine folds a driver's multi-line error into one line for the operator.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
