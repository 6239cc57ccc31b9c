-- +goose Up
-- Scan operations: what may be scanned (written authorisations and
-- exclusions), how (windows and limits per system), when (schedules) and
-- what ran (scans, with the hosts each has finished so that a scan that
-- stops resumes after them).

-- The coordinator's written authorisation to scan a system outside any
-- active campaign.
CREATE TABLE scan_authorizations (
    id {{.ID}},
    system_id BIGINT NOT NULL REFERENCES systems(id),
    authorized_by TEXT NOT NULL DEFAULT '',
    document_no TEXT NOT NULL DEFAULT '',
    valid_until TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    revoked_at {{.Time}}
);
CREATE INDEX scan_authorizations_system ON scan_authorizations(system_id, valid_until);

-- Never scanned: an address, a range or a name; for one system, one asset,
-- or everywhere (both empty).
CREATE TABLE scan_exclusions (
    id {{.ID}},
    system_id BIGINT REFERENCES systems(id),
    asset_id BIGINT REFERENCES assets(id),
    value TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);

-- How a system may be scanned: its window (empty: any time) and its
-- per-host limits (0: the global default; never above the global maximum).
CREATE TABLE scan_settings (
    system_id BIGINT PRIMARY KEY REFERENCES systems(id),
    window_spec TEXT NOT NULL DEFAULT '',
    per_host INTEGER NOT NULL DEFAULT 0,
    per_host_rate DOUBLE PRECISION NOT NULL DEFAULT 0,
    http_budget INTEGER NOT NULL DEFAULT 0,
    connect_rate DOUBLE PRECISION NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL,
    updated_at {{.Time}} NOT NULL
);

-- When scans run: an RRULE for one system or for a campaign's systems.
CREATE TABLE scan_schedules (
    id {{.ID}},
    system_id BIGINT REFERENCES systems(id),
    campaign_id BIGINT,
    rrule TEXT NOT NULL,
    profile TEXT NOT NULL DEFAULT 'safe',
    starts_at {{.Time}} NOT NULL,
    next_run_at {{.Time}},
    last_run_at {{.Time}},
    enabled {{.Bool}} NOT NULL DEFAULT TRUE,
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE INDEX scan_schedules_due ON scan_schedules(enabled, next_run_at);

-- A scan of one system's registered assets. Its organisation is the
-- system's, read through it (a merger moves systems with their scans).
CREATE TABLE scans (
    id {{.ID}},
    system_id BIGINT NOT NULL REFERENCES systems(id),
    campaign_id BIGINT,
    schedule_id BIGINT REFERENCES scan_schedules(id),
    profile TEXT NOT NULL,
    status TEXT NOT NULL,
    runner TEXT NOT NULL DEFAULT 'server',
    agent_id BIGINT,
    reason TEXT NOT NULL DEFAULT '',
    plan TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    hosts_total INTEGER NOT NULL DEFAULT 0,
    hosts_done INTEGER NOT NULL DEFAULT 0,
    findings INTEGER NOT NULL DEFAULT 0,
    new_findings INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0,
    verified INTEGER NOT NULL DEFAULT 0,
    scheduled_for {{.Time}},
    lease_until {{.Time}},
    created_at {{.Time}} NOT NULL,
    started_at {{.Time}},
    finished_at {{.Time}},
    updated_at {{.Time}} NOT NULL
);
CREATE INDEX scans_system ON scans(system_id, id);
CREATE INDEX scans_status ON scans(status, id);
-- A schedule tick never makes the same scan twice.
CREATE UNIQUE INDEX scans_schedule_run ON scans(schedule_id, system_id, scheduled_for);

-- The hosts a scan has finished.
CREATE TABLE scan_hosts (
    scan_id BIGINT NOT NULL REFERENCES scans(id),
    host TEXT NOT NULL,
    done_at {{.Time}} NOT NULL,
    PRIMARY KEY (scan_id, host)
);

-- +goose Down
DROP TABLE scan_hosts;
DROP TABLE scans;
DROP TABLE scan_schedules;
DROP TABLE scan_settings;
DROP TABLE scan_exclusions;
DROP TABLE scan_authorizations;
