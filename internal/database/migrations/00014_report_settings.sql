-- +goose Up
-- Each organisation's own header for the documents it issues (issue 14): the
-- issuing body and its governing body, the place, the number prefix
-- ("BC-SKHCN"), the signer (authority, title, name) and the recipients (a
-- JSON array of names). An empty text or an empty list keeps the default
-- drawn from the organisation tree; no row means every default.
CREATE TABLE report_settings (
    org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
    issuer TEXT NOT NULL DEFAULT '',
    parent TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    number_prefix TEXT NOT NULL DEFAULT '',
    signer_authority TEXT NOT NULL DEFAULT '',
    signer_title TEXT NOT NULL DEFAULT '',
    signer_name TEXT NOT NULL DEFAULT '',
    recipients TEXT NOT NULL DEFAULT '[]',
    updated_by TEXT NOT NULL,
    updated_at {{.Time}} NOT NULL
);

-- +goose Down
DROP TABLE report_settings;
