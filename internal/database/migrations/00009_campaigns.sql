-- +goose Up
-- Review campaigns (kế hoạch, issue 12): a plan with its document, scope
-- (organisations, optionally systems), phases with deadlines, and for each
-- organisation what it owes in each phase. Calendar days are ISO
-- "YYYY-MM-DD" text, as in the inventory.
CREATE TABLE campaigns (
    id {{.ID}},
    title TEXT NOT NULL,
    document_no TEXT NOT NULL DEFAULT '',
    document_date TEXT NOT NULL DEFAULT '',
    issuing_body TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    year INTEGER NOT NULL,
    template TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft',
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE INDEX campaigns_status ON campaigns(status, year);

CREATE TABLE campaign_orgs (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (campaign_id, org_id)
);
CREATE INDEX campaign_orgs_org ON campaign_orgs(org_id);

-- Systems named explicitly; when a campaign names none it covers every
-- system of its organisations and their subtrees.
CREATE TABLE campaign_systems (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    system_id BIGINT NOT NULL REFERENCES systems(id),
    PRIMARY KEY (campaign_id, system_id)
);
CREATE INDEX campaign_systems_system ON campaign_systems(system_id);

CREATE TABLE campaign_phases (
    id {{.ID}},
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL DEFAULT '',
    due_on TEXT NOT NULL
);
CREATE INDEX campaign_phases_campaign ON campaign_phases(campaign_id, position);

-- What one organisation owes in one phase. "late" is never stored: it is
-- computed from the phase's due date.
CREATE TABLE campaign_obligations (
    id {{.ID}},
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    phase_id BIGINT NOT NULL REFERENCES campaign_phases(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'not_started',
    comment TEXT NOT NULL DEFAULT '',
    submitted_at {{.Time}},
    reviewed_at {{.Time}},
    actor TEXT NOT NULL DEFAULT '',
    updated_at {{.Time}} NOT NULL
);
CREATE INDEX campaign_obligations_campaign ON campaign_obligations(campaign_id, org_id);
CREATE INDEX campaign_obligations_org ON campaign_obligations(org_id);

-- The files an organisation submitted; their bytes are in blobs, stored
-- once by SHA-256.
CREATE TABLE campaign_files (
    id {{.ID}},
    obligation_id BIGINT NOT NULL REFERENCES campaign_obligations(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX campaign_files_obligation ON campaign_files(obligation_id);

-- What happened in a campaign, for "changed since last week".
CREATE TABLE campaign_events (
    id {{.ID}},
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    obligation_id BIGINT REFERENCES campaign_obligations(id) ON DELETE CASCADE,
    org_id BIGINT REFERENCES orgs(id),
    kind TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at {{.Time}} NOT NULL
);
CREATE INDEX campaign_events_campaign ON campaign_events(campaign_id, at);

-- +goose Down
DROP TABLE campaign_events;
DROP TABLE campaign_files;
DROP TABLE campaign_obligations;
DROP TABLE campaign_phases;
DROP TABLE campaign_systems;
DROP TABLE campaign_orgs;
DROP TABLE campaigns;
