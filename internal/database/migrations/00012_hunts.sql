-- +goose Up
-- Threat hunts (Directive 18, issue 12): a hunt is opened by a finding that
-- lets an attacker in, by the six-monthly schedule of each system in use, or
-- by hand. It carries a checklist from its system kind's template (a JSON
-- list of {item, done, note}), an assignee, a result and evidence files.
-- finding_id becomes optional (a scheduled hunt has none) and note becomes
-- result_note. started_at is when someone first worked it (an assignment or
-- a ticked item); the schedule counts from it, or from created_at before.
-- Deleting a system (an entry made by mistake: retired ones are archived)
-- deletes its hunts: the schedule opens one on every system in use.
{{if .Postgres}}
ALTER TABLE hunt_tasks ALTER COLUMN finding_id DROP NOT NULL;
ALTER TABLE hunt_tasks DROP CONSTRAINT hunt_tasks_system_id_fkey;
ALTER TABLE hunt_tasks ADD CONSTRAINT hunt_tasks_system_id_fkey FOREIGN KEY (system_id) REFERENCES systems(id) ON DELETE CASCADE;
ALTER TABLE hunt_tasks RENAME COLUMN note TO result_note;
ALTER TABLE hunt_tasks ADD COLUMN origin TEXT NOT NULL DEFAULT 'finding';
ALTER TABLE hunt_tasks ADD COLUMN checklist TEXT NOT NULL DEFAULT '[]';
ALTER TABLE hunt_tasks ADD COLUMN assignee_user_id BIGINT REFERENCES users(id);
ALTER TABLE hunt_tasks ADD COLUMN result TEXT NOT NULL DEFAULT '';
ALTER TABLE hunt_tasks ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE hunt_tasks ADD COLUMN started_at {{.Time}};
ALTER TABLE hunt_tasks ADD COLUMN finished_at {{.Time}};
{{else}}
-- SQLite cannot drop a NOT NULL: the table is rebuilt. It is copied aside and
-- recreated under its own name (never renamed), so the trigger that keeps its
-- org_id in step with its system's still names it.
CREATE TABLE hunt_tasks_old AS SELECT * FROM hunt_tasks;
DROP TABLE hunt_tasks;
CREATE TABLE hunt_tasks (
    id {{.ID}},
    system_id BIGINT NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    finding_id BIGINT REFERENCES findings(id),
    status TEXT NOT NULL,
    due_date TEXT NOT NULL DEFAULT '',
    result_note TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    origin TEXT NOT NULL DEFAULT 'finding',
    checklist TEXT NOT NULL DEFAULT '[]',
    assignee_user_id BIGINT REFERENCES users(id),
    result TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    started_at {{.Time}},
    finished_at {{.Time}}
);
INSERT INTO hunt_tasks (id, system_id, org_id, finding_id, status, due_date, result_note, created_at, updated_at)
    SELECT id, system_id, org_id, finding_id, status, due_date, note, created_at, updated_at FROM hunt_tasks_old;
DROP TABLE hunt_tasks_old;
CREATE INDEX hunt_tasks_system ON hunt_tasks(system_id, status);
{{end}}
UPDATE hunt_tasks SET finished_at = updated_at WHERE status = 'done';
-- At most one open scheduled hunt per system: the schedule's inserts skip
-- a system that has one, however often the job runs.
CREATE UNIQUE INDEX hunt_tasks_scheduled ON hunt_tasks(system_id) WHERE origin = 'schedule' AND status = 'open';
CREATE INDEX hunt_tasks_created ON hunt_tasks(system_id, created_at);
CREATE INDEX hunt_tasks_assignee ON hunt_tasks(assignee_user_id);

-- Evidence of a hunt, stored once by its SHA-256 in blobs like a finding's.
CREATE TABLE hunt_files (
    id {{.ID}},
    hunt_id BIGINT NOT NULL REFERENCES hunt_tasks(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX hunt_files_hunt ON hunt_files(hunt_id);

-- +goose Down
DROP TABLE hunt_files;
DROP INDEX hunt_tasks_assignee;
DROP INDEX hunt_tasks_created;
DROP INDEX hunt_tasks_scheduled;
DELETE FROM hunt_tasks WHERE finding_id IS NULL;
{{if .Postgres}}
ALTER TABLE hunt_tasks DROP COLUMN finished_at;
ALTER TABLE hunt_tasks DROP COLUMN started_at;
ALTER TABLE hunt_tasks DROP COLUMN created_by;
ALTER TABLE hunt_tasks DROP COLUMN result;
ALTER TABLE hunt_tasks DROP COLUMN assignee_user_id;
ALTER TABLE hunt_tasks DROP COLUMN checklist;
ALTER TABLE hunt_tasks DROP COLUMN origin;
ALTER TABLE hunt_tasks RENAME COLUMN result_note TO note;
ALTER TABLE hunt_tasks ALTER COLUMN finding_id SET NOT NULL;
ALTER TABLE hunt_tasks DROP CONSTRAINT hunt_tasks_system_id_fkey;
ALTER TABLE hunt_tasks ADD CONSTRAINT hunt_tasks_system_id_fkey FOREIGN KEY (system_id) REFERENCES systems(id);
{{else}}
CREATE TABLE hunt_tasks_new AS SELECT * FROM hunt_tasks;
DROP TABLE hunt_tasks;
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
INSERT INTO hunt_tasks (id, system_id, org_id, finding_id, status, due_date, note, created_at, updated_at)
    SELECT id, system_id, org_id, finding_id, status, due_date, result_note, created_at, updated_at FROM hunt_tasks_new;
DROP TABLE hunt_tasks_new;
CREATE INDEX hunt_tasks_system ON hunt_tasks(system_id, status);
{{end}}
