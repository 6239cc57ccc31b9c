-- +goose Up
-- Inventory (issue 4): information systems, assets, security controls,
-- staff and their qualifications, and organisation merges. Dates that are
-- calendar days (decisions, go-live, trainings) are ISO "YYYY-MM-DD" text, so
-- they round-trip through Excel and both databases unchanged.
CREATE TABLE systems (
    id {{.ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    name_search TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    operator_org_id BIGINT REFERENCES orgs(id),
    operator_name TEXT NOT NULL DEFAULT '',
    operator_contract TEXT NOT NULL DEFAULT '',
    level INTEGER NOT NULL DEFAULT 0,
    level_decision TEXT NOT NULL DEFAULT '',
    level_decision_date TEXT NOT NULL DEFAULT '',
    level_approver TEXT NOT NULL DEFAULT '',
    hosting TEXT NOT NULL DEFAULT '',
    hosting_provider TEXT NOT NULL DEFAULT '',
    users_count INTEGER NOT NULL DEFAULT 0,
    personal_data {{.Bool}} NOT NULL DEFAULT FALSE,
    data_subjects INTEGER NOT NULL DEFAULT 0,
    population_db {{.Bool}} NOT NULL DEFAULT FALSE,
    admin_procedures {{.Bool}} NOT NULL DEFAULT FALSE,
    go_live TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'operating',
    contact_staff_id BIGINT,
    servers INTEGER NOT NULL DEFAULT 0,
    workstations INTEGER NOT NULL DEFAULT 0,
    network_devices INTEGER NOT NULL DEFAULT 0,
    security_devices INTEGER NOT NULL DEFAULT 0,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
-- A system's natural key is its owner and name (Excel re-imports match on it).
CREATE UNIQUE INDEX systems_org_name ON systems(org_id, name_search);
CREATE INDEX systems_kind ON systems(kind);

-- Assets belong to one organisation and to one or more of its systems. The
-- value is normalised (lower-case IDNA domain, canonical IP/CIDR), so the
-- same address registered by two agencies is found by equality.
CREATE TABLE assets (
    id {{.ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    value_search TEXT NOT NULL DEFAULT '',
    hostname TEXT NOT NULL DEFAULT '',
    ips TEXT NOT NULL DEFAULT '',
    os TEXT NOT NULL DEFAULT '',
    os_version TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    device_kind TEXT NOT NULL DEFAULT '',
    vendor TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE UNIQUE INDEX assets_org_kind_value ON assets(org_id, kind, value);
CREATE INDEX assets_value ON assets(value);

CREATE TABLE system_assets (
    system_id BIGINT NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    asset_id BIGINT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    PRIMARY KEY (system_id, asset_id)
);
CREATE INDEX system_assets_asset ON system_assets(asset_id);

CREATE TABLE system_controls (
    system_id BIGINT NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    control TEXT NOT NULL,
    status TEXT NOT NULL,
    product TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    backup_frequency TEXT NOT NULL DEFAULT '',
    last_restore_test TEXT NOT NULL DEFAULT '',
    updated_at {{.Time}} NOT NULL,
    PRIMARY KEY (system_id, control)
);

CREATE TABLE staff (
    id {{.ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    name_search TEXT NOT NULL DEFAULT '',
    position TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE UNIQUE INDEX staff_org_email ON staff(org_id, email);

CREATE TABLE qualifications (
    id {{.ID}},
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    course TEXT NOT NULL,
    completed_on TEXT NOT NULL DEFAULT '',
    certificate TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL
);
CREATE UNIQUE INDEX qualifications_key ON qualifications(staff_id, course, completed_on);

-- A merge (the 2025 province and commune mergers) moves everything of one
-- organisation into another; the row lets history queries follow the move.
CREATE TABLE org_merges (
    id {{.ID}},
    from_org_id BIGINT NOT NULL REFERENCES orgs(id),
    into_org_id BIGINT NOT NULL REFERENCES orgs(id),
    merged_at {{.Time}} NOT NULL,
    actor TEXT NOT NULL,
    moved TEXT NOT NULL DEFAULT ''
);

-- An uploaded workbook waits here between the preview and the user's
-- choice to import it (all of it, or only its valid rows), so the choice
-- works whichever replica answers it. Rows older than an hour are purged.
CREATE TABLE inventory_uploads (
    token TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    actor TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    data {{.Blob}} NOT NULL,
    created_at {{.Time}} NOT NULL
);

-- +goose Down
DROP TABLE inventory_uploads;
DROP TABLE org_merges;
DROP TABLE qualifications;
DROP TABLE staff;
DROP TABLE system_controls;
DROP TABLE system_assets;
DROP TABLE assets;
DROP TABLE systems;
