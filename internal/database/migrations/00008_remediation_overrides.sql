-- +goose Up
-- The coordinator's edits of the embedded remediation knowledge base: one row
-- per entry and language replaces that language's text (summary, fix and the
-- per-stack steps, a JSON object of stack → steps). Deleting the row brings
-- the embedded text back.
CREATE TABLE remediation_overrides (
    key TEXT NOT NULL,
    lang TEXT NOT NULL,
    summary TEXT NOT NULL,
    fix TEXT NOT NULL,
    stacks TEXT NOT NULL DEFAULT '{}',
    updated_by TEXT NOT NULL,
    updated_at {{.Time}} NOT NULL,
    PRIMARY KEY (key, lang)
);

-- +goose Down
DROP TABLE remediation_overrides;
