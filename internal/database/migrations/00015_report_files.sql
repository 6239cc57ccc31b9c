-- +goose Up
-- Stored reports (issue 14): every generation of a report, from the API, the
-- CLI, the web or the background job, is one row here, and its file is a blob
-- (stored once by its SHA-256). Rows are never updated once done or failed:
-- a new generation is a new version, the old ones stay. org_id is the
-- organisation the report is about, which scopes who lists and downloads it;
-- requested_by_id is the user the background job acts as (NULL: khien's own
-- work, the CLI). progress (0-100) and stage follow the job; error is the
-- failure as a catalogue key and arguments (JSON), shown in each reader's
-- language; data_as_of is the time of the data the report shows.
CREATE TABLE report_files (
    id {{.ID}},
    kind TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    object_name TEXT NOT NULL DEFAULT '',
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    format TEXT NOT NULL,
    lang TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    sha256 TEXT REFERENCES blobs(sha256),
    size BIGINT NOT NULL DEFAULT 0,
    file_name TEXT NOT NULL DEFAULT '',
    data_as_of {{.Time}},
    requested_by TEXT NOT NULL,
    requested_by_id BIGINT,
    created_at {{.Time}} NOT NULL,
    started_at {{.Time}},
    finished_at {{.Time}}
);
CREATE INDEX report_files_org ON report_files(org_id, id);
CREATE INDEX report_files_object ON report_files(kind, object_id, id);

-- +goose Down
DROP TABLE report_files;
