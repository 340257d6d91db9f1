-- The ticket trail and the audit log are the evidence an Inspektorat audits (Palangka Raya
-- Pasal 32, 47): entries are only ever added. The code has no path that changes or removes
-- one; these triggers refuse it to anyone else with access to the database as well.
CREATE FUNCTION refuse_trail_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: its entries are never changed or removed', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER ticket_events_append_only BEFORE UPDATE OR DELETE ON ticket_events
    FOR EACH ROW EXECUTE FUNCTION refuse_trail_change();
CREATE TRIGGER ticket_events_not_truncated BEFORE TRUNCATE ON ticket_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_trail_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_trail_change();
CREATE TRIGGER audit_log_not_truncated BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_trail_change();
