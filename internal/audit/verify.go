package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/khien/khien/internal/storage"
)

// ErrNoKey is returned when the audit key is needed but not configured: to
// append after signed entries, or to verify them.
var ErrNoKey = errors.New("the audit log has signed entries but no audit key is configured")

func sign(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// Break is what makes the audit log untrustworthy: the first entry where
// the chain does not hold, or (Entry nil) a disagreement with the latest
// checkpoint: entries deleted from the end, a wipe, a rewritten chain.
type Break struct {
	Entry  *Entry
	Reason string
}

func (b *Break) Error() string {
	if b.Entry == nil {
		return b.Reason
	}
	e := b.Entry
	return fmt.Sprintf("audit entry %d (%s, %s by %s) %s", e.ID, e.At.Format(time.RFC3339), e.Action, e.Actor, b.Reason)
}

// Head sums up a verified chain: what a checkpoint records.
type Head struct {
	Count  int
	LastID int64
	Hash   string
	// FirstKeyedID is the first signed entry, 0 when none is signed.
	FirstKeyedID int64
}

// Verify walks the whole chain in order with key (nil when none is
// configured) and, when cp is not nil, compares it with that checkpoint. It
// returns the head of the chain and, when the log cannot be trusted, a
// *Break: an entry whose fields no longer match its hash or signature, whose
// previous hash is not the hash of the entry before it (a row changed,
// removed or inserted), a plain entry after signed ones (the chain
// recomputed without the key), or fewer or other entries than cp saw.
func Verify(ctx context.Context, db storage.Querier, key []byte, cp *Checkpoint) (Head, error) {
	rows, err := db.Query(ctx, "SELECT "+auditColumns+" FROM audit_log a ORDER BY a.id")
	if err != nil {
		return Head{}, fmt.Errorf("verify audit log: %w", err)
	}
	defer rows.Close()
	h := Head{Hash: genesisHash}
	var atCheckpoint *Head // the head as it was at cp.LastID
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return h, fmt.Errorf("verify audit log: %w", err)
		}
		if b := h.check(e, key); b != nil {
			return h, b
		}
		if cp != nil && e.ID > cp.LastID && e.HashKind != KeyedHash {
			// Checkpoints are written with the key, and so is every entry after one.
			return h, &Break{&e, fmt.Sprintf("is not signed although it was written after the checkpoint of %s (the chain was recomputed without the audit key)", cp.At.Format(time.RFC3339))}
		}
		h.Count, h.LastID, h.Hash = h.Count+1, e.ID, e.Hash
		if e.HashKind == KeyedHash && h.FirstKeyedID == 0 {
			h.FirstKeyedID = e.ID
		}
		if cp != nil && e.ID == cp.LastID {
			at := h
			atCheckpoint = &at
		}
	}
	if err := rows.Err(); err != nil {
		return h, fmt.Errorf("verify audit log: %w", err)
	}
	if cp == nil {
		return h, nil
	}
	return h, cp.compare(h, atCheckpoint)
}

// check is the break at e, the entry after the chain summed up by h, if any.
func (h Head) check(e Entry, key []byte) error {
	switch {
	case e.PrevHash != h.Hash:
		return &Break{&e, "does not follow the entry before it (an entry was removed, inserted or changed)"}
	case e.HashKind == PlainHash && h.FirstKeyedID != 0:
		return &Break{&e, "has a plain SHA-256 hash after signed entries (the chain was recomputed without the audit key)"}
	case e.HashKind == KeyedHash && key == nil:
		return ErrNoKey
	case e.HashKind != PlainHash && e.HashKind != KeyedHash:
		return &Break{&e, fmt.Sprintf("has an unknown hash kind %q", e.HashKind)}
	case e.ComputeHash(key) == e.Hash:
		return nil
	case e.HashKind == KeyedHash:
		return &Break{&e, "does not match its signature (changed after it was written, or signed with another key)"}
	}
	return &Break{&e, "was changed after it was written (its hash does not match its content)"}
}

// compare is the disagreement between the verified chain h (at: the chain
// up to the checkpoint's last entry, nil when that entry is gone) and cp.
func (cp *Checkpoint) compare(h Head, at *Head) error {
	seen := fmt.Sprintf("the checkpoint of %s counted %d entries up to id %d", cp.At.Format(time.RFC3339), cp.Count, cp.LastID)
	switch {
	case cp.Count == 0:
		return nil
	case h.Count == 0:
		return &Break{Reason: "the audit log is empty but " + seen + ": the log was wiped"}
	case at == nil && h.LastID < cp.LastID:
		return &Break{Reason: fmt.Sprintf("the audit log ends at id %d with %d entries but %s: entries were deleted from the end", h.LastID, h.Count, seen)}
	case at == nil:
		return &Break{Reason: fmt.Sprintf("entry %d is missing but %s: the log was rewritten", cp.LastID, seen)}
	case at.Hash != cp.Hash:
		return &Break{Reason: fmt.Sprintf("entry %d does not have the hash that %s: the chain was recomputed", cp.LastID, seen)}
	case at.Count != cp.Count:
		return &Break{Reason: fmt.Sprintf("the log has %d entries up to id %d but %s: entries were removed or inserted", at.Count, cp.LastID, seen)}
	case cp.FirstKeyedID != 0 && h.FirstKeyedID != cp.FirstKeyedID:
		return &Break{Reason: fmt.Sprintf("signed entries start at id %d but %s, signed from id %d: the chain was recomputed", h.FirstKeyedID, seen, cp.FirstKeyedID)}
	}
	return nil
}
