-- +goose Up
-- Findings (issue 11): one row per issue on one asset, whatever tools
-- reported it. The fingerprint (rule or CVE + normalised asset + location)
-- is the unique key imports upsert on; a finding outside every registered
-- asset has no system and no organisation (the unassigned queue, seen only
-- by the city-level roles). due_date and accepted_until are calendar days
-- "YYYY-MM-DD" in Vietnam time, so they compare as text on both databases.
CREATE TABLE findings (
    id {{.ID}},
    fingerprint TEXT NOT NULL,
    system_id BIGINT REFERENCES systems(id),
    org_id BIGINT REFERENCES orgs(id),
    asset_id BIGINT REFERENCES assets(id) ON DELETE SET NULL,
    rule_key TEXT NOT NULL,
    check_id TEXT NOT NULL DEFAULT '',
    tool TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    cvss3 TEXT NOT NULL DEFAULT '',
    cvss3_score DOUBLE PRECISION NOT NULL DEFAULT 0,
    cvss4 TEXT NOT NULL DEFAULT '',
    cvss4_score DOUBLE PRECISION NOT NULL DEFAULT 0,
    cwe TEXT NOT NULL DEFAULT '',
    cves TEXT NOT NULL DEFAULT '',
    kev {{.Bool}} NOT NULL DEFAULT FALSE,
    epss DOUBLE PRECISION NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    port INTEGER NOT NULL DEFAULT 0,
    protocol TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    parameter TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    request TEXT NOT NULL DEFAULT '',
    response TEXT NOT NULL DEFAULT '',
    remediation TEXT NOT NULL DEFAULT '',
    refs TEXT NOT NULL DEFAULT '',
    exposed {{.Bool}} NOT NULL DEFAULT FALSE,
    priority INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    regression {{.Bool}} NOT NULL DEFAULT FALSE,
    assignee_org_id BIGINT REFERENCES orgs(id),
    assignee_user_id BIGINT REFERENCES users(id),
    due_date TEXT NOT NULL DEFAULT '',
    accepted_until TEXT NOT NULL DEFAULT '',
    accepted_by TEXT NOT NULL DEFAULT '',
    hunt_id BIGINT,
    search TEXT NOT NULL DEFAULT '',
    first_seen {{.Time}} NOT NULL,
    last_seen {{.Time}} NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1,
    last_import_id BIGINT,
    status_changed_at {{.Time}} NOT NULL,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE UNIQUE INDEX findings_fingerprint ON findings(fingerprint);
-- Lists are ordered by priority, newest first among equals; each common
-- filter has an index that serves its first page in that order.
CREATE INDEX findings_priority ON findings(priority, id);
CREATE INDEX findings_org ON findings(org_id, priority, id);
CREATE INDEX findings_system ON findings(system_id, priority, id);
CREATE INDEX findings_status ON findings(status, priority, id);
CREATE INDEX findings_severity ON findings(severity_rank, priority, id);
CREATE INDEX findings_host ON findings(host);
CREATE INDEX findings_due ON findings(due_date, id);
-- Partial indexes: the few findings with a KEV-listed CVE, and the open
-- findings by due date (what is overdue).
CREATE INDEX findings_kev ON findings(priority, id) WHERE kev;
CREATE INDEX findings_open_due ON findings(org_id, due_date) WHERE status IN ('new', 'reopened', 'confirmed', 'in_remediation', 'fixed');
CREATE INDEX findings_org_counts ON findings(org_id, severity, status);

-- The number of findings by system (0: the unassigned queue), severity
-- and status, changed with the findings: counts and list totals of a
-- whole city read these rows, not the findings.
CREATE TABLE finding_counts (
    system_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (system_id, severity, status)
);
CREATE INDEX finding_counts_org ON finding_counts(org_id);

-- The CVEs of each finding, for the list's exact CVE filter.
CREATE TABLE finding_cves (
    cve TEXT NOT NULL,
    finding_id BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    PRIMARY KEY (cve, finding_id)
);

-- A finding's sources: each tool and rule that reported it.
CREATE TABLE finding_sources (
    finding_id BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    tool TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    first_seen {{.Time}} NOT NULL,
    last_seen {{.Time}} NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1,
    last_import_id BIGINT,
    PRIMARY KEY (finding_id, tool, rule_id)
);
CREATE INDEX finding_sources_tool ON finding_sources(tool, finding_id);

-- A finding's history: status changes, assignments, comments, imports
-- that reopened or verified it.
CREATE TABLE finding_events (
    id {{.ID}},
    finding_id BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    at {{.Time}} NOT NULL,
    actor TEXT NOT NULL,
    user_id BIGINT,
    kind TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    import_id BIGINT
);
CREATE INDEX finding_events_finding ON finding_events(finding_id, id);

-- Attachments are stored once by their SHA-256, whoever attaches them.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    data {{.Blob}} NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE TABLE finding_files (
    id {{.ID}},
    finding_id BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX finding_files_finding ON finding_files(finding_id);

-- Imports of scanner files. The uploaded file waits in parts of a few
-- megabytes (streamed in and out, so memory does not grow with the file)
-- until the background job has read it, then is dropped. actor_scope is
-- who queued it (role and organisations), as the job acts for them.
CREATE TABLE finding_imports (
    id {{.ID}},
    actor TEXT NOT NULL,
    actor_scope TEXT NOT NULL,
    user_id BIGINT,
    org_id BIGINT REFERENCES orgs(id),
    system_id BIGINT REFERENCES systems(id),
    file_name TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    progress BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    started_at {{.Time}},
    finished_at {{.Time}}
);
CREATE TABLE finding_import_parts (
    import_id BIGINT NOT NULL REFERENCES finding_imports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data {{.Blob}} NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- Threat-hunt tasks (Directive 18): a finding that lets an attacker in
-- opens one for its system, alongside the fix.
CREATE TABLE hunt_tasks (
    id {{.ID}},
    system_id BIGINT NOT NULL REFERENCES systems(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    finding_id BIGINT NOT NULL REFERENCES findings(id),
    status TEXT NOT NULL,
    due_date TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE INDEX hunt_tasks_system ON hunt_tasks(system_id, status);

-- The due-date policy, one row.
CREATE TABLE finding_policy (
    id INTEGER PRIMARY KEY,
    policy TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at {{.Time}} NOT NULL
);

-- A finding's organisation is its system's, copied for scoping and
-- counts without a join; when a merge moves a system to another
-- organisation, its findings follow in the same statement.
{{if .Postgres}}
-- +goose StatementBegin
CREATE FUNCTION findings_follow_system() RETURNS trigger AS $$
BEGIN
    UPDATE findings SET org_id = NEW.org_id, assignee_org_id = CASE WHEN assignee_org_id = OLD.org_id THEN NEW.org_id ELSE assignee_org_id END WHERE system_id = NEW.id;
    UPDATE hunt_tasks SET org_id = NEW.org_id WHERE system_id = NEW.id;
    UPDATE finding_counts SET org_id = NEW.org_id WHERE system_id = NEW.id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER systems_org_findings AFTER UPDATE OF org_id ON systems FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION findings_follow_system();
{{else}}
-- +goose StatementBegin
CREATE TRIGGER systems_org_findings AFTER UPDATE OF org_id ON systems FOR EACH ROW WHEN OLD.org_id IS NOT NEW.org_id
BEGIN
    UPDATE findings SET org_id = NEW.org_id, assignee_org_id = CASE WHEN assignee_org_id = OLD.org_id THEN NEW.org_id ELSE assignee_org_id END WHERE system_id = NEW.id;
    UPDATE hunt_tasks SET org_id = NEW.org_id WHERE system_id = NEW.id;
    UPDATE finding_counts SET org_id = NEW.org_id WHERE system_id = NEW.id;
END;
-- +goose StatementEnd
{{end}}

-- +goose Down
DROP TRIGGER systems_org_findings{{if .Postgres}} ON systems{{end}};
{{if .Postgres}}DROP FUNCTION findings_follow_system;{{end}}
DROP TABLE finding_policy;
DROP TABLE hunt_tasks;
DROP TABLE finding_import_parts;
DROP TABLE finding_imports;
DROP TABLE finding_files;
DROP TABLE blobs;
DROP TABLE finding_events;
DROP TABLE finding_sources;
DROP TABLE finding_counts;
DROP TABLE finding_cves;
DROP TABLE findings;
