-- Each ticket's SLA (docs/sla.md "The three clocks"): the policy it was opened under, with a
-- snapshot of that policy's targets for every priority (JSON), the calendar it counts on, and
-- the three clocks. A clock's business time is `*_elapsed` plus the business time since
-- `*_since` while it runs; `*_met_at` is set when it stops for good.
-- `next_event_at` is the wall-clock instant of the next warning, breach or tier-1 expiry the
-- SLA engine must handle (null when none is pending); `due_at` is the earliest deadline of a
-- running clock, for `sort=due`; `breached` is true once any clock has breached.
CREATE TABLE ticket_sla (
    ticket_id TEXT PRIMARY KEY REFERENCES tickets (id),
    policy_id TEXT NOT NULL REFERENCES sla_policies (id),
    calendar_id TEXT NOT NULL REFERENCES calendars (id),
    targets TEXT NOT NULL,
    response_target BIGINT NOT NULL,
    response_elapsed BIGINT NOT NULL,
    response_since TIMESTAMP,
    response_met_at TIMESTAMP,
    response_warned_at TIMESTAMP,
    response_breached_at TIMESTAMP,
    tier1_target BIGINT,
    tier1_elapsed BIGINT NOT NULL,
    tier1_since TIMESTAMP,
    tier1_met_at TIMESTAMP,
    tier1_warned_at TIMESTAMP,
    tier1_breached_at TIMESTAMP,
    resolution_target BIGINT NOT NULL,
    resolution_elapsed BIGINT NOT NULL,
    resolution_since TIMESTAMP,
    resolution_met_at TIMESTAMP,
    resolution_warned_at TIMESTAMP,
    resolution_breached_at TIMESTAMP,
    next_event_at TIMESTAMP,
    due_at TIMESTAMP,
    breached BOOLEAN NOT NULL
);
-- The engine's one question, "what is due next?", reads only the tickets that have an answer.
CREATE INDEX ticket_sla_next_event ON ticket_sla (next_event_at) WHERE next_event_at IS NOT NULL;
CREATE INDEX ticket_sla_due ON ticket_sla (due_at, ticket_id);
-- Tickets with a running clock, by calendar: what a calendar edit recomputes.
CREATE INDEX ticket_sla_calendar ON ticket_sla (calendar_id) WHERE due_at IS NOT NULL;
