-- Foundation: region settings, units, users, integration tokens, business calendars,
-- SLA policies and the administrative audit log.
-- Ids are UUID v7 text made by the service; timestamps are UTC; enums are text with CHECKs,
-- so that the same schema reads the same way on PostgreSQL and SQLite.

CREATE TABLE region_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    official_email_domains TEXT NOT NULL,
    mail_from TEXT NOT NULL,
    language TEXT NOT NULL,
    preset TEXT,
    tier1_label TEXT NOT NULL,
    tier2_label TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pd', 'dinas')),
    email TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX units_code_key ON units (code);
-- Exactly one Dinas unit: the Tier 2 home.
CREATE UNIQUE INDEX units_single_dinas ON units (kind) WHERE kind = 'dinas';

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('tier1', 'tier2', 'supervisor', 'auditor', 'integration', 'admin')),
    unit_id TEXT REFERENCES units (id),
    password_hash TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_unit_role ON users (unit_id, role);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE calendars (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    always_open BOOLEAN NOT NULL,
    working_hours TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE calendar_holidays (
    calendar_id TEXT NOT NULL REFERENCES calendars (id),
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (calendar_id, day)
);

CREATE TABLE sla_policies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    calendar_id TEXT NOT NULL REFERENCES calendars (id),
    is_default BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One region default policy, used by tickets without a service.
CREATE UNIQUE INDEX sla_policies_single_default ON sla_policies (is_default) WHERE is_default;

CREATE TABLE sla_targets (
    policy_id TEXT NOT NULL REFERENCES sla_policies (id),
    priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    response_seconds BIGINT NOT NULL CHECK (response_seconds > 0),
    tier1_seconds BIGINT CHECK (tier1_seconds > 0),
    resolution_seconds BIGINT NOT NULL CHECK (resolution_seconds > 0),
    warn_at_percent INTEGER NOT NULL CHECK (warn_at_percent BETWEEN 1 AND 99),
    PRIMARY KEY (policy_id, priority)
);

-- Who changed which setting, account or token, and when (Perwali Palangka Raya 23/2020 Pasal 32:
-- the history of transactions is kept).
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
