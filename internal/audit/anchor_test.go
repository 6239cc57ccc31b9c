package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/audit"
	"github.com/khien/khien/internal/database"
	"github.com/khien/khien/internal/database/dbtest"
	"github.com/khien/khien/internal/i18n"
	"github.com/khien/khien/internal/storage"
	"github.com/khien/khien/internal/validation"
)

// anchored is a log with two entries from before the audit key and three
// signed ones, and a checkpoint of it.
type anchored struct {
	db          *database.DB
	store       *storage.Store
	key         []byte
	checkpoints string
}

func newAnchored(t *testing.T, db *database.DB) anchored {
	t.Helper()
	ctx := context.Background()
	a := anchored{db: db, store: storage.New(db), checkpoints: filepath.Join(t.TempDir(), audit.CheckpointFile)}
	write := func(n int) {
		for i := range n {
			if err := audit.Write(ctx, a.store, access.SystemActor("test"), audit.Change{Action: "test.write", ObjectID: int64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	write(2)
	keyPath := filepath.Join(t.TempDir(), audit.KeyFile)
	key, created, err := audit.OpenKey(ctx, a.store, keyPath)
	if err != nil || !created {
		t.Fatalf("generate key: %v %v", created, err)
	}
	if st, _ := os.Stat(keyPath); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode())
	}
	again, created, err := audit.OpenKey(ctx, a.store, keyPath)
	if err != nil || created || string(again) != string(key) {
		t.Fatalf("read key again: %v %v", created, err)
	}
	a.key = key
	a.store.SetAuditKey(key)
	write(3)
	if _, err := audit.WriteCheckpoint(ctx, a.store, key, a.checkpoints); err != nil {
		t.Fatal(err)
	}
	return a
}

func (a anchored) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := a.db.Write.Exec(a.db.Dialect.Rebind(query), args...); err != nil {
		t.Fatal(err)
	}
}

// verify runs Verify against the latest checkpoint, as `khien audit verify` does.
func (a anchored) verify(t *testing.T) (audit.Head, error) {
	t.Helper()
	cp, err := audit.LatestCheckpoint(a.checkpoints, a.key)
	if err != nil {
		return audit.Head{}, err
	}
	return audit.Verify(context.Background(), a.store, a.key, cp)
}

// TestAnchorDetectsTampering runs each attack on the audit log on both
// databases: every one must be a *audit.Break naming what is wrong.
func TestAnchorDetectsTampering(t *testing.T) {
	attacks := []struct {
		name   string
		attack func(t *testing.T, a anchored)
		reason string
	}{
		{"delete the last entries", func(t *testing.T, a anchored) {
			a.exec(t, "DELETE FROM audit_log WHERE id > (SELECT min(id) + 2 FROM audit_log)")
		}, "entries were deleted from the end"},
		{"delete every entry", func(t *testing.T, a anchored) {
			a.exec(t, "DELETE FROM audit_log")
		}, "the log was wiped"},
		{"edit the last entry and rehash it as plain SHA-256", func(t *testing.T, a anchored) {
			recompute(t, a, 4, true)
		}, "recomputed without the audit key"},
		{"edit the first entry and rehash the whole chain as plain SHA-256", func(t *testing.T, a anchored) {
			recompute(t, a, 0, true)
		}, "the chain was recomputed"},
		{"edit an entry and re-sign the chain with another key", func(t *testing.T, a anchored) {
			recompute(t, a, 1, false)
		}, "does not match its signature"},
		{"edit a signed entry", func(t *testing.T, a anchored) {
			a.exec(t, "UPDATE audit_log SET action = 'test.other' WHERE id = (SELECT max(id) FROM audit_log)")
		}, "does not match its signature"},
		{"forge a checkpoint", func(t *testing.T, a anchored) {
			f, _ := os.OpenFile(a.checkpoints, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(`{"at":"2026-01-01T00:00:00Z","count":1,"last_id":1,"hash":"x","sig":"00"}` + "\n")
			f.Close()
		}, "not signed with the audit key"},
	}
	for _, tt := range attacks {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *database.DB) {
				a := newAnchored(t, db)
				head, err := a.verify(t)
				if err != nil || head.Count != 5 || head.FirstKeyedID == 0 {
					t.Fatalf("intact anchored log: %+v %v", head, err)
				}
				tt.attack(t, a)
				_, err = a.verify(t)
				var broken *audit.Break
				if !errors.As(err, &broken) || !strings.Contains(err.Error(), tt.reason) {
					t.Fatalf("after the attack: %v (want %q)", err, tt.reason)
				}
			})
		})
	}
}

// recompute edits the entry at position from (oldest first) and rehashes it
// and every later entry as an attacker without the key would: as plain
// SHA-256, or keeping the kinds and signing with a guessed key.
func recompute(t *testing.T, a anchored, from int, plain bool) {
	t.Helper()
	entries, err := storage.All(func(p storage.Page) (storage.Paged[audit.Entry], error) {
		return audit.List(context.Background(), a.store, access.SystemActor("test"), audit.Query{}, p)
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(entries)
	prev := entries[from].PrevHash
	for _, e := range entries[from:] {
		e.Actor, e.PrevHash = "someone-else", prev
		if plain {
			e.HashKind = audit.PlainHash
		}
		e.Hash = e.ComputeHash([]byte("a guessed key"))
		a.exec(t, "UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ?, hash_kind = ? WHERE id = ?", e.Actor, e.PrevHash, e.Hash, e.HashKind, e.ID)
		prev = e.Hash
	}
}

// TestKeyMissingAfterSignedEntries refuses to start over with a new key,
// and an unkeyed store refuses to append after signed entries.
func TestKeyMissingAfterSignedEntries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a := newAnchored(t, db)
		if _, _, err := audit.OpenKey(ctx, a.store, filepath.Join(t.TempDir(), "lost.key")); !saysInEnglish(err, "restore the key") {
			t.Errorf("a lost key must not be replaced: %v", err)
		}
		plain := storage.New(db)
		if err := audit.Write(ctx, plain, access.SystemActor("test"), audit.Change{Action: "test.write"}); !errors.Is(err, audit.ErrNoKey) {
			t.Errorf("append without the key: %v", err)
		}
		if _, err := audit.Verify(ctx, plain, nil, nil); !errors.Is(err, audit.ErrNoKey) {
			t.Errorf("verify without the key: %v", err)
		}
		// Entries after the checkpoint are fine; the next checkpoint covers them.
		if err := audit.Write(ctx, a.store, access.SystemActor("test"), audit.Change{Action: "test.write"}); err != nil {
			t.Fatal(err)
		}
		if head, err := a.verify(t); err != nil || head.Count != 6 {
			t.Fatalf("after a new entry: %+v %v", head, err)
		}
		cp, err := audit.WriteCheckpoint(ctx, a.store, a.key, a.checkpoints)
		if err != nil || cp.Count != 6 || cp.At.IsZero() || time.Since(cp.At) > time.Hour {
			t.Fatalf("second checkpoint: %+v %v", cp, err)
		}
		b, _ := os.ReadFile(a.checkpoints)
		if n := strings.Count(string(b), "\n"); n != 2 {
			t.Errorf("%d checkpoint lines, want 2:\n%s", n, b)
		}
	})
}

// TestEntriesAfterACheckpointAreSigned: the first checkpoint is written as
// the key is created, before any signed entry; an entry after it rehashed
// as plain SHA-256 is still caught.
func TestEntriesAfterACheckpointAreSigned(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a := anchored{db: db, store: storage.New(db), checkpoints: filepath.Join(t.TempDir(), audit.CheckpointFile)}
		if err := audit.Write(ctx, a.store, access.SystemActor("test"), audit.Change{Action: "test.write"}); err != nil {
			t.Fatal(err)
		}
		a.key, _, _ = audit.OpenKey(ctx, a.store, filepath.Join(t.TempDir(), audit.KeyFile))
		a.store.SetAuditKey(a.key)
		if _, err := audit.WriteCheckpoint(ctx, a.store, a.key, a.checkpoints); err != nil {
			t.Fatal(err)
		}
		if err := audit.Write(ctx, a.store, access.SystemActor("test"), audit.Change{Action: "test.write"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.verify(t); err != nil {
			t.Fatal(err)
		}
		recompute(t, a, 1, true)
		var broken *audit.Break
		if _, err := a.verify(t); !errors.As(err, &broken) || !strings.Contains(err.Error(), "written after the checkpoint") {
			t.Fatalf("after rehashing the signed entry as plain: %v", err)
		}
	})
}

// TestCheckpointCutShort: a last line without its newline (a crash during
// the write) is not a checkpoint, and the next checkpoint replaces it.
func TestCheckpointCutShort(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	a := newAnchored(t, db)
	f, _ := os.OpenFile(a.checkpoints, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"at":"2026-01-01T00:00:00Z","cou`)
	f.Close()
	if _, err := a.verify(t); err != nil {
		t.Fatalf("verify with a cut line: %v", err)
	}
	if _, err := audit.WriteCheckpoint(context.Background(), a.store, a.key, a.checkpoints); err != nil {
		t.Fatal(err)
	}
	if _, err := a.verify(t); err != nil {
		t.Fatalf("verify after the next checkpoint: %v", err)
	}
	if b, _ := os.ReadFile(a.checkpoints); strings.Count(string(b), "\n") != 2 || strings.Contains(string(b), `"cou`+"\n") {
		t.Errorf("checkpoint file:\n%s", b)
	}
}

// TestSecondKeyRefused: a replica that generates a key of its own, or is
// given another one, is refused before it signs anything.
func TestSecondKeyRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		store := storage.New(db)
		if _, _, err := audit.OpenKey(ctx, store, filepath.Join(t.TempDir(), audit.KeyFile)); err != nil {
			t.Fatal(err)
		}
		// No entry is signed yet, so the second replica would create a key.
		if _, _, err := audit.OpenKey(ctx, store, filepath.Join(t.TempDir(), audit.KeyFile)); !saysInEnglish(err, "not the key this audit log is signed with") {
			t.Fatalf("second key: %v", err)
		}
	})
}

// saysInEnglish reports whether err carries a message whose English text holds want.
func saysInEnglish(err error, want string) bool {
	var m validation.Message
	return errors.As(err, &m) && strings.Contains(m.Localize(i18n.EN), want)
}
