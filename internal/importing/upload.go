package importing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
	"github.com/khien/khien/internal/identity"
	"github.com/khien/khien/internal/storage"
)

// uploadLifetime is how long a previewed upload waits for the user's choice.
const uploadLifetime = time.Hour

// Upload is a previewed inventory file waiting to be imported.
type Upload struct {
	Token string
	OrgID int64
	Name  string
	Data  []byte
}

// Stash keeps an uploaded file for its uploader until they choose to
// import it, and returns the token that names it. Expired uploads are purged.
func Stash(ctx context.Context, db *storage.Store, actor access.Actor, orgID int64, name string, data []byte) (string, error) {
	buf := make([]byte, 16)
	rand.Read(buf)
	token := hex.EncodeToString(buf)
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		if _, err := identity.CheckOrg(ctx, tx, actor, access.Write, orgID); err != nil {
			return err
		}
		now := db.Now()
		if _, err := tx.Exec(ctx, "DELETE FROM inventory_uploads WHERE created_at < ?", now.Add(-uploadLifetime)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO inventory_uploads (token, user_id, actor, org_id, name, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			token, actor.UserID, actor.Email, orgID, name, data, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("keep upload %s: %w", name, err)
	}
	return token, nil
}

// Take returns and forgets an upload of the actor's. Another user's
// token, or an expired one, is not found.
func Take(ctx context.Context, db *storage.Store, actor access.Actor, token string) (Upload, error) {
	u := Upload{Token: token}
	err := db.InTx(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRow(ctx, "SELECT org_id, name, data FROM inventory_uploads WHERE token = ? AND user_id = ? AND actor = ? AND created_at >= ?",
			token, actor.UserID, actor.Email, db.Now().Add(-uploadLifetime)).Scan(&u.OrgID, &u.Name, &u.Data)
		if storage.IsNoRows(err) {
			return access.ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DELETE FROM inventory_uploads WHERE token = ?", token)
		return err
	})
	if err != nil {
		return Upload{}, fmt.Errorf("take upload: %w", err)
	}
	return u, nil
}
