-- Each region's governance (docs/governance.md): what its regulation asks beyond tickets.

-- What the region's preset turns on; all editable with PUT /api/v1/region.
ALTER TABLE region_settings ADD COLUMN critical_designation BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE region_settings ADD COLUMN tier1_compliance_mail BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE region_settings ADD COLUMN supervision_interval_days INTEGER;
UPDATE region_settings SET critical_designation = TRUE WHERE preset = 'palangka-raya';
UPDATE region_settings SET tier1_compliance_mail = TRUE WHERE preset IN ('tojo-una-una', 'kupang');
UPDATE region_settings SET supervision_interval_days = 90 WHERE preset = 'ambon';

-- The decree (SK) that appoints a Tier 1 technician.
ALTER TABLE users ADD COLUMN appointment_number TEXT;
ALTER TABLE users ADD COLUMN appointment_date TEXT;

-- A service's criticality, step by step: the PD proposes, the Dinas designates or declines,
-- and may revoke a designation later.
CREATE TABLE criticality_steps (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    step TEXT NOT NULL CHECK (step IN ('proposed', 'designated', 'declined', 'revoked')),
    note TEXT NOT NULL,
    decree_number TEXT,
    decree_date TEXT,
    taken_by TEXT NOT NULL REFERENCES users (id),
    taken_at TIMESTAMP NOT NULL
);
CREATE INDEX criticality_steps_service ON criticality_steps (service_id, taken_at);

-- Breaches of the resolution aspect on services critical at the time: the register the
-- Komite Pengarah TIK's letters cite.
CREATE TABLE critical_breaches (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    -- Not a foreign key: the trail's tables are referenced by nothing, so that their own
    -- append-only guard is what answers any attempt to truncate them.
    event_id TEXT NOT NULL UNIQUE,
    due_at TIMESTAMP NOT NULL,
    breached_at TIMESTAMP NOT NULL
);
CREATE INDEX critical_breaches_service ON critical_breaches (service_id, breached_at);
CREATE INDEX critical_breaches_at ON critical_breaches (breached_at);

-- The Komite's letters to the Dinas: surat peringatan (warning) or surat teguran (reprimand).
CREATE TABLE committee_letters (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('warning', 'reprimand')),
    number TEXT NOT NULL UNIQUE,
    dated TEXT NOT NULL,
    addressee_unit_id TEXT NOT NULL REFERENCES units (id),
    service_id TEXT NOT NULL REFERENCES services (id),
    breach_ids TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX committee_letters_service ON committee_letters (service_id, recorded_at);

-- A service closed for a while by the Dinas (ditutup sementara), until its PD records the
-- repair. The closure's downtime is its planned outage.
CREATE TABLE service_closures (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    letter_id TEXT REFERENCES committee_letters (id),
    reason TEXT NOT NULL,
    outage_id TEXT NOT NULL REFERENCES outages (id),
    closed_by TEXT NOT NULL REFERENCES users (id),
    closed_at TIMESTAMP NOT NULL,
    repair_note TEXT,
    repaired_by TEXT REFERENCES users (id),
    reopened_at TIMESTAMP,
    CHECK ((reopened_at IS NULL) = (repaired_by IS NULL))
);
CREATE UNIQUE INDEX service_closures_one_open ON service_closures (service_id)
    WHERE reopened_at IS NULL;
CREATE INDEX service_closures_closed ON service_closures (closed_at);

-- The Kominfo PD's supervision of a PD's Administrator.
CREATE TABLE supervisions (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    held_on TEXT NOT NULL,
    findings TEXT NOT NULL,
    follow_ups TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX supervisions_unit ON supervisions (unit_id, held_on);
CREATE INDEX supervisions_held ON supervisions (held_on);

-- An incident or complaint linked to the problem ticket that covers its cause.
CREATE TABLE problem_links (
    ticket_id TEXT PRIMARY KEY REFERENCES tickets (id),
    problem_id TEXT NOT NULL REFERENCES tickets (id),
    linked_by TEXT NOT NULL REFERENCES users (id),
    linked_at TIMESTAMP NOT NULL
);
CREATE INDEX problem_links_problem ON problem_links (problem_id);

-- Periodic mails already sent: one row per kind and period, so that several processes send
-- each once.
CREATE TABLE digests (
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, period)
);
