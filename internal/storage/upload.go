package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/khien/khien/internal/access"
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

// StashUpload keeps an uploaded file for its uploader until they choose to
// import it, and returns the token that names it. Expired uploads are purged.
func (s *Store) StashUpload(ctx context.Context, actor access.Actor, orgID int64, name string, data []byte) (string, error) {
	buf := make([]byte, 16)
	rand.Read(buf)
	token := hex.EncodeToString(buf)
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.checkOrg(ctx, actor, access.Write, orgID); err != nil {
			return err
		}
		now := s.now()
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

// TakeUpload returns and forgets an upload of the actor's. Another user's
// token, or an expired one, is not found.
func (s *Store) TakeUpload(ctx context.Context, actor access.Actor, token string) (Upload, error) {
	u := Upload{Token: token}
	err := s.InTx(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, "SELECT org_id, name, data FROM inventory_uploads WHERE token = ? AND user_id = ? AND actor = ? AND created_at >= ?",
			token, actor.UserID, actor.Email, s.now().Add(-uploadLifetime)).Scan(&u.OrgID, &u.Name, &u.Data)
		if isNoRows(err) {
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
