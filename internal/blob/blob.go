// Package blob keeps the bytes of uploaded files (a finding's attachment,
// a hunt's evidence, an obligation's submission) once by their SHA-256 in
// the blobs table those capabilities share. Each capability keeps its own
// table of the files that name a blob, with its access rules and audit.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/khien/khien/internal/storage"
)

// Put stores data in tx unless the same bytes are stored already and
// returns their SHA-256 in hex, the key a file row refers to.
func Put(ctx context.Context, tx *storage.Tx, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	if _, err := tx.Exec(ctx, "INSERT INTO blobs (sha256, size, data, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING", key, len(data), data, tx.Now()); err != nil {
		return "", fmt.Errorf("store blob %s: %w", key, err)
	}
	return key, nil
}
