-- +goose Up
-- TOTP: the confirmed secret, a secret being enrolled, and the last time step
-- accepted, so a code cannot be used twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN mfa_enabled_at {{.Time}};
ALTER TABLE users ADD COLUMN password_changed_at {{.Time}};

-- One-time recovery codes, stored as SHA-256 of the code (they are random).
CREATE TABLE mfa_recovery_codes (
    id {{.ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at {{.Time}}
);
CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes(user_id);

-- Browser sessions. The cookie holds a random token; only its SHA-256 is
-- stored. stage is 'full', or 'mfa_enrol' while a user who must use MFA has
-- signed in with the password but not yet enrolled.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stage TEXT NOT NULL DEFAULT 'full',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    last_seen_at {{.Time}} NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- API tokens: stored hashed, revocable, expiring.
CREATE TABLE api_tokens (
    id {{.ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    expires_at {{.Time}},
    last_used_at {{.Time}},
    revoked_at {{.Time}}
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed sign-ins, for throttling per account and per address.
CREATE TABLE login_failures (
    id {{.ID}},
    at {{.Time}} NOT NULL,
    email TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

-- Organisations an auditor or responder is assigned to.
CREATE TABLE org_assignments (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    created_at {{.Time}} NOT NULL,
    PRIMARY KEY (user_id, org_id)
);

CREATE INDEX audit_log_action ON audit_log(action);
CREATE INDEX audit_log_actor ON audit_log(actor);

-- +goose Down
DROP INDEX audit_log_actor;
DROP INDEX audit_log_action;
DROP TABLE org_assignments;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE mfa_recovery_codes;
ALTER TABLE users DROP COLUMN password_changed_at;
ALTER TABLE users DROP COLUMN mfa_enabled_at;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_pending;
ALTER TABLE users DROP COLUMN totp_secret;
