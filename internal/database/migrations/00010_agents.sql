-- +goose Up
-- Scan agents: `khien agent` processes inside agency networks that pull work
-- over HTTPS with a token of their own. Only the token's SHA-256 is kept;
-- its prefix is shown to tell tokens apart.
CREATE TABLE agents (
    id {{.ID}},
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    token_prefix TEXT NOT NULL,
    -- enrolled_at is the first heartbeat: when the agent first used its token.
    enrolled_at {{.Time}},
    last_heartbeat_at {{.Time}},
    version TEXT NOT NULL DEFAULT '',
    hostname TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    revoked_at {{.Time}},
    created_by TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);

-- A system pinned to an agent is scanned only by that agent (an
-- internal-only system, reachable from inside its network).
CREATE TABLE agent_pins (
    system_id BIGINT PRIMARY KEY REFERENCES systems(id),
    agent_id BIGINT NOT NULL REFERENCES agents(id),
    actor TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX agent_pins_agent ON agent_pins(agent_id);

-- +goose Down
DROP TABLE agent_pins;
DROP TABLE agents;
