-- +goose Up
-- Issue 10: entries written with the audit key (kept outside the database)
-- are HMAC-SHA256; entries from before the key keep their plain SHA-256.
ALTER TABLE audit_log ADD COLUMN hash_kind TEXT NOT NULL DEFAULT 'sha256';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN hash_kind;
