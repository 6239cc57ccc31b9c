-- +goose Up
-- Sign-in throttling as one counter per account ("email:…") and per address
-- ("ip:…"). An attempt bumps its counters in one statement before the
-- password is checked, so parallel guesses cannot all pass a count taken
-- before any of them was written (login_failures was counted, then written).
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at {{.Time}} NOT NULL
);
DROP TABLE login_failures;

-- +goose Down
CREATE TABLE login_failures (
    id {{.ID}},
    at {{.Time}} NOT NULL,
    email TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);
DROP TABLE login_throttle;
