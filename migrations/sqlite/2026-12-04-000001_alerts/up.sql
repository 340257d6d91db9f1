-- Monitoring (docs/monitoring.md): alerts from Alertmanager and other monitors open outages
-- and incident tickets.

-- The `monitoring` role. SQLite cannot change a CHECK in place, so the table is rebuilt.
-- Migrations run in one transaction, where foreign keys cannot be switched off: they are
-- deferred instead, the rows are copied aside, and the drop's missing parents are found again
-- when the same rows go into the new table, before the commit checks.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE users_before_monitoring AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('tier1', 'tier2', 'supervisor', 'auditor', 'integration', 'monitoring', 'admin')),
    unit_id TEXT REFERENCES units (id),
    password_hash TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    credential_generation BIGINT NOT NULL DEFAULT 0,
    appointment_number TEXT,
    appointment_date TEXT
);
INSERT INTO users SELECT id, email, name, role, unit_id, password_hash, active, created_at,
    updated_at, credential_generation, appointment_number, appointment_date
    FROM users_before_monitoring;
DROP TABLE users_before_monitoring;
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_unit_role ON users (unit_id, role);

-- How alerts name a service and what priority their severity gives; editable with
-- PUT /api/v1/region.
ALTER TABLE region_settings ADD COLUMN alert_service_label TEXT NOT NULL DEFAULT 'service';
ALTER TABLE region_settings ADD COLUMN alert_priorities TEXT NOT NULL
    DEFAULT '{"critical":"critical","warning":"high","info":"low"}';

-- The tier a monitoring incident opens at (the Dinas runs the data centre), and whether the
-- alert's end resolves it.
ALTER TABLE services ADD COLUMN alert_tier INTEGER NOT NULL DEFAULT 2 CHECK (alert_tier IN (1, 2));
ALTER TABLE services ADD COLUMN auto_resolve BOOLEAN NOT NULL DEFAULT FALSE;

-- Who saw an outage: a person, an alert or a probe.
ALTER TABLE outages ADD COLUMN source TEXT NOT NULL DEFAULT 'person'
    CHECK (source IN ('person', 'alert', 'probe'));

-- Every alert received, matched to a service or not: one row per service label, fingerprint
-- and start, so that a retry or a second process finds the first, and two monitors whose
-- fingerprints happen to agree never meet. `service_code` is the label's value, upper-case,
-- or '' when the alert has none.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('alertmanager', 'generic')),
    fingerprint TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    service_code TEXT NOT NULL,
    service_id TEXT REFERENCES services (id),
    summary TEXT NOT NULL,
    source_url TEXT,
    labels TEXT NOT NULL,
    outage_id TEXT REFERENCES outages (id),
    ticket_id TEXT REFERENCES tickets (id),
    received_by TEXT NOT NULL REFERENCES users (id),
    received_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX alerts_identity ON alerts (service_code, fingerprint, started_at);
CREATE INDEX alerts_received ON alerts (received_at);
CREATE INDEX alerts_outage ON alerts (outage_id);
