-- The ticket trail and the audit log are the evidence an Inspektorat audits (Palangka Raya
-- Pasal 32, 47): entries are only ever added. The code has no path that changes or removes
-- one; these triggers refuse it to anyone else with access to the database file as well.
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only: its entries are never changed or removed');
END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN
    SELECT RAISE(ABORT, 'ticket_events is append-only: its entries are never changed or removed');
END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: its entries are never changed or removed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: its entries are never changed or removed');
END;
