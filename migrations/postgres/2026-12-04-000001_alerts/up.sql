-- Monitoring (docs/monitoring.md): alerts from Alertmanager and other monitors open outages
-- and incident tickets.

-- The `monitoring` role.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('tier1', 'tier2', 'supervisor', 'auditor', 'integration', 'monitoring', 'admin'));

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
