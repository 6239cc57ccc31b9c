-- +goose Up
-- Data safety (issue 9): systems are archived rather than deleted, and a
-- value registered by several agencies that the coordinator has found to be
-- shared infrastructure (a provincial data centre's reverse proxy) is no
-- longer listed as a conflict.
ALTER TABLE systems ADD COLUMN archived_at {{.Time}};

CREATE TABLE shared_assets (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    PRIMARY KEY (kind, value)
);

-- +goose Down
DROP TABLE shared_assets;
ALTER TABLE systems DROP COLUMN archived_at;
