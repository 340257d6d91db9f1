-- Closing a resolved ticket used to restart its tier 1 and resolution clocks, so the SLA engine
-- then warned about, breached and mailed for closed tickets; and cancelling only paused the
-- clocks. This stops every clock of a closed or cancelled ticket for good where it stopped: a clock running on a closed ticket stopped at the
-- ticket's last resolve (the restart kept its elapsed time), and any warning or breach recorded
-- after the close came from the restart. Nothing is recorded or mailed for these tickets; their
-- trail keeps what was written then, since events are never rewritten.
UPDATE ticket_sla
SET tier1_met_at = CASE
        WHEN tier1_since IS NOT NULL THEN COALESCE(tier1_met_at,
            (SELECT t.resolved_at FROM tickets t WHERE t.id = ticket_sla.ticket_id))
        ELSE tier1_met_at END,
    tier1_since = NULL,
    tier1_warned_at = CASE
        WHEN tier1_warned_at > (SELECT t.closed_at FROM tickets t WHERE t.id = ticket_sla.ticket_id)
        THEN NULL ELSE tier1_warned_at END,
    tier1_breached_at = CASE
        WHEN tier1_breached_at > (SELECT t.closed_at FROM tickets t WHERE t.id = ticket_sla.ticket_id)
        THEN NULL ELSE tier1_breached_at END,
    resolution_met_at = CASE
        WHEN resolution_since IS NOT NULL THEN COALESCE(resolution_met_at,
            (SELECT t.resolved_at FROM tickets t WHERE t.id = ticket_sla.ticket_id))
        ELSE resolution_met_at END,
    resolution_since = NULL,
    resolution_warned_at = CASE
        WHEN resolution_warned_at > (SELECT t.closed_at FROM tickets t WHERE t.id = ticket_sla.ticket_id)
        THEN NULL ELSE resolution_warned_at END,
    resolution_breached_at = CASE
        WHEN resolution_breached_at > (SELECT t.closed_at FROM tickets t WHERE t.id = ticket_sla.ticket_id)
        THEN NULL ELSE resolution_breached_at END,
    response_since = NULL
WHERE ticket_id IN (SELECT id FROM tickets WHERE status = 'closed');

-- Cancelling paused every clock; now it stops them for good, at the cancel.
UPDATE ticket_sla
SET response_met_at = COALESCE(response_met_at, (SELECT max(e.at) FROM ticket_events e
        WHERE e.ticket_id = ticket_sla.ticket_id AND e.type = 'cancelled')),
    tier1_met_at = COALESCE(tier1_met_at, (SELECT max(e.at) FROM ticket_events e
        WHERE e.ticket_id = ticket_sla.ticket_id AND e.type = 'cancelled')),
    resolution_met_at = COALESCE(resolution_met_at, (SELECT max(e.at) FROM ticket_events e
        WHERE e.ticket_id = ticket_sla.ticket_id AND e.type = 'cancelled')),
    response_since = NULL, tier1_since = NULL, resolution_since = NULL
WHERE ticket_id IN (SELECT id FROM tickets WHERE status = 'cancelled');

UPDATE ticket_sla
SET next_event_at = NULL,
    due_at = NULL,
    breached = (response_breached_at IS NOT NULL OR tier1_breached_at IS NOT NULL
        OR resolution_breached_at IS NOT NULL)
WHERE ticket_id IN (SELECT id FROM tickets WHERE status IN ('closed', 'cancelled'));
