-- +goose Up
-- Issue 10: entries written with the audit key (kept outside the database)
-- are HMAC-SHA256; entries from before the key keep their plain SHA-256.
ALTER TABLE audit_log ADD COLUMN hash_kind TEXT NOT NULL DEFAULT 'sha256';

-- Which key signs the log: its fingerprint, so a server started with another
-- key (a replica without the shared key file) is refused at once.
CREATE TABLE audit_key (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL
);

-- One row that /healthz rewrites: a database that cannot be written (disk
-- full, read-only file or standby) is unhealthy even though it answers reads.
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY,
    at {{.Time}} NOT NULL
);
INSERT INTO heartbeat (id, at) VALUES (1, CURRENT_TIMESTAMP);

-- +goose Down
DROP TABLE heartbeat;
DROP TABLE audit_key;
ALTER TABLE audit_log DROP COLUMN hash_kind;
