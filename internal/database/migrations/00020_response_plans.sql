-- +goose Up
-- Response plans and drills (issue 15, seed 004). A plan belongs to one
-- system and is never edited: each save is a new version (version 1, 2, …),
-- the newest is the plan in force. A plan is "to review" once its system
-- changed in the inventory after the plan was saved (systems.updated_at).
-- scenarios and contacts are JSON lists; rto_hours and rpo_hours are the
-- recovery objectives.
CREATE TABLE response_plans (
    id {{.ID}},
    system_id BIGINT NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    scenarios TEXT NOT NULL DEFAULT '[]',
    contacts TEXT NOT NULL DEFAULT '[]',
    escalation TEXT NOT NULL DEFAULT '',
    rto_hours INTEGER NOT NULL DEFAULT 0,
    rpo_hours INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    UNIQUE (system_id, version)
);

-- Drills: one exercise (tabletop or live-fire) on one or more systems, led
-- by an organisation; follow_ups is a JSON list of what has to be done after.
CREATE TABLE response_drills (
    id {{.ID}},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    scenario TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    participants TEXT NOT NULL DEFAULT '',
    worked TEXT NOT NULL DEFAULT '',
    failed TEXT NOT NULL DEFAULT '',
    follow_ups TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX response_drills_org ON response_drills(org_id, held_on);

CREATE TABLE response_drill_systems (
    drill_id BIGINT NOT NULL REFERENCES response_drills(id) ON DELETE CASCADE,
    system_id BIGINT NOT NULL REFERENCES systems(id) ON DELETE CASCADE,
    PRIMARY KEY (drill_id, system_id)
);
CREATE INDEX response_drill_systems_system ON response_drill_systems(system_id);

-- +goose Down
DROP TABLE response_drill_systems;
DROP TABLE response_drills;
DROP TABLE response_plans;
