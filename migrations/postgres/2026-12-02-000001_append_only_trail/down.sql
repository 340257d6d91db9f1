DROP TRIGGER audit_log_not_truncated ON audit_log;
DROP TRIGGER audit_log_append_only ON audit_log;
DROP TRIGGER ticket_events_not_truncated ON ticket_events;
DROP TRIGGER ticket_events_append_only ON ticket_events;
DROP FUNCTION refuse_trail_change();
