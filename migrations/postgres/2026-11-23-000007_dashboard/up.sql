-- The dashboard counts today's escalations by event type and time.
CREATE INDEX ticket_events_type_at ON ticket_events (type, at);
