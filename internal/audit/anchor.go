package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// The anchor: the audit key signs every new entry, and signed checkpoints of
// the chain's head are appended to a file outside the database. Whoever can
// write the database but holds neither cannot shorten, wipe or recompute
// the log without Verify noticing.

// Default file names in the data directory.
const (
	KeyFile        = "audit.key"
	CheckpointFile = "audit-checkpoints.jsonl"
)

// keyBytes is the size of a generated key (HMAC-SHA256's block is larger;
// 32 random bytes are its full strength).
const keyBytes = 32

// OpenKey reads the audit key at path. When the file does not exist and the
// log has no signed entry yet, it generates the key (mode 0600) and reports
// created; with signed entries a missing key is an error, since a new key
// would make every earlier entry unverifiable. The key's fingerprint is
// kept in the database: the first server records it, and a server with
// another key (a replica that does not share the key file) is refused.
func OpenKey(ctx context.Context, db *storage.Store, path string) (key []byte, created bool, err error) {
	key, err = ReadKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKey(ctx, db, path)
		created = err == nil
	}
	if err != nil {
		return nil, false, err
	}
	if err := claimKey(ctx, db, key, path); err != nil {
		return nil, false, err
	}
	return key, created, nil
}

func createKey(ctx context.Context, db *storage.Store, path string) ([]byte, error) {
	var one int
	err := db.QueryRow(ctx, "SELECT 1 FROM audit_log WHERE hash_kind = ? LIMIT 1", KeyedHash).Scan(&one)
	if err == nil {
		return nil, validation.Say("audit.key.missing", path)
	}
	if !storage.IsNoRows(err) {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	key := make([]byte, keyBytes)
	rand.Read(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create audit key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create audit key: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write audit key %s: %w", path, err)
	}
	return key, nil
}

// claimKey records key's fingerprint when none is recorded, and refuses a
// key whose fingerprint differs from the recorded one.
func claimKey(ctx context.Context, db *storage.Store, key []byte, path string) error {
	fp := sign(key, "khien audit key fingerprint")[:32]
	return db.InTx(ctx, func(tx *storage.Tx) error {
		var recorded string
		err := tx.QueryRow(ctx, "SELECT fingerprint FROM audit_key WHERE id = 1").Scan(&recorded)
		switch {
		case storage.IsNoRows(err):
			_, err = tx.Exec(ctx, "INSERT INTO audit_key (id, fingerprint) VALUES (1, ?)", fp)
			return err
		case err != nil:
			return fmt.Errorf("audit key: %w", err)
		case recorded != fp:
			return validation.Say("audit.key.wrong", path)
		}
		return nil
	})
}

// ReadKey reads the audit key at path; a missing file is fs.ErrNotExist.
func ReadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read audit key: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < keyBytes {
		return nil, validation.Say("audit.key.malformed", path, keyBytes)
	}
	return key, nil
}

// Checkpoint is a signed record of the chain's head at a time: one JSON line
// of the checkpoint file.
type Checkpoint struct {
	At           time.Time `json:"at"`
	Count        int       `json:"count"`
	LastID       int64     `json:"last_id"`
	Hash         string    `json:"hash"`
	FirstKeyedID int64     `json:"first_keyed_id,omitempty"`
	Sig          string    `json:"sig,omitempty"`
}

// signature is the HMAC of the checkpoint's fields without its signature.
func (cp Checkpoint) signature(key []byte) string {
	cp.Sig = ""
	b, _ := json.Marshal(cp) // a struct of plain fields always encodes
	return sign(key, "khien audit checkpoint\n"+string(b))
}

// LatestCheckpoint is the last checkpoint in the file at path, nil when the
// file does not exist or is empty. Every line must carry key's signature: a
// forged or edited line is a *Break.
func LatestCheckpoint(path string, key []byte) (*Checkpoint, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer f.Close()
	var last *Checkpoint
	br := bufio.NewReader(f)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			// A last line without its newline is a write cut short (a crash):
			// not a checkpoint, and the next append starts a new line.
			return last, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read audit checkpoints %s: %w", path, err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if key == nil {
			return nil, fmt.Errorf("audit checkpoints %s: %w", path, ErrNoKey)
		}
		var cp Checkpoint
		if err := json.Unmarshal(b, &cp); err != nil || !hmac.Equal([]byte(cp.Sig), []byte(cp.signature(key))) {
			return nil, &Break{Reason: fmt.Sprintf("line %d of the checkpoint file %s is not signed with the audit key (edited or forged)", line, path)}
		}
		last = &cp
	}
}

// SendToWitness posts cp, as the signed JSON line of the checkpoint file,
// to an external witness (a log collector's HTTP input, a small service on
// another machine) that keeps a copy the server's own root cannot roll back.
func SendToWitness(ctx context.Context, client *http.Client, url string, cp Checkpoint) error {
	line, _ := json.Marshal(cp)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(append(line, '\n')))
	if err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("audit witness: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("audit witness %s answered %s", url, resp.Status)
	}
	return nil
}

// dropCutLine removes a last line that a crash cut short (no newline): it
// is no checkpoint, and appending after it would spoil the next one.
func dropCutLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	tail := make([]byte, min(st.Size(), 4096))
	if _, err := f.ReadAt(tail, st.Size()-int64(len(tail))); err != nil {
		return err
	}
	if tail[len(tail)-1] == '\n' {
		return nil
	}
	i := bytes.LastIndexByte(tail, '\n')
	if i < 0 && int64(len(tail)) < st.Size() {
		return fmt.Errorf("the last line of %s is longer than any checkpoint", f.Name())
	}
	return f.Truncate(st.Size() - int64(len(tail)) + int64(i+1))
}

// WriteCheckpoint verifies the chain against the latest checkpoint at path
// and appends a new signed checkpoint of its head. A broken chain gets no
// checkpoint: signing it would vouch for the tampering.
func WriteCheckpoint(ctx context.Context, db storage.Querier, key []byte, path string) (Checkpoint, error) {
	if key == nil {
		return Checkpoint{}, fmt.Errorf("audit checkpoint: %w", ErrNoKey)
	}
	latest, err := LatestCheckpoint(path, key)
	if err != nil {
		return Checkpoint{}, err
	}
	h, err := Verify(ctx, db, key, latest)
	if err != nil {
		return Checkpoint{}, err
	}
	cp := Checkpoint{At: db.Now(), Count: h.Count, LastID: h.LastID, Hash: h.Hash, FirstKeyedID: h.FirstKeyedID}
	cp.Sig = cp.signature(key)
	line, _ := json.Marshal(cp)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	err = dropCutLine(f)
	if err == nil {
		// One write per line: appends from several processes do not interleave.
		_, err = f.Write(append(line, '\n'))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit checkpoint %s: %w", path, err)
	}
	return cp, nil
}
