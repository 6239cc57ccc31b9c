-- +goose Up
-- Organisations form a tree; path is the materialised list of ancestor ids
-- ("/1/4/9/"), so "this subtree" is one indexed prefix match on both databases.
CREATE TABLE orgs (
    id {{.ID}},
    parent_id BIGINT REFERENCES orgs(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_search TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'unit',
    path TEXT NOT NULL DEFAULT '',
    archived_at {{.Time}},
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE INDEX orgs_path ON orgs(path);
CREATE INDEX orgs_parent ON orgs(parent_id);

CREATE TABLE users (
    id {{.ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    name_search TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    disabled_at {{.Time}}
);
CREATE INDEX users_org ON users(org_id);

-- The audit log is append-only and tamper-evident: each entry's hash covers
-- its fields and the previous entry's hash (see internal/storage/audit.go).
CREATE TABLE audit_log (
    id {{.ID}},
    at {{.Time}} NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id TEXT NOT NULL DEFAULT '',
    org_id BIGINT,
    details TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE users;
DROP TABLE orgs;
