package database

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/khien/khien/internal/validation"
)

// LockFile is the file in the data directory that a running server holds an
// exclusive lock on, so that commands replacing the database refuse to run
// under it (the server would keep writing to the old, unlinked file).
const LockFile = "khien.lock"

// LockDataDir takes the data directory's exclusive lock for holder (what is
// running, "khien serve") until unlock is called or the process ends (the
// kernel drops a flock with its process, even after kill -9). When another
// process holds it the error names that process.
func LockDataDir(dir, holder string) (unlock func(), err error) {
	if err := ensureDataDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, configErr("db.lock_open", path, err.Error())
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, configErr("db.in_use", dir, describeHolder(string(owner)))
		}
		return nil, configErr("db.lock", path, err.Error())
	}
	// Who holds the lock, for the message of whoever is refused.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "%d %s\n", os.Getpid(), holder)
	}
	return func() { f.Close() }, nil
}

// describeHolder turns the lock file's "PID holder" into "khien serve
// (process 1234)".
func describeHolder(content string) validation.Message {
	pid, holder, _ := strings.Cut(strings.TrimSpace(content), " ")
	if _, err := strconv.Atoi(pid); err != nil {
		return validation.Say("db.holder_unknown")
	}
	if holder == "" {
		holder = "khien"
	}
	return validation.Say("db.holder", holder, pid)
}
