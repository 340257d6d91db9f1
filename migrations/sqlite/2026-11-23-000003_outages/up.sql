-- Outages of services, for the availability SLA: [started_at, ended_at), open while ended_at
-- is null; planned maintenance is recorded but not counted as downtime.
CREATE TABLE outages (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    planned BOOLEAN NOT NULL,
    ticket_id TEXT REFERENCES tickets (id),
    note TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ended_at IS NULL OR ended_at > started_at)
);
CREATE INDEX outages_service_started ON outages (service_id, started_at);
