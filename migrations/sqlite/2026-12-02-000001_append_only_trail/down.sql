DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TRIGGER ticket_events_no_delete;
DROP TRIGGER ticket_events_no_update;
