-- A service's month in breach of its availability target: unplanned downtime passed the
-- budget the target allows (docs/sla.md "Availability"). One row per service and month (the
-- region's calendar month, `YYYY-MM`), so the breach is recorded once.
CREATE TABLE availability_breaches (
    service_id TEXT NOT NULL REFERENCES services (id),
    month TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    downtime_seconds BIGINT NOT NULL,
    budget_seconds BIGINT NOT NULL,
    PRIMARY KEY (service_id, month)
);
