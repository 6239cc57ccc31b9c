-- +goose Up
-- Incident cases (issue 15). A case is led by one organisation (org_id: the
-- agency that owns the first affected system, or the coordinator's choice)
-- and may touch systems of several (incident_systems, with each system's
-- organisation copied so that scoping needs no join through systems).
-- phase is the current phase; incident_phases keeps when each phase began,
-- one row per entry (a case may go back, e.g. recovery → eradication when
-- the injection returns). detected_at, notified_at, contained_at and
-- recovered_at are the four milestones the statutory forms and the metrics
-- ask for; closed_at is when the case was closed. ref is the case's number
-- ("SC-2026-0007": the year and the id), unique; title_search is the title
-- folded (i18n.Fold) for search without diacritics.
CREATE TABLE incident_cases (
    id {{.ID}},
    ref TEXT NOT NULL UNIQUE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    title_search TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    tlp TEXT NOT NULL,
    serious {{.Bool}} NOT NULL DEFAULT FALSE,
    phase TEXT NOT NULL,
    detected_at {{.Time}} NOT NULL,
    notified_at {{.Time}},
    contained_at {{.Time}},
    recovered_at {{.Time}},
    closed_at {{.Time}},
    detection_method TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE INDEX incident_cases_org ON incident_cases(org_id, id);
CREATE INDEX incident_cases_phase ON incident_cases(phase, id);

-- The affected systems. Deleting a system (an entry made by mistake) keeps
-- the case: its row here goes, the case's history stays in the timeline.
CREATE TABLE incident_systems (
    incident_id BIGINT NOT NULL REFERENCES incident_cases(id) ON DELETE CASCADE,
    system_id BIGINT NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (incident_id, system_id)
);
CREATE INDEX incident_systems_system ON incident_systems(system_id);
CREATE INDEX incident_systems_org ON incident_systems(org_id);

-- When each phase began, and who moved the case into it.
CREATE TABLE incident_phases (
    id {{.ID}},
    incident_id BIGINT NOT NULL REFERENCES incident_cases(id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    started_at {{.Time}} NOT NULL,
    started_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_phases_case ON incident_phases(incident_id, id);

-- The users working a case. A responder sees only the cases it is on.
CREATE TABLE incident_responders (
    incident_id BIGINT NOT NULL REFERENCES incident_cases(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    added_at {{.Time}} NOT NULL,
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_responders_user ON incident_responders(user_id);

-- Tasks: the category's playbook when the case opens, tasks of the library
-- added later (code set: the title comes from the catalogue in the reader's
-- language) or written by hand (code empty, title set). status is open, done
-- or skipped (not applicable: with a note saying why).
CREATE TABLE incident_tasks (
    id {{.ID}},
    incident_id BIGINT NOT NULL REFERENCES incident_cases(id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    assignee_user_id BIGINT REFERENCES users(id),
    due_at {{.Time}},
    note TEXT NOT NULL DEFAULT '',
    done_at {{.Time}},
    done_by TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL
);
CREATE INDEX incident_tasks_case ON incident_tasks(incident_id, position, id);
CREATE INDEX incident_tasks_assignee ON incident_tasks(assignee_user_id, status);

-- The timeline: what happened when. occurred_at is in UTC, zone the time
-- zone it was given in (an IANA name or an offset, shown back as given);
-- kind is manual, or phase, task, evidence, indicator… for the events the
-- case writes itself; indicator_ids and system_ids are JSON lists of ids.
CREATE TABLE incident_events (
    id {{.ID}},
    incident_id BIGINT NOT NULL REFERENCES incident_cases(id) ON DELETE CASCADE,
    occurred_at {{.Time}} NOT NULL,
    zone TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    kind TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    indicator_ids TEXT NOT NULL DEFAULT '[]',
    system_ids TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX incident_events_case ON incident_events(incident_id, occurred_at, id);

-- +goose Down
DROP TABLE incident_events;
DROP TABLE incident_tasks;
DROP TABLE incident_responders;
DROP TABLE incident_phases;
DROP TABLE incident_systems;
DROP TABLE incident_cases;
