-- The session store on PostgreSQL: agent sessions, emulations, sign-in throttle, audit log.
-- Times are milliseconds since the Unix epoch (BIGINT), as in the SQLite store.

CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_uid TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    agent_email TEXT NOT NULL,
    agent_groups TEXT[] NOT NULL,
    created BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent_uid);
CREATE INDEX agent_sessions_last_seen ON agent_sessions (last_seen);
CREATE INDEX agent_sessions_created ON agent_sessions (created);

CREATE TABLE emulations (
    session_id TEXT PRIMARY KEY,
    agent_uid TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    base_site TEXT NOT NULL,
    cart_id TEXT,
    reason TEXT,
    created BIGINT NOT NULL,
    ended BIGINT,
    end_reason TEXT
);
CREATE INDEX emulations_agent ON emulations (agent_uid, ended);
CREATE INDEX emulations_agent_customer ON emulations (agent_uid, customer_id, created);

CREATE TABLE throttle (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    agent_uid TEXT,
    customer_id TEXT,
    action TEXT NOT NULL,
    detail TEXT,
    outcome TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
