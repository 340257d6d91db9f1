-- Tickets: the service catalogue, tickets with their per-year numbers, comments, the
-- append-only event trail, and idempotency keys for safe retries of ticket creation.

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    owner_unit_id TEXT NOT NULL REFERENCES units (id),
    critical BOOLEAN NOT NULL,
    sla_policy_id TEXT REFERENCES sla_policies (id),
    availability_target_percent DOUBLE PRECISION NOT NULL
        CHECK (availability_target_percent > 0 AND availability_target_percent <= 100),
    description TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX services_code_key ON services (code);

-- One row per year; incremented inside the ticket's own transaction, so numbers have no gaps.
CREATE TABLE ticket_counters (
    year INTEGER PRIMARY KEY,
    last_number BIGINT NOT NULL
);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'complaint', 'problem', 'request', 'change')),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('new', 'in_progress', 'pending', 'resolved', 'closed', 'cancelled')),
    priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    impact TEXT NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
    urgency TEXT NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
    tier INTEGER NOT NULL CHECK (tier IN (1, 2)),
    unit_id TEXT NOT NULL REFERENCES units (id),
    service_id TEXT REFERENCES services (id),
    assignee_id TEXT REFERENCES users (id),
    tier1_assignee_id TEXT REFERENCES users (id),
    reporter_name TEXT NOT NULL,
    reporter_email TEXT,
    reporter_phone TEXT,
    classification TEXT NOT NULL CHECK (classification IN ('public', 'restricted')),
    security_incident BOOLEAN NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    escalated_at TIMESTAMP,
    escalation_reason TEXT,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    resolution TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX tickets_number_key ON tickets (number);
-- Newest-first pages, whole region and per filter.
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_unit_created ON tickets (unit_id, created_at, id);
-- A PD's tickets of one status (Tier 1's working lists) without skipping the other statuses.
CREATE INDEX tickets_unit_status_created ON tickets (unit_id, status, created_at, id);
CREATE INDEX tickets_status_created ON tickets (status, created_at, id);
CREATE INDEX tickets_tier_status_created ON tickets (tier, status, created_at, id);
CREATE INDEX tickets_assignee_created ON tickets (assignee_id, created_at, id);
CREATE INDEX tickets_service_created ON tickets (service_id, created_at, id);

CREATE TABLE ticket_comments (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    internal BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, created_at);

-- Append-only: rows are inserted in the transaction of the change they record, never updated.
CREATE TABLE ticket_events (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    type TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id),
    at TIMESTAMP NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL REFERENCES users (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
